"""Food-aid logs (sources.md §3) from real files to the indicator tables, against figures
computed by hand.

Households (numbers belong to each association):
  R12  Restos Lalbenque n° 12: 1 adult + 1 child on 15/03/2022, + 2 children from 22/03/2022
       (a growing family), moved to Cremps on 06/12/2022.             2022: 3 passages, 41.5 kg
  R7   Restos Lalbenque n° 7: a couple (Limogne), orientation "Voisine" (not in the list);
       2022: 1 passage 10 kg; 2023: a child, 1 passage 16 kg.
  S12  Secours populaire n° 12 (another household than R12): 2 adults + 3 children on 05/04/2022
       weighing "1 020,5" (NBSP thousands), 2 + 2 on 19/04 (commune left blank).   1 038.75 kg
  S3   Secours populaire n° 3: alone, Nb enfants blank, Fontanes (outside the CC), no weight.
  S9   Secours populaire n° 9: alone, only in the older partial re-export, 8,4 kg.

Files under aide_alimentaire/:
  F1 Restos Lalbenque 2022.xlsx: 2 title rows, header row 3, real date cells, a Total row (12).
     r4 R12 15/03  r5 R7 15/03  r6 Nb adultes 0 -> Q  r7 R12 22/03  r8 date 31/11/2022 -> Q
     r9 R12 06/12  r10 unknown structure -> Q  r11 R7 10/01/2023  r12 Total
  F2 secours_populaire_2022.csv (cp1252, ';', CRLF, aliases), the newer export:
     l2 S12 05/04  l3 S3 05/04  l4 composition "Colocation" -> Q  l5 S12 19/04
     l6 structure "alsh_lalbenque" (not a food-aid structure) -> Q   l7 2 adults + 45 children -> Q
  F3 secours_populaire_2022_janv-avril.csv, older: l2 S12 05/04 weighing 20 (conflict: F2 wins),
     l3 S3 05/04 identical (duplicate), l4 S9 01/02.
"""

import datetime as dt
import os
from decimal import Decimal

import pandas as pd
import pandera.pandas as pa
import pytest
from conftest import write_csv, write_xlsx

from assets.indicators import run_sql_asset
from schemas import aide_alimentaire as schemas
from schemas import validate_table
from sources.aide_alimentaire import SPEC
from sources.loading import build_staging, load_raw
from sources.parsing import fold
from sources.pseudonym import Pseudonymiser
from warehouse.checks import staged_rows_without_log, unaccounted_files
from warehouse.db import connect
from warehouse.reference import load_reference, read_ref

HEADER = ["Date", "Structure", "N° foyer", "Commune", "Composition familiale", "Nb adultes",
          "Nb enfants", "Orienté par", "Poids (kg)"]
ALIASES = ["Date de distribution", "Association", "N° bénéficiaire", "Commune de résidence",
           "Type de foyer", "Adultes", "Enfants", "Orienteur", "Poids"]
RESTOS, SPF = "Restos du Cœur Lalbenque", "Secours Populaire Lalbenque"
INDICATOR_ASSETS = ["int_aide_alimentaire__foyers_annee", "ind_aide_alimentaire__annuel",
                    "ind_aide_alimentaire__par_commune", "ind_aide_alimentaire__mensuel"]
OLD, NEW = 1_650_000_000, 1_680_000_000


def passage(date, structure, foyer, commune, composition, adultes, enfants, orientation, poids):
    return [date, structure, foyer, commune, composition, adultes, enfants, orientation, poids]


