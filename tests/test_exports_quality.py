"""The Great Expectations check of the public tables and its report (warehouse/expectations.py)."""

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from warehouse.db import connect
from assets import background
from warehouse import expectations, worker
from warehouse.expectations import public_expectations, submit_validation, validate_public
from warehouse.secrecy import load_rules, publish_indicators

pytestmark = pytest.mark.refreshes(1)  # Great Expectations imported, and its worker started

RULES = load_rules()


@pytest.fixture
def con(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    con.execute("""
        CREATE TABLE indicateurs.aide_sport_par_commune (
            annee INTEGER NOT NULL, code_commune VARCHAR NOT NULL, beneficiaires INTEGER NOT NULL,
            montant_total DECIMAL(14, 2) NOT NULL, PRIMARY KEY (annee, code_commune));
        INSERT INTO indicateurs.aide_sport_par_commune VALUES
            (2022, '46148', 2, 60), (2022, '46173', 9, 300), (2022, '46105', 12, 400);""")
    publish_indicators(con, RULES, threshold=5)
    yield con
    con.close()


def test_the_expectations_of_a_public_table(con):
    expectations = public_expectations(con, RULES, threshold=5)["aide_sport_par_commune"]
    next_year = date.today().year + 1
    assert [(e.kind, e.kwargs) for e in expectations] == [
        ("ExpectCompoundColumnsToBeUnique", {"column_list": ["annee", "code_commune"]}),
        ("ExpectTableColumnsToMatchOrderedList",
         {"column_list": ["annee", "code_commune", "beneficiaires", "montant_total", "secret"]}),
        ("ExpectColumnValuesToBeBetween", {"column": "annee", "min_value": 2000, "max_value": next_year}),
        ("ExpectColumnValuesToBeBetween", {"column": "beneficiaires", "min_value": 0}),
        ("ExpectColumnValuesToBeBetween", {"column": "montant_total", "min_value": 0}),
        ("ExpectColumnValuesToNotBeInSet", {"column": "beneficiaires", "value_set": [1, 2, 3, 4]}),
    ]


def test_the_checks_are_written_in_french_words_from_the_catalogue(con):
    """The labels of the table's declaration (warehouse/indicateurs/aide_sport.yaml): the check is
    worded before ``catalogue`` writes them into ref.catalogue."""
    expectations = public_expectations(con, RULES, threshold=5)["aide_sport_par_commune"]
    next_year = date.today().year + 1
    assert [e.description for e in expectations] == [
        "une seule ligne par année et commune",
        "les colonnes de la table d'indicateurs, dans l'ordre, puis secret",
        f"l'année est comprise entre 2000 et {next_year}",
        "aucune valeur négative dans « Bénéficiaires »",
        "aucune valeur négative dans « Montant des aides »",
        "secret statistique : aucune valeur de 1 à 4 visible dans « Bénéficiaires »",
    ]


def test_the_check_passes_on_secret_tables_and_fails_on_a_visible_small_count(con, tmp_path):
    assert validate_public(con, RULES, 5, tmp_path / "ok") == []
    assert (tmp_path / "ok" / "index.html").exists()
    con.execute("UPDATE public.aide_sport_par_commune SET beneficiaires = 2, montant_total = 60 "
                "WHERE code_commune = '46148'")  # as if the secrecy had been forgotten
    failures = validate_public(con, RULES, 5, tmp_path / "echec")
    assert failures == ["public.aide_sport_par_commune : secret statistique : aucune valeur de 1 à 4 "
                        "visible dans « Bénéficiaires » (valeurs : [2])"]
    summary = (tmp_path / "echec" / "resume.html").read_text(encoding="utf-8")
    assert "1 en échec" in summary and "ÉCHEC : [2]" in summary


def test_the_worker_validates_as_the_caller_would_and_a_killed_worker_is_replaced_by_the_caller(
        con, tmp_path, monkeypatch):
    con.execute("UPDATE public.aide_sport_par_commune SET beneficiaires = 2, montant_total = 60 "
                "WHERE code_commune = '46148'")
    here = validate_public(con, RULES, 5, tmp_path / "ici")
    monkeypatch.setattr(worker, "_pool", None)
    worker.start()
    pool = worker._pool
    try:
        wait = submit_validation(con, RULES, 5, tmp_path / "processus")
        con.execute("UPDATE public.aide_sport_par_commune SET beneficiaires = 0")  # after the submission
        assert wait() == here and (tmp_path / "processus" / "resume.html").exists()
        for process in worker.processes():
            process.kill()
        assert validate_public(con, RULES, 5, tmp_path / "apres") == []  # validated by the caller
        assert worker._pool is None
    finally:
        pool.shutdown(cancel_futures=True)


def test_a_command_that_ends_stops_the_worker_in_the_middle_of_its_import(monkeypatch):
    monkeypatch.setattr(worker, "_pool", None)
    background.start()
    processes = worker.processes()
    worker.stop()
    for process in processes:
        process.join(60)
    assert processes and not any(process.is_alive() for process in processes)
    assert worker._pool is None


def test_a_worker_whose_work_is_done_ends_cleanly_when_the_command_ends():
    """Once its tasks are done, the worker is let go, not killed: it ends with status 0 (without
    tearing Great Expectations' modules down) and the command's process prints nothing about
    leaked resources when it ends."""
    script = ("from assets import background\nfrom warehouse import worker\n"
              "background.start()\n"
              "worker.wait_idle(timeout=600)\n"
              "processes = worker.processes()\n"
              "worker.stop()\n"
              "print([p.exitcode for p in processes])\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600,
                          cwd=Path(__file__).parents[1])
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "[0]", "")
