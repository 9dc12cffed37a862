"""Exports of the public layer: files, datapackage.json, publication with the warehouse."""

import csv
import json
from decimal import Decimal

import duckdb
import pytest
import yaml
from conftest import POCKETO_HEADER, presence, write_csv

from assets import resources
from warehouse import settings
from pipelines.refresh import refresh
from warehouse.catalogue import Catalogue
from warehouse.db import connect
from warehouse.exports import build_exports

pytestmark = pytest.mark.refreshes(2)  # two refreshes


@pytest.fixture
def small_public(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    con.execute("""
        CREATE SCHEMA public;
        CREATE TABLE public.aide (structure_id VARCHAR NOT NULL PRIMARY KEY, libelle VARCHAR,
                                  poids_kg DECIMAL(14, 2), foyers INTEGER, secret BOOLEAN NOT NULL);
        INSERT INTO public.aide VALUES
            ('restos', 'Restos du Cœur ; « épicerie » à 2 €', 1544.8, 22, FALSE),
            ('rertr', 'Épicerie ≤ 5\u202fkm', NULL, NULL, TRUE);""")
    con.execute("CREATE TABLE ref.territoire AS SELECT '200023737' AS code_territoire, "
                "'CA du Grand Cahors' AS nom, 'Observatoire social du Grand Cahors' AS titre")
    yield con
    con.close()


DESCRIBED = {  # the fixtures' tables, described as in warehouse/catalogue.yaml
    "public.aide": {"libelle": "Aide", "definition": "Une aide.", "source": "registres", "colonnes": {
        "poids_kg": {"libelle": "Poids distribué", "definition": "Kilogrammes.", "unite": "kilogrammes"}}},
    "public.sport": {"libelle": "Aide au sport", "definition": "Les aides.", "source": "dossiers", "colonnes": {
        "tranche_age": {"libelle": "Tranche d'âge", "definition": "Bornes comprises.", "unite": "code"},
        "heures": {"libelle": "Heures", "definition": "Des heures.", "unite": "heures"}}},
}


@pytest.fixture
def described(tmp_path) -> Catalogue:
    """The catalogue of the fixtures' tables only, no declared table."""
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump({"colonnes": {}, "tables": DESCRIBED, "public_note": ""}, allow_unicode=True),
                    encoding="utf-8")
    (tmp_path / "declarations").mkdir()
    return Catalogue(path, tmp_path / "declarations")


def test_the_french_excel_csv_has_accents_semicolons_and_decimal_commas(small_public, tmp_path):
    build_exports(small_public, tmp_path / "exports", threshold=5)
    raw = (tmp_path / "exports" / "excel" / "aide.csv").read_bytes()
    assert raw.decode("cp1252").split("\r\n") == [
        "structure_id;libelle;poids_kg;foyers;secret",
        "rertr;Épicerie ? 5 km;;;oui",  # ≤ has no Windows-1252 form; the narrow space becomes a space
        'restos;"Restos du Cœur ; « épicerie » à 2 €";1544,80;22;non',
        "",
    ]
    with (tmp_path / "exports" / "excel" / "aide.csv").open(encoding="cp1252", newline="") as stream:
        rows = list(csv.DictReader(stream, delimiter=";"))
    assert rows[1]["libelle"] == "Restos du Cœur ; « épicerie » à 2 €" and rows[1]["poids_kg"] == "1544,80"
    plain = (tmp_path / "exports" / "csv" / "aide.csv").read_text(encoding="utf-8").splitlines()
    assert plain[1:] == ["rertr,Épicerie ≤ 5\u202fkm,,,true",
                         "restos,Restos du Cœur ; « épicerie » à 2 €,1544.80,22,false"]
    parquet = small_public.execute(f"SELECT * FROM read_parquet('{tmp_path}/exports/parquet/aide.parquet') "
                                   "ORDER BY ALL").fetchall()
    assert parquet[1] == ("restos", "Restos du Cœur ; « épicerie » à 2 €", Decimal("1544.80"), 22, False)


def test_exports_replace_their_own_files_and_keep_the_feedback_workbooks(small_public, tmp_path):
    """``retours`` writes into the same folder, before or after ``exports``: each keeps the other's."""
    folder = tmp_path / "exports"
    (folder / "csv").mkdir(parents=True)
    (folder / "csv" / "table_retiree.csv").write_text("a\n", encoding="utf-8")
    (folder / "retours").mkdir()
    (folder / "retours" / "pocketo-2023.xlsx").write_bytes(b"classeur")
    build_exports(small_public, folder, threshold=5)
    assert sorted(p.name for p in (folder / "csv").iterdir()) == ["aide.csv"]
    assert (folder / "retours" / "pocketo-2023.xlsx").read_bytes() == b"classeur"


