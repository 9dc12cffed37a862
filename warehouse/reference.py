"""Load the project's reference CSV files into the ``ref`` schema.

Each ``warehouse/ref/<table>.csv`` fills ``ref.<table>``, whose types are declared in one of
the files of ``warehouse/sql/ref/`` (one per service, ``communs.sql`` for the shared ones).
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from warehouse import SQL_DIR, settings
from warehouse.db import transaction


def read_ref(name: str, ref_dir: Path | None = None) -> list[dict[str, str]]:
    """The rows of a reference file (default folder: the settings', read now)."""
    with ((ref_dir or settings.ref_dir()) / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def ref_tables() -> list[str]:
    """Every reference table, one per CSV file of the reference folder (warehouse/ref/)."""
    return sorted(path.stem for path in settings.ref_dir().glob("*.csv"))


def load_reference(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """(Re)create every ref table and fill it from its CSV; returns the row counts."""
    counts, ref_dir = {}, settings.ref_dir()
    with transaction(con):
        for ddl in sorted((SQL_DIR / "ref").glob("*.sql")):
            con.execute(ddl.read_text(encoding="utf-8"))
        for table in ref_tables():
            path = (ref_dir / f"{table}.csv").as_posix()
            con.execute(
                f"INSERT INTO ref.{table} BY NAME SELECT * FROM "
                "read_csv(?, header = true, all_varchar = true, delim = ',', quote = '\"')",
                [path],
            )
            counts[table] = con.execute(f"SELECT count(*) FROM ref.{table}").fetchone()[0]
    return counts
