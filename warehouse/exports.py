"""Exports of the ``public`` schema, for other tools and for spreadsheet users.

Each public table is written three times into a folder:
- ``parquet/<t>.parquet``;
- ``csv/<t>.csv``: UTF-8, comma separator, decimal point, ``true``/``false``;
- ``excel/<t>.csv``: for French Excel: Windows-1252, semicolon separator, decimal comma,
  ``oui``/``non``, Windows line ends (a character outside Windows-1252 becomes its closest
  ASCII form, else ``?``; the other two files keep it);
and ``datapackage.json`` (Frictionless Data Package, written here without the frictionless
library) describes every file and column with the labels of ``ref.catalogue``, and the columns
of an indicator table with the value constraints of its declaration (warehouse/tables.py). A
masked cell is empty. The folder is built whole by a run, then published in one step (assets/resources.py).
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import shutil
import unicodedata
from pathlib import Path

import duckdb

from warehouse.db import file_sha256, schema_tables, table_columns, table_key
from warehouse.reference import read_ref
from warehouse.tables import Column, declared_indicators, reference_values

EXCEL_ENCODING = "windows-1252"
TRUE_FALSE = {"csv": (["true"], ["false"]), "excel": (["oui"], ["non"])}
LINE_ENDS = {"csv": "\n", "excel": "\r\n"}
FORMATS = {  # folder: (file suffix, format, media type)
    "parquet": (".parquet", "parquet", "application/vnd.apache.parquet"),
    "csv": (".csv", "csv", "text/csv"),
    "excel": (".csv", "csv", "text/csv"),
}


def closest_ascii(error: UnicodeEncodeError) -> tuple[str, int]:
    """Codec error handler: a character Windows-1252 lacks becomes its compatibility form, or ?."""
    text = error.object[error.start:error.end]
    plain = unicodedata.normalize("NFKD", text).encode(EXCEL_ENCODING, "ignore").decode(EXCEL_ENCODING)
    return plain or "?", error.end


codecs.register_error("observatoire_ascii", closest_ascii)


def field_type(sql_type: str) -> str:
    """The Frictionless (Table Schema) type of a DuckDB column type."""
    if sql_type.startswith(("DECIMAL", "DOUBLE", "FLOAT", "REAL")):
        return "number"
    if sql_type in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"):
        return "integer"
    return {"BOOLEAN": "boolean", "DATE": "date", "TIMESTAMP": "datetime"}.get(sql_type, "string")


def excel_cell(column: str, sql_type: str) -> str:
    kind = field_type(sql_type)
    if kind == "number":
        return f"replace(CAST({column} AS VARCHAR), '.', ',') AS {column}"
    if kind == "boolean":
        return f"CASE WHEN {column} THEN 'oui' WHEN NOT {column} THEN 'non' END AS {column}"
    return column


def ordered_select(con: duckdb.DuckDBPyConnection, table: str, cells: list[str]) -> str:
    key = table_key(con, "public", table)
    return f"SELECT {', '.join(cells)} FROM public.{table} ORDER BY {', '.join(key) if key else 'ALL'}"


def write_table(con: duckdb.DuckDBPyConnection, table: str, folder: Path) -> None:
    """The three files of one public table."""
    columns = table_columns(con, "public", table)
    plain = ordered_select(con, table, [name for name, _ in columns])
    con.execute(f"COPY ({plain}) TO ? (FORMAT parquet)", [str(folder / "parquet" / f"{table}.parquet")])
    con.execute(f"COPY ({plain}) TO ? (FORMAT csv, HEADER, DELIMITER ',')", [str(folder / "csv" / f"{table}.csv")])
    excel = folder / "excel" / f"{table}.csv"
    utf8 = excel.with_suffix(".utf8")
    con.execute(f"COPY ({ordered_select(con, table, [excel_cell(n, t) for n, t in columns])}) "
                "TO ? (FORMAT csv, HEADER, DELIMITER ';')", [str(utf8)])
    with utf8.open(encoding="utf-8", newline="") as source, \
            excel.open("w", encoding=EXCEL_ENCODING, errors="observatoire_ascii", newline="\r\n") as target:
        shutil.copyfileobj(source, target)  # newline="\r\n": every line end becomes CRLF
    utf8.unlink()


def descriptions(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str | None], tuple]:
    """(table, column or None) -> (libelle, definition, unite, source) of the public schema."""
    rows = con.execute("SELECT table_name, column_name, libelle, definition, unite, source "
                       "FROM ref.catalogue WHERE schema_name = 'public'").fetchall()
    return {(table, column): rest for table, column, *rest in rows}


def declared_constraints(column: Column | None) -> dict:
    """The Table Schema constraints of a declared column's value checks."""
    if column is None:
        return {}
    checks = column.checks
    found = {name: checks[check] for check, name in (("min", "minimum"), ("max", "maximum"), ("regex", "pattern"))
             if check in checks}
    allowed = [*(reference_values(checks["ref"], read_ref) if "ref" in checks else []), *checks.get("valeurs", [])]
    return found | ({"enum": sorted(set(allowed))} if allowed else {})


