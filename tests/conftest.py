"""Shared fixtures: a fixed pseudonymisation key, writers of real CSV and Excel files, and the
published warehouses a test starts from.

A refresh costs its fixed Dagster work (every asset, check, export and the report) whatever the
size of the drop folder: a test that only needs "a published warehouse" as its starting point
takes a copy of one built once per session, and runs a refresh only for what it tests.

- ``raw``: a small drop folder of its own (pocketo: lalbenque.csv, 2 rows; limogne.csv, 1 row).
- ``published_small``: a copy, in the test's ``tmp_path``, of ``raw`` already refreshed once:
  ``tmp_path / "raw"``, the published ``tmp_path / "w.duckdb"``, its exports and its report.
  Mutate it freely; returns ``(raw, warehouse)``.
- ``demo_drop``: the demo drop folder generated once per session (``copy_demo_drop`` to add files).
- ``demo_run``: the demo drop folder refreshed once per session; read it only (read-only
  connections). ``copy_published_demo`` copies it into a folder of the test's, to mutate.
- ``hostile_run``: the demo drop folder with every hostile file of three modules, refreshed once
  by the command line; each module reads its own files' rows.

"Once per session" means once for all the test processes (pytest-xdist): the first process that
needs the fixture builds it under a lock in the session's shared temporary folder (``_once``),
the others wait for it and read what it left.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import gc
import io
import pickle
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path

import duckdb
import openpyxl
import pytest

POCKETO_HEADER = ["Structure", "Date", "N° dossier", "Nom", "Prénom", "Date de naissance", "Commune",
                  "QF", "Régime", "Unité", "Arrivée", "Départ", "Présence"]


def pytest_collection_modifyitems(items):
    """The files that refresh the most first (``pytest.mark.refreshes(n)``, n full refreshes or
    their cost), the others after in their order: pytest-xdist hands each test process the next
    file when it is free (``--dist loadfile --no-loadscope-reorder``), so that the processes end
    together instead of one of them finishing a long file alone."""
    def refreshes(item) -> int:
        marker = item.get_closest_marker("refreshes")
        return marker.args[0] if marker else 0

    items.sort(key=lambda item: -refreshes(item))  # stable: a file's tests stay in their order


def pytest_collection_finish(session):
    """As the command line does (pipelines/cli.py): fewer garbage collections, and none of them
    walking the objects of the modules imported for good."""
    from pipelines.cli import GC_THRESHOLDS

    gc.set_threshold(*GC_THRESHOLDS)
    gc.freeze()


# A pseudonymisation key must have at least 32 characters (sources/pseudonym.py).
TEST_KEY = "cle-de-test-assez-longue-pour-etre-acceptee"


@pytest.fixture(autouse=True)
def pseudo_key(monkeypatch):
    monkeypatch.setenv("OBSERVATOIRE_PSEUDO_KEY", TEST_KEY)


def is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def write_csv(path: Path, rows: list[list[str]], sep: str = ";", encoding: str = "cp1252",
              newline: str = "\r\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = newline.join(sep.join(row) for row in rows) + newline
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """A real workbook; each sheet's rows written from row 1."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def presence(structure="ALSH Lalbenque", date="09/03/2022", dossier="F1", nom="Dupont",
             prenom="Léa", naissance="05/06/2015", commune="Lalbenque", qf="600", regime="CAF",
             unite="Journée", arrivee="08:30", depart="17:00", statut="Présent") -> list[str]:
    return [structure, date, dossier, nom, prenom, naissance, commune, qf, regime, unite, arrivee,
            depart, statut]


DAY = dt.date(2022, 3, 9)


def small_drop(raw: Path) -> Path:
    """The small drop folder: two pocketo files, three children, one source."""
    folder = raw / "pocketo"
    write_csv(folder / "lalbenque.csv", [POCKETO_HEADER, presence(nom="Durand", prenom="Zoé"),
                                         presence(nom="Roux", prenom="Hugo", naissance="02/02/2014")])
    write_csv(folder / "limogne.csv", [POCKETO_HEADER, presence(structure="ALSH Limogne", nom="Bonnet",
                                                                prenom="Inès", unite="Matin", depart="12:00")])
    return raw


@pytest.fixture
def raw(tmp_path) -> Path:
    """``tmp_path / "raw"``: the small drop folder (``small_drop``), nothing published yet."""
    return small_drop(tmp_path / "raw")


def _once(tmp_path_factory, name: str, build):
    """``build(folder)``'s result, built by one test process for all of them: the first to ask
    builds it in ``name`` under the session's shared temporary folder (pytest-xdist gives each
    process a folder of its own inside it), while holding a lock; the others read its pickle."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if base.name.startswith("popen-gw") else base
    folder, made = shared / name, shared / f"{name}.pickle"
    with open(shared / f"{name}.verrou", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when closed
        if not made.exists():
            made.write_bytes(pickle.dumps(build(folder)))
        return pickle.loads(made.read_bytes())


@pytest.fixture(scope="session")
def _published_small_once(tmp_path_factory) -> Path:
    def build(base: Path) -> Path:
        outcome = refresh_with_test_key(small_drop(base / "raw"), base / "w.duckdb")
        assert outcome.published, outcome.errors
        return base

    return _once(tmp_path_factory, "petit", build)


@pytest.fixture
def published_small(_published_small_once, tmp_path) -> tuple[Path, Path]:
    """``(raw, warehouse)``: the small drop folder and its published warehouse (with exports and
    report beside it), copied from the session's one refresh into ``tmp_path``."""
    shutil.copytree(_published_small_once, tmp_path, dirs_exist_ok=True)
    return tmp_path / "raw", tmp_path / "w.duckdb"


