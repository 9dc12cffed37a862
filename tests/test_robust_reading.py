"""Issue 17, reading half: no input aborts a load, shifts a column or vanishes unread.

Real files written by each test (CSV bytes, workbooks through openpyxl), read through both
delimited paths (the csv module and DuckDB) where both exist; one full refresh at the end.
"""

from __future__ import annotations

import codecs
import os

import duckdb
import openpyxl
import pytest
from conftest import POCKETO_HEADER, TEST_KEY, presence, write_csv, write_xlsx

from sources.discovery import discover
from sources.pocketo import SPEC
from sources.reading import (
    HEADER_SEARCH_ROWS, FileRejected, ReadStats, data_sheets, decode, read_chunks, read_with_duckdb,
)

pytestmark = pytest.mark.refreshes(1)  # odd files

GIANT = 5 * 1024 * 1024
WIDE = 200 * 1024  # above the longest record read, below DuckDB's own line limit


def read_csv_module(path, scratch):
    stats = ReadStats()
    rows = [row for frame in read_chunks(path, SPEC, stats) for row in frame.to_dict("records")]
    return rows, stats


def read_duckdb(path, scratch):
    stats = ReadStats()
    con = duckdb.connect()
    select = read_with_duckdb(con, path, SPEC, stats, "fichier", scratch)
    assert select is not None, "DuckDB must read this file itself"
    rows = con.execute(f"SELECT * FROM ({select}) ORDER BY ligne").fetchdf().to_dict("records")
    return rows, stats


READERS = pytest.mark.parametrize("read", [read_csv_module, read_duckdb], ids=["csv", "duckdb"])
FILLER = [presence(nom=f"Enfant{i}") for i in range(25)]  # lines 2-26: DuckDB's head settles the header


def lines_and_names(rows):
    return [(r["ligne"], r["nom"]) for r in rows]


# --- 1. Lines too long --------------------------------------------------------------------

@READERS
def test_a_giant_cell_sets_aside_its_row_only(tmp_path, read):
    size = GIANT if read is read_csv_module else WIDE
    path = write_csv(tmp_path / "a.csv", [POCKETO_HEADER, *FILLER, presence(nom="X" * size),
                                          presence(nom="Apres")], encoding="utf-8")
    rows, stats = read(path, tmp_path)
    assert lines_and_names(rows)[-2:] == [(26, "Enfant24"), (28, "Apres")]
    assert len(rows) == 26
    assert stats.rejected == [("", 27, "ligne trop longue")]


def test_a_giant_line_without_header_rejects_the_file(tmp_path):
    path = tmp_path / "blob.csv"
    path.write_bytes(b"A" * GIANT + b"\n" + b"B;C\n")
    with pytest.raises(FileRejected, match=f"aucune ligne d'en-tête reconnue dans les "
                                           f"{HEADER_SEARCH_ROWS} premières lignes"):
        read_csv_module(path, tmp_path)


# --- 2. Rows with too many or too few fields ----------------------------------------------

@READERS
def test_a_row_with_missing_or_extra_fields_is_set_aside_whole(tmp_path, read):
    short = presence(dossier="D-4242", prenom="Bernadette", commune="Cremps")
    del short[1]  # no date: the dossier number would land in the date
    long = presence(prenom="Octave") + ["Cremps"]
    trailing = presence(nom="Vide") + ["", ""]  # Excel's trailing separators: tolerated
    path = write_csv(tmp_path / "a.csv", [POCKETO_HEADER, *FILLER, short, long, trailing],
                     encoding="utf-8")
    rows, stats = read(path, tmp_path)
    assert lines_and_names(rows)[-1] == (29, "Vide")
    assert len(rows) == 26
    assert stats.rejected == [("", 27, "nombre de champs incorrect (12 au lieu de 13)"),
                              ("", 28, "nombre de champs incorrect (14 au lieu de 13)")]
    assert not any("Bernadette" in str(v) or "Cremps" in str(v) for r in rows for v in r.values())


@READERS
def test_unquoted_decimal_commas_in_a_comma_file_set_rows_aside(tmp_path, read):
    path = write_csv(tmp_path / "a.csv", [POCKETO_HEADER, *FILLER, presence(qf="812,5"),
                                          presence(nom="Entier", qf="900")], sep=",", encoding="utf-8")
    rows, stats = read(path, tmp_path)
    assert lines_and_names(rows)[-1] == (28, "Entier")
    assert stats.rejected == [("", 27, "nombre de champs incorrect (14 au lieu de 13)")]


