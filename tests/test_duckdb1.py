"""The published warehouse opens in DuckDB 1.x (DBeaver's and R's drivers, an analyst's older CLI).

DuckDB 1.4 is installed once from PyPI into the project's git-ignored ``.cache/duckdb1/`` and run
in a separate process: two versions of the duckdb module cannot live in one interpreter.
"""

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from warehouse.build import compact
from warehouse.db import connect

CACHE = Path(__file__).resolve().parents[1] / ".cache" / "duckdb1"
REQUIREMENT = "duckdb==1.4.*"

READ_EVERY_PUBLIC_TABLE = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
tables = [t for (t,) in con.execute(
    "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'public' ORDER BY 1").fetchall()]
counts = {t: con.execute(f"SELECT count(*) FROM public.{t}").fetchone()[0] for t in tables}
for t in tables:
    con.execute(f"SELECT * FROM public.{t}").fetchall()
print(json.dumps({"version": duckdb.__version__, "counts": counts}))
"""


@pytest.fixture(scope="module")
def duckdb1() -> Path:
    """The folder holding DuckDB 1.4, installed on first use and reused afterwards."""
    if not (CACHE / "duckdb").is_dir():
        done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--target", str(CACHE),
                               REQUIREMENT], capture_output=True, text=True)
        if done.returncode:
            pytest.fail(f"DuckDB 1.x could not be installed from PyPI into {CACHE} "
                        f"(is the registry reachable?):\n{done.stderr[-2000:]}")
    return CACHE


def read_with_duckdb1(folder: Path, database: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", READ_EVERY_PUBLIC_TABLE, str(database)],
                          capture_output=True, text=True, env={"PYTHONPATH": str(folder), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def public_counts(database: Path) -> dict:
    with duckdb.connect(str(database), read_only=True) as con:
        tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() "
                                            "WHERE schema_name = 'public' ORDER BY 1").fetchall()]
        return {t: con.execute(f"SELECT count(*) FROM public.{t}").fetchone()[0] for t in tables}


def test_duckdb_1_reads_every_public_table_of_the_published_demo_warehouse(demo_run, duckdb1):
    _, outcome, path = demo_run
    assert outcome.published
    read = read_with_duckdb1(duckdb1, path)
    assert read["version"].startswith("1.4.")
    assert read["counts"] == public_counts(path) and len(read["counts"]) >= 17


def test_a_compacted_build_keeps_the_storage_version_duckdb_1_reads(tmp_path, duckdb1):
    con = connect(tmp_path / "w.duckdb")
    con.execute("CREATE SCHEMA public; CREATE TABLE public.t AS SELECT range AS n FROM range(3)")
    con.close()
    compacted = compact(tmp_path / "w.duckdb")
    assert read_with_duckdb1(duckdb1, compacted)["counts"] == {"t": 3}
