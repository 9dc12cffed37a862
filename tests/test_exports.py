"""Exports of the public layer: files, datapackage.json, publication with the warehouse."""

import csv
import json
from decimal import Decimal

import duckdb
import pytest
from conftest import POCKETO_HEADER, presence, write_csv

from assets import resources
from warehouse import settings
from pipelines.refresh import refresh
from warehouse.db import connect
from warehouse.exports import build_exports


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
    con.execute("CREATE TABLE ref.catalogue (schema_name VARCHAR, table_name VARCHAR, column_name VARCHAR, "
                "libelle VARCHAR, definition VARCHAR, unite VARCHAR, source VARCHAR)")
    con.execute("INSERT INTO ref.catalogue VALUES ('public', 'aide', NULL, 'Aide', 'Une aide.', NULL, 'registres'), "
                "('public', 'aide', 'poids_kg', 'Poids distribué', 'Kilogrammes.', 'kilogrammes', NULL)")
    yield con
    con.close()


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


def test_the_datapackage_describes_every_file_and_column(small_public, tmp_path):
    build_exports(small_public, tmp_path / "exports", threshold=5)
    package = json.loads((tmp_path / "exports" / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["path"] for r in package["resources"]] == ["parquet/aide.parquet", "csv/aide.csv", "excel/aide.csv"]
    excel = package["resources"][2]
    assert (excel["encoding"], excel["dialect"]["delimiter"], excel["title"]) == ("windows-1252", ";", "Aide")
    fields = {f["name"]: f for f in excel["schema"]["fields"]}
    assert fields["poids_kg"] == {"name": "poids_kg", "type": "number", "title": "Poids distribué",
                                  "description": "Kilogrammes. Unité : kilogrammes.", "decimalChar": ","}
    assert (fields["secret"]["trueValues"], excel["schema"]["primaryKey"]) == (["oui"], ["structure_id"])
    assert "de 1 à 4" in package["description"]


def test_the_demo_datapackage_validates_with_frictionless(demo_run):
    from frictionless import validate

    _, outcome, path = demo_run
    report = validate(str(settings.export_dir(path) / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "message"])[:10]
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'public'").fetchone()[0]
    assert tables >= 17 and len(report.tasks) == 3 * tables  # indicators, rapprochement, qualite_chargement


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


@pytest.fixture
def raw(tmp_path):
    folder = tmp_path / "raw" / "pocketo"
    write_csv(folder / "lalbenque.csv", [POCKETO_HEADER, presence(nom="Durand", prenom="Zoé"),
                                         presence(nom="Roux", prenom="Hugo", naissance="02/02/2014")])
    return tmp_path / "raw"


def test_exports_are_published_with_the_warehouse_and_kept_when_a_run_fails(raw, tmp_path, monkeypatch):
    monkeypatch.setenv("OBSERVATOIRE_EXPORT_DIR", str(tmp_path / "partage" / "exports"))
    warehouse = tmp_path / "w.duckdb"
    assert refresh(raw, warehouse).published
    exports = tmp_path / "partage" / "exports"
    before = (exports / "csv" / "alsh_annuel.csv").read_text(encoding="utf-8")
    # 2 children: their count, hours and occupation rate are masked; days and places are not
    assert before.splitlines()[1] == "alsh_lalbenque,2022,,,1,74,,true"
    assert sorted(p.name for p in exports.parent.iterdir()) == ["exports"]

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