# --- 3. Sheets ------------------------------------------------------------------------------

def test_every_sheet_is_read_or_reported(tmp_path):
    etat = [("Etat" if c == "Présence" else c) for c in POCKETO_HEADER]
    deep = [["Export"]] + [[None]] * 18 + [POCKETO_HEADER, presence(nom="Profond")]
    path = write_xlsx(tmp_path / "w.xlsx", {
        "2022": [POCKETO_HEADER, presence(nom="A")],
        "2023": [etat, presence(nom="B"), presence(nom="C")],
        "Bilan": deep,
        "Notes": [],
    })
    rows, stats = read_csv_module(path, tmp_path)
    assert [(r["feuille"], r["ligne"], r["nom"]) for r in rows] == [
        ("2022", 2, "A"), ("Bilan", 21, "Profond")]
    assert stats.sheets == {
        "2022": "lue", "2023": "non lue : colonnes obligatoires absentes : Présence (3 lignes non vides)",
        "Bilan": "lue", "Notes": "vide"}
    assert stats.warnings == [{
        "type": "feuille non lue", "feuille": "2023", "ligne": None, "colonne": None,
        "message": "feuille non lue : colonnes obligatoires absentes : Présence (3 lignes non vides)"}]


def test_the_data_sheet_is_chosen_by_its_header_not_its_name_or_place(tmp_path):
    path = tmp_path / "w.xlsx"
    workbook = openpyxl.Workbook()
    listes = workbook.active
    listes.title = "Listes"
    listes.append(["Unité", "Présence"])
    listes.append(["Journée", "Présent"])
    listes.sheet_state = "hidden"
    workbook.create_sheet("Décompte").append(["Total", 3])
    data = workbook.create_sheet("Présences")
    data.append(POCKETO_HEADER)
    data.append(presence(nom="Trouvee"))
    workbook.active = 2
    workbook.save(path)
    rows, stats = read_csv_module(path, tmp_path)
    assert [(r["feuille"], r["nom"]) for r in rows] == [("Présences", "Trouvee")]
    assert stats.sheets["Présences"] == "lue"
    assert stats.sheets["Listes"].startswith("non lue : colonnes obligatoires absentes")


def test_a_sheet_named_like_a_month_by_accident_is_no_month():
    assert data_sheets(["Décompte", "Saisie"]) == ["Décompte"]  # the first sheet, not a month
    assert data_sheets(["Décompte", "déc. 2022", "Janvier"]) == ["déc. 2022", "Janvier"]
    assert data_sheets(["Listes", "Saisie"], hidden={"Listes"}) == ["Saisie"]


# --- 4. Encodings ---------------------------------------------------------------------------

@READERS
def test_utf8_with_a_few_windows_1252_lines_is_decoded_line_by_line(tmp_path, read):
    lines = [";".join(row).encode("utf-8") for row in [POCKETO_HEADER, *FILLER, presence(prenom="Zoé")]]
    lines.append(";".join(presence(prenom="Hélène", commune="Crégols")).encode("cp1252"))
    lines.append(";".join(presence(prenom="Noël")).encode("utf-8"))
    path = tmp_path / "mixte.csv"
    path.write_bytes(b"\r\n".join(lines) + b"\r\n")
    rows, stats = read(path, tmp_path)
    assert [(r["ligne"], r["prenom"], r["commune"]) for r in rows[-3:]] == [
        (27, "Zoé", "Lalbenque"), (28, "Hélène", "Crégols"), (29, "Noël", "Lalbenque")]
    assert stats.warnings == [{
        "type": "encodage", "feuille": "", "ligne": 28, "colonne": None,
        "message": "1 ligne lue en Windows-1252, le reste du fichier en UTF-8 : ligne 28 "
                   "(vérifier ses accents)"}]


@READERS
def test_a_pure_windows_1252_file_gives_no_warning(tmp_path, read):
    path = write_csv(tmp_path / "a.csv", [POCKETO_HEADER, *FILLER, presence(prenom="Hélène")])
    rows, stats = read(path, tmp_path)
    assert rows[-1]["prenom"] == "Hélène"
    assert stats.warnings == []


