"""France Services counters: real workbooks and CSV files, from the reader to the indicators."""

import os

import pytest
from conftest import write_csv, write_xlsx

from assets.indicators import run_sql_asset
from schemas import validate_table
from schemas.france_services import FranceServicesAnnuel, FranceServicesDemandes, FranceServicesMensuel
from sources.france_services import SPEC, read_chunks
from sources.loading import build_staging, load_raw
from sources.pseudonym import Pseudonymiser
from sources.reading import FileRejected, ReadStats
from warehouse.db import connect
from warehouse.reference import load_reference, read_ref

ABBREVIATED = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
               "déc."]
FULL = ["Janvier", "Février", "Mars", "Avril", "Mai", "Juin", "Juillet", "Août", "Septembre", "Octobre",
        "Novembre", "Décembre"]

# Excel rows 1-2 titles (an edition date that is not the year), 3 header, 4-6 operators, 7 empty,
# 8 Total. CAF's months add up to 50 (February blank), its Total says 52; MaPrimeRénov' (ANAH)
# 2 + 3 + "-" + 1 = 6; the Total row's March says 16 where the cells add up to 5 + 1 + 0 = 6.
COUNTER_2022 = [
    ["France Services de Lalbenque — Fréquentation 2022"],
    ["Édité le 05/01/2023"],
    ["Opérateur", *ABBREVIATED, "Total"],
    ["CAF", 10, None, 5, 4, 3, 2, 1, 0, 6, 7, 8, 4, 52],
    ["Pôle emploi", *[1] * 12, 12],
    ["MaPrimeRénov'", 2, 3, "-", None, None, None, None, None, None, None, None, 1, 6],
    [],
    ["Total", 13, 4, 16, 5, 4, 3, 2, 1, 7, 8, 9, 6, 68],
]


def test_every_operator_label_resolves_to_a_reference_operator():
    codes = set(SPEC.categories["operateur"].values())
    assert codes == {row["operateur_id"] for row in read_ref("operateurs")}


def _stage(tmp_path, writers):
    """Write the files into a drop folder, load them, build staging and the indicators."""
    folder = tmp_path / "raw" / "france_services"
    for write in writers:
        write(folder)
    con = connect(tmp_path / "w.duckdb")
    load_reference(con)
    load_raw(con, SPEC, tmp_path / "raw", Pseudonymiser(b"k"), read_chunks)
    build_staging(con, SPEC)
    for asset in ("ind_france_services__mensuel", "ind_france_services__annuel"):
        run_sql_asset(con, asset)
    return con


def _journal(con):
    return con.execute(
        "SELECT fichier_nom, statut, lignes_lues, lignes_chargees, lignes_quarantaine, lignes_doublons, "
        "lignes_vides_total FROM qualite.journal_chargement ORDER BY fichier_nom").fetchall()


@pytest.fixture
def counter_2022(tmp_path):
    con = _stage(tmp_path, [lambda f: write_xlsx(f / "Lalbenque 2022.xlsx", {"Feuil1": COUNTER_2022})])
    yield con
    con.close()


def test_month_cells_are_the_facts(counter_2022):
    yearly = counter_2022.execute("SELECT * FROM indicateurs.france_services_annuel").fetchall()
    assert yearly == [("fs_lalbenque", 2022, 68)]
    by_operator = counter_2022.execute(
        "SELECT operateur_id, sum(demandes), count(*) FROM indicateurs.france_services_mensuel "
        "GROUP BY ALL ORDER BY ALL").fetchall()
    assert by_operator == [("anah", 6, 12), ("caf", 50, 12), ("france_travail", 12, 12)]
    caf = counter_2022.execute(
        "SELECT mois, demandes, feuille, ligne, cellule FROM staging.france_services__demandes "
        "WHERE operateur_id = 'caf' AND mois <= 3 ORDER BY mois").fetchall()
    assert caf == [(1, 10, "Feuil1", 4, "B"), (2, 0, "Feuil1", 4, "C"), (3, 5, "Feuil1", 4, "D")]


def test_wrong_totals_are_warnings_naming_the_cell(counter_2022):
    warnings = counter_2022.execute(
        "SELECT type, fichier_nom, feuille, ligne, colonne, message FROM qualite.avertissements "
        "WHERE source = 'france_services' ORDER BY ligne").fetchall()
    assert warnings == [
        ("total", "Lalbenque 2022.xlsx", "Feuil1", 4, "Total",
         "Total de la ligne CAF (N4) : 52 saisi, 50 calculé"),
        ("total", "Lalbenque 2022.xlsx", "Feuil1", 8, "mars",
         "Total de la colonne mars (D8) : 16 saisi, 6 calculé"),
    ]


def test_rows_read_are_the_month_cells(counter_2022):
    # 3 operator rows x 12 months loaded; the empty row and the Total row: 2 x 12 cells.
    assert _journal(counter_2022) == [("Lalbenque 2022.xlsx", "chargé", 60, 36, 0, 0, 24)]


def test_tables_pass_their_schemas(counter_2022):
    for table, schema in [("staging.france_services__demandes", FranceServicesDemandes),
                          ("indicateurs.france_services_mensuel", FranceServicesMensuel),
                          ("indicateurs.france_services_annuel", FranceServicesAnnuel)]:
        assert validate_table(counter_2022, table, schema).empty, table