def _write_restos(path):
    d = dt.datetime
    write_xlsx(path, {"Feuil1": [
        ["Restos du Cœur — centre de Lalbenque"],
        ["Campagne 2022-2023, saisie des passages"],
        HEADER,
        passage(d(2022, 3, 15), RESTOS, 12, "Lalbenque", "Famille monoparentale", 1, 1,
                "Travailleur social", 12.5),
        passage(d(2022, 3, 15), RESTOS, 7, "Limogne", "Couple sans enfant", 2, 0, "Voisine", 10),
        passage(d(2022, 3, 15), RESTOS, 30, "Lalbenque", "Personne seule", 0, 0, "CAF", 5),
        passage(d(2022, 3, 22), RESTOS, 12, "Lalbenque", "Famille monoparentale", 1, 2,
                "Travailleur social", 15),
        passage("31/11/2022", RESTOS, 31, "Lalbenque", "Personne seule", 1, 0, "CAF", 5),
        passage(d(2022, 12, 6), RESTOS, 12, "Cremps", "Famille monoparentale", 1, 2, "", 14),
        passage(d(2022, 12, 6), "Restos du Cœur Cahors", 32, "Cahors", "Personne seule", 1, 0,
                "CAF", 5),
        passage(d(2023, 1, 10), RESTOS, 7, "LIMOGNE EN QUERCY", "Couple avec enfant(s)", 2, 1,
                "Autre", 16),
        ["Total", None, None, None, None, 9, 6, None, 82.5],
    ]})


def _write_secours(folder):
    header = [ALIASES[0], ALIASES[1], ALIASES[2], HEADER[3], ALIASES[4], ALIASES[5], ALIASES[6],
              ALIASES[7], ALIASES[8]]
    new = write_csv(folder / "secours_populaire_2022.csv", [
        header,
        passage("05/04/2022", SPF, "12", "Flaujac", "Couple avec enfant(s)", "2", "3",
                "Assistante sociale", "1\u00a0020,5"),
        passage("05/04/22", SPF, "3", "Fontanes", "Personne seule", "1", "", "spontanée", ""),
        passage("05/04/2022", SPF, "4", "Lalbenque", "Colocation", "2", "0", "CCAS", "9"),
        passage("19/04/2022", SPF, "12", "", "Couple avec enfant(s)", "2", "2",
                "Assistante sociale", "18,25"),
        passage("19/04/2022", "alsh_lalbenque", "5", "Lalbenque", "Personne seule", "1", "0",
                "CCAS", "9"),
        passage("19/04/2022", SPF, "6", "Lalbenque", "Couple avec enfant(s)", "2", "45", "CCAS", "9"),
    ])
    old = write_csv(folder / "secours_populaire_2022_janv-avril.csv", [
        header,
        passage("05/04/2022", SPF, "12", "Flaujac", "Couple avec enfant(s)", "2", "3",
                "Assistante sociale", "20"),
        passage("05/04/22", SPF, "3", "Fontanes", "Personne seule", "1", "", "spontanée", ""),
        passage("01/02/2022", SPF, "9", "Lalbenque", "Seule", "1", "0", "MSA", "8,4"),
    ])
    os.utime(old, (OLD, OLD))
    os.utime(new, (NEW, NEW))


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    base = tmp_path_factory.mktemp("aide_alimentaire")
    folder = base / "raw" / "aide_alimentaire"
    _write_restos(folder / "Restos Lalbenque 2022.xlsx")
    os.utime(folder / "Restos Lalbenque 2022.xlsx", (NEW, NEW))
    _write_secours(folder)
    connection = connect(base / "w.duckdb")
    load_reference(connection)
    load_raw(connection, SPEC, base / "raw", Pseudonymiser(b"k"))
    build_staging(connection, SPEC)
    for asset in INDICATOR_ASSETS:
        run_sql_asset(connection, asset)
    yield connection
    connection.close()


def test_annual_figures(con):
    rows = con.execute("SELECT * FROM indicateurs.aide_alimentaire_annuel ORDER BY ALL").fetchall()
    assert rows == [
        ("restos_lalbenque", 2022, 2, 5, 3, 2, 4, Decimal("51.50")),
        ("restos_lalbenque", 2023, 1, 3, 2, 1, 1, Decimal("16.00")),
        ("secours_populaire_lalbenque", 2022, 3, 7, 4, 3, 4, Decimal("1047.15")),
    ]