@READERS
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_tab_separated_text_is_read(tmp_path, read, encoding):
    path = write_csv(tmp_path / "unicode.txt", [POCKETO_HEADER, *FILLER, presence(prenom="Zoé")],
                     sep="\t", encoding=encoding)
    rows, stats = read(path, tmp_path)
    assert [(r["ligne"], r["prenom"], r["structure"]) for r in rows[-1:]] == [
        (27, "Zoé", "ALSH Lalbenque")]
    assert len(rows) == 26 and stats.rejected == [] and stats.warnings == []


# --- 5. Files ---------------------------------------------------------------------------------

def make_odd_files(folder, outside):
    write_csv(outside / "secret.csv", [POCKETO_HEADER, presence(nom="Dehors")])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vide.csv").write_bytes(b"")
    os.symlink(outside / "secret.csv", folder / "lien_dehors.csv")
    os.symlink(folder / "absent.csv", folder / "lien_casse.csv")
    os.symlink(outside, folder / "dossier_lie")
    data = ";".join(POCKETO_HEADER).encode("cp1252") + b"\r\n" + ";".join(
        presence(nom="Cafe")).encode("cp1252") + b"\r\n"
    with open(os.fsencode(folder) + b"/caf\xe9_2022.csv", "wb") as handle:
        handle.write(data)


def test_discovery_lists_empty_files_links_and_undecodable_names(tmp_path):
    folder = tmp_path / "pocketo"
    make_odd_files(folder, tmp_path / "ailleurs")
    found = {f.name: f for f in discover(folder)}
    assert sorted(found) == ["caf\\xe9_2022.csv", "dossier_lie", "lien_casse.csv",
                             "lien_dehors.csv", "vide.csv"]
    assert found["lien_dehors.csv"].ignored == "lien vers un fichier hors du dossier : non suivi"
    assert found["lien_casse.csv"].ignored == "lien vers un fichier absent"
    assert found["dossier_lie"].ignored == "lien vers un dossier : non suivi"
    assert found["vide.csv"].size == 0 and found["vide.csv"].ignored is None
    cafe = found["caf\\xe9_2022.csv"]
    assert cafe.ignored is cafe.duplicate_of is None and cafe.name.encode("utf-8")
    rows, _ = read_csv_module(cafe.path, tmp_path)
    assert [r["nom"] for r in rows] == ["Cafe"]


# --- The whole load: every row and sheet accounted for -------------------------------------

@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    from pipelines.refresh import refresh

    base = tmp_path_factory.mktemp("robuste")
    folder = base / "raw" / "pocketo"
    make_odd_files(folder, base / "ailleurs")
    short = presence(dossier="D-4242", prenom="Bernadette", commune="Cremps")
    del short[1]
    write_csv(folder / "champs.csv", [POCKETO_HEADER, presence(), short, presence(nom="Vide") + [""]],
              encoding="utf-8")
    write_csv(folder / "geant.csv", [POCKETO_HEADER, presence(nom="Martin"),
                                     presence(nom="Y" * GIANT)], encoding="utf-8")
    etat = [("Etat" if c == "Présence" else c) for c in POCKETO_HEADER]
    write_xlsx(folder / "classeur.xlsx", {"2022": [POCKETO_HEADER, presence(nom="Durand")],
                                          "2023": [etat, presence(nom="Petit")], "Notes": []})
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OBSERVATOIRE_PSEUDO_KEY", TEST_KEY)
        outcome = refresh(base / "raw", base / "observatoire.duckdb")
    con = duckdb.connect(str(outcome.build_path), read_only=True)
    yield outcome, con
    con.close()


