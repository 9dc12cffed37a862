"""Statistical secrecy, on small hand-made indicator tables (warehouse/secrecy.py)."""

from decimal import Decimal

import pytest

from warehouse.db import connect
from warehouse.secrecy import (Breakdown, TableRule, load_rules, publish_indicators, publish_load_log,
                               publish_reconciliation)

PAR_COMMUNE = TableRule(
    comptes={"enfants_distincts": ["heures_enfants"]},
    ventilation=Breakdown(total="alsh_annuel", groupe=["structure_id", "annee"], ordre="enfants_distincts",
                          additives=["enfants_distincts", "heures_enfants"]))


@pytest.fixture
def con(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    con.execute("""
        CREATE TABLE indicateurs.alsh_par_commune (
            structure_id VARCHAR NOT NULL, annee INTEGER NOT NULL, code_commune VARCHAR NOT NULL,
            enfants_distincts INTEGER NOT NULL, heures_enfants DECIMAL(14, 2) NOT NULL,
            PRIMARY KEY (structure_id, annee, code_commune));
        INSERT INTO indicateurs.alsh_par_commune VALUES
            ('s1', 2022, '46148', 3, 10.50), ('s1', 2022, '46173', 7, 40), ('s1', 2022, '46105', 12, 80),
            ('s1', 2023, '46148', 2, 5), ('s1', 2023, '46173', 4, 9), ('s1', 2023, '46105', 6, 30),
            ('s2', 2022, '46148', 20, 100), ('s2', 2022, '46173', 30, 150);""")
    yield con
    con.close()


def public_rows(con, table="alsh_par_commune"):
    return con.execute(f"SELECT * FROM public.{table} ORDER BY ALL").fetchall()


def logged(con, table="alsh_par_commune"):
    return sorted(con.execute("SELECT cle, colonne, type FROM qualite.secret_statistique "
                              "WHERE table_name = ?", [table]).fetchall())


def test_one_small_cell_in_a_breakdown_masks_the_next_smallest_one_too(con):
    masked = publish_indicators(con, {"alsh_par_commune": PAR_COMMUNE}, threshold=5)
    assert masked == {"alsh_par_commune": 8}
    assert public_rows(con) == [
        ("s1", 2022, "46105", 12, Decimal("80.00"), False),
        ("s1", 2022, "46148", None, None, True),   # 3 children: primary, and their hours
        ("s1", 2022, "46173", None, None, True),   # 7: else 22 - 12 - 7 would give the 3 back
        ("s1", 2023, "46105", 6, Decimal("30.00"), False),  # two cells masked already: kept
        ("s1", 2023, "46148", None, None, True),
        ("s1", 2023, "46173", None, None, True),
        ("s2", 2022, "46148", 20, Decimal("100.00"), False),
        ("s2", 2022, "46173", 30, Decimal("150.00"), False),
    ]
    cle = "structure_id=s1, annee={}, code_commune={}"
    assert logged(con) == sorted([
        (cle.format(2022, 46148), "enfants_distincts", "primaire"),
        (cle.format(2022, 46148), "heures_enfants", "derive"),
        (cle.format(2022, 46173), "enfants_distincts", "secondaire"),
        (cle.format(2022, 46173), "heures_enfants", "secondaire"),
        (cle.format(2023, 46148), "enfants_distincts", "primaire"),
        (cle.format(2023, 46148), "heures_enfants", "derive"),
        (cle.format(2023, 46173), "enfants_distincts", "primaire"),
        (cle.format(2023, 46173), "heures_enfants", "derive"),
    ])


def test_the_threshold_is_a_parameter(con):
    publish_indicators(con, {"alsh_par_commune": PAR_COMMUNE}, threshold=3)
    rows = {(s, y, c): (n, h) for s, y, c, n, h, _ in public_rows(con)}
    assert rows[("s1", 2022, "46148")] == (3, Decimal("10.50"))  # 3 is not under 3
    assert rows[("s1", 2023, "46148")] == (None, None)            # 2 is
    assert rows[("s1", 2023, "46173")] == (None, None)            # and 4 is the next smallest
    assert rows[("s1", 2023, "46105")] == (6, Decimal("30.00"))


def test_public_table_keeps_the_columns_in_order_plus_secret_and_the_key(con):
    publish_indicators(con, {"alsh_par_commune": PAR_COMMUNE}, threshold=5)
    columns = con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'public' "
                          "AND table_name = 'alsh_par_commune' ORDER BY column_index").fetchall()
    assert columns == [("structure_id", "VARCHAR"), ("annee", "INTEGER"), ("code_commune", "VARCHAR"),
                       ("enfants_distincts", "INTEGER"), ("heures_enfants", "DECIMAL(14,2)"),
                       ("secret", "BOOLEAN")]
    key = con.execute("SELECT constraint_column_names FROM duckdb_constraints() WHERE schema_name = 'public' "
                      "AND constraint_type = 'PRIMARY KEY'").fetchone()[0]
    assert key == ["structure_id", "annee", "code_commune"]


