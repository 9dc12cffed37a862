"""The scale generator, and what makes large inputs fast without changing a single result.

The benchmark's generator writes deterministic messy exports; DuckDB's reading of a delimited
file gives exactly the rows, lines and blank counts of the csv module (or hands the file back
to it); validating a large table value by value finds exactly pandera's failures; the faster
HMAC is HMAC.
"""

from __future__ import annotations

import hashlib
import hmac

import duckdb
import pandas as pd
import pandera.pandas as pa
import pytest
from conftest import is_utf8

from benchmarks.generate_scale import STYLES, generate
from schemas import code_commune, integer, validate_table
from sources.loading import build_staging, load_raw
from sources.pocketo import SPEC
from sources.pseudonym import Pseudonymiser
from sources.reading import ReadStats, read_chunks, read_with_duckdb
from warehouse import settings
from warehouse.db import connect
from warehouse.reference import load_reference

ROWS = 3_000


@pytest.fixture(scope="module")
def scale(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("scale"), ROWS, seed=11, structures=12, communes=20)


def _python_rows(path):
    stats = ReadStats()
    frames = list(read_chunks(path, SPEC, stats))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(), stats


def test_the_generator_writes_the_rows_it_says_in_every_messy_format(scale):
    folder = scale.raw_dir / "pocketo"
    rows = blank = 0
    for name in scale.files:
        frame, stats = _python_rows(folder / name)
        rows, blank = rows + len(frame), blank + stats.blank_or_total
    assert (rows, blank) == (scale.rows, scale.blank_or_total)
    assert rows == ROWS and blank > 0
    data = {name: (folder / name).read_bytes() for name in scale.files}
    assert any(name.endswith(".xlsx") for name in data) and any(name.endswith(".txt") for name in data)
    assert any(b.startswith(b"\xef\xbb\xbf") for b in data.values())  # UTF-8 with BOM
    assert any(b"\r\n" in b and not is_utf8(b) for b in data.values())  # cp1252, CRLF
    assert b'"PAI;\nallergie arachides"' in data["presences_avec_remarques.csv"]
    assert {s.sep for s in STYLES} == {";", ",", "\t"}


def test_the_pipeline_finds_the_defects_and_copies_the_generator_put(scale, tmp_path, monkeypatch):
    monkeypatch.setenv("OBSERVATOIRE_REF_DIR", str(scale.ref_dir))
    con = connect(tmp_path / "w.duckdb")
    load_reference(con)
    load_raw(con, SPEC, scale.raw_dir, Pseudonymiser(b"k"))
    build_staging(con, SPEC)
    read, loaded, quarantined, duplicates, blank = con.execute(
        "SELECT sum(lignes_lues), sum(lignes_chargees), sum(lignes_quarantaine), sum(lignes_doublons), "
        "sum(lignes_vides_total) FROM qualite.journal_chargement").fetchone()
    con.close()
    assert (read, quarantined, duplicates, blank) == (
        scale.rows + scale.blank_or_total, scale.quarantined, scale.duplicates, scale.blank_or_total)
    assert loaded == scale.rows - scale.quarantined - scale.duplicates


def test_the_generator_is_deterministic(scale, tmp_path):
    again = generate(tmp_path, ROWS, seed=11, structures=12, communes=20)
    for name in again.files:
        first, second = scale.raw_dir / "pocketo" / name, again.raw_dir / "pocketo" / name
        if not name.endswith(".xlsx"):  # a workbook zips its own timestamps
            assert first.read_bytes() == second.read_bytes(), name
        assert first.stat().st_mtime == second.stat().st_mtime
    ref = (again.ref_dir / "structures_alias.csv").read_text(encoding="utf-8")
    assert "pocketo,Accueil de loisirs Aurival,alsh_bench_0001" in ref


def _duckdb_rows(path, tmp_path):
    stats = ReadStats()
    with duckdb.connect() as con:
        select = read_with_duckdb(con, path, SPEC, stats, "_fichier", tmp_path)
        frame = None if select is None else con.execute(select + " ORDER BY ligne").fetchdf()
    return frame, stats


def _same_reading(path, tmp_path) -> bool:
    """True when DuckDB read the file exactly as the csv module; False when it handed it back."""
    frame, stats = _duckdb_rows(path, tmp_path)
    expected, expected_stats = _python_rows(path)
    if frame is None:
        return False
    columns = ["feuille", "ligne", *SPEC.columns]
    assert frame[columns].astype(str).values.tolist() == expected[columns].astype(str).values.tolist()
    assert (stats.blank_or_total, stats.header_lines) == (expected_stats.blank_or_total,
                                                           expected_stats.header_lines)
    return True


def test_duckdb_reads_the_generated_exports_as_the_csv_module(scale, tmp_path):
    delimited = [n for n in scale.files if not n.endswith(".xlsx")]
    read = {name: _same_reading(scale.raw_dir / "pocketo" / name, tmp_path) for name in delimited}
    assert read.pop("presences_avec_remarques.csv") is False  # quoted line breaks: csv module
    assert all(read.values())