def test_the_datapackage_describes_every_file_and_column(small_public, described, tmp_path):
    build_exports(small_public, tmp_path / "exports", threshold=5, catalogue=described)
    package = json.loads((tmp_path / "exports" / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["path"] for r in package["resources"]] == ["parquet/aide.parquet", "csv/aide.csv", "excel/aide.csv",
                                                         "excel/aide.xlsx"]
    excel = package["resources"][2]
    assert (excel["encoding"], excel["dialect"]["delimiter"], excel["title"]) == ("windows-1252", ";", "Aide")
    fields = {f["name"]: f for f in excel["schema"]["fields"]}
    assert fields["poids_kg"] == {"name": "poids_kg", "type": "number", "title": "Poids distribué",
                                  "description": "Kilogrammes. Unité : kilogrammes.", "decimalChar": ","}
    assert (fields["secret"]["trueValues"], excel["schema"]["primaryKey"]) == (["oui"], ["structure_id"])
    assert "de 1 à 4" in package["description"]


def test_the_datapackage_says_licence_version_producer_sources_and_secrecy(small_public, described, tmp_path,
                                                                          monkeypatch):
    build_exports(small_public, tmp_path / "exports", threshold=5, catalogue=described)
    package = json.loads((tmp_path / "exports" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"] == [{"name": "etalab-2.0", "title": "Licence Ouverte / Open Licence version 2.0",
                                    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}]
    assert package["contributors"] == [{"title": "CA du Grand Cahors", "role": "publisher"}]
    assert package["version"] == package["created"][:10].replace("-", ".")
    assert package["secret_statistique"]["seuil"] == 5
    assert package["secret_statistique"]["regle"].startswith("Secret statistique : un compte de personnes ou "
                                                             "de foyers de 1 à 4 n'est pas publié")
    assert package["resources"][0]["sources"] == [{"title": "registres"}]
    described.tables["public.aide"]["colonnes"]["foyers"] = {"libelle": "Foyers", "definition": "F.",
                                                             "source": "warehouse/ref/structures.csv"}
    monkeypatch.setenv("OBSERVATOIRE_LICENCE", "odbl-1.0")
    build_exports(small_public, tmp_path / "autres", threshold=5, catalogue=described)
    package = json.loads((tmp_path / "autres" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"][0]["name"] == "ODbL-1.0"
    assert package["resources"][3]["sources"] == [{"title": "registres"}, {"title": "warehouse/ref/structures.csv"}]


@pytest.fixture
def typed_public(small_public):
    small_public.execute("""
        CREATE TABLE public.sport (annee INTEGER NOT NULL, tranche_age VARCHAR NOT NULL, code_commune VARCHAR NOT NULL,
                                   heures DECIMAL(14, 2), beneficiaires INTEGER, note VARCHAR, secret BOOLEAN NOT NULL,
                                   PRIMARY KEY (annee, tranche_age, code_commune));
        INSERT INTO public.sport VALUES
            (2022, '6-11', '06088', 30441.95, 1234, '=HYPERLINK("http://x")', FALSE),
            (2022, '12-17', '46010', NULL, NULL, '@SUM(A1)', TRUE);""")
    return small_public


def test_the_workbook_has_typed_cells_french_formats_labels_and_masked_cells(typed_public, described, tmp_path):
    import openpyxl

    build_exports(typed_public, tmp_path / "exports", threshold=5, catalogue=described)
    workbook = openpyxl.load_workbook(tmp_path / "exports" / "excel" / "sport.xlsx")
    assert workbook.sheetnames == ["Données", "Définitions"]
    data = workbook["Données"]
    assert [c.value for c in data[1]] == ["annee", "Tranche d'âge", "code_commune", "Heures", "beneficiaires",
                                          "note", "secret"]
    band, year, code, hours, count = data["B3"], data["A3"], data["C2"], data["D3"], data["E3"]
    assert (band.value, band.data_type, band.number_format) == ("6-11", "s", "@")
    assert (year.value, type(year.value), year.number_format) == (2022, int, "0")
    assert (code.value, code.data_type, code.number_format) == ("46010", "s", "@")
    assert (data["C3"].value, hours.value, hours.number_format) == ("06088", 30441.95, "#,##0.00")
    assert (count.value, count.number_format) == (1234, "#,##0")
    assert [c.value for c in data[2]][3:] == ["s", "s", "'@SUM(A1)", "oui"]  # masked, with its legend
    assert (data["F3"].value, data["F3"].data_type) == ("'=HYPERLINK(\"http://x\")", "s")
    assert (data.freeze_panes, data.auto_filter.ref) == ("A2", "A1:G3")
    about = [[c.value for c in row] for row in workbook["Définitions"].iter_rows()]
    assert about[:3] == [["Aide au sport", None, None, None], ["Les aides.", None, None, None],
                         ["Source : dossiers", None, None, None]]
    assert about[3][0].startswith("s : secret statistique. Un compte de personnes ou de foyers de 1 à 4")
    assert about[7] == ["Tranche d'âge", "tranche_age", "Bornes comprises.", "code"]


def test_the_french_csv_neutralises_formulas(typed_public, tmp_path):
    build_exports(typed_public, tmp_path / "exports", threshold=5)
    with (tmp_path / "exports" / "excel" / "sport.csv").open(encoding="cp1252", newline="") as stream:
        notes = [row["note"] for row in csv.DictReader(stream, delimiter=";")]
    assert notes == ["'@SUM(A1)", "'=HYPERLINK(\"http://x\")"]


def test_the_demo_datapackage_validates_with_frictionless(demo_run):
    from frictionless import validate

    _, outcome, path = demo_run
    report = validate(str(settings.export_dir(path) / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "message"])[:10]
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'public'").fetchone()[0]
    assert tables >= 17 and len(report.tasks) == 4 * tables  # indicators, rapprochement, qualite_chargement


def test_the_demo_french_csv_reads_back_with_cp1252_and_semicolons(demo_run):
    _, _, path = demo_run
    folder = settings.export_dir(path)
    with duckdb.connect(str(path), read_only=True) as con:
        expected = con.execute("SELECT structure_id, annee, poids_kg FROM public.aide_alimentaire_annuel "
                               "WHERE NOT secret ORDER BY ALL").fetchall()
        actions = dict(con.execute("SELECT code_action, libelle FROM public.ctg_suivi").fetchall())
    with (folder / "excel" / "aide_alimentaire_annuel.csv").open(encoding="cp1252", newline="") as stream:
        rows = {(r["structure_id"], int(r["annee"])): r["poids_kg"] for r in csv.DictReader(stream, delimiter=";")}
    assert all(rows[(s, y)] == f"{kg:.2f}".replace(".", ",") for s, y, kg in expected)
    with (folder / "excel" / "ctg_suivi.csv").open(encoding="cp1252", newline="") as stream:
        libelles = {r["code_action"]: r["libelle"] for r in csv.DictReader(stream, delimiter=";")}
    assert libelles == actions and any("é" in text for text in libelles.values())
    assert (folder / "qualite" / "index.html").exists()  # the Great Expectations report


def test_the_demo_workbooks_read_back_with_their_types(demo_run):
    import openpyxl

    _, _, path = demo_run
    folder = settings.export_dir(path) / "excel"
    with duckdb.connect(str(path), read_only=True) as con:
        hours = con.execute("SELECT heures_enfants FROM public.alsh_annuel WHERE NOT secret "
                            "ORDER BY structure_id, annee LIMIT 1").fetchone()[0]
        bands = con.execute("SELECT DISTINCT tranche_age FROM public.aide_sport_par_tranche_age ORDER BY 1").fetchall()
    alsh = openpyxl.load_workbook(folder / "alsh_annuel.xlsx")["Données"]
    assert [c.value for c in alsh[1]][:3] == ["Structure", "Année", "Heures enfants"]
    first = next(row for row in alsh.iter_rows(min_row=2) if row[2].value != "s")
    assert (type(first[1].value), first[1].number_format) == (int, "0")
    assert (first[2].value, first[2].number_format) == (float(hours), "#,##0.00")
    sport = openpyxl.load_workbook(folder / "aide_sport_par_tranche_age.xlsx")["Données"]
    shown = sorted({row[1].value for row in sport.iter_rows(min_row=2)})
    assert shown == sorted(b for (b,) in bands) and all(isinstance(b, str) for b in shown)


def test_exports_are_published_with_the_warehouse_and_kept_when_a_run_fails(published_small, tmp_path,
                                                                            monkeypatch):
    raw, warehouse = published_small  # published with its exports beside it, the default folder
    exports = tmp_path / "partage" / "exports"
    assert (tmp_path / "exports" / "datapackage.json").is_file() and not list(tmp_path.glob("exports.*"))
    exports.parent.mkdir()
    (tmp_path / "exports").rename(exports)  # the run below publishes to OBSERVATOIRE_EXPORT_DIR
    monkeypatch.setenv("OBSERVATOIRE_EXPORT_DIR", str(exports))
    before = (exports / "csv" / "alsh_annuel.csv").read_text(encoding="utf-8")
    # 2 children: their count, hours and occupation rate are masked; days and places are not
    assert before.splitlines()[1] == "alsh_lalbenque,2022,,,1,74,,true"

    write_csv(raw / "pocketo" / "nouveau.csv", [POCKETO_HEADER, presence(nom="Petit", prenom="Noé")])
    real_replace = resources.os.replace

    def refuse_the_warehouse(source, target):
        if str(target) == str(warehouse):
            raise OSError("disque plein")
        real_replace(source, target)

    monkeypatch.setattr(resources.os, "replace", refuse_the_warehouse)
    assert not refresh(raw, warehouse).published
    assert (exports / "csv" / "alsh_annuel.csv").read_text(encoding="utf-8") == before
    assert sorted(p.name for p in exports.parent.iterdir()) == ["exports", "exports.echec"]
