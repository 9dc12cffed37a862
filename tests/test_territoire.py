"""Issue 20: the territory is a setting. `observatoire territoire init` writes a reference folder
for any EPCI from the national reference, and a refresh with that folder (--ref-dir) builds
that territory's warehouse and report, with nothing of the Pays de Lalbenque-Limogne in them."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main
from pipelines.territory import DEFAULT_REF_DIR, REPORT_TEMPLATE
from warehouse.national import epci_members
from conftest import POCKETO_HEADER, TEST_KEY, presence, write_csv

pytestmark = pytest.mark.refreshes(2)  # another territory, in a process of its own (--ref-dir)

GRAND_CAHORS, CAUSSE_DE_LABASTIDE = "200023737", "200066819"


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# the default territory's code, names, member communes and structures
FORBIDDEN = ("lalbenque", "limogne", "244600532",
             *(row["nom"].lower() for row in read_rows(DEFAULT_REF_DIR / "communes.csv") if row["membre_cc"] == "true"),
             *(row["structure_id"] for row in read_rows(DEFAULT_REF_DIR / "structures.csv")))


@pytest.mark.parametrize("siren", [GRAND_CAHORS, CAUSSE_DE_LABASTIDE])
def test_init_writes_the_members_of_the_national_reference(siren, tmp_path):
    assert main(["territoire", "init", "--epci", siren, "--dossier", str(tmp_path / "ref")]) == 0
    communes = read_rows(tmp_path / "ref" / "communes.csv")
    expected = sorted(row["code_commune"] for row in epci_members(siren))
    assert sorted(row["code_commune"] for row in communes) == expected and len(expected) > 10
    assert {row["membre_cc"] for row in communes} == {"true"}
    assert read_rows(tmp_path / "ref" / "territoire.csv")[0]["code_territoire"] == siren
    populations = read_rows(tmp_path / "ref" / "communes_population.csv")
    assert len(populations) == len(expected)
    assert read_rows(tmp_path / "ref" / "structures.csv") == []  # a template for the territory
    assert (tmp_path / "ref" / "rapport.yaml").read_text(encoding="utf-8") == REPORT_TEMPLATE.read_text(encoding="utf-8")
    assert read_rows(tmp_path / "ref" / "communes_hors_territoire.csv")[0]["libelle"] == "Autre commune"


def test_init_refuses_an_unknown_epci_and_a_used_folder(tmp_path):
    assert main(["territoire", "init", "--epci", "123456789", "--dossier", str(tmp_path / "a")]) == 2
    assert main(["territoire", "init", "--epci", GRAND_CAHORS, "--dossier", str(tmp_path / "b")]) == 0
    assert main(["territoire", "init", "--epci", GRAND_CAHORS, "--dossier", str(tmp_path / "b")]) == 2


def _cahors_folder(ref: Path) -> None:
    """The Grand Cahors folder, with one accueil de loisirs filled in by hand."""
    assert main(["territoire", "init", "--epci", GRAND_CAHORS, "--dossier", str(ref)]) == 0
    (ref / "structures.csv").write_text(
        "structure_id,libelle,service,code_commune,gestionnaire\n"
        "alsh_cahors,ALSH de Cahors,alsh,46042,CA du Grand Cahors\n", encoding="utf-8")
    (ref / "structures_alias.csv").write_text(
        "source,alias,structure_id\npocketo,ALSH Cahors,alsh_cahors\n", encoding="utf-8")


@pytest.fixture(scope="module")
def cahors_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("cahors")
    _cahors_folder(base / "ref")
    children = [("C1", "Cahors"), ("C2", "46090 Arcambal"), ("C3", "Pradines (46)"), ("C4", "Toulouse"),
                ("C5", "46042"), ("C6", "Saint-Denis"), ("C7", "Autre commune")]
    rows = [presence(structure="ALSH Cahors", date=day, dossier=dossier, nom=f"Nom{dossier}",
                     commune=commune)
            for dossier, commune in children for day in ("09/03/2022", "16/03/2022")]
    write_csv(base / "raw" / "pocketo" / "ALSH Cahors 2022.csv", [POCKETO_HEADER, *rows], sep=";",
              encoding="utf-8")
    warehouse = base / "observatoire.duckdb"
    env = {**os.environ, "OBSERVATOIRE_PSEUDO_KEY": TEST_KEY}
    for setting in ("OBSERVATOIRE_REF_DIR", "OBSERVATOIRE_EXPORT_DIR"):
        env.pop(setting, None)
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "--ref-dir", str(base / "ref"), "refresh",
                           "--raw-dir", str(base / "raw"), "--warehouse", str(warehouse)],
                          env=env, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stdout + done.stderr
    with duckdb.connect(str(warehouse), read_only=True) as con:
        yield base, con


def test_another_territory_has_its_own_indicators(cahors_run):
    _, con = cahors_run
    staged = dict(con.execute("SELECT DISTINCT commune_libelle, code_commune || ':' || dans_territoire "
                              "FROM staging.pocketo__presences").fetchall())
    assert staged == {"Cahors": "46042:true", "46090 Arcambal": "46007:true", "Pradines (46)": "46224:true",
                      "Toulouse": "31555:false", "46042": "46042:true", "Saint-Denis": "INCONNUE:false",
                      "Autre commune": "HORS_CC:false"}
    by_commune = con.execute("SELECT code_commune, enfants_distincts FROM indicateurs.alsh_par_commune "
                             "WHERE annee = 2022 ORDER BY code_commune").fetchall()
    assert by_commune == [("46007", 1), ("46042", 2), ("46224", 1), ("HORS_CC", 2), ("INCONNUE", 1)]
    assert con.execute("SELECT enfants_distincts FROM indicateurs.alsh_annuel").fetchall() == [(7,)]
    assert con.execute("SELECT nom FROM ref.territoire").fetchall() == [("CA du Grand Cahors",)]
    warnings = [m for (m,) in con.execute("SELECT message FROM qualite.avertissements WHERE type = 'commune'")
                .fetchall()]
    assert len(warnings) == 1 and "« Saint-Denis » non rattachée : commune homonyme" in warnings[0]


def test_nothing_of_lalbenque_limogne_in_the_warehouse_or_the_report(cahors_run):
    base, con = cahors_run
    own_tables = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND NOT (schema_name = 'ref' AND table_name IN "
        "('communes_france', 'codes_postaux', 'communes_fusionnees', 'epci', 'epci_membres'))").fetchall()
    for schema, table in own_tables:
        text = con.execute(f'SELECT lower(string_agg(CAST(t AS VARCHAR), \'|\')) FROM "{schema}"."{table}" t'
                           ).fetchone()[0] or ""
        assert not [word for word in FORBIDDEN if word in text], f"{schema}.{table}"
    assert not any(word in (base / "ref" / "rapport.yaml").read_text(encoding="utf-8").lower()
                   for word in FORBIDDEN)
    report = next((base / "rapport").glob("*.html")).read_text(encoding="utf-8")
    assert "<title>Observatoire social : CA du Grand Cahors" in report
    assert not any(word in report.lower() for word in FORBIDDEN)
    package = (base / "exports" / "datapackage.json").read_text(encoding="utf-8")
    assert "Observatoire social : CA du Grand Cahors : tables publiques" in package
    assert not any(word in package.lower() for word in FORBIDDEN)
