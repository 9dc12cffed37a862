"""The childcare coverage rate: a hand-made input computed by hand, the blocking checks of the
reference files, the reconciliation with a CAF figure, and the demo refresh."""

from decimal import Decimal

import dagster as dg
import duckdb
import pytest

from assets.indicators import DECLARED, run_sql_asset, sql_assets
from assets.petite_enfance import REF_CHECKS
from assets.reference import reference
from assets.resources import WarehouseResource
from schemas import validate_table
from schemas.petite_enfance import RefPetiteEnfanceOffre, RefPetiteEnfancePartMoins3Ans
from warehouse.settings import DEFAULT_REF_DIR
from warehouse.db import connect
from warehouse.reconciliation import computed_value, reconcile
from warehouse.reference import load_reference

EPCI = "244600532"
TAUX_CC = "petite_enfance_couverture.taux_couverture[code_geo=244600532]"
OFFRE_COLUMNS = ["annee", "code_commune", "type_accueil", "nb_places", "nb_professionnels",
                 "nature_chiffre", "source"]


def replace_rows(path, table: str, columns: list[str], rows: list[tuple]) -> None:
    """The table's rows replaced, the table rewritten as a refresh writes it: its rowids (which
    checks report) count from 0 again."""
    with duckdb.connect(str(path)) as con:
        con.execute(f"DELETE FROM {table}")
        if rows:
            con.executemany(f"INSERT INTO {table} ({', '.join(columns)}) "
                            f"VALUES ({', '.join('?' * len(columns))})", rows)
        con.execute(f"CREATE OR REPLACE TABLE {table} AS FROM {table}")


def run_assets(path, *names: str) -> None:
    for name in names:
        with connect(path) as con:  # one connection per asset, as in a run
            run_sql_asset(con, name)


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "w.duckdb"
    with connect(path) as con:
        load_reference(con)
    return path


@pytest.fixture
def hand_made(warehouse):
    """Two member communes and one outside the CC; the rates below are computed by hand."""
    replace_rows(warehouse, "ref.communes",
                 ["code_commune", "nom", "epci_siren", "membre_cc"],
                 [("46148", "Lalbenque", EPCI, True), ("46105", "Flaujac-Poujols", EPCI, True),
                  ("46109", "Fontanes", None, False)])
    replace_rows(warehouse, "ref.communes_population",
                 ["code_commune", "annee", "population_municipale", "source"],
                 [("46148", 2021, 2000, "test"), ("46105", 2020, 820, "test"),
                  ("46109", 2021, 900, "test")])
    replace_rows(warehouse, "ref.petite_enfance_part_moins_3_ans",
                 ["annee_debut", "annee_fin", "part_moins_3_ans", "nature_chiffre", "source"],
                 [(2019, None, "0.0250", "demonstration", "test")])
    replace_rows(warehouse, "ref.population_moins_3_ans",
                 ["code_commune", "annee", "enfants_moins_3_ans", "nature_chiffre", "source"],
                 [("46148", 2022, 47, "publie", "INSEE RP (test)")])
    replace_rows(warehouse, "ref.petite_enfance_offre", OFFRE_COLUMNS, [
        (2021, "46105", "micro_creche", 11, None, "publie", "t"),
        (2021, "46105", "assistantes_maternelles", 14, 4, "releve", "t"),
        (2021, "46148", "assistantes_maternelles", 30, 9, "releve", "t"),
        (2021, "46148", "prescolarisation", 5, None, "releve", "t"),
        (2022, "46105", "micro_creche", 12, None, "publie", "t"),
        (2022, "46148", "assistantes_maternelles", 25, 7, "releve", "t"),
        (2022, "46148", "mam", 16, 4, "estimation", "t"),
    ])
    run_assets(warehouse, "int_petite_enfance__moins_3_ans", "ind_petite_enfance__couverture")
    return warehouse


def test_coverage_rate_computed_by_hand(hand_made):
    with duckdb.connect(str(hand_made), read_only=True) as con:
        rows = con.execute(
            "SELECT annee, code_geo, niveau_geo, places_micro_creche, places_assistantes_maternelles, "
            "places_mam, places_prescolarisation, places_total, nb_assistantes_maternelles, "
            "enfants_moins_3_ans, taux_couverture, nature_moins_3_ans "
            "FROM indicateurs.petite_enfance_couverture ORDER BY annee, code_geo").fetchall()
    # children: 2000 × 2.5 % = 50; 820 × 2.5 % = 20.5 → 21 (vintage 2020 for 2021 and 2022);
    # Lalbenque 2022: the count 47. Fontanes is outside the CC: no row.
    assert rows == [
        (2021, "244600532", "epci", 11, 44, 0, 5, 60, 13, 71, Decimal("84.51"), "estimation"),  # 6000/71
        (2021, "46105", "commune", 11, 14, 0, 0, 25, 4, 21, Decimal("119.05"), "estimation"),  # 2500/21
        (2021, "46148", "commune", 0, 30, 0, 5, 35, 9, 50, Decimal("70.00"), "estimation"),
        (2022, "244600532", "epci", 12, 25, 16, 0, 53, 11, 68, Decimal("77.94"), "mixte"),  # 5300/68
        (2022, "46105", "commune", 12, 0, 0, 0, 12, 0, 21, Decimal("57.14"), "estimation"),  # 1200/21
        (2022, "46148", "commune", 0, 25, 16, 0, 41, 11, 47, Decimal("87.23"), "publie"),  # 4100/47
    ]


