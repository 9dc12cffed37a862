"""Load the project's reference CSV files into the ``ref`` schema.

Each ``warehouse/ref/<table>.csv`` fills ``ref.<table>``, whose types are declared in one of
the files of ``warehouse/sql/ref/`` (one per service, ``communs.sql`` for the shared ones). The
national commune reference (``warehouse/national/*.csv.gz``) fills the tables of ``national.sql``.
INSEE's population file dropped as is in the reference folder (``base-ic-evol-struct-pop-*``,
warehouse/insee.py) is not a table of its own: it adds rows to ``ref.population_moins_3_ans``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from warehouse import SQL_DIR, settings
from warehouse.db import transaction
from warehouse.insee import is_population_file, load_under_3_population
from warehouse.national import NATIONAL_DIR, NATIONAL_TABLES


def read_ref(name: str, ref_dir: Path | None = None) -> list[dict[str, str]]:
    """The rows of a reference file (default folder: the settings', read now)."""
    with ((ref_dir or settings.ref_dir()) / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def ref_sources() -> dict[str, Path]:
    """Every reference table and the file that fills it: one per CSV file of the reference folder
    (the settings', read now) but INSEE's population file, one per file of the national commune
    reference."""
    sources = {path.stem: path for path in settings.ref_dir().glob("*.csv") if not is_population_file(path)}
    sources.update({table: NATIONAL_DIR / f"{name}.csv.gz" for name, table in NATIONAL_TABLES.items()})
    return dict(sorted(sources.items()))


def ref_tables() -> list[str]:
    return list(ref_sources())


def load_reference(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """(Re)create every ref table and fill it from its CSV, then add the under-3 counts of INSEE's
    population file if one was dropped in the folder; returns the row counts."""
    counts, ref_dir, sources = {}, settings.ref_dir(), ref_sources()
    with transaction(con):
        for ddl in sorted((SQL_DIR / "ref").glob("*.sql")):
            con.execute(ddl.read_text(encoding="utf-8"))
        for table, csv_path in sources.items():
            path = csv_path.as_posix()
            con.execute(
                f"INSERT INTO ref.{table} BY NAME SELECT * FROM "
                "read_csv(?, header = true, all_varchar = true, delim = ',', quote = '\"')",
                [path],
            )
        load_under_3_population(con, ref_dir)
        for table in sources:
            counts[table] = con.execute(f"SELECT count(*) FROM ref.{table}").fetchone()[0]
    return counts
