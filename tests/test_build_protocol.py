"""The build protocol (warehouse/build.py) without Dagster: lock, build file, partial copy,
journaled swap, recovery after a kill at each step, stale WAL, full disk, refused writes."""

import errno
import fcntl
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from warehouse import build as protocol
from warehouse.build import (FULL, PARTIAL, STEPS, Build, BuildError, RefreshLocked, failed_path,
                             journal_path, lock_path, read_published, recover, recover_if_idle)

REPO = Path(__file__).resolve().parents[1]


def make_database(path: Path, rows: int) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute(f"CREATE OR REPLACE TABLE t AS SELECT range AS i FROM range({rows})")


def count(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT count(*) FROM t").fetchone()[0]


def make_exports(folder: Path, text: str) -> None:
    folder.mkdir(parents=True)
    (folder / "fichier.csv").write_text(text, encoding="utf-8")


def exports_text(folder: Path) -> str:
    return (folder / "fichier.csv").read_text(encoding="utf-8")


@pytest.fixture
def published(tmp_path):
    """A published warehouse of 3 rows and its exports ("ancien")."""
    warehouse = tmp_path / "w.duckdb"
    make_database(warehouse, 3)
    make_exports(tmp_path / "exports", "ancien")
    return warehouse


def new_build(warehouse: Path, run: str = "run00001", mode: str = FULL, **hooks) -> Build:
    """A started build whose database has 7 rows and whose exports say "nouveau"."""
    build = Build(warehouse, warehouse.parent / "exports", run, mode, **hooks).start()
    make_database(build.path, 7)
    make_exports(build.exports_path, "nouveau")
    return build


class Killed(BaseException):
    """A process killed at a step: nothing after it runs, not even the clean-up."""


def kill_at(name: str):
    def step(current: str) -> None:
        if current == name:
            raise Killed(name)
    return step


def forget_lock(build: Build) -> None:
    """What the kernel does for a killed process: its lock goes with it."""
    build._lock.close()
    build._lock = None


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_build_publishes_the_warehouse_and_its_exports_together(published, tmp_path):
    build = new_build(published)
    assert build.path.name == "w.duckdb.construction-run00001"
    assert build.publish() == published
    build.abandon()
    assert count(published) == 7 and exports_text(tmp_path / "exports") == "nouveau"
    assert listing(tmp_path) == ["exports", "w.duckdb", "w.duckdb.verrou"]


@pytest.mark.parametrize("step", STEPS)
def test_a_kill_at_each_step_of_the_swap_is_completed_or_rolled_back(published, tmp_path, step):
    build = new_build(published, step=kill_at(step))
    with pytest.raises(Killed):
        build.publish()
    forget_lock(build)
    replaced = STEPS.index(step) > STEPS.index("entrepot")
    assert count(published) == (7 if replaced else 3)  # the warehouse moved, or not at all
    done = recover(published)
    assert done == {"journal": None, "entrepot": "annulee"}.get(step, "terminee")
    expected = "nouveau" if replaced else "ancien"
    assert (count(published), exports_text(tmp_path / "exports")) == (7 if replaced else 3, expected)
    assert not journal_path(published).exists()
    assert not (tmp_path / "exports.precedent").exists()


def test_the_next_build_completes_a_swap_killed_between_the_two_folder_renames(published, tmp_path):
    build = new_build(published, step=kill_at("exports"))
    with pytest.raises(Killed):
        build.publish()
    forget_lock(build)
    assert not (tmp_path / "exports").exists()  # the new warehouse has no exports: the bug
    assert json.loads(journal_path(published).read_text())["exports"] == str(tmp_path / "exports")
    Build(published, tmp_path / "exports", "run00002").start().abandon()
    assert exports_text(tmp_path / "exports") == "nouveau" and count(published) == 7
    assert listing(tmp_path) == ["exports", "w.duckdb", "w.duckdb.verrou"]


KILLER = """
import os, signal, sys
from pathlib import Path
import duckdb
from warehouse.build import Build

warehouse, step = Path(sys.argv[1]), sys.argv[2]
def hook(name):
    if name == step:
        os.kill(os.getpid(), signal.SIGKILL)
build = Build(warehouse, warehouse.parent / "exports", "tue0001", step=hook).start()
with duckdb.connect(str(build.path)) as con:
    con.execute("CREATE TABLE t AS SELECT range AS i FROM range(7)")
build.exports_path.mkdir()
(build.exports_path / "fichier.csv").write_text("nouveau", encoding="utf-8")
build.publish()
"""


def test_a_real_sigkill_between_the_folder_renames_is_completed_by_the_next_command(published, tmp_path):
    process = subprocess.run([sys.executable, "-c", KILLER, str(published), "exports"], cwd=REPO)
    assert process.returncode == -signal.SIGKILL
    assert sorted(listing(tmp_path)) == ["exports.construction-tue0001", "exports.precedent", "w.duckdb",
                                         "w.duckdb.publication", "w.duckdb.verrou"]
    assert recover_if_idle(published) == "terminee"
    assert (count(published), exports_text(tmp_path / "exports")) == (7, "nouveau")
    assert listing(tmp_path) == ["exports", "w.duckdb", "w.duckdb.verrou"]


def test_a_second_build_stops_while_the_first_holds_the_lock(published, tmp_path):
    first = new_build(published)
    with pytest.raises(RefreshLocked, match="Une autre actualisation"):
        Build(published, tmp_path / "exports", "run00002").start()
    assert recover_if_idle(published) is None  # and no command touches a running refresh's files
    first.publish()
    first.abandon()
    Build(published, tmp_path / "exports", "run00003").start().abandon()  # the lock is free again


def test_a_lock_held_by_another_process_stops_the_build(published, tmp_path):
    with lock_path(published).open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(RefreshLocked):
            Build(published, tmp_path / "exports", "run00002").start()


def test_a_failed_build_is_kept_as_echec_and_nothing_is_published(published, tmp_path):
    build = new_build(published)
    assert build.abandon(RuntimeError("contrôle en échec")) == failed_path(published)
    assert count(failed_path(published)) == 7 and count(published) == 3
    assert exports_text(tmp_path / "exports.echec") == "nouveau"
    assert exports_text(tmp_path / "exports") == "ancien"


def test_a_full_disk_while_copying_removes_the_build_and_says_so(published, tmp_path):
    def full_disk_writer(source, target):
        Path(target).write_bytes(b"debut")
        raise OSError(errno.ENOSPC, "No space left on device")

    build = Build(published, tmp_path / "exports", "run00001", PARTIAL, copy=full_disk_writer)
    with pytest.raises(BuildError, match=r"^Disque plein dans .* libérez de la place"):
        build.start()
    assert build.kept is None
    assert listing(tmp_path) == ["exports", "w.duckdb", "w.duckdb.verrou"]
    Build(published, tmp_path / "exports", "run00002").start().abandon()  # lock released


def test_a_full_disk_at_publication_removes_the_failed_build(published, tmp_path):
    def full_disk(name):
        if name == "entrepot":
            raise OSError(errno.ENOSPC, "No space left on device")

    build = new_build(published, step=full_disk)
    with pytest.raises(BuildError, match="^Disque plein"):
        build.publish()
    assert build.abandon(OSError(errno.ENOSPC, "No space left on device")) is None
    assert listing(tmp_path) == ["exports", "w.duckdb", "w.duckdb.verrou"]
    assert count(published) == 3 and exports_text(tmp_path / "exports") == "ancien"


def test_low_free_space_removes_a_failed_build_rather_than_keeping_it(published, tmp_path, monkeypatch):
    build = new_build(published)
    monkeypatch.setattr(protocol, "MIN_FREE_BYTES", 1 << 62)  # every disk is "full"
    assert build.abandon() is None
    assert not failed_path(published).exists() and not (tmp_path / "exports.echec").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_a_read_only_folder_stops_the_build_with_a_french_message(published, tmp_path):
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(BuildError, match=r"^Écriture refusée dans .*droit d'écriture"):
            Build(published, tmp_path / "exports", "run00001").start()
    finally:
        tmp_path.chmod(0o755)


def test_a_refused_write_stops_the_build_with_a_french_message_and_releases_the_lock(published, tmp_path):
    def refused_writer(source, target):  # what a read-only folder does, even to root's tests
        raise PermissionError(errno.EACCES, "Permission denied", str(target))

    build = Build(published, tmp_path / "exports", "run00001", PARTIAL, copy=refused_writer)
    with pytest.raises(BuildError) as refused:
        build.start()
    assert str(refused.value) == (
        f"Écriture refusée dans {tmp_path} : donnez le droit d'écriture sur ce dossier à l'utilisateur qui "
        "lance l'actualisation. L'entrepôt publié n'a pas été modifié.")
    assert build.kept is None and count(published) == 3
    Build(published, tmp_path / "exports", "run00002").start().abandon()  # the lock was released


def test_a_permission_error_is_told_in_french(tmp_path):
    error = protocol.explain_os_error(PermissionError(errno.EACCES, "Permission denied"), tmp_path)
    assert str(error) == (f"Écriture refusée dans {tmp_path} : donnez le droit d'écriture sur ce dossier à "
                          "l'utilisateur qui lance l'actualisation. L'entrepôt publié n'a pas été modifié.")


def test_a_partial_build_starts_from_a_copy_and_is_compacted(published, tmp_path):
    build = Build(published, tmp_path / "exports", "run00001", PARTIAL).start()
    assert count(build.path) == 3
    with duckdb.connect(str(build.path)) as con:
        con.execute("INSERT INTO t VALUES (42)")
    build.publish()
    build.abandon()
    assert count(published) == 4
    assert exports_text(tmp_path / "exports") == "ancien"  # no exports built: the old ones stay
    assert listing(tmp_path) == ["exports", "w.duckdb", "w.duckdb.verrou"]


ANALYST = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])  # read-write: what an analyst must not do
print("ouvert", flush=True)
sys.stdin.readline()
con.execute("CREATE TABLE a_moi AS SELECT 1 AS x")
print("ecrit", flush=True)
sys.stdin.readline()
"""


def analyst_leaves_a_stale_wal(warehouse: Path) -> None:
    """An analyst opens the published file read-write, a build replaces the file, the analyst
    writes (a WAL appears beside the new file), and is killed."""
    analyst = subprocess.Popen([sys.executable, "-c", ANALYST, str(warehouse)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    assert analyst.stdout.readline().strip() == "ouvert"
    build = new_build(warehouse)
    build.publish()
    build.abandon()
    analyst.stdin.write("\n")
    analyst.stdin.flush()
    assert analyst.stdout.readline().strip() == "ecrit"
    analyst.send_signal(signal.SIGKILL)
    analyst.wait()


def test_a_stale_wal_left_by_a_killed_analyst_is_set_aside_by_the_next_build(published, tmp_path, capsys):
    analyst_leaves_a_stale_wal(published)
    with pytest.raises(duckdb.IOException, match="WAL does not match database file"):
        duckdb.connect(str(published), read_only=True)  # what every later open met
    Build(published, tmp_path / "exports", "run00002", PARTIAL).start().abandon()
    assert count(published) == 7
    aside = [p.name for p in tmp_path.glob("w.duckdb.wal.ecarte-*")]
    assert len(aside) == 1 and not (tmp_path / "w.duckdb.wal").exists()
    assert "journal d'écriture orphelin (w.duckdb.wal)" in capsys.readouterr().err


def test_reading_the_published_warehouse_sets_a_stale_wal_aside(published, tmp_path):
    analyst_leaves_a_stale_wal(published)
    with read_published(published) as con:
        assert con.execute("SELECT count(*) FROM t").fetchone()[0] == 7
    assert len(list(tmp_path.glob("w.duckdb.wal.ecarte-*"))) == 1


def test_an_open_read_only_analyst_keeps_reading_the_old_file(published, tmp_path):
    analyst = duckdb.connect(str(published), read_only=True)
    build = new_build(published)
    build.publish()
    build.abandon()
    assert analyst.execute("SELECT count(*) FROM t").fetchone()[0] == 3
    analyst.close()
    assert count(published) == 7


def test_the_published_warehouse_is_read_even_while_an_analyst_holds_it_read_write(published):
    analyst = subprocess.Popen([sys.executable, "-c", ANALYST, str(published)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    try:
        assert analyst.stdout.readline().strip() == "ouvert"
        with pytest.raises(duckdb.IOException, match="lock"):
            duckdb.connect(str(published), read_only=True)
        with read_published(published) as con:
            assert con.execute("SELECT count(*) FROM t").fetchone()[0] == 3
    finally:
        analyst.kill()
        analyst.wait()