def test_the_source_of_the_under_3_figure_says_count_or_estimate_and_its_vintage(hand_made):
    with duckdb.connect(str(hand_made), read_only=True) as con:
        sources = dict(con.execute(
            "SELECT code_geo, source_moins_3_ans FROM indicateurs.petite_enfance_couverture "
            "WHERE annee = 2022").fetchall())
    assert sources["46148"] == "INSEE RP (test)"
    assert sources["46105"] == ("estimation : population municipale 2020 (ref.communes_population) × "
                                "2,50 % de moins de 3 ans (part de petite_enfance_part_moins_3_ans.csv, "
                                "nature : demonstration)")
    assert sources[EPCI] == "somme des communes, de sources différentes : voir les lignes par commune"


def test_each_under_3_row_says_the_reference_files_it_comes_from(hand_made):
    with duckdb.connect(str(hand_made), read_only=True) as con:
        rows = con.execute("SELECT annee, code_commune, fichier_nom, table_ref FROM "
                           "staging.petite_enfance__moins_3_ans ORDER BY ALL").fetchall()
    estimate = ("communes_population.csv, petite_enfance_part_moins_3_ans.csv",
                "ref.communes_population, ref.petite_enfance_part_moins_3_ans")
    assert rows == [(2021, "46105", *estimate), (2021, "46148", *estimate), (2022, "46105", *estimate),
                    (2022, "46148", "population_moins_3_ans.csv", "ref.population_moins_3_ans")]


def test_a_commune_without_any_figure_leaves_the_cc_rate_unknown(hand_made):
    replace_rows(hand_made, "ref.petite_enfance_part_moins_3_ans",
                 ["annee_debut", "annee_fin", "part_moins_3_ans", "nature_chiffre", "source"],
                 [(2019, 2021, "0.0250", "demonstration", "test")])
    run_assets(hand_made, "int_petite_enfance__moins_3_ans", "ind_petite_enfance__couverture")
    with duckdb.connect(str(hand_made), read_only=True) as con:
        rows = con.execute("SELECT code_geo, enfants_moins_3_ans, taux_couverture, source_moins_3_ans "
                           "FROM indicateurs.petite_enfance_couverture WHERE annee = 2022 "
                           "ORDER BY code_geo").fetchall()
    assert [row[:3] for row in rows] == [(EPCI, None, None), ("46105", None, None),
                                         ("46148", 47, Decimal("87.23"))]
    assert rows[1][3].startswith("aucun chiffre : ni ligne dans population_moins_3_ans.csv")


def test_a_published_caf_rate_is_reconciled_with_the_cc_row(hand_made):
    replace_rows(hand_made, "ref.chiffres_publies",
                 ["source", "indicateur", "structure_id", "annee", "valeur", "unite", "tolerance"],
                 [("CAF (test)", TAUX_CC, None, 2022, "77.9", "places pour 100 enfants", "0.1"),
                  ("CAF (test)", TAUX_CC, None, 2021, "80.0", "places pour 100 enfants", "0.1"),
                  ("CAF (test)", TAUX_CC, None, 2023, "80.0", "places pour 100 enfants", "0.1")])
    with connect(hand_made) as con:
        assert computed_value(con, TAUX_CC, None, 2022) == Decimal("77.94")
        result = reconcile(con)
    assert sorted(zip(result["annee"], result["statut"])) == [(2021, "écart"), (2022, "ok"),
                                                             (2023, "sans donnée")]


def _failures(warehouse, table, schema):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        failures = validate_table(con, table, schema)
    return sorted({(row["check"], row["index"]) for _, row in failures.iterrows()})


def test_offer_file_mistakes_are_reported_row_by_row(warehouse):
    replace_rows(warehouse, "ref.petite_enfance_offre", OFFRE_COLUMNS, [
        (2022, "46105", "micro_creche", 14, None, "publie", "x"),  # 0: above the ceiling
        (2022, "46148", "assistantes_maternelles", 30, 2, "demonstration", "x"),  # 1: 15 per AM
        (2022, "46109", "creche", 10, None, "inventee", ""),  # 2: outside the CC, unknown codes
        (2022, "46148", "mam", 16, None, "estimation", "x"),  # 3: childminders missing
        (2022, "46148", "assistantes_maternelles", 3, 1, "demonstration", "x"),  # 4: duplicate of 1
    ])
    failures = _failures(warehouse, "ref.petite_enfance_offre", RefPetiteEnfanceOffre)
    childminders = ("assistantes maternelles et MAM : nb_professionnels obligatoire, et au plus 6 "
                    "places par assistante maternelle")
    assert failures == sorted([
        ("une micro-crèche a au plus 12 places", 0),
        (childminders, 1), (childminders, 3),
        ("code INSEE d'une commune de la CC attendu", 2),
        ("type_accueil : code attendu parmi ['assistantes_maternelles', 'mam', 'micro_creche', "
         "'prescolarisation']", 2),
        ("nature_chiffre : code attendu parmi ['demonstration', 'estimation', 'publie', 'recensement', "
         "'releve']", 2),
        ("texte obligatoire", 2),
        ("multiple_fields_uniqueness", 1), ("multiple_fields_uniqueness", 4),
    ])