HEADER = "Structure;Date;N° dossier;Nom;Prénom;Date de naissance;Commune;QF;Régime;Unité;Arrivée;Départ;Présence"
ROW = "ALSH Lalbenque;09/03/2022;F1;{nom};Léa;05/06/2015;Lalbenque;600;CAF;Journée;08:30;17:00;Présent"


@pytest.mark.parametrize("body, fast", [
    # a title, empty lines between records, a line of separators, a Total line, CRLF, cp1252
    ("Export du 08/01/2024\r\n\r\n{h}\r\n{a}\r\n\r\n\r\n{b}\r\n;;;;\r\n{c}\r\nTotal;;;;;;;;;;;;3\r\n", True),
    ("{h}\n{a}\n  \n\"N.C.\";;\n{b}\n{c}", True),  # blank-looking cells, no final newline
    ("{h}\n{a}\n{b_quoted}\n{c}\n", True),  # a quoted ; and doubled quotes on one line
    ("{h}\n{a}\n{b_newline}\n{c}\n", False),  # a quoted line break: the csv module numbers it
    ("{h}\n{a}\r{b}\n{c}\n", False),  # a lone carriage return
    ("{h}\n{a}\n{b};extra;cells\n{c}\n", True),  # more cells than the header: set aside on both paths
])
def test_duckdb_reading_matches_the_csv_module_or_hands_the_file_back(tmp_path, body, fast):
    text = body.format(h=HEADER, a=ROW.format(nom="Dupont"), b=ROW.format(nom="Noël"),
                       c=ROW.format(nom="Lecœur"), b_quoted=ROW.format(nom='"Du;""pont"""'),
                       b_newline=ROW.format(nom='"Du\npont"'))
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode("cp1252"))
    assert _same_reading(path, tmp_path) is fast


def test_a_file_without_header_is_rejected_by_both_readers(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Compte rendu\nRien à voir\n", encoding="utf-8")
    with pytest.raises(Exception, match="aucune ligne d'en-tête reconnue"):
        _duckdb_rows(path, tmp_path)


BAD = """SELECT * FROM (VALUES
    ('a', 1, 'x1', DATE '2020-01-01', 1.5::DECIMAL(8, 2), '46148'),
    ('z', -1, 'x2', DATE '2020-01-02', -2.0::DECIMAL(8, 2), 'Cahors'),
    (NULL, 3, 'x2', NULL, 3.0::DECIMAL(8, 2), '46148'),
    ('a', NULL, 'x3', DATE '2020-01-04', NULL, 'HORS_CC'),
    ('z', 5, 'x3', DATE '2020-01-05', 13.0::DECIMAL(8, 2), 'Cahors'),
    ('a', 1, 'x1', DATE '2020-01-01', 1.5::DECIMAL(8, 2), '46148')) v(s, n, k, d, h, cc)"""
SCHEMA = pa.DataFrameSchema(
    {"s": pa.Column(str, pa.Check.isin(["a", "b"])), "n": integer(0, 2),
     "k": pa.Column(str, pa.Check.str_matches(r"^x[12]$")), "d": pa.Column("datetime64[us]"),
     "h": pa.Column(float, pa.Check.in_range(0, 12), nullable=True), "cc": code_commune()},
    unique=["s", "k"], strict=True)


def _cases(failures: pd.DataFrame) -> list[tuple]:
    """The failures, written alike whether pandas stored a value as 0, 0.0 or False."""
    def plain(value):
        if isinstance(value, (bool, float)) and float(value).is_integer():
            return str(int(value))
        return "-" if pd.isna(value) else str(value)
    return sorted(tuple(map(plain, row)) for row in failures[
        ["schema_context", "column", "check", "check_number", "failure_case", "index"]].itertuples(index=False))


@pytest.mark.parametrize("select", [BAD, f"SELECT s, CAST(n AS DOUBLE) AS n, k, d, h, cc, 1 AS extra FROM ({BAD})"])
def test_validating_by_values_finds_every_failure_pandera_finds(select):
    with duckdb.connect() as con:
        con.execute(f"CREATE TABLE t AS {select}")
        in_pandas = validate_table(con, "t", SCHEMA)
        by_values = validate_table(con, "t", SCHEMA, by_values_from_rows=0)
    assert _cases(by_values) == _cases(in_pandas)
    assert len(in_pandas) >= 18  # each bad cell, each null, each duplicated key, per row


def test_the_faster_hmac_is_hmac():
    for key in (b"k", b"x" * 64, b"y" * 100, "clé".encode()):
        message = "DUPONT MARTIN|LEA|2015-06-05".encode()
        assert Pseudonymiser(key)._hmac(message) == hmac.new(key, message, hashlib.sha256).hexdigest()


def test_the_reference_folder_is_read_when_asked(tmp_path, monkeypatch):
    monkeypatch.setenv("OBSERVATOIRE_REF_DIR", str(tmp_path))
    assert settings.ref_dir() == tmp_path
    monkeypatch.delenv("OBSERVATOIRE_REF_DIR")
    assert settings.ref_dir() == settings.DEFAULT_REF_DIR