@pytest.fixture(scope="session")
def demo_drop(tmp_path_factory) -> tuple[dict, Path]:
    """``(truths, folder)``: the demo drop folder, generated once. Never change it: a test that
    adds files to the demo copies it first (``copy_demo_drop``)."""
    from demo import generate_all

    return _once(tmp_path_factory, "demo", lambda base: (generate_all(base / "raw"), base / "raw"))


def copy_demo_drop(demo_drop: tuple[dict, Path], target: Path) -> Path:
    """A copy of the demo drop folder at ``target`` (modification times kept: newer files win)."""
    shutil.copytree(demo_drop[1], target, symlinks=True)
    return target


@contextmanager
def fixture_environment() -> Iterator[None]:
    """The environment of a refresh made by a session or module fixture (which outlives the
    ``pseudo_key`` fixture's monkeypatch): the tests' key, no export folder from outside."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OBSERVATOIRE_PSEUDO_KEY", TEST_KEY)
        patch.delenv("OBSERVATOIRE_EXPORT_DIR", raising=False)
        yield


def refresh_with_test_key(raw: Path, warehouse: Path):
    """A refresh in this process, in the fixtures' environment."""
    from pipelines.refresh import refresh

    with fixture_environment():
        return refresh(raw, warehouse)


def run_command(*argv: str) -> tuple[int, str, str]:
    """``observatoire *argv`` in this process (its validation worker kept for the next refresh), in
    the fixtures' environment: (exit status, stdout, stderr). The command's own process is tested
    once, by test_acceptance_pocketo."""
    from pipelines.cli import main

    out, err = io.StringIO(), io.StringIO()
    with fixture_environment(), redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as stop:
            code = stop.code
    return code, out.getvalue(), err.getvalue()


def refreshed_demo_variant(tmp_path_factory, demo_drop, name: str, change):
    """A copy of the demo drop folder under a new ``name`` folder, changed by ``change(raw)``, then
    refreshed into ``observatoire.duckdb`` beside it; returns the refresh's outcome."""
    base = tmp_path_factory.mktemp(name)
    change(copy_demo_drop(demo_drop, base / "raw"))
    return refresh_with_test_key(base / "raw", base / "observatoire.duckdb")


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory, demo_drop):
    """The demo drop folder (``demo_drop``) and one refresh of it (in-process materialize).

    Returns (truths, outcome, warehouse path); open the warehouse read-only to assert on it
    (when a blocking check failed, the path is the failed build's, kept for inspection).
    """
    truths, raw = demo_drop
    outcome = _once(tmp_path_factory, "demo_publie",
                    lambda _: refresh_with_test_key(raw, raw.parent / "observatoire.duckdb"))
    return truths, outcome, outcome.build_path


@pytest.fixture(scope="session")
def hostile_run(tmp_path_factory, demo_drop):
    """The demo drop folder with the hostile files of three modules added (test_adversarial_drop's,
    test_robust_cells' bad cells, test_feedback's quarantined rows), refreshed once by the command
    line: ``((exit status, stdout, stderr), warehouse, drop folder)``. Each module asserts on its
    own files only."""
    import test_adversarial_drop
    import test_feedback
    import test_robust_cells

    def build(base: Path):
        raw = copy_demo_drop(demo_drop, base / "raw")
        test_adversarial_drop.add_hostile_files(raw, base / "ailleurs")
        test_robust_cells.add_bad_cells(raw)
        test_feedback.add_person(raw)
        warehouse = base / "entrepot" / "observatoire.duckdb"
        return run_command("refresh", "--raw-dir", str(raw), "--warehouse", str(warehouse)), warehouse, raw

    return _once(tmp_path_factory, "hostile", build)


def copy_published_demo(demo_run, target: Path) -> tuple[Path, Path]:
    """``(raw, warehouse)``: a copy at ``target`` of the session's demo folder and its published
    warehouse (exports and report beside it), to mutate."""
    _, outcome, path = demo_run
    assert outcome.published
    shutil.copytree(path.parent, target, dirs_exist_ok=True)
    return target / "raw", target / path.name


def fingerprint(path: Path) -> dict[str, tuple]:
    """Row count and hash of every table of indicateurs, staging and public."""
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute("SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name IN "
                             "('indicateurs', 'staging', 'public') ORDER BY ALL").fetchall()
        return {f"{s}.{t}": con.execute(f"SELECT count(*), sum(hash(x)) FROM {s}.{t} x").fetchone()
                for s, t in tables}


def staged_names(path: Path) -> set[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {n for (n,) in con.execute(
            "SELECT DISTINCT fichier_nom FROM staging.pocketo__presences").fetchall()}