def field(name: str, sql_type: str, folder: str, about: tuple | None, key: list[str],
          declared: Column | None = None) -> dict:
    libelle, definition, unite, _ = about or (name, "", None, None)
    spec = {"name": name, "type": field_type(sql_type), "title": libelle,
            "description": definition + (f" Unité : {unite}." if unite else "")}
    constraints = {**({"required": True} if name in key else {}), **declared_constraints(declared)}
    if constraints:
        spec["constraints"] = constraints
    if folder == "excel" and spec["type"] == "number":
        spec["decimalChar"] = ","
    if spec["type"] == "boolean":
        spec["trueValues"], spec["falseValues"] = TRUE_FALSE[folder]
    return spec


def resource(con: duckdb.DuckDBPyConnection, table: str, folder: Path, kind: str, about: dict) -> dict:
    """One file's description. A Parquet file carries its own column types: it is described as a
    file (Frictionless reads Parquet through pandas, which turns an empty integer into NaN), with
    the columns documented by the CSV resources of the same table."""
    suffix, file_format, mediatype = FORMATS[kind]
    path = folder / kind / f"{table}{suffix}"
    libelle, definition, _, source = about.get((table, None)) or (table, "", None, None)
    spec = {
        "name": f"{table}-{kind}", "path": f"{kind}/{table}{suffix}", "title": libelle,
        "description": definition, "sources": [{"title": source}] if source else [],
        "format": file_format, "mediatype": mediatype, "bytes": path.stat().st_size,
        "hash": f"sha256:{file_sha256(path)}",
    }
    if kind == "parquet":
        spec.update(type="file", profile="data-resource")
        spec["description"] += f" Colonnes : celles de la ressource {table}-csv."
        return spec
    spec["profile"] = "tabular-data-resource"
    spec["encoding"], delimiter = ("utf-8", ",") if kind == "csv" else (EXCEL_ENCODING, ";")
    spec["dialect"] = {"delimiter": delimiter, "header": True, "lineTerminator": LINE_ENDS[kind]}
    key = table_key(con, "public", table)
    declared = declared_indicators().get(table)
    fields = [field(name, sql_type, kind, about.get((table, name)), key, declared and declared.column(name))
              for name, sql_type in table_columns(con, "public", table)]
    spec["schema"] = {"fields": fields, "missingValues": [""], **({"primaryKey": key} if key else {})}
    return spec


def datapackage(con: duckdb.DuckDBPyConnection, folder: Path, threshold: int) -> dict:
    about = descriptions(con)
    return {
        "profile": "data-package",
        "name": "observatoire-social-lalbenque-limogne",
        "title": "Observatoire social du Pays de Lalbenque-Limogne : tables publiques",
        "description": (
            "Les tables du schéma public de l'entrepôt, avec le secret statistique appliqué : les "
            f"comptes de personnes ou de foyers de 1 à {threshold - 1} et les chiffres calculés à "
            "partir d'eux sont vides (colonne secret). Chaque table existe en Parquet (parquet/), "
            "en CSV UTF-8 séparé par des virgules (csv/) et en CSV pour Excel (excel/ : "
            "Windows-1252, point-virgule, virgule décimale). Rapport de qualité : qualite/resume.html "
            "(détail Great Expectations : qualite/index.html)."),
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "resources": [resource(con, table, folder, kind, about)
                      for table in schema_tables(con, "public") for kind in FORMATS],
    }


def build_exports(con: duckdb.DuckDBPyConnection, folder: Path, threshold: int) -> list[str]:
    """Write every public table and ``datapackage.json`` into ``folder`` (new, empty or absent)."""
    for kind in FORMATS:
        (folder / kind).mkdir(parents=True, exist_ok=True)
    tables = schema_tables(con, "public")
    for table in tables:
        write_table(con, table, folder)
    package = datapackage(con, folder, threshold)
    (folder / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n",
                                             encoding="utf-8")
    return tables