def test_a_household_is_counted_in_its_latest_commune_given(con):
    rows = con.execute("SELECT * FROM indicateurs.aide_alimentaire_par_commune ORDER BY ALL").fetchall()
    assert rows == [
        ("restos_lalbenque", 2022, "46082", 1, 3),  # R12 moved to Cremps in December
        ("restos_lalbenque", 2022, "46173", 1, 2),
        ("restos_lalbenque", 2023, "46173", 1, 3),
        ("secours_populaire_lalbenque", 2022, "46105", 1, 5),  # S12: 19/04 blank, 05/04 Flaujac
        ("secours_populaire_lalbenque", 2022, "46148", 1, 1),
        ("secours_populaire_lalbenque", 2022, "HORS_CC", 1, 1),
    ]


def test_monthly_passages_and_households(con):
    rows = con.execute("SELECT * FROM indicateurs.aide_alimentaire_mensuel ORDER BY ALL").fetchall()
    assert rows == [
        ("restos_lalbenque", 2022, 3, 3, 2),
        ("restos_lalbenque", 2022, 12, 1, 1),
        ("restos_lalbenque", 2023, 1, 1, 1),
        ("secours_populaire_lalbenque", 2022, 2, 1, 1),
        ("secours_populaire_lalbenque", 2022, 4, 3, 2),
    ]


def test_growing_family_counts_at_its_largest(con):
    rows = con.execute("""
        SELECT personnes, adultes, enfants, passages, poids_kg FROM staging.aide_alimentaire__foyers_annee
        WHERE structure_id = 'restos_lalbenque' AND annee = 2022 ORDER BY personnes""").fetchall()
    assert rows == [(2, 2, 0, 1, Decimal("10.00")), (3, 1, 2, 3, Decimal("41.50"))]


def test_same_number_at_two_associations_is_two_households(con):
    ids = con.execute("""
        SELECT DISTINCT structure_id, foyer_id FROM staging.aide_alimentaire__passages
        WHERE date_passage IN ('2022-03-15', '2022-04-05') AND nb_enfants > 0""").fetchall()
    assert len(ids) == 2 and len({foyer for _, foyer in ids}) == 2
    assert con.execute("SELECT count(DISTINCT foyer_id) FROM staging.aide_alimentaire__passages"
                       ).fetchone()[0] == 5


def test_weights_read_from_french_text(con):
    weights = con.execute("""
        SELECT fichier_nom, ligne, poids_kg, nb_enfants FROM staging.aide_alimentaire__passages
        WHERE structure_id = 'secours_populaire_lalbenque' ORDER BY date_passage, ligne""").fetchall()
    assert weights == [
        ("secours_populaire_2022_janv-avril.csv", 4, Decimal("8.40"), 0),
        ("secours_populaire_2022.csv", 2, Decimal("1020.50"), 3),
        ("secours_populaire_2022.csv", 3, None, 0),  # Nb enfants left blank: none
        ("secours_populaire_2022.csv", 5, Decimal("18.25"), 2),
    ]


def test_orientation_labels_map_to_categories_and_unknown_ones_are_kept(con):
    rows = con.execute("""
        SELECT ligne, orientation, orientation_non_reconnue FROM staging.aide_alimentaire__passages
        WHERE fichier_nom = 'Restos Lalbenque 2022.xlsx' ORDER BY ligne""").fetchall()
    assert rows == [(4, "travailleur_social", None), (5, "autre", "Voisine"),
                    (7, "travailleur_social", None), (9, None, None), (11, "autre", None)]
    spf = con.execute("SELECT DISTINCT orientation FROM staging.aide_alimentaire__passages "
                      "WHERE structure_id = 'secours_populaire_lalbenque' ORDER BY ALL").fetchall()
    assert spf == [("msa",), ("spontane",), ("travailleur_social",)]


def test_quarantine_reasons(con):
    rows = con.execute("SELECT fichier_nom, ligne, colonne, valeur_brute, motif FROM qualite.quarantaine "
                       "ORDER BY fichier_nom, ligne").fetchall()
    assert rows == [
        ("Restos Lalbenque 2022.xlsx", 6, "Nb adultes", "0",
         "Nb adultes : au moins un adulte attendu par foyer : 0"),
        ("Restos Lalbenque 2022.xlsx", 8, "Date", "31/11/2022", "Date : date illisible : 31/11/2022"),
        ("Restos Lalbenque 2022.xlsx", 10, "Structure", "Restos du Cœur Cahors",
         "Structure : structure inconnue : Restos du Cœur Cahors"),
        ("secours_populaire_2022.csv", 4, "Composition familiale", "Colocation",
         "Composition familiale : valeur inconnue : Colocation"),
        ("secours_populaire_2022.csv", 6, "Structure", "alsh_lalbenque",
         "Structure : structure qui ne fait pas d'aide alimentaire : alsh_lalbenque"),
        ("secours_populaire_2022.csv", 7, "Nb adultes, Nb enfants", "2 + 45",
         "Nb adultes, Nb enfants : foyer de plus de 20 personnes (faute de frappe ?) : "
         "2 adulte(s) et 45 enfant(s)"),
    ]


