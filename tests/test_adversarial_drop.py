"""Issue 17's acceptance: the demo drop folder plus every hostile file we know of refreshes with
exit 0, publishes, accounts for every row of every file and sheet, loads the valid rows of the
UTF-16 and mixed-encoding files under the right pseudonyms, and lets no personal value of a
malformed row reach the warehouse, the exports or the report.

One refresh (the command line, run in the test process: ``hostile_run``, which test_robust_cells and
test_feedback share) serves every test of the module.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import openpyxl
import pytest

from conftest import POCKETO_HEADER, presence, write_csv, write_xlsx

pytestmark = pytest.mark.refreshes(1)  # the demo and hostile files

# Personal values written only in malformed rows: none may be found anywhere afterwards.
NEEDLES = ["Xylophagenom", "Quinquinaprenom", "DOSZQ7731", "29/02/2012", "Zebulonlong",
           "Wapitiutf", "Okapidecale"]
LONG = 5 * 1024 * 1024


def rows_utf8(path: Path, rows: list[list[str]], sep: str = ";") -> Path:
    return write_csv(path, [POCKETO_HEADER, *rows], sep=sep, encoding="utf-8")


def _pocketo_files(pocketo: Path) -> None:
    day = "14/03/2022"
    # A 5 MB cell in the name column; then a 5 MB line with no header at all.
    rows_utf8(pocketo / "cellule_geante.csv", [
        presence(date=day, dossier="G1", nom="Garrigue", prenom="Paul"),
        presence(date=day, dossier="G2", nom="Zebulonlong" * (LONG // 11), prenom="Ana"),
    ])
    (pocketo / "sans_entete_geant.csv").write_bytes(b"Zebulonlong;" * (LONG // 12) + b"\r\n")
    # Numbers DuckDB cannot hold, digits that are not ASCII, a negative QF.
    rows_utf8(pocketo / "nombres.csv", [
        presence(date=day, dossier="N1", nom="Nombre", prenom="Un", qf="99999999999999"),
        presence(date=day, dossier="N2", nom="Nombre", prenom="Deux", qf="１２"),
        presence(date=day, dossier="N3", nom="Nombre", prenom="Trois", qf="٣٠٠"),
        presence(date=day, dossier="N4", nom="Nombre", prenom="Quatre", qf="-350"),
        presence(date=day, dossier="N5", nom="Nombre", prenom="Cinq", qf="640"),
    ])
    # Rows with one field too many and one too few: every personal value would shift.
    shifted = presence(date=day, dossier="DOSZQ7731", nom="Xylophagenom", prenom="Quinquinaprenom",
                       naissance="29/02/2012")
    rows_utf8(pocketo / "decalees.csv", [
        presence(date=day, dossier="D1", nom="Droit", prenom="Jean"),
        shifted[:3] + ["Okapidecale"] + shifted[3:],
        shifted[:4] + shifted[5:],
    ])
    # A comma-separated export whose decimal commas are not quoted.
    rows_utf8(pocketo / "virgules.csv", [
        presence(date=day, dossier="V1", nom="Virgule", prenom="Une", qf="640"),
        presence(date=day, dossier="V2", nom="Okapidecale", prenom="Deux", qf="612,5"),
    ], sep=",")
    # Communes written with their postcode, their département, or a one-letter typo.
    rows_utf8(pocketo / "communes.csv", [
        presence(date=day, dossier=f"C{i}", nom="Commune", prenom=f"P{i}", commune=commune)
        for i, commune in enumerate(["46230 Lalbenque", "Lalbenque 46230", "LALBENQUE (46)", "Lalbenqeu"])
    ])


def _encoding_files(pocketo: Path) -> None:
    """The same children written in pure UTF-8, in UTF-8 with Windows-1252 lines, in UTF-16."""
    helene = dict(dossier="E1", nom="Hélène", prenom="Zoé", naissance="03/04/2015")
    rows_utf8(pocketo / "reference_utf8.csv", [presence(date="15/03/2022", **helene)])
    lines = [";".join(POCKETO_HEADER).encode("utf-8"),
             ";".join(presence(date="16/03/2022", commune="Lalbenque", **helene)).encode("utf-8"),
             ";".join(presence(date="17/03/2022", commune="Crégols", **helene)).encode("cp1252")]
    (pocketo / "mixte.csv").write_bytes(b"\r\n".join(lines) + b"\r\n")
    unicode_text = "\r\n".join("\t".join(row) for row in [
        POCKETO_HEADER, presence(date="18/03/2022", commune="Crégols", **helene),
        presence(date="18/03/2022", dossier="U2", nom="Wapitiutf", prenom="Éloïse")]) + "\r\n"
    (pocketo / "texte unicode.txt").write_bytes(unicode_text.encode("utf-16"))


def _sheet_workbook(path: Path) -> None:
    """A hidden list sheet first, a summary named like a month, a data sheet, one whose header says
    ``Etat``, one whose header sits on row 20."""
    workbook = openpyxl.Workbook()
    lists = workbook.active
    lists.title = "Listes"
    for value in ["Présence", "Présent", "Absent"]:
        lists.append([value])
    lists.sheet_state = "hidden"
    workbook.create_sheet("Décompte").append(["Total des heures", 120])
    january = workbook.create_sheet("Janvier")
    january.append(POCKETO_HEADER)
    january.append(presence(date="10/01/2022", dossier="S1", nom="Feuille", prenom="Janvier"))
    february = workbook.create_sheet("Février")
    february.append([("Etat" if h == "Présence" else h) for h in POCKETO_HEADER])
    february.append(presence(date="10/02/2022", dossier="S2", nom="Feuille", prenom="Fevrier"))
    march = workbook.create_sheet("Mars")
    for _ in range(19):
        march.append([])
    march.append(POCKETO_HEADER)
    march.append(presence(date="10/03/2022", dossier="S3", nom="Feuille", prenom="Mars"))
    workbook.save(path)


def _corrupted_workbook(pocketo: Path) -> None:
    """A workbook that is not one, beside a good one."""
    (pocketo / "abîmé.xlsx").write_bytes(b"PK\x03\x04 ceci n'est pas un classeur")
    write_xlsx(pocketo / "bon.xlsx", {"Feuil1": [["Pointages"], POCKETO_HEADER,
                                                 presence(dossier="B1", nom="Faure", prenom="Jade")]})


def _france_services_typo(raw: Path) -> None:
    """The demo's 2020 Lalbenque counter, with its February header mistyped ``Fevier``."""
    path = raw / "france_services" / "Lalbenque 2020.xlsx"
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    for cell in sheet[2]:
        if cell.value == "févr.":
            cell.value = "Fevier"
    workbook.save(path)