def test_overlapping_shares_of_under_3s_are_refused(warehouse):
    replace_rows(warehouse, "ref.petite_enfance_part_moins_3_ans",
                 ["annee_debut", "annee_fin", "part_moins_3_ans", "nature_chiffre", "source"],
                 [(2019, None, "0.0270", "demonstration", "a"), (2023, None, "0.0260", "publie", "b"),
                  (2010, 2012, "0.12", "publie", "c")])
    assert _failures(warehouse, "ref.petite_enfance_part_moins_3_ans", RefPetiteEnfancePartMoins3Ans) == [
        ("part entre 0 et 0,1 attendue", 2),
        ("périodes qui se chevauchent (seule la dernière peut rester ouverte)", 1),
    ]


def test_a_failing_reference_check_blocks_the_coverage_table(tmp_path, monkeypatch):
    ref_dir = tmp_path / "ref"
    ref_dir.mkdir()
    for path in DEFAULT_REF_DIR.glob("*.csv"):
        (ref_dir / path.name).write_bytes(path.read_bytes())
    with (ref_dir / "petite_enfance_offre.csv").open("a", encoding="utf-8") as handle:
        handle.write("2023,46105,micro_creche,20,,publie,faute de frappe\n")
    monkeypatch.setenv("OBSERVATOIRE_REF_DIR", str(ref_dir))
    mine = [d for table in DECLARED if "petite_enfance" in table.asset for d in sql_assets(table)]
    result = dg.materialize(
        [reference, *REF_CHECKS, *mine],
        resources={"warehouse": WarehouseResource(path=str(tmp_path / "w.duckdb"), raw_dir=str(tmp_path))},
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False,
    )
    failed = {e.asset_key.to_user_string() for e in result.get_asset_check_evaluations() if not e.passed}
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert failed == {"ref__petite_enfance_offre"}
    assert "ref__petite_enfance_offre" in materialized
    assert not materialized & {"int_petite_enfance__moins_3_ans", "ind_petite_enfance__couverture"}


@pytest.fixture(scope="module")
def demo(demo_run):
    _, outcome, path = demo_run
    con = duckdb.connect(str(path), read_only=True)
    yield outcome, con
    con.close()


def test_the_demo_refresh_passes_the_reference_checks(demo):
    outcome, _ = demo
    mine = [c for c in outcome.failed_checks if c.startswith(
        ("ref__petite_enfance", "ref__population_moins_3_ans", "ref__ctg", "ind_petite_enfance", "ind_ctg"))]
    assert mine == []


def test_the_demo_refresh_fills_the_coverage_table_for_2019_to_2023(demo):
    _, con = demo
    rows = con.execute(
        "SELECT annee, places_micro_creche, places_mam, places_total, enfants_moins_3_ans, "
        "taux_couverture, nature_moins_3_ans FROM indicateurs.petite_enfance_couverture "
        "WHERE code_geo = '244600532' ORDER BY annee").fetchall()
    # micro-crèche 11 places, + 1 emergency place from 2022; MAMs: Varaire 2020 (12 places),
    # Lalbenque 2022 (16), Limogne-en-Quercy 2023 (12); children: Σ round(population × 2.7 %).
    assert rows == [
        (2019, 11, 0, 168, 230, Decimal("73.04"), "estimation"),
        (2020, 11, 12, 174, 233, Decimal("74.68"), "estimation"),
        (2021, 11, 12, 173, 236, Decimal("73.31"), "estimation"),
        (2022, 12, 28, 181, 242, Decimal("74.79"), "estimation"),
        (2023, 12, 40, 189, 244, Decimal("77.46"), "estimation"),
    ]
    per_year = con.execute("SELECT annee, count(*) FROM indicateurs.petite_enfance_couverture "
                           "WHERE niveau_geo = 'commune' GROUP BY annee ORDER BY annee").fetchall()
    assert per_year == [(year, 23) for year in range(2019, 2024)]
    mams = con.execute("SELECT code_geo, min(annee) FROM indicateurs.petite_enfance_couverture "
                       "WHERE niveau_geo = 'commune' AND places_mam > 0 GROUP BY code_geo "
                       "ORDER BY 2").fetchall()
    assert mams == [("46328", 2020), ("46148", 2022), ("46173", 2023)]