def test_refresh_accounts_for_every_file_row_and_sheet(refreshed):
    outcome, con = refreshed
    assert outcome.published, outcome.errors
    journal = {name: rest for name, *rest in con.execute(
        "SELECT fichier_nom, statut, motif, lignes_lues, lignes_chargees, lignes_quarantaine, "
        "lignes_doublons, lignes_vides_total FROM qualite.journal_chargement "
        "WHERE source = 'pocketo'").fetchall()}
    assert {name: tuple(rest[:2]) for name, rest in journal.items()} == {
        "caf\\xe9_2022.csv": ("chargé", None),
        "champs.csv": ("chargé", None),
        "classeur.xlsx": ("chargé", "feuilles : « 2022 » lue ; « 2023 » non lue : colonnes "
                          "obligatoires absentes : Présence (2 lignes non vides) ; « Notes » vide"),
        "dossier_lie": ("ignoré", "lien vers un dossier : non suivi"),
        "geant.csv": ("chargé", None),
        "lien_casse.csv": ("ignoré", "lien vers un fichier absent"),
        "lien_dehors.csv": ("ignoré", "lien vers un fichier hors du dossier : non suivi"),
        "vide.csv": ("rejeté", "fichier vide"),
    }
    assert journal["champs.csv"][2:] == [3, 2, 1, 0, 0]
    assert journal["geant.csv"][2:] == [2, 1, 1, 0, 0]
    for name, (_, _, read, loaded, quarantined, duplicates, blank) in journal.items():
        assert read == loaded + quarantined + duplicates + blank, name


def test_refresh_set_aside_rows_copy_no_value(refreshed):
    _, con = refreshed
    assert con.execute(
        "SELECT fichier_nom, ligne, colonne, valeur_brute, motif FROM qualite.quarantaine "
        "WHERE source = 'pocketo' ORDER BY ALL").fetchall() == [
        ("champs.csv", 3, "", None, "nombre de champs incorrect (12 au lieu de 13)"),
        ("geant.csv", 3, "", None, "ligne trop longue")]
    assert con.execute("SELECT count(*) FROM raw.pocketo__presences "
                       "WHERE commune_libelle = 'Cremps' OR fichier_nom = 'geant.csv' AND ligne = 3"
                       ).fetchone() == (0,)
    assert con.execute(
        "SELECT feuille, type, message FROM qualite.avertissements WHERE fichier_nom = 'classeur.xlsx'"
    ).fetchall() == [("2023", "feuille non lue", "feuille non lue : colonnes obligatoires absentes : "
                      "Présence (2 lignes non vides)")]


def test_a_mixed_file_warning_lists_the_first_ten_windows_1252_lines():
    utf8, cp1252 = "Zoé;1\n".encode("utf-8"), "Hélène;2\n".encode("cp1252")
    stats = ReadStats()
    text = decode(utf8 + b"ascii;0\n" + cp1252 * 12 + utf8 + "Noël".encode("cp1252"), stats)
    assert text == "Zoé;1\nascii;0\n" + "Hélène;2\n" * 12 + "Zoé;1\nNoël"
    assert [w["message"] for w in stats.warnings] == [
        "des lignes lues en Windows-1252, le reste du fichier en UTF-8 : lignes "
        "3, 4, 5, 6, 7, 8, 9, 10, 11, 12, … (vérifier leurs accents)"]


def test_a_line_in_no_known_encoding_names_its_byte():
    with pytest.raises(FileRejected, match="à l'octet 10$"):
        decode("Zoé;1\n".encode("utf-8") + "Léa".encode("cp1252") + b"\x81\n")


def test_a_workbook_whose_name_is_not_utf8_is_read(tmp_path):
    made = write_xlsx(tmp_path / "w.xlsx", {"2022": [POCKETO_HEADER, presence(nom="Excel")]})
    os.rename(os.fsencode(made), os.fsencode(tmp_path) + b"/pr\xe9sences.xlsx")
    (found,) = discover(tmp_path)
    assert found.name == "pr\\xe9sences.xlsx"
    rows, stats = read_csv_module(found.path, tmp_path)
    assert [r["nom"] for r in rows] == ["Excel"] and stats.sheets == {"2022": "lue"}


def test_broken_utf16_rejects_the_file():
    with pytest.raises(FileRejected, match=r"^texte Unicode \(UTF-16\) illisible$"):
        decode(codecs.BOM_UTF16_LE + "Zoé".encode("utf-16-le") + b"\x00\xd8")  # a lone surrogate


@READERS
def test_empty_fields_are_not_missing_fields(tmp_path, read):
    path = write_csv(tmp_path / "a.csv", [POCKETO_HEADER, *FILLER, presence(nom="FinVide", statut=""),
                                          presence(nom="QfVide", qf="", statut="")], encoding="utf-8")
    rows, stats = read(path, tmp_path)
    assert lines_and_names(rows)[-2:] == [(27, "FinVide"), (28, "QfVide")]
    assert (rows[-1]["qf"], rows[-1]["presence"]) == ("", "")
    assert stats.rejected == []
