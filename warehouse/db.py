"""DuckDB helpers: open the warehouse, create its layers, write tables in one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from warehouse import SQL_DIR


def connect(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    if not read_only:
        con.execute((SQL_DIR / "schema.sql").read_text(encoding="utf-8"))
    return con


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def read_sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def replace_source_rows(con: duckdb.DuckDBPyConnection, table: str, source: str, select_sql: str) -> None:
    """Replace one source's rows of a shared quality table, inserting by column name."""
    con.execute(f"DELETE FROM {table} WHERE source = ?", [source])
    con.execute(f"INSERT INTO {table} BY NAME {select_sql}")
