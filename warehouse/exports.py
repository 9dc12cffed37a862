"""Exports of the ``public`` schema, for other tools and for spreadsheet users.

Each public table is written three times into a folder:
- ``parquet/<t>.parquet``;
- ``csv/<t>.csv``: UTF-8, comma separator, decimal point, ``true``/``false``;
- ``excel/<t>.csv``: for French Excel: Windows-1252, semicolon separator, decimal comma,
  ``oui``/``non``, Windows line ends (a character outside Windows-1252 becomes its closest
  ASCII form, else ``?``; the other two files keep it);
- ``excel/<t>.xlsx``: a workbook with typed cells (warehouse/workbooks.py);
in the two files of ``excel/``, a text starting with ``=``, ``+``, ``-`` or ``@`` is neutralised
(a leading apostrophe) so that a spreadsheet never runs it as a formula;
and ``datapackage.json`` (Frictionless Data Package, written here without the frictionless
library) describes every file and column with the labels of the catalogue (warehouse/catalogue.py:
those ``catalogue`` writes into ``ref.catalogue`` after the exports), and the columns of an
indicator table with the value constraints of its declaration (warehouse/tables.py). A masked
cell is empty. The folder is built whole by a run, then published in one step (assets/resources.py).
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import shutil
import unicodedata
from pathlib import Path

import duckdb

from warehouse.catalogue import Catalogue, schema_entries
from warehouse.db import Layout, file_sha256, schema_layout, sql_text
from warehouse import settings
from warehouse.reference import read_ref
from warehouse.tables import Column, declared_indicators, reference_values
from warehouse.territory import territory
from warehouse.workbooks import FORMULA_STARTS, export_workbook

EXCEL_ENCODING = "windows-1252"
LICENCES = {  # OBSERVATOIRE_LICENCE: one of these names (default etalab-2.0)
    "etalab-2.0": {"name": "etalab-2.0", "title": "Licence Ouverte / Open Licence version 2.0",
                   "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"},
    "odbl-1.0": {"name": "ODbL-1.0", "title": "Open Database License (ODbL) 1.0",
                 "path": "https://opendatacommons.org/licenses/odbl/1-0/"},
    "cc-by-4.0": {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
                  "path": "https://creativecommons.org/licenses/by/4.0/"},
}
DEFAULT_LICENCE = "etalab-2.0"
TRUE_FALSE = {"csv": (["true"], ["false"]), "excel": (["oui"], ["non"])}
LINE_ENDS = {"csv": "\n", "excel": "\r\n"}
FORMATS = {  # kind: (folder, file suffix, format, media type)
    "parquet": ("parquet", ".parquet", "parquet", "application/vnd.apache.parquet"),
    "csv": ("csv", ".csv", "csv", "text/csv"),
    "excel": ("excel", ".csv", "csv", "text/csv"),
    "xlsx": ("excel", ".xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
DESCRIBED_AS_FILES = ("parquet", "xlsx")  # their columns are those of the CSV resources


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
    if sql_type == "VARCHAR":
        starts = ", ".join(sql_text(start) for start in FORMULA_STARTS)
        return (f"CASE WHEN left({column}, 1) IN ({starts}) THEN {sql_text(chr(39))} || {column} "
                f"ELSE {column} END AS {column}")
    return column


def ordered_select(table: str, cells: list[str], key: list[str]) -> str:
    return f"SELECT {', '.join(cells)} FROM public.{table} ORDER BY {', '.join(key) if key else 'ALL'}"


def write_table(con: duckdb.DuckDBPyConnection, table: str, layout: Layout, folder: Path, about: dict,
                threshold: int) -> None:
    """The four files of one public table."""
    columns, key = layout.columns, layout.key
    plain = ordered_select(table, layout.names, key)
    con.execute(f"COPY ({plain}) TO ? (FORMAT parquet)", [str(folder / "parquet" / f"{table}.parquet")])
    con.execute(f"COPY ({plain}) TO ? (FORMAT csv, HEADER, DELIMITER ',')", [str(folder / "csv" / f"{table}.csv")])
    excel = folder / "excel" / f"{table}.csv"
    utf8 = excel.with_suffix(".utf8")
    con.execute(f"COPY ({ordered_select(table, [excel_cell(n, t) for n, t in columns], key)}) "
                "TO ? (FORMAT csv, HEADER, DELIMITER ';')", [str(utf8)])
    with utf8.open(encoding="utf-8", newline="") as source, \
            excel.open("w", encoding=EXCEL_ENCODING, errors="observatoire_ascii", newline="\r\n") as target:
        shutil.copyfileobj(source, target)  # newline="\r\n": every line end becomes CRLF
    utf8.unlink()
    export_workbook(con, table, folder / "excel" / f"{table}.xlsx", plain, columns, about, threshold)


def descriptions(con: duckdb.DuckDBPyConnection, catalogue: Catalogue | None = None
                 ) -> dict[tuple[str, str | None], tuple]:
    """(table, column or None) -> (libelle, definition, unite, source) of the public schema."""
    return {place: (e.libelle, e.definition, e.unite, e.source)
            for place, e in schema_entries(con, "public", catalogue).items()}


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


def resource(table: str, layout: Layout, folder: Path, kind: str, about: dict) -> dict:
    """One file's description. A Parquet file carries its own column types: it is described as a
    file (Frictionless reads Parquet through pandas, which turns an empty integer into NaN), with
    the columns documented by the CSV resources of the same table."""
    subfolder, suffix, file_format, mediatype = FORMATS[kind]
    path = folder / subfolder / f"{table}{suffix}"
    libelle, definition, _, _ = about.get((table, None)) or (table, "", None, None)
    spec = {
        "name": f"{table}-{kind}", "path": f"{subfolder}/{table}{suffix}", "title": libelle,
        "description": definition, "sources": [{"title": source} for source in table_sources(about, table)],
        "format": file_format, "mediatype": mediatype, "bytes": path.stat().st_size,
        "hash": f"sha256:{file_sha256(path)}",
    }
    if kind in DESCRIBED_AS_FILES:
        spec.update(type="file", profile="data-resource")
        spec["description"] += f" Colonnes : celles de la ressource {table}-csv."
        return spec
    spec["profile"] = "tabular-data-resource"
    spec["encoding"], delimiter = ("utf-8", ",") if kind == "csv" else (EXCEL_ENCODING, ";")
    spec["dialect"] = {"delimiter": delimiter, "header": True, "lineTerminator": LINE_ENDS[kind]}
    key = layout.key
    declared = declared_indicators().get(table)
    fields = [field(name, sql_type, kind, about.get((table, name)), key, declared and declared.column(name))
              for name, sql_type in layout.columns]
    spec["schema"] = {"fields": fields, "missingValues": [""], **({"primaryKey": key} if key else {})}
    return spec


def table_sources(about: dict, table: str) -> list[str]:
    """The sources of a table: its own (services' files), then those of its columns (reference
    files), each once, in the catalogue's order."""
    found = [about[(table, None)][3]] if (table, None) in about else []
    found += [rest[3] for (name, column), rest in about.items() if name == table and column is not None]
    return list(dict.fromkeys(source for source in found if source))


