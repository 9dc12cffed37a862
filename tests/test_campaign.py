"""The yearly collection campaign (issue 21): qualite.campagne, ``observatoire campagne`` and the
report's annex, on the demo drop folder with one month of France Services (Limogne, March 2022)
and one food-aid structure (Secours populaire Lalbenque) removed."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import refreshed_demo_variant

pytestmark = pytest.mark.refreshes(1)  # the demo without a month

FS_FOLDER = Path("france_services") / "Limogne"
REMOVED_FOLDER = Path("aide_alimentaire") / "secours_populaire"


def drop_month(path: Path, year: str, months: set[str]) -> None:
    """Remove the long CSV's lines of one month (in any of its spellings), keeping its encoding."""
    data = path.read_bytes()
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "cp1252"
    lines = data.decode(encoding).splitlines(keepends=True)
    kept = [line for line in lines if not (line.split(";")[1:2] == [year] and line.split(";")[2] in months)]
    path.write_bytes("".join(kept).encode(encoding))


def remove_from_demo(raw: Path) -> None:
    for path in (raw / FS_FOLDER).glob("*.csv"):
        drop_month(path, "2022", {"3", "03", "mars"})
    shutil.rmtree(raw / REMOVED_FOLDER)


@pytest.fixture(scope="module")
def campaign_run(tmp_path_factory, demo_drop):
    outcome = refreshed_demo_variant(tmp_path_factory, demo_drop, "campagne", remove_from_demo)
    assert outcome.published, outcome.errors
    return outcome.warehouse