def test_a_title_without_year_takes_the_sheet_name(tmp_path):
    def sheet(value):
        return [["France Services de Lalbenque"], ["Opérateur", *FULL, "Total"], ["Caf", *[value] * 12]]

    con = _stage(tmp_path, [lambda f: write_xlsx(f / "Fréquentation.xlsx", {
        "2021": sheet(1), "2022": sheet(2), "Graphique": [["pas des données"]]})])
    assert con.execute("SELECT * FROM indicateurs.france_services_annuel ORDER BY annee").fetchall() == [
        ("fs_lalbenque", 2021, 12), ("fs_lalbenque", 2022, 24)]


def test_site_and_year_from_the_file_name(tmp_path):
    path = write_xlsx(tmp_path / "France Services Limogne 2023.xlsx", {"Feuil1": [
        ["Espace France Services - suivi"], ["Opérateur", "Janvier", "Février", "Mars"],
        ["La Poste", 3, 4, 5]]})
    (frame,) = read_chunks(path, SPEC, ReadStats())
    assert frame[["site", "annee", "mois", "operateur", "demandes"]].values.tolist() == [
        ["France Services Limogne", "2023", "Janvier", "La Poste", "3"],
        ["France Services Limogne", "2023", "Février", "La Poste", "4"],
        ["France Services Limogne", "2023", "Mars", "La Poste", "5"],
    ]


@pytest.mark.parametrize("name, title, message", [
    ("Suivi 2022.xlsx", "Tableau de suivi", "feuille « Feuil1 » : site introuvable"),
    ("Suivi.xlsx", "France Services de Lalbenque", "feuille « Feuil1 » : année introuvable"),
    ("Suivi.xlsx", "France Services de Lalbenque 2021-2022", "feuille « Feuil1 » : année introuvable"),
])
def test_a_counter_without_site_or_year_is_rejected(tmp_path, name, title, message):
    path = write_xlsx(tmp_path / name, {"Feuil1": [[title], ["Opérateur", *FULL], ["CAF", *[1] * 12]]})
    with pytest.raises(FileRejected, match=message):
        list(read_chunks(path, SPEC, ReadStats()))


def test_an_unknown_operator_is_quarantined_with_its_line(tmp_path):
    con = _stage(tmp_path, [lambda f: write_xlsx(f / "MSAP Lalbenque 2021.xlsx", {"Feuil1": [
        ["MSAP de Lalbenque 2021"], [], ["Opérateur", "janvier", "février", "mars"],
        ["CAF", 1, 2, 3], ["Conseiller numérique", 4, None, 1]]})])
    quarantined = con.execute(
        "SELECT feuille, ligne, cellule, colonne, valeur_brute, motif FROM qualite.quarantaine "
        "ORDER BY cellule").fetchall()
    assert quarantined == [
        ("Feuil1", 5, c, "Opérateur", "Conseiller numérique",
         "Opérateur : valeur inconnue : Conseiller numérique") for c in "BCD"]
    assert con.execute("SELECT operateur_id, sum(demandes) FROM indicateurs.france_services_mensuel "
                       "GROUP BY ALL").fetchall() == [("caf", 6)]  # never merged into `autres`
    assert _journal(con) == [("MSAP Lalbenque 2021.xlsx", "chargé", 6, 3, 3, 0, 0)]


def test_the_long_csv(tmp_path):
    rows = [
        ["Site", "Année", "Mois", "Opérateur", "Demandes"],
        ["France Services Limogne-en-Quercy", "2022", "janvier", "CAF", "4"],  # line 2
        ["Limogne", "2022", "2", "Pôle emploi", "3"],  # 3
        ["Limogne", "2022", "févr.", "Mission locale", "5"],  # 4: unknown operator
        ["Limogne", "2022", "13", "CAF", "2"],  # 5: no such month
        ["", "", "", "", ""],  # 6: blank
        ["Limogne", "2022", "mars", "Impôts", "1\u00a0020"],  # 7
    ]
    con = _stage(tmp_path, [lambda f: write_csv(f / "limogne 2022.csv", rows)])  # cp1252, CRLF
    assert con.execute(
        "SELECT structure_id, annee, mois, operateur_id, demandes, ligne "
        "FROM staging.france_services__demandes ORDER BY ligne").fetchall() == [
        ("fs_limogne", 2022, 1, "caf", 4, 2), ("fs_limogne", 2022, 2, "france_travail", 3, 3),
        ("fs_limogne", 2022, 3, "dgfip", 1020, 7)]
    assert con.execute("SELECT ligne, colonne, valeur_brute, motif FROM qualite.quarantaine "
                       "ORDER BY ligne").fetchall() == [
        (4, "Opérateur", "Mission locale", "Opérateur : valeur inconnue : Mission locale"),
        (5, "Mois", "13", "Mois : valeur inconnue : 13")]
    assert _journal(con) == [("limogne 2022.csv", "chargé", 6, 3, 2, 0, 1)]


def test_an_older_overlapping_export_does_not_count_twice(tmp_path):
    def older(folder):
        path = write_csv(folder / "T1.csv", [["Site", "Année", "Mois", "Opérateur", "Demandes"],
                                             ["Lalbenque", "2022", "1", "CNAF", "9"]])
        os.utime(path, (1_600_000_000, 1_600_000_000))

    con = _stage(tmp_path, [older, lambda f: write_xlsx(f / "Lalbenque 2022.xlsx", {"Feuil1": COUNTER_2022})])
    assert con.execute("SELECT demandes FROM indicateurs.france_services_annuel").fetchall() == [(68,)]
    conflict = con.execute("SELECT fichier_nom, ligne, message FROM qualite.avertissements "
                           "WHERE type = 'conflit'").fetchall()
    assert conflict == [("T1.csv", 2, "ligne en double avec des valeurs différentes : remplacée par "
                         "Lalbenque 2022.xlsx ligne 4 (fichier le plus récent)")]
