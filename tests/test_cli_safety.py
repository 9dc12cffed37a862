"""The command line survives operator mistakes: wrong or empty drop folder, a source that lost
its files, relative paths, a held lock, a short key; and it speaks French."""

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.automation import depot_sensor
from pipelines.cli import _print_summary, main
from pipelines.definitions import defs
from pipelines.refresh import RefreshOutcome, refresh
from warehouse import PACKAGE_DIR
from warehouse.build import Build, lock_path
from warehouse.guard import Loaded, drops

pytestmark = pytest.mark.refreshes(6)  # six refreshes of the small folder (one stopped midway)



def run_main(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


def test_help_is_french_and_lists_the_environment_variables(capsys):
    code, out, _ = run_main(capsys, "--help")
    assert code == 0
    assert out.startswith("utilisation : observatoire [-h] [--ref-dir DOSSIER] COMMANDE ...\n\nEntrepôt de l'observatoire social")
    assert "affiche cette aide et s'arrête" in out and "``" not in out and "usage" not in out
    assert "  OBSERVATOIRE_WAREHOUSE     entrepôt publié (défaut : warehouse/observatoire.duckdb)" in out
    assert all(f"  {name} " in out for name in ("OBSERVATOIRE_RAW_DIR", "OBSERVATOIRE_EXPORT_DIR",
                                                "OBSERVATOIRE_REF_DIR", "OBSERVATOIRE_PSEUDO_KEY"))
    code, out, _ = run_main(capsys, "refresh", "--help")
    assert code == 0 and "--accepter-baisse" in out and "OBSERVATOIRE_RAW_DIR" in out


def test_argparse_errors_are_french(capsys):
    assert run_main(capsys, "refresh", "--inconnu")[2] == (
        "utilisation : observatoire [-h] [--ref-dir DOSSIER] COMMANDE ...\nobservatoire : erreur : arguments inconnus : --inconnu\n")
    assert run_main(capsys)[2].endswith("observatoire : erreur : ces arguments sont obligatoires : COMMANDE\n")
    code, _, err = run_main(capsys, "rapport", "--annee", "deux")
    assert code == 2 and err.endswith("erreur : option --annee : valeur invalide (int attendu) : 'deux'\n")


def test_a_missing_drop_folder_is_an_error_and_publishes_nothing(capsys, tmp_path):
    missing, warehouse = tmp_path / "a" / "typo", tmp_path / "w.duckdb"
    code, _, err = run_main(capsys, "refresh", "--raw-dir", str(missing), "--warehouse", str(warehouse))
    assert (code, err) == (2, f"Le dossier de dépôt {missing} n'existe pas : vérifiez le chemin (--raw-dir ou "
                              "OBSERVATOIRE_RAW_DIR). Rien n'a été publié.\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_short_key_stops_the_refresh(capsys, raw, tmp_path, monkeypatch):
    monkeypatch.setenv("OBSERVATOIRE_PSEUDO_KEY", "k")
    code, _, err = run_main(capsys, "refresh", "--raw-dir", str(raw), "--warehouse", str(tmp_path / "w.duckdb"))
    assert code == 2 and err.startswith("La clé de pseudonymisation (OBSERVATOIRE_PSEUDO_KEY) est trop courte")


def test_a_held_lock_is_told_in_two_french_lines_and_a_log_file(capsys, raw, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    (tmp_path / "w.duckdb.echec").write_bytes(b"une construction d'une autre actualisation")
    with lock_path(warehouse).open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        code, _, err = run_main(capsys, "refresh", "--raw-dir", str(raw), "--warehouse", str(warehouse))
    logs = list(tmp_path.glob("observatoire-*.log"))
    assert code == 1 and len(logs) == 1
    assert err.splitlines() == [
        f"Une autre actualisation de {warehouse} est en cours : celle-ci s'arrête sans rien modifier. "
        "Relancez-la quand la première sera terminée.",
        f"L'entrepôt publié ({warehouse}) n'a pas été modifié.",  # and no word of a .echec: none exists
        f"Détail de l'erreur : {logs[0]}"]
    assert "warehouse.build.RefreshLocked" in logs[0].read_text(encoding="utf-8")  # the full trace


def test_the_summary_skips_a_half_built_file(tmp_path, capsys):
    half = tmp_path / "w.duckdb.echec"
    half.write_bytes(b"DUCK" * 1000)  # not a database
    _print_summary(RefreshOutcome(False, tmp_path / "w.duckdb", half, ["raw_pocketo__presences"], [], []))
    assert capsys.readouterr().out == ""


def test_any_command_completes_a_publication_a_crash_interrupted(capsys, tmp_path):
    warehouse, exports = tmp_path / "w.duckdb", tmp_path / "exports"
    duckdb.connect(str(warehouse)).close()
    build = Build(warehouse, exports, "run00001", step=lambda name: sys.exit(9) if name == "exports" else None)
    build.start()
    (build.exports_path / "csv").mkdir(parents=True)
    duckdb.connect(str(build.path)).close()
    with pytest.raises(SystemExit):
        build.publish()
    build._lock.close()
    assert not exports.exists()  # killed between the two renames: the new warehouse has no exports
    code, _, err = run_main(capsys, "refresh", "--raw-dir", str(tmp_path / "absent"), "--warehouse", str(warehouse))
    assert code == 2 and (exports / "csv").is_dir() and not (tmp_path / "exports.precedent").exists()
    assert err.startswith(f"ATTENTION la publication interrompue de {warehouse} a été terminée")


def test_an_emptied_drop_folder_blocks_the_publication_unless_accepted(published_small, capsys):
    raw, warehouse = published_small
    for name in ("lalbenque.csv", "limogne.csv"):
        (raw / "pocketo" / name).unlink()  # the folder is empty now
    code, _, err = run_main(capsys, "refresh", "--raw-dir", str(raw), "--warehouse", str(warehouse))
    assert code == 1
    assert err.splitlines()[0] == (
        "Publication bloquée : la source pocketo n'a plus aucun fichier (entrepôt publié : 2 fichier(s), "
        f"3 lignes chargées ; cette actualisation : 0 fichier). L'entrepôt publié ({warehouse}) n'a pas été "
        "modifié. Vérifiez le dossier de dépôt ; si la baisse est voulue, relancez avec --accepter-baisse.")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM staging.pocketo__presences").fetchone()[0] == 3
    assert refresh(raw, warehouse, accept_drop=True).published
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM staging.pocketo__presences").fetchone()[0] == 0


def test_loaded_rows_falling_by_more_than_half_are_a_drop():
    before = {"pocketo": Loaded(4, 1000), "aide_sport": Loaded(1, 10)}
    assert drops(before, {"pocketo": Loaded(4, 500), "aide_sport": Loaded(1, 10)}) == []  # half: kept
    assert drops(before, {"pocketo": Loaded(3, 499), "aide_sport": Loaded(1, 10)}) == [
        "les lignes chargées de la source pocketo passent de 1\u202f000 (entrepôt publié) à 499 (cette "
        "actualisation), une baisse de plus de moitié."]
    assert drops({}, {"pocketo": Loaded(1, 5)}) == []  # nothing published: nothing to compare


def test_the_sensor_never_refreshes_from_a_vanished_or_empty_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("OBSERVATOIRE_RAW_DIR", str(tmp_path / "depot"))
    monkeypatch.setenv("OBSERVATOIRE_WAREHOUSE", str(tmp_path / "w.duckdb"))
    repository = defs.get_repository_def()
    skipped = depot_sensor(dg.build_sensor_context(repository_def=repository))
    assert skipped.skip_message == f"Le dossier de dépôt {tmp_path / 'depot'} n'existe pas : aucune actualisation."
    (tmp_path / "depot" / "pocketo").mkdir(parents=True)
    skipped = depot_sensor(dg.build_sensor_context(repository_def=repository))
    assert skipped.skip_message == (f"Le dossier de dépôt {tmp_path / 'depot'} ne contient aucun fichier : "
                                    "aucune actualisation.")


def test_relative_paths_from_another_folder(raw, tmp_path, monkeypatch, capsys):
    shutil.copytree(PACKAGE_DIR / "ref", tmp_path / "ref")
    here = tmp_path / "ailleurs"
    here.mkdir()
    monkeypatch.chdir(here)
    monkeypatch.setenv("OBSERVATOIRE_EXPORT_DIR", "partage/exports")
    monkeypatch.setenv("OBSERVATOIRE_REF_DIR", "../ref")
    monkeypatch.delenv("OBSERVATOIRE_WAREHOUSE", raising=False)
    code, _, err = run_main(capsys, "refresh", "--raw-dir", "../raw", "--warehouse", "w.duckdb")
    assert code == 0, err
    assert (here / "w.duckdb").is_file() and (here / "partage" / "exports" / "datapackage.json").is_file()
    assert (here / "partage" / "exports" / "qualite" / "resume.html").is_file()
    assert run_main(capsys, "rapport", "--warehouse", "w.duckdb", "--sortie", "rapports")[0] == 0
    assert (here / "rapports" / "rapport-2023.html").is_file()  # the latest year with data (ref figures)


@pytest.mark.parametrize("moment", ["pendant l'exécution", "avant l'exécution"])
def test_a_refresh_stopped_by_the_system_says_so_in_french_and_leaves_nothing(raw, tmp_path, moment):
    """SIGTERM (a service stopped, ``kill``) as Ctrl+C, during the run (Dagster stops it) or before
    it (while the command imports its modules): nothing is published, the same French line, and
    nothing left in the temporary folder (Chromium's profile and lock, Great Expectations'
    warm-up, the worker's files)."""
    temporary = Path(tempfile.mkdtemp(prefix="obs-"))  # short: Chromium's lock is a Unix socket in it
    process = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "refresh", "--raw-dir", str(raw), "--warehouse",
         str(tmp_path / "w.duckdb")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "TMPDIR": str(temporary)},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))  # as a command started in the background
    if moment == "pendant l'exécution":
        assert process.stdout.readline().startswith("Actualisation de l'entrepôt")  # the run begins
    time.sleep(1)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    left = list(temporary.iterdir())
    shutil.rmtree(temporary)
    assert process.returncode == 1 and err.splitlines()[0] == (
        "Actualisation interrompue (Ctrl+C, ou arrêt demandé par le système) : relancez-la pour mettre "
        "l'entrepôt à jour.")
    assert not (tmp_path / "w.duckdb").exists() and left == []
