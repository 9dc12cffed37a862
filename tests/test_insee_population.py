"""INSEE's "Évolution et structure de la population" file dropped as is in the reference folder:
the under-3 count of each member commune (sum of its IRIS), a hand-written row winning, the
French error on a malformed file, and the coverage staging taking the census figure."""

import duckdb
import pytest

from assets.indicators import run_sql_asset
from schemas import validate_table
from schemas.petite_enfance import RefPopulationMoins3Ans
from warehouse import settings
from warehouse.db import connect
from warehouse.reference import load_reference, ref_tables

FILE_NAME = "base-ic-evol-struct-pop-2020.csv"
SOURCE = f"INSEE, {FILE_NAME}"
HEADER = "IRIS;COM;TYP_IRIS;LAB_IRIS;P20_POP;P20_POP0002;P20_POP0305"
# Lalbenque (46148, member) has two IRIS, Flaujac-Poujols (46105, member) one, Fontanes (46109)
# is outside the territory. INSEE weights its counts: 21.6 + 25.7 = 47.3 → 47.
IRIS_ROWS = [
    "461480101;46148;H;Lalbenque-Bourg;1250.4;21.6;30.1",
    "461480102;46148;H;Lalbenque-Causse;750.2;25.7;22.0",
    "461050000;46105;Z;Flaujac-Poujols;820;18;25",
    "461090000;46109;Z;Fontanes;410;9;12",
]


@pytest.fixture
def ref_dir(tmp_path, monkeypatch):
    """A copy of the project's reference folder, read by the observatoire."""
    folder = tmp_path / "ref"
    folder.mkdir()
    for path in settings.ref_dir().glob("*.csv"):
        (folder / path.name).write_bytes(path.read_bytes())
    monkeypatch.setenv("OBSERVATOIRE_REF_DIR", str(folder))
    return folder


def write_insee_file(folder, lines, name=FILE_NAME, encoding="utf-8"):
    (folder / name).write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))


def load(tmp_path):
    path = tmp_path / "w.duckdb"
    with connect(path) as con:
        counts = load_reference(con)
    return path, counts


def under_3_rows(path):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT code_commune, annee, enfants_moins_3_ans, nature_chiffre, source "
                           "FROM ref.population_moins_3_ans ORDER BY ALL").fetchall()


def test_the_insee_file_gives_the_under_3_count_of_each_member_commune(tmp_path, ref_dir):
    write_insee_file(ref_dir, [HEADER, *IRIS_ROWS])
    path, counts = load(tmp_path)
    assert under_3_rows(path) == [("46105", 2020, 18, "recensement", SOURCE),
                                  ("46148", 2020, 47, "recensement", SOURCE)]
    assert counts["population_moins_3_ans"] == 2
    assert "base-ic-evol-struct-pop-2020" not in ref_tables()  # not a reference table of its own


def test_a_windows_1252_file_with_quotes_and_decimal_commas_is_read(tmp_path, ref_dir):
    lines = [HEADER.replace(";", '";"').join('""'),
             '"461480101";"46148";"H";"Lalbenque-Église";"1250,4";"21,6";"30,1"',
             '"461480102";"46148";"H";"Lalbenque-Causse";"750,2";"25,4";"22"']
    write_insee_file(ref_dir, lines, encoding="cp1252")
    path, _ = load(tmp_path)
    assert under_3_rows(path) == [("46148", 2020, 47, "recensement", SOURCE)]


def test_a_row_written_by_hand_wins_over_the_insee_file(tmp_path, ref_dir):
    write_insee_file(ref_dir, [HEADER, *IRIS_ROWS])
    with (ref_dir / "population_moins_3_ans.csv").open("a", encoding="utf-8") as handle:
        handle.write("46148,2020,52,publie,bilan CTG 2021\n")
    path, _ = load(tmp_path)
    assert under_3_rows(path) == [("46105", 2020, 18, "recensement", SOURCE),
                                  ("46148", 2020, 52, "publie", "bilan CTG 2021")]


@pytest.mark.parametrize(("header", "missing"), [
    ("IRIS;CODGEO;P20_POP;P20_POP0002", "colonne COM"),
    ("IRIS;COM;P20_POP;P20_POP0305", "colonne P??_POP0002"),
])
def test_a_malformed_insee_file_is_refused_in_french(tmp_path, ref_dir, header, missing):
    write_insee_file(ref_dir, [header, "461480101;46148;1250;21"])
    with pytest.raises(ValueError, match=rf"Fichier INSEE {FILE_NAME} : {missing.replace('?', '[?]')}"):
        load(tmp_path)


def test_the_xlsx_form_is_read_from_its_iris_sheet(tmp_path, ref_dir):
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "IRIS"
    sheet.append(["Évolution et structure de la population en 2020"])
    sheet.append(["Recensement de la population 2020"])
    sheet.append([])
    sheet.append(HEADER.split(";"))
    for line in IRIS_ROWS:
        iris, com, typ, label, *numbers = line.split(";")
        sheet.append([iris, com, typ, label, *map(float, numbers)])
    workbook.save(ref_dir / "base-ic-evol-struct-pop-2020.xlsx")
    path, _ = load(tmp_path)
    source = "INSEE, base-ic-evol-struct-pop-2020.xlsx"
    assert under_3_rows(path) == [("46105", 2020, 18, "recensement", source),
                                  ("46148", 2020, 47, "recensement", source)]


def test_the_coverage_staging_takes_the_census_figure(tmp_path, ref_dir):
    write_insee_file(ref_dir, [HEADER, *IRIS_ROWS])
    path, _ = load(tmp_path)
    with connect(path) as con:
        run_sql_asset(con, "int_petite_enfance__moins_3_ans")
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "SELECT annee, enfants_moins_3_ans, nature_chiffre, source, fichier_nom, table_ref "
            "FROM staging.petite_enfance__moins_3_ans WHERE code_commune = '46148' AND annee IN (2020, 2021) "
            "ORDER BY annee").fetchall()
    assert rows[0] == (2020, 47, "recensement", SOURCE, FILE_NAME, "ref.population_moins_3_ans")
    assert rows[1][2] == "estimation"  # the census of 2020 is for 2020 only


def test_the_census_rows_pass_the_reference_check(tmp_path, ref_dir):
    write_insee_file(ref_dir, [HEADER, *IRIS_ROWS])
    path, _ = load(tmp_path)
    with duckdb.connect(str(path), read_only=True) as con:
        failures = validate_table(con, "ref.population_moins_3_ans", RefPopulationMoins3Ans)
    assert failures.empty