def _files_and_links(raw: Path, outside: Path) -> None:
    pocketo = raw / "pocketo"
    (pocketo / "vide.csv").write_bytes(b"")
    secret = outside / "hors_depot.csv"
    rows_utf8(secret, [presence(date="14/03/2022", dossier="H1", nom="Dehors", prenom="Lien")])
    (pocketo / "lien_dehors.csv").symlink_to(secret)
    (pocketo / "lien_casse.csv").symlink_to(outside / "absent.csv")
    name = os.fsencode(pocketo) + b"/caf\xe9_2022.csv"
    rows_utf8(Path(os.fsdecode(name)), [presence(date="21/03/2022", dossier="W1", nom="Windows",
                                                 prenom="Partage")])


def _food_and_sport(raw: Path) -> None:
    food = raw / "aide_alimentaire" / "dates_annees.csv"
    write_csv(food, [["Date", "Structure", "N° foyer", "Commune", "Nb adultes", "Nb enfants"],
                     ["2022", "Secours populaire Lalbenque", "F1", "Lalbenque", "1", "0"],
                     ["01/01/1900", "Secours populaire Lalbenque", "F2", "Lalbenque", "1", "0"],
                     ["12/05/2022", "Secours populaire Lalbenque", "F3", "Lalbenque", "2", "1"]],
              encoding="utf-8")
    sport = raw / "aide_sport" / "dates_annees.csv"
    write_csv(sport, [["N° dossier", "Nom", "Prénom", "Date de naissance", "Commune", "QF", "Club",
                       "Discipline", "Coût licence", "Montant", "Date d'attribution"],
                      ["APS-9901", "Annee", "Seule", "12/05/2012", "Lalbenque", "400", "Judo Club",
                       "Judo", "100", "50", "2022"]], encoding="utf-8")


