"""Whether two warehouses hold the same tables, row for row (a change that must not change a
result: docs/scale.md).

    python -m benchmarks.compare BEFORE.duckdb AFTER.duckdb

Every table of every schema, in both warehouses, compared with ``EXCEPT ALL`` both ways (the
same rows, each as many times). Prints each table that differs and the count compared; exits
with 1 when a table differs or is missing on one side.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

TABLES = ("SELECT schema_name || '.' || table_name FROM duckdb_tables() "
          "WHERE database_name = ? AND NOT temporary ORDER BY 1")


def tables(con: duckdb.DuckDBPyConnection, database: str) -> set[str]:
    return {name for (name,) in con.execute(TABLES, [database]).fetchall()}


def differences(before: Path, after: Path) -> tuple[int, list[str]]:
    """The number of tables compared, and what differs (a table on one side only, or the rows
    one table has beyond the other's, each way)."""
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{before}' AS avant (READ_ONLY)")
        con.execute(f"ATTACH '{after}' AS apres (READ_ONLY)")
        old, new = tables(con, "avant"), tables(con, "apres")
        found = [f"{name} : seulement avant" for name in sorted(old - new)]
        found += [f"{name} : seulement après" for name in sorted(new - old)]
        for name in sorted(old & new):
            (lost,), = con.execute(f"SELECT count(*) FROM (FROM avant.{name} EXCEPT ALL FROM apres.{name})").fetchall()
            (gained,), = con.execute(f"SELECT count(*) FROM (FROM apres.{name} EXCEPT ALL FROM avant.{name})").fetchall()
            if lost or gained:
                found.append(f"{name} : {lost} lignes seulement avant, {gained} seulement après")
        return len(old | new), found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    compared, found = differences(args.before, args.after)
    for difference in found:
        print(difference)
    print(f"{compared} tables comparées, {len(found)} différence(s)")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
