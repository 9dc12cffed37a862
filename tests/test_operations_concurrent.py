"""Refreshes interrupted or run beside an analyst: a refresh killed in the middle, an analyst
reading the published file during a refresh, an analyst killed while writing to it. (Split from
test_operations.py so that the test processes share the refreshes evenly.)"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import POCKETO_HEADER, TEST_KEY, fingerprint, presence, staged_names, write_csv

from pipelines.refresh import refresh

pytestmark = pytest.mark.refreshes(6)  # four refreshes, two of them killed in their own process

REPO = Path(__file__).resolve().parents[1]


def _cli(raw: Path, warehouse: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "refresh", "--raw-dir", str(raw), "--warehouse",
         str(warehouse)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env={**os.environ, "OBSERVATOIRE_PSEUDO_KEY": TEST_KEY}, start_new_session=True)


def test_a_refresh_killed_mid_run_leaves_the_previous_warehouse(published_small, tmp_path):
    raw, warehouse = published_small
    before = fingerprint(warehouse)
    write_csv(raw / "pocketo" / "nouveau.csv", [POCKETO_HEADER, presence(nom="Petit", prenom="Noé")])
    process = _cli(raw, warehouse)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob("w.duckdb.construction-*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    assert fingerprint(warehouse) == before
    assert refresh(raw, warehouse).published  # the next one runs, and cleans the leftover
    assert "nouveau.csv" in staged_names(warehouse)
    assert not list(tmp_path.glob("w.duckdb.construction-*"))


READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute("SELECT count(*) FROM staging.pocketo__presences").fetchone()[0], flush=True)
sys.stdin.readline()
print(con.execute("SELECT count(*) FROM staging.pocketo__presences").fetchone()[0], flush=True)
"""


def test_an_open_analyst_connection_neither_blocks_nor_sees_a_half_built_warehouse(published_small):
    raw, warehouse = published_small
    reader = subprocess.Popen([sys.executable, "-c", READER, str(warehouse)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert reader.stdout.readline().strip() == "3"
    write_csv(raw / "pocketo" / "nouveau.csv", [POCKETO_HEADER, presence(nom="Petit", prenom="Noé")])
    assert refresh(raw, warehouse).published
    reader.stdin.write("\n")
    reader.stdin.flush()
    assert reader.stdout.readline().strip() == "3"  # the analyst still reads the old, whole file
    reader.wait(timeout=30)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM staging.pocketo__presences").fetchone()[0] == 4


ANALYST_WRITING = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])  # read-write: what the README tells analysts not to do
print("ouvert", flush=True)
sys.stdin.readline()
con.execute("CREATE TABLE main.a_moi AS SELECT 1 AS x")
print("ecrit", flush=True)
sys.stdin.readline()
"""


def test_a_killed_read_write_analyst_breaks_neither_the_next_refresh_nor_the_reads(published_small, tmp_path):
    raw, warehouse = published_small
    analyst = subprocess.Popen([sys.executable, "-c", ANALYST_WRITING, str(warehouse)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    assert analyst.stdout.readline().strip() == "ouvert"
    assert refresh(raw, warehouse).published  # a new file under the same name
    analyst.stdin.write("\n")
    analyst.stdin.flush()
    assert analyst.stdout.readline().strip() == "ecrit"  # its WAL now sits beside the new file
    os.kill(analyst.pid, signal.SIGKILL)
    analyst.wait()
    assert (tmp_path / "w.duckdb.wal").exists()
    assert refresh(raw, warehouse).published
    assert not (tmp_path / "w.duckdb.wal").exists()
    assert len(list(tmp_path.glob("w.duckdb.wal.ecarte-*"))) == 1
    assert staged_names(warehouse) == {"lalbenque.csv", "limogne.csv"}  # reads work
