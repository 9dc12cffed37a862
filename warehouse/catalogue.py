"""The catalogue (warehouse/catalogue.yaml) as ``ref.catalogue`` and as DuckDB comments.

Each table and column of the schemas ref, indicateurs and public gets a French label,
definition, unit and source; an analyst sees them in ``duckdb_tables()`` and ``duckdb_columns()``
(column ``comment``), and the exports describe their files with them.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from pathlib import Path

import duckdb
import yaml

from warehouse import PACKAGE_DIR
from warehouse.db import sql_text, transaction

CATALOGUE_PATH = PACKAGE_DIR / "catalogue.yaml"
SCHEMAS = ("ref", "indicateurs", "public")

DDL = """
CREATE OR REPLACE TABLE ref.catalogue (
    schema_name VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL,
    column_name VARCHAR,              -- NULL: the row describes the table itself
    libelle VARCHAR NOT NULL,
    definition VARCHAR NOT NULL,
    unite VARCHAR,
    source VARCHAR
)"""


@dataclass(frozen=True)
class Entry:
    schema_name: str
    table_name: str
    column_name: str | None
    libelle: str
    definition: str
    unite: str | None
    source: str | None

    def comment(self) -> str:
        text = f"{self.libelle} : {self.definition}"
        text += f" Unité : {self.unite}." if self.unite else ""
        return text + (f" Source : {self.source}." if self.source and self.column_name is None else "")


class Catalogue:
    def __init__(self, path: Path = CATALOGUE_PATH):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.shared: dict[str, dict] = data["colonnes"]
        self.tables: dict[str, dict] = data["tables"]
        self.public_note: str = data["public_note"]

    def table(self, schema: str, table: str) -> dict | None:
        """A table's entry; public.<t> of an indicator table is indicateurs.<t> with the note."""
        entry = self.tables.get(f"{schema}.{table}")
        if entry is None and schema == "public" and f"indicateurs.{table}" in self.tables:
            entry = dict(self.tables[f"indicateurs.{table}"])
            entry["definition"] = f"{entry['definition']} {self.public_note}"
        return entry

    def describe_table(self, schema: str, table: str) -> Entry | None:
        entry = self.table(schema, table)
        if entry is None:
            return None
        return Entry(schema, table, None, entry["libelle"], entry["definition"], None, entry["source"])

    def describe_column(self, schema: str, table: str, column: str) -> Entry | None:
        entry = self.table(schema, table)
        if entry is None:
            return None
        found = entry.get("colonnes", {}).get(column) or self.shared.get(column)
        if found is None:
            return None
        return Entry(schema, table, column, found["libelle"], found["definition"], found.get("unite"),
                     found.get("source", entry["source"]))


def described_columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(schema, table, column) of every column of the catalogued schemas, in table order."""
    return con.execute(
        f"SELECT schema_name, table_name, column_name FROM duckdb_columns() "
        f"WHERE database_name = current_database() AND schema_name IN {SCHEMAS} "
        f"ORDER BY schema_name, table_name, column_index").fetchall()


def catalogue_entries(con: duckdb.DuckDBPyConnection, catalogue: Catalogue) -> tuple[list[Entry], list[str]]:
    """The entries of every table and column present, and the names of those without one."""
    entries, missing, tables = [], [], set()
    for schema, table, column in described_columns(con):
        if (schema, table) not in tables:
            tables.add((schema, table))
            entry = catalogue.describe_table(schema, table)
            if entry is None:
                missing.append(f"{schema}.{table}")
            else:
                entries.append(entry)
        entry = catalogue.describe_column(schema, table, column)
        if entry is None:
            missing.append(f"{schema}.{table}.{column}")
        else:
            entries.append(entry)
    return entries, missing


def write_catalogue(con: duckdb.DuckDBPyConnection, catalogue: Catalogue | None = None) -> list[str]:
    """Write ``ref.catalogue`` and the comments; returns the tables and columns without entry."""
    catalogue = catalogue or Catalogue()
    with transaction(con):
        con.execute(DDL)
        entries, missing = catalogue_entries(con, catalogue)
        con.executemany("INSERT INTO ref.catalogue VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [list(astuple(e)) for e in entries])
        for e in entries:
            target = (f"TABLE {e.schema_name}.{e.table_name}" if e.column_name is None
                      else f"COLUMN {e.schema_name}.{e.table_name}.{e.column_name}")
            con.execute(f"COMMENT ON {target} IS {sql_text(e.comment())}")
    return missing