def add_hostile_files(raw: Path, outside: Path) -> None:
    """Every hostile file, in the drop folder ``raw`` (and a file ``outside`` it, linked)."""
    outside.mkdir()
    pocketo = raw / "pocketo" / "hostile"
    pocketo.mkdir()
    _pocketo_files(pocketo)
    _encoding_files(pocketo)
    _sheet_workbook(pocketo / "classeur_feuilles.xlsx")
    _corrupted_workbook(pocketo)
    _france_services_typo(raw)
    _files_and_links(raw, outside)
    _food_and_sport(raw)


@pytest.fixture(scope="module")
def drop(hostile_run):
    return hostile_run


@pytest.fixture(scope="module")
def con(drop):
    _, warehouse, _ = drop
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        yield connection


def test_the_refresh_exits_0_and_publishes(drop):
    (code, out, err), warehouse, _ = drop
    assert code == 0, out[-3000:] + err[-3000:]
    assert "Entrepôt publié" in out and warehouse.exists()


def test_every_row_of_every_file_is_accounted_for(con):
    unbalanced = con.execute("""
        SELECT source, fichier_nom, lignes_lues, lignes_chargees, lignes_quarantaine,
               lignes_doublons, lignes_vides_total FROM qualite.journal_chargement
        WHERE lignes_lues <> lignes_chargees + lignes_quarantaine + lignes_doublons
                             + lignes_vides_total""").fetchall()
    assert unbalanced == []


def quarantined(con, name: str) -> list[tuple]:
    return con.execute("SELECT ligne, colonne, valeur_brute, motif FROM qualite.quarantaine "
                       "WHERE fichier_nom LIKE ? ORDER BY ligne", [f"%{name}"]).fetchall()


def logged(con, name: str) -> tuple:
    return con.execute("SELECT statut, motif, lignes_lues, lignes_chargees FROM qualite.journal_chargement "
                       "WHERE fichier_nom LIKE ?", [f"%{name}"]).fetchone()


def test_a_giant_cell_is_quarantined_and_a_giant_headerless_line_rejects_its_file(con):
    assert [(line, motif) for line, _, _, motif in quarantined(con, "cellule_geante.csv")] == [
        (3, "ligne trop longue")]
    assert logged(con, "cellule_geante.csv")[::2] == ("chargé", 2)
    status, motif, *_ = logged(con, "sans_entete_geant.csv")
    assert status == "rejeté" and motif


def test_numbers_too_large_or_negative_are_quarantined_and_other_digits_read(con):
    rows = quarantined(con, "hostile/nombres.csv")
    assert [(line, column) for line, column, _, _ in rows] == [(2, "QF"), (5, "QF")]
    assert "trop grand" in rows[0][3] and "négatif" in rows[1][3]
    assert logged(con, "hostile/nombres.csv")[3] == 3


def test_rows_with_the_wrong_number_of_fields_are_quarantined_whole_without_a_value(con):
    rows = quarantined(con, "decalees.csv")
    assert [(line, value) for line, _, value, _ in rows] == [(3, None), (4, None)]
    assert "nombre de champs incorrect (14 au lieu de 13)" in rows[0][3]
    assert "nombre de champs incorrect (12 au lieu de 13)" in rows[1][3]
    rows = quarantined(con, "virgules.csv")
    assert [(line, value) for line, _, value, _ in rows] == [(3, None)]


def test_communes_written_with_postcode_department_or_a_typo_resolve(con):
    codes = con.execute("SELECT ligne, code_commune FROM staging.pocketo__presences "
                        "WHERE fichier_nom LIKE '%hostile/communes.csv' ORDER BY ligne").fetchall()
    assert codes == [(2, "46148"), (3, "46148"), (4, "46148"), (5, "46148")]


