"""Every variation of sources.md read from real files: encodings, separators, workbooks."""

import datetime as dt
import os

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from conftest import POCKETO_HEADER, is_utf8, presence, write_csv, write_xlsx

from sources.discovery import discover
from sources.pocketo import SPEC
from sources.reading import FileRejected, ReadStats, decode, read_chunks


def read(path):
    stats = ReadStats()
    frames = list(read_chunks(path, SPEC, stats))
    rows = [row for frame in frames for row in frame.to_dict("records")]
    return rows, stats


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8", "utf-8-sig"])
@pytest.mark.parametrize("sep", [";", ",", "\t"])
@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_delimited_variations(tmp_path, encoding, sep, newline):
    path = write_csv(tmp_path / "export.csv", [POCKETO_HEADER, presence(nom="Noël", prenom="Zoé")],
                     sep=sep, encoding=encoding, newline=newline)
    rows, _ = read(path)
    assert [(r["nom"], r["prenom"], r["ligne"]) for r in rows] == [("Noël", "Zoé", 2)]


def test_quoted_fields_keep_their_line_numbers(tmp_path):
    path = tmp_path / "q.csv"
    header = ";".join(POCKETO_HEADER)
    first = ";".join(presence(commune='"Limogne; en Quercy"'))
    second = ";".join(presence(nom='"Du\npont"'))  # a newline inside quotes: the record spans 2 lines
    third = ";".join(presence(nom="Martin"))
    path.write_bytes(f"{header}\n{first}\n{second}\n{third}".encode("utf-8"))  # no final newline
    rows, _ = read(path)
    assert [(r["ligne"], r["nom"], r["commune"]) for r in rows] == [
        (2, "Dupont", "Limogne; en Quercy"), (3, "Du\npont", "Lalbenque"), (5, "Martin", "Lalbenque")]


def test_header_aliases_spaces_and_noise(tmp_path):
    header = [" Site ", "Jour", "No dossier", "Nom enfant", "Prénom enfant", "Né(e) le", "Ville",
              "Q.F.", "Regime", "Type de présence", "Heure d'arrivée", "Heure de départ", "Statut", "", ""]
    path = write_csv(tmp_path / "a.csv", [header, presence() + ["", ""], [""] * 15, [], presence(nom="B")])
    rows, stats = read(path)
    assert [(r["structure"], r["nom"], r["ligne"]) for r in rows] == [
        ("ALSH Lalbenque", "Dupont", 2), ("ALSH Lalbenque", "B", 5)]
    assert stats.blank_or_total == 2


def test_missing_required_columns_reject_the_file_naming_them(tmp_path):
    header = [c for c in POCKETO_HEADER if c not in ("Date", "Unité")]
    path = write_csv(tmp_path / "a.csv", [header, presence()[:12]])
    with pytest.raises(FileRejected, match="colonnes obligatoires absentes : Date, Unité"):
        read(path)


def test_a_text_that_is_not_a_table_is_rejected(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Compte rendu de réunion\nRien à voir ici\n", encoding="utf-8")
    with pytest.raises(FileRejected, match="aucune ligne d'en-tête reconnue"):
        read(path)


def test_workbook_with_title_rows_real_dates_and_total(tmp_path):
    rows = [
        ["Export Pocketo — ALSH Limogne 2020"], [None], POCKETO_HEADER,
        ["ALSH Limogne", dt.date(2020, 7, 8), "F9", "Martin", "Jules", dt.date(2013, 1, 2), "Limogne",
         812.5, "MSA", "Matin", dt.time(8, 15), dt.time(12, 0), "Présent"],
        ["ALSH Limogne", 44021, "F9", "Martin", "Jules", "02/01/2013", "Limogne", None, "MSA",
         "Après-midi", None, None, "Présent"],
        [None], ["Total", None, None, None, None, None, None, None, None, None, None, None, 2],
    ]
    path = write_xlsx(tmp_path / "limogne.xlsx", {"Feuil1": rows})
    read_rows, stats = read(path)
    assert [(r["ligne"], r["date_presence"], r["heure_arrivee"], r["qf"]) for r in read_rows] == [
        (4, "2020-07-08", "08:15:00", "812.5"), (5, "44021", "", "")]
    assert stats.blank_or_total == 2


def test_workbook_reads_every_year_sheet(tmp_path):
    sheet = [POCKETO_HEADER, presence()]
    path = write_xlsx(tmp_path / "w.xlsx", {"2022": sheet, "2023": sheet, "Notes": [["rien"]]})
    rows, _ = read(path)
    assert [(r["feuille"], r["ligne"]) for r in rows] == [("2022", 2), ("2023", 2)]


def test_discovery_skips_non_tables_and_spots_copies(tmp_path):
    folder = tmp_path / "pocketo"
    first = write_csv(folder / "2022" / "export.csv", [POCKETO_HEADER, presence()])
    (folder / "copie de export.csv").write_bytes(first.read_bytes())
    (folder / "bilan.pdf").write_bytes(b"%PDF-1.4")
    (folder / "~$export.xlsx").write_bytes(b"lock")
    (folder / ".DS_Store").write_bytes(b"\0")
    os.utime(first, (1_600_000_000, 1_600_000_000))
    found = {f.name: f for f in discover(folder)}
    assert sorted(n for n, f in found.items() if f.is_table and f.duplicate_of is None) == ["2022/export.csv"]
    assert found["copie de export.csv"].duplicate_of == "2022/export.csv"
    assert not any(found[n].is_table for n in ["bilan.pdf", "~$export.xlsx", ".DS_Store"])
    assert found["2022/export.csv"].modified == dt.datetime.fromtimestamp(1_600_000_000)


def test_a_missing_folder_is_no_files(tmp_path):
    assert discover(tmp_path / "absent") == []


FRENCH = st.text(alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ éèêëàâäîïôöùûüçÉÈÀÇœŒ’«»€-'0123456789;,")),
                 min_size=1, max_size=40)


@given(FRENCH, st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_any_french_text_decodes_back_whatever_its_encoding(text, encoding):
    data = text.encode(encoding)
    # Some rare cp1252 byte runs ("Ã©" typed on purpose) are valid UTF-8 too: nobody can tell.
    assume(encoding != "cp1252" or text.isascii() or not is_utf8(data))
    assert decode(data) == text


def test_bytes_in_no_known_encoding_reject_the_file():
    with pytest.raises(FileRejected, match="encodage non reconnu"):
        decode("Léa".encode("utf-8")[:-1] + b"\x81\x8d")
