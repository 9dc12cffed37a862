"""One declaration per table (warehouse/indicateurs/<service>.yaml, warehouse/tables.py): the DDL,
the pandera schema, the secrecy rules, the catalogue, the datapackage fields and the lineage are
generated from it. A new indicator table takes one declaration and one SQL file."""

import json
import shutil
from decimal import Decimal

import pytest

from assets.indicators import DECLARED, dependencies, run_sql_asset, schema_of, sql_assets
from schemas import validate_table
from warehouse import SQL_DIR
from warehouse.catalogue import Catalogue, write_catalogue
from warehouse.db import connect
from warehouse.exports import build_exports
from warehouse.secrecy import load_rules, publish_indicators
from warehouse.tables import (DECLARATIONS_DIR, DeclarationError, declared_indicators, declared_table,
                              load_tables, shared_columns)

NEW_TABLE = """
- asset: ind_essai__annuel
  libelle: Essai, par an
  definition: Une table d'indicateurs ajoutée par le test.
  source: staging.pocketo__presences
  cle: [structure_id, annee]
  colonnes:
    structure_id: {}
    annee: {}
    enfants_distincts: {secret: compte, masque_aussi: [heures_enfants]}
    heures_enfants: {secret: derive}
    seances:
      type: INTEGER
      min: 0
      libelle: Séances
      definition: Jours avec au moins une présence.
      unite: jours
      secret: libre
      motif: activité de la structure, pas des personnes
"""
NEW_SQL = """-- indicateurs.essai_annuel: a table added by the test.
INSERT INTO indicateurs.essai_annuel BY NAME
SELECT structure_id, annee, count(DISTINCT enfant_id) AS enfants_distincts,
       CAST(sum(heures) AS DECIMAL(14, 2)) AS heures_enfants, count(DISTINCT date_presence) AS seances
FROM staging.pocketo__presences
GROUP BY structure_id, annee;
"""


@pytest.fixture
def added(tmp_path, monkeypatch):
    """A copy of the declarations and SQL files with one more indicator table, and a warehouse
    whose staging holds the rows it reads: 2 children at alsh_limogne (masked), 6 at rdvj."""
    declarations, sql = tmp_path / "indicateurs", tmp_path / "sql"
    shutil.copytree(DECLARATIONS_DIR, declarations)
    shutil.copytree(SQL_DIR, sql)
    (declarations / "essai.yaml").write_text(NEW_TABLE, encoding="utf-8")
    (sql / "ind_essai__annuel.sql").write_text(NEW_SQL, encoding="utf-8")
    monkeypatch.setattr("warehouse.tables.DECLARATIONS_DIR", declarations)
    monkeypatch.setattr("warehouse.db.SQL_DIR", sql)
    con = connect(tmp_path / "w.duckdb")
    con.execute("""
        CREATE TABLE staging.pocketo__presences (structure_id VARCHAR, annee INTEGER, enfant_id VARCHAR,
                                                 date_presence DATE, heures DECIMAL(8, 2));
        INSERT INTO staging.pocketo__presences
        SELECT 'alsh_limogne', 2023, 'e' || (i % 2), make_date(2023, 3, 1 + i::INTEGER), 8 FROM range(4) t(i)
        UNION ALL
        SELECT 'rdvj', 2023, 'j' || (i % 6), make_date(2023, 7, 1 + (i % 3)::INTEGER), 3.5 FROM range(12) t(i);""")
    yield con, tmp_path
    con.close()


