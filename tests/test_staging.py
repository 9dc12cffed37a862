"""From files to staging on a real DuckDB file: quarantine, de-duplication, accounting."""

import os
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import POCKETO_HEADER, presence, write_csv

from sources.loading import build_staging, load_raw
from sources.pocketo import SPEC
from sources.pseudonym import Pseudonymiser
from sources.transform import ClearText
from warehouse.checks import staged_rows_without_log, unaccounted_files
from warehouse.db import TEMP_PREFIX, connect, remove_stale_temp_directories
from warehouse.reference import load_reference

OLD, NEW = 1_650_000_000, 1_660_000_000


@pytest.fixture
def staged(tmp_path):
    folder = tmp_path / "raw" / "pocketo"
    old = write_csv(folder / "export janvier-juin.csv", [
        POCKETO_HEADER,
        presence(nom="Dupont-Martin", prenom="Léa", depart="17:00"),  # line 2: loses to new line 2
        presence(nom="Petit", prenom="Tom", naissance="01/01/2016"),  # line 3: only here, loads
    ])
    new = write_csv(folder / "export année.csv", [
        POCKETO_HEADER,
        presence(nom="DUPONT MARTIN", prenom="LEA", depart="17:30"),  # 2: same child, wins, 9 h
        presence(date="31/02/2022"),  # 3
        presence(arrivee="17:00", depart="08:00"),  # 4
        presence(naissance="01/01/1997"),  # 5: 25 years old
        presence(date="10/03/2031"),  # 6
        presence(structure="ALSH Cahors", unite="Nuitée"),  # 7: two problems, one row
        presence(nom="Petit", prenom="Tom", naissance="01/01/2016", statut="Absent",
                 date="10/03/2022"),  # 8: kept, no hours
        presence(nom="Petit", prenom="Tom", naissance="01/01/2016", date="11/03/2022",
                 unite="Matin", arrivee="", depart="-"),  # 9: flat 4 h
        [""] * 13,  # 10: blank
    ])
    os.utime(old, (OLD, OLD))
    os.utime(new, (NEW, NEW))
    con = connect(tmp_path / "w.duckdb")
    load_reference(con)
    load_raw(con, SPEC, tmp_path / "raw", Pseudonymiser(b"k"))
    build_staging(con, SPEC)
    yield con
    con.close()


def test_quarantine_names_file_line_column_and_reason(staged):
    rows = staged.execute(
        "SELECT fichier_nom, ligne, colonne, valeur_brute, motif FROM qualite.quarantaine ORDER BY ligne"
    ).fetchall()
    assert rows == [
        ("export année.csv", 3, "Date", "31/02/2022", "Date : date illisible : 31/02/2022"),
        ("export année.csv", 4, "Arrivée, Départ", "17:00 - 08:00",
         "Arrivée, Départ : départ (08:00) pas après l'arrivée (17:00)"),
        ("export année.csv", 5, "Date de naissance", None,
         "Date de naissance : âge hors de 2 à 18 ans à la date de présence : 25 ans"),
        ("export année.csv", 6, "Date", "10/03/2031", "Date : date dans le futur : 10/03/2031"),
        ("export année.csv", 7, "Structure, Unité", "ALSH Cahors | Nuitée",
         "Structure : structure inconnue : ALSH Cahors ; Unité : valeur inconnue : Nuitée"),
    ]


def test_staging_again_changes_nothing(staged):
    """The staging step run alone a second time (from the Dagster UI, say) gives the same
    quarantine: a row failing a rule keeps one reason, not one per run."""
    tables = ["qualite.quarantaine", "qualite.journal_chargement", "qualite.avertissements",
              "staging.pocketo__presences"]
    before = {t: staged.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}
    build_staging(staged, SPEC)
    assert {t: staged.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables} == before
    (reasons,), = staged.execute(
        "SELECT nb_anomalies FROM qualite.quarantaine WHERE ligne = 4").fetchall()
    assert reasons == 1


