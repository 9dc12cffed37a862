"""DuckDB helpers: open the warehouse, create its layers, write tables in one transaction, and
ask the catalog what a warehouse holds (tables of a schema, columns, primary key); a file's hash."""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb

from warehouse import SQL_DIR

# Of the warehouse's DuckDB (its default is 80 % of the machine): beyond it, joins, aggregates,
# sorts and a load's clear text spill to the private temporary folder below, and the memory used
# stays flat whatever the size of the input.
MEMORY_LIMIT = "1GB"
TEMP_PREFIX = "observatoire-duckdb-"  # then the process id
# The storage format of every file the pipeline creates: DuckDB 2.0 writes its own format by
# default, which DuckDB 1.x (DBeaver's and R's drivers, an older CLI) refuses to open. With this
# version, DuckDB 1.4 and later read the published warehouse (tests/test_duckdb1.py).
STORAGE_VERSION = "v1.4.0"


@cache
def private_temp_directory() -> Path:
    """Where DuckDB puts the pages it cannot keep in memory: a folder only this user can open,
    removed when the process ends. A source's clear text (sources/transform.py) may spill
    there, never next to the warehouse's file."""
    root = Path(tempfile.gettempdir())
    remove_stale_temp_directories(root)
    folder = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=root))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def remove_stale_temp_directories(root: Path) -> None:
    """Remove the temporary folders of this pipeline's processes that are gone: a process that
    was killed could not remove its own, with whatever clear text had spilled there."""
    if os.name != "posix":  # os.kill(pid, 0) only asks whether the process is alive on POSIX
        return
    for folder in root.glob(f"{TEMP_PREFIX}*"):
        pid = folder.name.removeprefix(TEMP_PREFIX).split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def connect(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path = Path(path)
    if read_only:
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), config={
        "temp_directory": str(private_temp_directory()), "memory_limit": MEMORY_LIMIT,
        "storage_compatibility_version": STORAGE_VERSION})
    con.execute((SQL_DIR / "schema.sql").read_text(encoding="utf-8"))
    return quiet(con)


def quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """No progress bar on the terminal (a connection's own setting, not the database's)."""
    con.execute("SET enable_progress_bar = false")
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


def rename_tables(con: duckdb.DuckDBPyConnection, names: dict[str, str]) -> None:
    """In one transaction, each table ``old`` of ``names`` takes the place of ``names[old]``
    (in the same schema), which it drops."""
    with transaction(con):
        for old, new in names.items():
            con.execute(f"DROP TABLE IF EXISTS {new}")
            con.execute(f"ALTER TABLE {old} RENAME TO {new.split('.')[-1]}")


def sql_text(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def read_sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def replace_source_rows(con: duckdb.DuckDBPyConnection, table: str, source: str, select_sql: str) -> None:
    """Replace one source's rows of a shared quality table, inserting by column name."""
    con.execute(f"DELETE FROM {table} WHERE source = ?", [source])
    con.execute(f"INSERT INTO {table} BY NAME {select_sql}")


def file_sha256(path: Path) -> str:
    """The file's SHA-256, read by blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def schema_tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    """The tables (not the views) of a schema of the connection's database, by name."""
    return [name for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = ? ORDER BY table_name", [schema]).fetchall()]


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return table in schema_tables(con, schema)


@dataclass(frozen=True)
class Layout:
    columns: list[tuple[str, str]]  # (name, SQL type), in order
    key: list[str]  # the primary key's columns; none: empty

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.columns]


def schema_layout(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, Layout]:
    """Every table of a schema, by name, with its columns and key, in two catalog queries: a query
    of DuckDB's catalog costs milliseconds whatever it returns, and the exports, the secrecy and
    the expectations of the public tables need the layout of every table."""
    columns = con.execute(
        "SELECT c.table_name, list((c.column_name, c.data_type) ORDER BY c.column_index) FROM duckdb_columns() c "
        "JOIN duckdb_tables() t USING (database_name, schema_name, table_name) "
        "WHERE c.database_name = current_database() AND c.schema_name = ? GROUP BY ALL", [schema]).fetchall()
    keys = dict(con.execute(
        "SELECT table_name, constraint_column_names FROM duckdb_constraints() WHERE database_name = current_database() "
        "AND schema_name = ? AND constraint_type = 'PRIMARY KEY'", [schema]).fetchall())
    return {table: Layout(cols, list(keys.get(table, []))) for table, cols in sorted(columns)}