def test_warnings_on_kept_passages(con):
    rows = con.execute("SELECT type, fichier_nom, ligne, message FROM qualite.avertissements "
                       "WHERE source = 'aide_alimentaire' ORDER BY ALL").fetchall()
    assert rows == [
        ("conflit", "secours_populaire_2022_janv-avril.csv", 2,
         "ligne en double avec des valeurs différentes : remplacée par secours_populaire_2022.csv "
         "ligne 2 (fichier le plus récent)"),
        ("orientation non reconnue", "Restos Lalbenque 2022.xlsx", 5,
         "orienteur absent de la liste de référence, compté en « autre » : Voisine "
         "(1 passage(s) de ce fichier, première ligne 5)"),
        ("poids inhabituel", "secours_populaire_2022.csv", 2,
         "poids de 1020.50 kg pour un seul passage : à vérifier (gardé tel quel)"),
    ]


def test_every_row_is_accounted_for(con):
    log = con.execute(
        "SELECT fichier_nom, lignes_lues, lignes_chargees, lignes_quarantaine, lignes_doublons, "
        "lignes_vides_total FROM qualite.journal_chargement WHERE source = 'aide_alimentaire' "
        "ORDER BY fichier_nom").fetchall()
    assert log == [("Restos Lalbenque 2022.xlsx", 9, 5, 3, 0, 1),
                   ("secours_populaire_2022.csv", 6, 3, 3, 0, 0),
                   ("secours_populaire_2022_janv-avril.csv", 3, 1, 0, 2, 0)]
    assert unaccounted_files(con, "aide_alimentaire").empty
    assert staged_rows_without_log(con, "aide_alimentaire", SPEC.staging_table) == 0


def test_household_numbers_never_reach_the_warehouse(con):
    columns = {c for (c,) in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name LIKE 'aide_alimentaire%'"
    ).fetchall()}
    assert "foyer" not in columns and "foyer_id" in columns
    ids = [i for (i,) in con.execute("SELECT foyer_id FROM staging.aide_alimentaire__passages").fetchall()]
    assert all(len(i) == 32 and not i.isdigit() for i in ids)


def test_tables_pass_their_schemas(con):
    tables = {"staging.aide_alimentaire__passages": schemas.AideAlimentairePassages,
              "indicateurs.aide_alimentaire_annuel": schemas.AideAlimentaireAnnuel,
              "indicateurs.aide_alimentaire_par_commune": schemas.AideAlimentaireParCommune,
              "indicateurs.aide_alimentaire_mensuel": schemas.AideAlimentaireMensuel}
    for table, schema in tables.items():
        assert validate_table(con, table, schema).empty, table


def test_the_annual_schema_refuses_persons_that_do_not_add_up():
    row = {"structure_id": "restos_limogne", "annee": 2022, "foyers": 2, "personnes": 5, "adultes": 2,
           "enfants": 2, "passages": 3, "poids_kg": 10.0}
    with pytest.raises(pa.errors.SchemaError, match="personnes = adultes \\+ enfants"):
        schemas.AideAlimentaireAnnuel.validate(pd.DataFrame([row]))


def test_orientation_aliases_are_unambiguous_and_point_to_known_categories():
    codes = {row["orientation"] for row in read_ref("aide_alimentaire_orientations")}
    aliases = read_ref("aide_alimentaire_orientations_alias")
    assert {row["orientation"] for row in aliases} <= codes
    folded = [fold(row["alias"]) for row in aliases]
    assert len(folded) == len(set(folded))
