"""Feedback workbooks (issue 21): exports/retours/<source>-<année>.xlsx list each quarantined row
with its line, reason and what to do, and never a personal value."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from conftest import POCKETO_HEADER, presence, write_csv

ADDED = "pocketo/retours/Zebulon 2022.csv"
PERSONAL = ["Zébulon", "Xylophone", "DOS-SECRET-4242", "07/07/1982", "1982-07-07", "07/07/2015", "2015-07-07"]


def add_person(raw: Path) -> None:
    person = {"dossier": "DOS-SECRET-4242", "nom": "Xylophone", "prenom": "Zébulon"}
    write_csv(raw / ADDED, [
        POCKETO_HEADER,
        presence(date="09/03/2022", naissance="07/07/2015", **person),
        presence(date="31/02/2022", naissance="07/07/2015", **person),      # line 3: unreadable date
        presence(date="16/03/2022", naissance="07/07/1982", **person),      # line 4: age 39
    ])


@pytest.fixture(scope="module")
def published(hostile_run):
    """The feedback folder of the demo with these rows (and the other hostile files of ``hostile_run``)."""
    (code, _, err), warehouse, _ = hostile_run
    assert code == 0, err
    return warehouse.parent / "exports" / "retours"


def cells(path: Path) -> list[tuple]:
    workbook = openpyxl.load_workbook(path)
    return [(sheet.title, row) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)]


def test_one_workbook_per_source_and_year(published):
    names = sorted(p.name for p in published.glob("*.xlsx"))
    assert "pocketo-2022.xlsx" in names and "aide_alimentaire-2023.xlsx" in names
    assert "aide_sport-2023.xlsx" in names  # nothing received: the summary says it is missing
    summary = [row for sheet, row in cells(published / "aide_sport-2023.xlsx") if sheet == "Campagne"]
    assert summary[4][:2] == ("registre intercommunal", "manquant")
    assert summary[4][8] == "envoyer le fichier à l'observatoire"


def test_each_quarantined_row_with_its_line_reason_and_advice(published):
    workbook = openpyxl.load_workbook(published / "pocketo-2022.xlsx")
    assert workbook.sheetnames[0] == "Campagne"
    sheet = workbook["Zebulon 2022"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == f"Fichier : {ADDED.removeprefix('pocketo/')}"
    assert rows[1][0] == "3 ligne(s) lue(s) : 1 chargée(s), 2 refusée(s), 0 en double, 0 vide(s) ou de total"
    header = rows.index(("Fichier", "Feuille", "Ligne", "Colonne", "Valeur lue", "Motif", "À faire"))
    assert rows[header + 1][2:] == (3, "Date", "31/02/2022", "Date : date illisible : 31/02/2022",
                                    "écrire la date au format jj/mm/aaaa (par exemple 05/03/2022), avec "
                                    "un jour qui existe dans le mois")
    assert rows[header + 2][2:6] == (4, "Date de naissance", None,
                                     "Date de naissance : âge hors de 2 à 18 ans à la date de présence : 39 ans")
    assert rows[header + 3] == (None,) * 7


def test_no_personal_value_in_any_workbook(published):
    found = [(path.name, sheet, value) for path in published.glob("*.xlsx") for sheet, row in cells(path)
             for value in row if value is not None and any(p in str(value) for p in PERSONAL)]
    assert found == []


def test_personal_columns_never_show_a_value(published):
    personal_labels = {"Nom", "Prénom", "Date de naissance", "N° dossier", "N° foyer"}
    shown = [(path.name, row) for path in published.glob("*.xlsx") for _, row in cells(path)
             if len(row) >= 5 and isinstance(row[2], int) and row[3] in personal_labels and row[4] is not None]
    assert shown == []