def not_received(warehouse: Path, year: int) -> set[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return set(con.execute(
            "SELECT source, structure_id, statut, mois_manquants FROM qualite.campagne "
            "WHERE annee = ? AND mois IS NULL AND statut <> 'reçu'", [year]).fetchall())


def test_the_removed_month_and_structure_are_partial_and_missing(campaign_run):
    assert not_received(campaign_run, 2022) == {
        ("france_services", "fs_limogne", "partiel", "3"),
        ("aide_alimentaire", "secours_populaire_lalbenque", "manquant", None),
        ("pocketo", "rdvj", "partiel", "9"),  # the demo's RDVJ has no September 2022
    }
    # 2023: the demo has no Lalbenque counter and no sport-aid register that year
    assert not_received(campaign_run, 2023) == {
        ("aide_alimentaire", "secours_populaire_lalbenque", "manquant", None),
        ("france_services", "fs_lalbenque", "manquant", None),
        ("aide_sport", None, "manquant", None),
    }


def test_month_rows_and_received_figures(campaign_run):
    with duckdb.connect(str(campaign_run), read_only=True) as con:
        march = con.execute("SELECT attendu, statut, fichiers, lignes FROM qualite.campagne WHERE annee = 2022 "
                            "AND structure_id = 'fs_limogne' AND mois = 3").fetchone()
        april = con.execute("SELECT statut, fichiers, lignes, premiere_date, derniere_date FROM qualite.campagne "
                            "WHERE annee = 2022 AND structure_id = 'fs_limogne' AND mois = 4").fetchone()
        year = con.execute("SELECT fichiers, lignes, premiere_date, derniere_date FROM qualite.campagne "
                           "WHERE annee = 2022 AND structure_id = 'fs_limogne' AND mois IS NULL").fetchone()
        # the month is missing: no row of the indicator, never a zero
        indicator = con.execute("SELECT count(*) FROM indicateurs.france_services_mensuel "
                                "WHERE structure_id = 'fs_limogne' AND annee = 2022 AND mois = 3").fetchone()[0]
        years = [y for (y,) in con.execute("SELECT DISTINCT annee FROM qualite.campagne ORDER BY 1").fetchall()]
        public = con.execute("SELECT count(*) FROM public.campagne").fetchone()[0]
        total = con.execute("SELECT count(*) FROM qualite.campagne").fetchone()[0]
    assert march == (True, "manquant", 0, 0)
    assert april == ("reçu", 1, 12, dt.date(2022, 4, 1), dt.date(2022, 4, 30))
    assert year == (2, 132, dt.date(2022, 1, 1), dt.date(2022, 12, 31))  # the T1 export wins Jan-Feb
    assert indicator == 0
    assert years == list(range(2017, 2024))
    assert public == total


def test_campaign_command_prints_the_checklist(campaign_run, capsys):
    from pipelines.cli import main

    assert main(["campagne", "--annee", "2022", "--warehouse", str(campaign_run)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "Campagne de collecte 2022 : ce qui est reçu, partiel, manquant"
    fs = lines.index("France Services (compteurs)")
    assert lines[fs + 1].startswith("  PARTIEL    France Services Limogne-en-Quercy : mois manquants : mars ; ")
    food = lines.index("Aide alimentaire (registres des associations)")
    assert lines[food + 1] == "  MANQUANT   Secours populaire Lalbenque : aucun fichier reçu"
    assert lines[-1] == "Bilan : 1 manquant, 2 partiel, 0 inattendu, 8 reçu"
    assert main(["campagne", "--warehouse", str(campaign_run)]) == 0  # default: the latest year
    assert capsys.readouterr().out.startswith("Campagne de collecte 2023")
    assert main(["campagne", "--annee", "1990", "--warehouse", str(campaign_run)]) == 1


def test_report_annex_marks_the_missing_month(campaign_run):
    from reporting.build import render

    with duckdb.connect(str(campaign_run), read_only=True) as con:
        _, page = render(con, 2022, 5)
    annex = page[page.index("C. Campagne de collecte 2022"):page.index("D. Définitions")]
    row = annex[annex.index("France Services Limogne-en-Quercy"):]
    row = row[:row.index("</tr>")]
    assert "manque : mars" in row
    assert row.count("<td>—</td>") == 1 and row.index("<td>—</td>") > row.index("<td>12</td>")
    secours = annex[annex.index("Secours populaire Lalbenque"):]
    assert "manquant" in secours[:secours.index("</tr>")]
    # and under the indicators themselves
    assert ("Collecte incomplète (annexe C) : France Services Limogne-en-Quercy, 2022, mois manquants : mars "
            "— non comptés, ni zéro ni estimation.") in page
    assert "Collecte incomplète (annexe C) : Secours populaire Lalbenque, 2022, aucun fichier reçu." in page


def test_campaign_tables_are_catalogued(campaign_run):
    with duckdb.connect(str(campaign_run), read_only=True) as con:
        missing = con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE table_name IN ('campagne', 'structures_collecte') "
            "AND (comment IS NULL OR comment = '')").fetchone()[0]
    assert missing == 0


def _tiny_warehouse(rows_fs: list[tuple], today: dt.date):
    """A warehouse with the reference and France Services rows only: other sources stay empty."""
    from sources.spec import load_spec
    from warehouse.campaign import build_campaign, sources
    from warehouse.db import read_sql
    from warehouse.reference import load_reference

    con = duckdb.connect()
    con.execute(read_sql("schema"))
    con.execute("CREATE SCHEMA IF NOT EXISTS public")
    load_reference(con)
    for name, source in sources().items():
        columns = {"fichier_nom": "VARCHAR", "structure_id": "VARCHAR",
                   **({source["date"]: "DATE"} if "date" in source else {"annee": "INTEGER", "mois": "INTEGER"})}
        con.execute(f"CREATE TABLE {load_spec(name).staging_table} "
                    f"({', '.join(f'{c} {t}' for c, t in columns.items())})")
    con.executemany("INSERT INTO staging.france_services__demandes (structure_id, annee, mois, fichier_nom) "
                    "VALUES (?, ?, ?, ?)", rows_fs)
    build_campaign(con, today)
    return con


def test_statuses_on_a_tiny_warehouse():
    # fs_limogne is expected from December 2021 (ref.structures_collecte): its 2020 file is unexpected;
    # a month after today is not expected.
    rows = [("fs_lalbenque", 2020, m, "a.csv") for m in range(1, 13)]
    rows += [("fs_limogne", 2020, 5, "b.csv"), ("fs_lalbenque", 2021, 1, "c.csv"),
             ("fs_lalbenque", 2021, 2, "c.csv")]
    with _tiny_warehouse(rows, dt.date(2021, 3, 15)) as con:
        found = con.execute("SELECT annee, structure_id, statut, mois_manquants FROM qualite.campagne "
                            "WHERE source = 'france_services' AND mois IS NULL ORDER BY ALL").fetchall()
        march = con.execute("SELECT statut FROM qualite.campagne WHERE annee = 2021 AND mois = 3 "
                            "AND structure_id = 'fs_lalbenque'").fetchone()[0]
        april = con.execute("SELECT count(*) FROM qualite.campagne WHERE annee = 2021 AND mois = 4").fetchone()[0]
    assert found == [(2020, "fs_lalbenque", "reçu", None), (2020, "fs_limogne", "inattendu", None),
                     (2021, "fs_lalbenque", "partiel", "3")]
    assert march == "manquant" and april == 0