def test_mixed_encodings_and_utf16_give_the_same_child_the_same_key(con):
    rows = con.execute("""
        SELECT fichier_nom, ligne, enfant_id, code_commune FROM staging.pocketo__presences
        WHERE fichier_nom LIKE '%hostile/%' AND famille_id = (
            SELECT famille_id FROM staging.pocketo__presences
            WHERE fichier_nom LIKE '%reference_utf8.csv')
        ORDER BY fichier_nom, ligne""").fetchall()
    assert [(name.rsplit("/", 1)[1], line, commune) for name, line, _, commune in rows] == [
        ("mixte.csv", 2, "46148"), ("mixte.csv", 3, "46081"), ("reference_utf8.csv", 2, "46148"),
        ("texte unicode.txt", 2, "46081")]
    assert len({key for _, _, key, _ in rows}) == 1
    assert logged(con, "texte unicode.txt")[::3] == ("chargé", 2)


def test_every_sheet_is_read_by_its_header_or_reported(con):
    sheets = con.execute("SELECT feuille, count(*) FROM staging.pocketo__presences "
                         "WHERE fichier_nom LIKE '%classeur_feuilles.xlsx' GROUP BY ALL ORDER BY ALL").fetchall()
    assert sheets == [("Janvier", 1), ("Mars", 1)]
    warned = con.execute("SELECT feuille FROM qualite.avertissements "
                         "WHERE fichier_nom LIKE '%classeur_feuilles.xlsx'").fetchall()
    assert ("Février",) in warned


def test_a_corrupted_workbook_is_rejected_and_the_good_one_beside_it_loads(con):
    status, motif = logged(con, "abîmé.xlsx")[:2]
    assert status == "rejeté" and motif.startswith("classeur Excel illisible")
    assert logged(con, "hostile/bon.xlsx")[::3] == ("chargé", 1)


def test_a_mistyped_month_header_still_loads_its_month(drop, con):
    sheet = openpyxl.load_workbook(drop[2] / "france_services" / "Lalbenque 2020.xlsx").active
    header = [cell.value for cell in sheet[2]]
    column = header.index("Fevier")
    written = sum(row[column] or 0 for row in sheet.iter_rows(min_row=3, values_only=True)
                  if row[0] and row[0].lower() != "total")
    (loaded,) = con.execute("""
        SELECT sum(demandes) FROM staging.france_services__demandes
        WHERE fichier_nom = 'Lalbenque 2020.xlsx' AND mois = 2""").fetchone()
    assert written > 0 and loaded == written


def test_bare_years_in_date_columns_are_quarantined_on_the_date(con):
    rows = con.execute("SELECT source, ligne, colonne, motif FROM qualite.quarantaine "
                       "WHERE fichier_nom = 'dates_annees.csv' ORDER BY ALL").fetchall()
    assert [row[:3] for row in rows] == [("aide_alimentaire", 2, "Date"), ("aide_alimentaire", 3, "Date"),
                                         ("aide_sport", 2, "Date d'attribution")]
    assert "date incomplète : 2022" in rows[0][3] and "2000" in rows[1][3]


def test_empty_files_links_and_undecodable_names_are_listed(con):
    assert logged(con, "vide.csv")[:2] == ("rejeté", "fichier vide")
    outside = logged(con, "lien_dehors.csv")
    assert outside[0] == "ignoré" and "hors du dossier" in outside[1]
    assert logged(con, "lien_casse.csv")[0] == "ignoré"
    name, status = con.execute("SELECT fichier_nom, statut FROM qualite.journal_chargement "
                               "WHERE fichier_nom LIKE '%_2022.csv' AND fichier_nom LIKE '%caf%'").fetchone()
    assert status == "chargé" and "\\xe9" in name


def _published_bytes(warehouse: Path) -> list[tuple[Path, bytes]]:
    folders = [warehouse.parent / "exports", warehouse.parent / "rapport"]
    files = [warehouse, *(p for folder in folders for p in folder.rglob("*") if p.is_file())]
    wal = warehouse.with_name(warehouse.name + ".wal")
    return [(p, p.read_bytes().lower()) for p in files + ([wal] if wal.exists() else [])]


def test_no_personal_value_of_a_malformed_row_is_published_anywhere(drop):
    _, warehouse, _ = drop
    published = _published_bytes(warehouse)
    assert len(published) > 10
    found = [(path.name, needle) for path, data in published for needle in NEEDLES
             for form in {needle.lower().encode(), needle.upper().lower().encode()} if form in data]
    assert found == []
