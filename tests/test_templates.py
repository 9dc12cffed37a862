"""Entry templates (issue 21): each template, filled with valid values through its own lists,
loads with no quarantine and no warning; a new structure of the reference appears in the lists."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest

from conftest import TEST_KEY

pytestmark = pytest.mark.refreshes(1)  # the filled templates

# The values typed by hand (the list columns take their values from the template's lists).
TYPED = {
    "pocketo": {"Date": dt.date(2022, 3, 9), "N° dossier": "F1", "Nom": "Dupont", "Prénom": "Léa",
                "Date de naissance": dt.date(2015, 6, 5), "QF": 600, "Arrivée": dt.time(8, 30),
                "Départ": dt.time(17, 0)},
    "france_services": {"Année": 2022, "Demandes": 12},
    "aide_alimentaire": {"Date": dt.date(2022, 3, 10), "N° foyer": "A12", "Nb adultes": 1, "Nb enfants": 2,
                         "Poids (kg)": 12.5},
    "aide_sport": {"N° dossier": "S1", "Nom": "Martin", "Prénom": "Paul", "Date de naissance": dt.date(2012, 4, 1),
                   "QF": 450, "Club": "Judo Club Limogne", "Discipline": "Judo", "Coût licence": 100,
                   "Montant aide": 70, "Date d'attribution": dt.date(2022, 9, 15)},
}
FOLDERS = {"pocketo": "pocketo", "france_services": "france_services", "aide_alimentaire": "aide_alimentaire",
           "aide_sport": "aide_sport"}


def lists(workbook) -> dict[str, list[str]]:
    sheet = workbook["Listes du modèle"]
    return {column[0]: [v for v in column[1:] if v] for column in sheet.iter_cols(values_only=True)}


def fill(template: Path, source: str, target: Path) -> None:
    """Row 2: the first value of each list; row 3: the last but one (never "Autre commune")."""
    workbook = openpyxl.load_workbook(template)
    choices, sheet = lists(workbook), workbook["Saisie"]
    header = [cell.value for cell in sheet[1]]
    for row, pick in ((2, 0), (3, -2)):
        for index, label in enumerate(header, start=1):
            if label in choices:
                values = choices[label]
                value = values[pick] if len(values) > 2 else values[0]
            else:
                value = TYPED[source].get(label)
            if source == "pocketo" and label == "Présence":
                value = "Présent"
            if label in ("N° dossier", "N° foyer", "Prénom") and row == 3:
                value = f"{value}-2"  # another person or household
            sheet.cell(row, index, value)
    target.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(target)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    from pipelines.refresh import refresh
    from sources.templates import write_templates

    base = tmp_path_factory.mktemp("modeles")
    templates = write_templates(base / "modeles")
    for template in templates:
        source = template.stem.removeprefix("modele-")
        fill(template, source, base / "raw" / FOLDERS[source] / f"saisie-{source}.xlsx")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OBSERVATOIRE_PSEUDO_KEY", TEST_KEY)
        outcome = refresh(base / "raw", base / "observatoire.duckdb")
    assert outcome.published, outcome.errors
    return templates, base / "observatoire.duckdb"


def test_four_templates_with_frozen_header_lists_and_instructions(loaded):
    templates, _ = loaded
    assert sorted(t.name for t in templates) == ["modele-aide_alimentaire.xlsx", "modele-aide_sport.xlsx",
                                                 "modele-france_services.xlsx", "modele-pocketo.xlsx"]
    workbook = openpyxl.load_workbook(templates[-1])  # pocketo
    sheet = workbook["Saisie"]
    assert workbook.sheetnames == ["Saisie", "Listes du modèle", "Mode d'emploi du modèle"]
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]][:3] == ["Structure", "Date", "N° dossier"]
    rules = {str(rule.sqref): rule for rule in sheet.data_validations.dataValidation}
    assert rules["B2:B2000"].type == "date" and rules["B2:B2000"].error.startswith("Écrivez une date")
    assert rules["A2:A2000"].formula1 == "'Listes du modèle'!$A$2:$A$4"
    assert lists(workbook)["Commune"][-1] == "Autre commune"


def test_filled_templates_load_without_quarantine_or_warning(loaded):
    _, warehouse = loaded
    with duckdb.connect(str(warehouse), read_only=True) as con:
        log = con.execute("SELECT source, statut, lignes_lues, lignes_chargees, lignes_quarantaine "
                          "FROM qualite.journal_chargement ORDER BY source").fetchall()
        warnings = con.execute("SELECT source, type, message FROM qualite.avertissements").fetchall()
        quarantine = con.execute("SELECT source, motif FROM qualite.quarantaine").fetchall()
    assert log == [(source, "chargé", 2, 2, 0) for source in
                   ["aide_alimentaire", "aide_sport", "france_services", "pocketo"]]
    assert quarantine == [] and warnings == []


def test_a_new_structure_appears_in_the_lists(tmp_path, monkeypatch):
    import sources.templates as templates
    from warehouse import settings

    ref = tmp_path / "ref"
    shutil.copytree(settings.ref_dir(), ref)
    with (ref / "structures.csv").open("a", encoding="utf-8") as handle:
        handle.write("epicerie_concots,Épicerie solidaire de Concots,aide_alimentaire,46073,CCAS\n")
    monkeypatch.setenv("OBSERVATOIRE_REF_DIR", str(ref))
    path = templates.write_template(templates.load_spec("aide_alimentaire"), tmp_path / "out")
    assert lists(openpyxl.load_workbook(path))["Structure"][-1] == "Épicerie solidaire de Concots"