def licence(name: str | None = None) -> dict:
    """The licence of the published tables: OBSERVATOIRE_LICENCE, else Licence Ouverte 2.0."""
    chosen = (name or settings.licence_name() or DEFAULT_LICENCE).lower()
    if chosen not in LICENCES:
        raise ValueError(f"OBSERVATOIRE_LICENCE doit être l'une de {', '.join(LICENCES)} (reçu : {chosen!r}).")
    return LICENCES[chosen]


def producer(con: duckdb.DuckDBPyConnection) -> str:
    """Who publishes the tables: the territory (OBSERVATOIRE_PRODUCTEUR to name another)."""
    return settings.producer_name() or territory(con).nom


def secrecy_rule(threshold: int) -> str:
    return (f"Secret statistique : un compte de personnes ou de foyers de 1 à {threshold - 1} n'est pas publié "
            "(cellule vide, colonne secret vraie), ni les heures, euros, kilos ou taux calculés à partir de "
            "lui ; quand une seule cellule d'un groupe dont le total est publié est masquée, la plus petite "
            "suivante l'est aussi (secret secondaire). Chaque cellule masquée est listée dans "
            "qualite.secret_statistique.")


def datapackage(con: duckdb.DuckDBPyConnection, folder: Path, threshold: int, layouts: dict[str, Layout],
                about: dict[tuple[str, str | None], tuple]) -> dict:
    now = dt.datetime.now(dt.timezone.utc)
    return {
        "profile": "data-package",
        "name": f"observatoire-social-{territory(con).slug}",
        "title": f"{territory(con).titre} : tables publiques",
        "description": (
            "Les tables du schéma public de l'entrepôt, avec le secret statistique appliqué : les "
            f"comptes de personnes ou de foyers de 1 à {threshold - 1} et les chiffres calculés à "
            "partir d'eux sont vides (colonne secret). Chaque table existe en Parquet (parquet/), "
            "en CSV UTF-8 séparé par des virgules (csv/), en CSV pour Excel (excel/ : "
            "Windows-1252, point-virgule, virgule décimale) et en classeur Excel (excel/*.xlsx : "
            "cellules typées, libellés en en-tête, s pour une cellule masquée). Rapport de qualité : qualite/resume.html "
            "(détail Great Expectations : qualite/index.html). " + secrecy_rule(threshold)),
        "version": f"{now:%Y.%m.%d}",
        "created": now.isoformat(timespec="seconds"),
        "licenses": [licence()],
        "contributors": [{"title": producer(con), "role": "publisher"}],
        "secret_statistique": {"seuil": threshold, "regle": secrecy_rule(threshold)},
        "resources": [resource(table, layout, folder, kind, about)
                      for table, layout in layouts.items() for kind in FORMATS],
    }


def build_exports(con: duckdb.DuckDBPyConnection, folder: Path, threshold: int,
                  catalogue: Catalogue | None = None) -> list[str]:
    """Write every public table and ``datapackage.json`` into ``folder``, replacing what an
    earlier call wrote there; the folder's other files (the feedback workbooks) stay. The files
    are described by ``catalogue`` (default: warehouse/catalogue.py's)."""
    for subfolder in {subfolder for subfolder, *_ in FORMATS.values()}:
        shutil.rmtree(folder / subfolder, ignore_errors=True)
        (folder / subfolder).mkdir(parents=True)
    layouts = schema_layout(con, "public")
    about = descriptions(con, catalogue)
    for table, layout in layouts.items():
        write_table(con, table, layout, folder, about, threshold)
    package = datapackage(con, folder, threshold, layouts, about)
    (folder / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n",
                                             encoding="utf-8")
    return list(layouts)