def test_a_new_indicator_table_needs_one_declaration_and_one_sql_file(added):
    con, folder = added
    tables = load_tables()
    table = next(t for t in tables if t.asset == "ind_essai__annuel")
    # the DDL and the SQL asset, with its lineage read from its SQL and its checks
    assert run_sql_asset(con, "ind_essai__annuel", tables) == 2
    assert con.execute("SELECT constraint_column_names FROM duckdb_constraints() WHERE table_name = "
                       "'essai_annuel' AND constraint_type = 'PRIMARY KEY'").fetchone()[0] == ["structure_id", "annee"]
    (asset,) = sql_assets(table, tables)
    assert {k.to_user_string() for k in asset.dependency_keys} == {"stg_pocketo__presences", "ref__structures"}
    assert [(c.name, c.blocking) for c in asset.check_specs] == [("schema_pandera", True)]
    # the generated pandera schema passes the table and catches a bad value
    assert validate_table(con, "indicateurs.essai_annuel", schema_of(table)).empty
    con.execute("UPDATE indicateurs.essai_annuel SET seances = -1 WHERE structure_id = 'rdvj'")
    assert len(validate_table(con, "indicateurs.essai_annuel", schema_of(table))) == 1
    con.execute("UPDATE indicateurs.essai_annuel SET seances = 3 WHERE structure_id = 'rdvj'")
    # statistical secrecy: the count of 2 children and its hours masked, the days published
    assert publish_indicators(con, load_rules(), threshold=5) == {"essai_annuel": 2}
    assert con.execute("SELECT * FROM public.essai_annuel ORDER BY ALL").fetchall() == [
        ("alsh_limogne", 2023, None, None, 4, True), ("rdvj", 2023, 6, Decimal("42.00"), 3, False)]
    # the catalogue and the DuckDB comments
    assert write_catalogue(con, Catalogue()) == []
    assert con.execute("SELECT comment FROM duckdb_columns() WHERE schema_name = 'public' AND "
                       "table_name = 'essai_annuel' AND column_name = 'seances'").fetchone()[0] == (
        "Séances : Jours avec au moins une présence. Unité : jours.")
    # the exports
    build_exports(con, folder / "exports", threshold=5)
    package = json.loads((folder / "exports" / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in package["resources"] if r["name"] == "essai_annuel-csv")
    fields = {f["name"]: f for f in resource["schema"]["fields"]}
    assert resource["title"] == "Essai, par an" and resource["schema"]["primaryKey"] == ["structure_id", "annee"]
    assert fields["seances"]["title"] == "Séances" and fields["seances"]["constraints"] == {"minimum": 0}
    assert fields["annee"]["constraints"] == {"required": True, "minimum": 2000, "maximum": 2100}


def declare(**entry):
    return declared_table({"asset": "ind_essai__annuel", "cle": ["annee"], **entry}, shared_columns())


def test_a_measure_without_secrecy_class_is_refused():
    with pytest.raises(DeclarationError, match="nb : secret attendu"):
        declare(colonnes={"annee": {}, "nb": {"type": "INTEGER"}})
    with pytest.raises(DeclarationError, match="montant : dérivé d'aucun compte"):
        declare(colonnes={"annee": {}, "nb": {"type": "INTEGER", "secret": "compte"},
                          "montant": {"type": "DECIMAL(14, 2)", "secret": "derive"}})
    with pytest.raises(DeclarationError, match="masque_aussi : heures n'est pas une colonne"):
        declare(colonnes={"annee": {}, "nb": {"type": "INTEGER", "secret": "compte", "masque_aussi": ["heures"]}})
    with pytest.raises(DeclarationError, match="nb : type manquant"):
        declare(colonnes={"annee": {}, "nb": {"secret": "libre", "motif": "x"}})
    with pytest.raises(DeclarationError, match=r"indicateurs.essai_annuel : clés inconnues \['depend_de'\]"):
        declare(colonnes={"annee": {}}, depend_de=["stg_pocketo__presences"])
    assert declare(colonnes={"annee": {}, "nb": {"type": "INTEGER"}}, secret={"libre": "pas de personne"})


def test_the_ddl_says_types_nulls_and_key():
    ddl = declared_indicators()["alsh_annuel"].ddl()
    assert ddl.startswith("CREATE OR REPLACE TABLE indicateurs.alsh_annuel (\n    structure_id VARCHAR NOT NULL,")
    assert "heures_enfants DECIMAL(14, 2) NOT NULL" in ddl and "places INTEGER,\n" in ddl
    assert ddl.endswith("PRIMARY KEY (structure_id, annee)\n)")


def test_sql_files_only_insert_and_declarations_have_no_hand_written_lineage():
    for table in DECLARED:
        sql = (SQL_DIR / f"{table.asset}.sql").read_text(encoding="utf-8")
        assert ("CREATE OR REPLACE VIEW" in sql) == table.view, table.asset
        assert "CREATE OR REPLACE TABLE" not in sql, table.asset
    assert "depend_de" not in "".join(p.read_text(encoding="utf-8") for p in DECLARATIONS_DIR.glob("*.yaml"))


def test_lineage_comes_from_the_sql_read_and_the_reference_checks():
    by_asset = {t.asset: t for t in DECLARED}
    assert "ref__structures_capacite" in dependencies(by_asset["ind_alsh__annuel"])
    assert "ref__aide_sport_regles" in dependencies(by_asset["ind_aide_sport__par_tranche_qf"])
    assert "ref__aide_sport_tranches_age" in dependencies(by_asset["ind_aide_sport__par_tranche_age"])
    assert dependencies(by_asset["ind_ctg__synthese"]) == ["ind_ctg__suivi", "ref__ctg_axes"]
