"""The catalogue as ``ref.catalogue`` and as DuckDB comments.

Each table, view and column of every schema gets a French label, definition, unit and source:
the tables built by SQL assets from their declaration (warehouse/indicateurs/<service>.yaml,
warehouse/tables.py), the others (ref, raw, staging of the sources, qualite) from
warehouse/catalogue.yaml. An analyst sees them in ``duckdb_tables()``, ``duckdb_views()`` and
``duckdb_columns()`` (column ``comment``), and the exports describe their files with them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse import PACKAGE_DIR, read_yaml
from warehouse.db import sql_text, transaction
from warehouse.tables import Table, load_tables

CATALOGUE_PATH = PACKAGE_DIR / "catalogue.yaml"
SCHEMAS = ("ref", "raw", "staging", "indicateurs", "qualite", "public")
DESCRIPTION = ("libelle", "definition", "unite", "source")

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


ENTRY_SCHEMA = pa.schema([(f.name, pa.string()) for f in fields(Entry)])


def declared_entry(table: Table) -> dict:
    """The catalogue entry of a declared table: its description and its columns'."""
    return {"libelle": table.libelle, "definition": table.definition, "source": table.source,
            "colonnes": {c.name: {k: getattr(c, k) for k in DESCRIPTION if getattr(c, k)}
                         for c in table.columns if c.libelle}}


class Catalogue:
    def __init__(self, path: Path = CATALOGUE_PATH, declarations: Path | None = None):
        data = read_yaml(path)
        self.shared: dict[str, dict] = data["colonnes"]
        self.tables: dict[str, dict] = {**data["tables"], **{
            table.qualified: declared_entry(table) for table in load_tables(declarations)}}
        self.public_note: str = data["public_note"]

    def table(self, schema: str, table: str) -> dict | None:
        """A table's entry; public.<t> of an indicator table is indicateurs.<t> with the note;
        ``<schema>.*__<name>`` describes that table of every source (``{source}`` in its text)."""
        entry = self.tables.get(f"{schema}.{table}")
        source, _, name = table.partition("__")
        if entry is None and f"{schema}.*__{name}" in self.tables:
            entry = {key: value.replace("{source}", source) if isinstance(value, str) else value
                     for key, value in self.tables[f"{schema}.*__{name}"].items()}
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


def described_columns(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...] = SCHEMAS
                      ) -> list[tuple[str, str, str]]:
    """(schema, table, column) of every column of the catalogued schemas, in table order."""
    return con.execute(
        "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
        "WHERE database_name = current_database() AND list_contains(?, schema_name) "
        "ORDER BY schema_name, table_name, column_index", [list(schemas)]).fetchall()


def catalogue_entries(con: duckdb.DuckDBPyConnection, catalogue: Catalogue, schemas: tuple[str, ...] = SCHEMAS
                      ) -> tuple[list[Entry], list[str]]:
    """The entries of every table and column present, and the names of those without one."""
    entries, missing, tables = [], [], set()
    for schema, table, column in described_columns(con, schemas):
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


def schema_entries(con: duckdb.DuckDBPyConnection, schema: str, catalogue: Catalogue | None = None
                   ) -> dict[tuple[str, str | None], Entry]:
    """(table, column or None) -> the entry of one schema's tables and columns as they are now:
    the rows ``write_catalogue`` writes into ref.catalogue, for the steps that run before it (the
    exports and their validation, the report's draft)."""
    entries, _ = catalogue_entries(con, catalogue or Catalogue(), (schema,))
    return {(e.table_name, e.column_name): e for e in entries}


def write_catalogue(con: duckdb.DuckDBPyConnection, catalogue: Catalogue | None = None) -> list[str]:
    """Write ``ref.catalogue`` and the comments; returns the tables and columns without entry."""
    catalogue = catalogue or Catalogue()
    with transaction(con):
        con.execute(DDL)
        entries, missing = catalogue_entries(con, catalogue)
        rows = pa.Table.from_pylist([asdict(e) for e in entries], schema=ENTRY_SCHEMA)  # noqa: F841 (DuckDB reads it by its name)
        con.execute("INSERT INTO ref.catalogue BY NAME SELECT * FROM rows")
        views = set(con.execute("SELECT schema_name, view_name FROM duckdb_views() "
                                "WHERE database_name = current_database() AND NOT internal").fetchall())
        con.execute(";\n".join(comment_statement(e, (e.schema_name, e.table_name) in views) for e in entries))
    return missing


def comment_statement(entry: Entry, is_view: bool) -> str:
    kind = "VIEW" if is_view else "TABLE"
    target = (f"{kind} {entry.schema_name}.{entry.table_name}" if entry.column_name is None
              else f"COLUMN {entry.schema_name}.{entry.table_name}.{entry.column_name}")
    return f"COMMENT ON {target} IS {sql_text(entry.comment())}"
