"""The catalogue: every table, view and column of every schema is described."""

import json

import duckdb
import pytest

from warehouse import settings
from warehouse.catalogue import SCHEMAS, Catalogue, catalogue_entries, write_catalogue
from warehouse.db import connect


@pytest.fixture(scope="module")
def demo(demo_run):
    _, outcome, path = demo_run
    assert outcome.published, outcome.errors
    with duckdb.connect(str(path), read_only=True) as con:
        yield con, path


def test_every_table_and_column_of_every_schema_has_an_entry(demo):
    con, _ = demo
    entries, missing = catalogue_entries(con, Catalogue())
    assert missing == []
    schemas = {s for (s,) in con.execute("SELECT schema_name FROM duckdb_tables()").fetchall()}
    assert schemas == {"ref", "raw", "staging", "indicateurs", "qualite", "public"} == set(SCHEMAS)
    described = con.execute(f"SELECT count(*) FROM duckdb_columns() WHERE schema_name IN {SCHEMAS}").fetchone()[0]
    assert con.execute("SELECT count(*) FROM ref.catalogue WHERE column_name IS NOT NULL").fetchone()[0] == described
    assert len(entries) == con.execute("SELECT count(*) FROM ref.catalogue").fetchone()[0]


def test_every_table_view_and_column_of_every_schema_has_a_duckdb_comment(demo):
    con, _ = demo
    internal = "('main', 'information_schema', 'pg_catalog')"
    assert con.execute("SELECT schema_name, table_name FROM duckdb_tables() WHERE comment IS NULL").fetchall() == []
    assert con.execute(f"SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal "
                       f"AND schema_name NOT IN {internal} AND comment IS NULL").fetchall() == []
    assert con.execute(f"SELECT schema_name, table_name, column_name FROM duckdb_columns() "
                       f"WHERE schema_name NOT IN {internal} AND comment IS NULL").fetchall() == []
    assert con.execute("SELECT count(*) FROM duckdb_views() WHERE schema_name = 'staging'").fetchone()[0] == 3
    comment = con.execute("SELECT comment FROM duckdb_tables() WHERE schema_name = 'raw' "
                          "AND table_name = 'pocketo__anomalies'").fetchone()[0]
    assert comment.startswith("Cellules illisibles (pocketo) : ") and "pocketo/" in comment


def test_an_analyst_sees_the_labels_as_duckdb_comments(demo):
    con, _ = demo
    assert con.execute("SELECT comment FROM duckdb_columns() WHERE schema_name = 'public' AND "
                       "table_name = 'alsh_annuel' AND column_name = 'heures_enfants'").fetchone()[0] == (
        "Heures enfants : Somme des heures de présence comptées sur les pointages « Présent » (heures "
        "réelles ou forfait de l'unité). Règle d'arrondi, la même partout : les secondes exactes de la "
        "cellule sont additionnées, puis le total est arrondi une seule fois au centième d'heure (demi "
        "au-dessus). Ce n'est donc pas la somme des heures arrondies de chaque pointage, et la somme des "
        "lignes d'une ventilation (par commune, par tranche de QF) peut s'écarter du total de quelques "
        "centièmes. Unité : heures.")
    comment = con.execute("SELECT comment FROM duckdb_tables() WHERE schema_name = 'public' "
                          "AND table_name = 'alsh_annuel'").fetchone()[0]
    assert comment.startswith("Accueils de loisirs, par an : ") and "secret statistique appliqué" in comment


def test_ref_catalogue_and_the_datapackage_say_the_same(demo):
    con, path = demo
    row = con.execute("SELECT libelle, unite, source FROM ref.catalogue WHERE schema_name = 'indicateurs' "
                      "AND table_name = 'alsh_annuel' AND column_name = 'places'").fetchone()
    assert row == ("Places", "places", "warehouse/ref/structures_capacite.csv")
    package = json.loads((settings.export_dir(path) / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in package["resources"] if r["name"] == "aide_sport_annuel-csv")
    titles = {f["name"]: f["title"] for f in resource["schema"]["fields"]}
    assert titles == {"annee": "Année", "beneficiaires": "Bénéficiaires", "aides": "Aides",
                      "montant_total": "Montant des aides", "secret": "Secret statistique"}


def test_a_column_takes_its_table_entry_else_the_shared_one():
    catalogue = Catalogue()
    shared = catalogue.describe_column("indicateurs", "alsh_par_commune", "annee")
    own = catalogue.describe_column("indicateurs", "ctg_suivi", "annee")
    assert (shared.libelle, own.libelle) == ("Année", "Année du suivi")
    public = catalogue.describe_column("public", "alsh_par_commune", "heures_enfants")
    assert (public.unite, public.source) == ("heures", "Pointages Pocketo des ALSH (dossier de dépôt pocketo/)")
    assert catalogue.describe_table("public", "inconnue") is None


def test_a_new_table_without_entry_is_reported(tmp_path):
    with connect(tmp_path / "w.duckdb") as con:
        con.execute("CREATE TABLE indicateurs.nouvelle (annee INTEGER, nb_inconnu INTEGER)")
        assert write_catalogue(con) == ["indicateurs.nouvelle", "indicateurs.nouvelle.annee",
                                        "indicateurs.nouvelle.nb_inconnu"]
        assert con.execute("SELECT count(*) FROM ref.catalogue WHERE table_name = 'nouvelle'").fetchone()[0] == 0