def test_a_small_part_of_a_row_total_hides_another_part_and_household_figures(con):
    con.execute("""
        CREATE TABLE indicateurs.aide_alimentaire_annuel (
            structure_id VARCHAR NOT NULL, annee INTEGER NOT NULL, foyers INTEGER NOT NULL,
            personnes INTEGER NOT NULL, adultes INTEGER NOT NULL, enfants INTEGER NOT NULL,
            passages INTEGER NOT NULL, poids_kg DECIMAL(14, 2), PRIMARY KEY (structure_id, annee));
        INSERT INTO indicateurs.aide_alimentaire_annuel VALUES
            ('restos_lalbenque', 2022, 20, 50, 47, 3, 300, 4000.5),
            ('restos_concots', 2022, 3, 8, 5, 3, 12, 150),
            ('epicerie_rertr', 2022, 9, 9, 9, 0, 27, NULL);""")
    rules = {"aide_alimentaire_annuel": load_rules()["aide_alimentaire_annuel"],
             "alsh_par_commune": PAR_COMMUNE}
    publish_indicators(con, rules, threshold=5)
    assert public_rows(con, "aide_alimentaire_annuel") == [
        ("epicerie_rertr", 2022, 9, 9, 9, 0, 27, None, False),   # 0 children is no secret
        ("restos_concots", 2022, None, None, None, None, None, None, True),
        # 3 children: hidden, and the adults too, else personnes - adultes gives them back
        ("restos_lalbenque", 2022, 20, 50, None, None, 300, Decimal("4000.50"), True),
    ]
    assert logged(con, "aide_alimentaire_annuel") == sorted([
        ("structure_id=restos_concots, annee=2022", "foyers", "primaire"),
        ("structure_id=restos_concots, annee=2022", "enfants", "primaire"),
        ("structure_id=restos_concots, annee=2022", "adultes", "secondaire"),
        ("structure_id=restos_concots, annee=2022", "personnes", "derive"),
        ("structure_id=restos_concots, annee=2022", "passages", "derive"),
        ("structure_id=restos_concots, annee=2022", "poids_kg", "derive"),
        ("structure_id=restos_lalbenque, annee=2022", "enfants", "primaire"),
        ("structure_id=restos_lalbenque, annee=2022", "adultes", "secondaire"),
    ])


def test_a_column_its_declaration_does_not_classify_is_not_published(con):
    con.execute("CREATE TABLE indicateurs.nouvelle (annee INTEGER PRIMARY KEY, nb_personnes INTEGER, "
                "libelle VARCHAR); INSERT INTO indicateurs.nouvelle VALUES (2022, 2, 'x'), (2023, 40, 'y')")
    publish_indicators(con, {"alsh_par_commune": PAR_COMMUNE}, threshold=5)
    assert public_rows(con, "nouvelle") == [(2022, None, None, True), (2023, None, None, True)]
    assert logged(con, "nouvelle") == [("annee=2022", "libelle", "non_classe"),
                                       ("annee=2022", "nb_personnes", "non_classe"),
                                       ("annee=2023", "libelle", "non_classe"),
                                       ("annee=2023", "nb_personnes", "non_classe")]


def test_reconciliation_hides_the_computed_value_of_a_masked_cell(con):
    publish_indicators(con, {"alsh_par_commune": PAR_COMMUNE}, threshold=5)
    con.execute("""INSERT INTO qualite.rapprochement VALUES
        ('bilan', 'alsh_par_commune.enfants_distincts[code_commune=46148]', 's1', 2022, 3, 3, 0, 0, 'ok', NULL),
        ('bilan', 'alsh_par_commune.enfants_distincts[code_commune=46105]', 's1', 2022, 12, 12, 0, 0, 'ok', NULL),
        ('bilan', 'alsh_par_commune.heures_enfants', 's1', 2022, 130, 130.5, 0.5, 1, 'ok', NULL)""")
    assert publish_reconciliation(con, threshold=5) == 2
    rows = con.execute("SELECT indicateur, calcule, ecart, statut, secret FROM public.rapprochement "
                       "ORDER BY indicateur").fetchall()
    assert rows == [
        ("alsh_par_commune.enfants_distincts[code_commune=46105]", Decimal("12.00"), Decimal("0.00"), "ok", False),
        ("alsh_par_commune.enfants_distincts[code_commune=46148]", None, None, "ok", True),
        ("alsh_par_commune.heures_enfants", None, None, "ok", True),  # a sum over masked cells
    ]
    assert len(logged(con, "rapprochement")) == 4


def test_load_log_is_published_per_source_without_file_names(con):
    con.execute("""INSERT INTO qualite.journal_chargement VALUES
        ('pocketo', 'a.csv', 'h1', NULL, 'chargé', NULL, 10, 7, 1, 1, 1),
        ('pocketo', 'b.csv', 'h2', NULL, 'chargé', NULL, 5, 5, 0, 0, 0),
        ('pocketo', 'c.pdf', 'h3', NULL, 'ignoré', NULL, 0, 0, 0, 0, 0),
        ('pocketo', 'd.xlsx', 'h4', NULL, 'rejeté', 'illisible', 0, 0, 0, 0, 0)""")
    assert publish_load_log(con) == 1
    assert con.execute("SELECT * FROM public.qualite_chargement").fetchall() == [
        ("pocketo", 2, 1, 1, 0, 15, 12, 1, 1, 1)]