def test_newest_file_wins_and_the_conflict_is_logged(staged):
    rows = staged.execute(
        "SELECT fichier_nom, ligne, heures, heures_estimees, presence FROM staging.pocketo__presences "
        "ORDER BY date_presence, ligne").fetchall()
    assert rows == [
        ("export année.csv", 2, Decimal("9.00"), False, "present"),
        ("export janvier-juin.csv", 3, Decimal("8.50"), False, "present"),
        ("export année.csv", 8, Decimal("0.00"), False, "absent"),
        ("export année.csv", 9, Decimal("4.00"), True, "present"),
    ]
    warnings = staged.execute("SELECT fichier_nom, ligne, message FROM qualite.avertissements").fetchall()
    assert warnings == [("export janvier-juin.csv", 2, "ligne en double avec des valeurs différentes : "
                         "remplacée par export année.csv ligne 2 (fichier le plus récent)")]


def test_every_row_is_accounted_for(staged):
    log = staged.execute(
        "SELECT fichier_nom, lignes_lues, lignes_chargees, lignes_quarantaine, lignes_doublons, "
        "lignes_vides_total FROM qualite.journal_chargement ORDER BY fichier_nom").fetchall()
    assert log == [("export année.csv", 9, 3, 5, 0, 1), ("export janvier-juin.csv", 2, 1, 0, 1, 0)]
    assert unaccounted_files(staged, "pocketo").empty
    assert staged_rows_without_log(staged, "pocketo", SPEC.staging_table) == 0


def test_the_accounting_check_catches_a_lost_row(staged):
    staged.execute("DELETE FROM staging.pocketo__presences WHERE ligne = 9")
    staged.execute("UPDATE qualite.journal_chargement SET lignes_chargees = lignes_chargees - 1 "
                   "WHERE fichier_nom = 'export année.csv'")
    assert unaccounted_files(staged, "pocketo")["fichier_nom"].tolist() == ["export année.csv"]


def test_the_same_child_spelled_two_ways_is_one_child(staged):
    children = staged.execute(
        "SELECT count(DISTINCT enfant_id) FROM staging.pocketo__presences").fetchone()[0]
    assert children == 2  # Léa Dupont-Martin / LEA DUPONT MARTIN, and Tom Petit


def _raw_state(con) -> dict:
    tables = con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw' "
                         "ORDER BY ALL").fetchall()
    return {name: con.execute(f"SELECT * FROM raw.{name} ORDER BY ALL").fetchall() for (name,) in tables}


def test_a_load_that_fails_leaves_the_previous_raw_tables(staged, tmp_path):
    """The raw tables are built under other names and swapped in at the end: a load that stops
    half way (here a reader that breaks) changes nothing, and leaves neither its half-built
    tables nor the clear text behind."""
    before = _raw_state(staged)

    def broken_reader(path, spec, stats):
        raise RuntimeError("disque illisible")

    with pytest.raises(RuntimeError, match="disque illisible"):
        load_raw(staged, SPEC, tmp_path / "raw", Pseudonymiser(b"k"), reader=broken_reader)
    assert _raw_state(staged) == before
    assert [name for (name,) in staged.execute("SELECT database_name FROM duckdb_databases()").fetchall()
            if name == "clair"] == []


def test_clear_text_can_only_spill_to_a_private_folder(staged, tmp_path):
    """The clear text of a load lives in memory; what DuckDB cannot keep there, and the UTF-8
    copies of Windows-1252 files, go to a folder only this user can open, not next to the
    warehouse (and removed the next time if the process is killed)."""
    (folder,), = staged.execute("SELECT current_setting('temp_directory')").fetchall()
    assert not folder.startswith(str(tmp_path))
    assert os.stat(folder).st_mode & 0o777 == 0o700
    with ClearText(staged, SPEC, Pseudonymiser(b"k")) as clear:
        assert clear.scratch.parent == Path(folder)


def test_the_private_folder_of_a_killed_process_is_removed_the_next_time(tmp_path):
    """A process killed mid-load cannot remove its temporary folder: the next one does, and
    leaves those of live processes and everything else."""
    gone = subprocess.Popen(["true"])
    gone.wait()
    stale = tmp_path / f"{TEMP_PREFIX}{gone.pid}-x1"
    stale.mkdir()
    (stale / "page.tmp").write_text("Dupont Léa 01/01/2016")
    live = tmp_path / f"{TEMP_PREFIX}{os.getpid()}-x2"
    live.mkdir()
    other = tmp_path / "observatoire-bench"
    other.mkdir()
    remove_stale_temp_directories(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, other.name])
