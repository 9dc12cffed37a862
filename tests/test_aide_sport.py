"""Aide à la pratique sportive, from two hand-written files to the indicator tables.

Files (under raw/aide_sport/), all persons fictitious:

  A "aides 2019.csv"  cp1252, ';', CRLF, amounts "90,00 €".  OLDER (mtime 2022-05-13).
     l2  D1 Dupont-Martin Léa 05/06/2012, QF 450, Judo Club Limogne-en-Quercy, 150 €, aid 90 €,
         15/09/2019                -> duplicate of B r3 (B is newer and wins)
     l3  (empty line)
     l4  D2 Kerbrat Gwendal 01/01/1985 (34), Fontanes, QF 900, Tennis, 100 €, aid 30 €, 10/10/2019
                                   -> kept, WARNING plafond: not eligible (QF >= 800) in 2017-2021
     l5  D2 same person, QF blank, Football, 100 €, aid 20 €, 10/11/2019
                                   -> kept, WARNING deuxième aide (first: l4) and
                                      WARNING plafond non vérifiable (no QF)
     l6  D3 Valsecchi Anatole 02/11/2004 (14), Limogne, QF 500, Basket, 120 €, aid 75 €, 20/09/2019
                                   -> kept, WARNING plafond: 50 % of 120 = 60 € allowed
     l7  D4 aid 45 € > licence 40 €       -> QUARANTINE
     l8  D5 aid "vingt euros"             -> QUARANTINE unreadable amount
     l9  D5 date 31/02/2019               -> QUARANTINE unreadable date
     l10 D8 Quievreux Apolline 11/08/2008 (8), Lalbenque, QF 450, Judo, 150 €, aid 50 €, 05/10/2016
                                   -> kept, band NR, WARNING plafond non vérifiable (no rule in 2016)
  B "APS 2022.xlsx"  a title row, header on row 2 (aliases), real date cells, a Total row.
                     NEWER (mtime 2023-01-10).
     r3  D1 "DUPONT MARTIN" "LEA", club "JUDO CLUB LIMOGNE EN QUERCY", the same aid as A l2
                                   -> kept (allowed 90 = min(70 % of 150, 90))
     r4  D6 Ortolani Philippine 21/06/2015 (7), Cremps, QF 800, Tennis, 140 €, aid "20,00 €",
         14/09/2022                -> kept (2022: QF >= 800 -> 20 €)
     r5  D7 Brisemontier Clémentine 05/12/2018 (3), Limogne, QF 420, Judo, 160 €, aid 80 €,
         21/09/2022                -> kept (min(112, 80))
     r6  D1 Dupont-Martin Léa, Lalbenque, QF 450, Judo, 150 €, aid 80 €, 12/01/2022 (9)
                                   -> kept (min(105, 80))
     r7  Total

Truth (2016: D8 alone, 50 €, in 46148, band NR, 6-11 in every table):
  aide_sport_annuel   2019: 3 persons (D1, D2, D3), 4 aids, 90 + 30 + 20 + 75 = 215 €
                      2022: 3 persons (D6, D7, D1), 3 aids, 20 + 80 + 80 = 180 €
  par_commune         2019: 46148 1 90 ; HORS_CC 1 50 ; 46173 1 75
                      2022: 46082 1 20 ; 46173 1 80 ; 46148 1 80
  par_tranche_qf      2019: 0-499 1 90 ; 800+ 1 50 (D2's latest aid with a QF) ; 500-799 1 75
                      2022: 0-499 2 160 ; 800+ 1 20
  par_tranche_age     2019: 6-11 1 90 ; 18+ 1 50 ; 12-14 1 75
                      2022: 6-11 2 100 ; 0-5 1 80
"""

import datetime as dt
import os
from decimal import Decimal

import pytest
import yaml
from conftest import write_csv, write_xlsx

from assets.indicators import run_sql_asset
from schemas import aide_sport as schemas
from schemas import validate_table
from sources.aide_sport import SPEC
from sources.loading import build_staging, load_raw
from sources.pseudonym import Pseudonymiser
from warehouse import PACKAGE_DIR
from warehouse.db import connect
from warehouse.reference import load_reference

OLD, NEW = 1_652_400_000, 1_673_300_000
HEADER = ["N° dossier", "Nom", "Prénom", "Date de naissance", "Sexe", "Commune", "QF", "Club", "Discipline",
          "Coût licence", "Montant aide", "Date d'attribution"]
ALIASES = ["Dossier", "Nom", "Prénom", "Né(e) le", "Sexe", "Commune", "Quotient familial",
           "Association sportive", "Sport", "Coût cotisation", "Aide accordée", "Date de l'aide"]
D = dt.date


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    base = tmp_path_factory.mktemp("aide_sport")
    folder = base / "raw" / "aide_sport"
    older = write_csv(folder / "aides 2019.csv", [
        HEADER,
        ["D1", "Dupont-Martin", "Léa", "05/06/2012", "F", "Lalbenque", "450", "Judo Club Limogne-en-Quercy",
         "Judo", "150,00 €", "90,00 €", "15/09/2019"],
        [""] * 12,
        ["D2", "Kerbrat", "Gwendal", "01/01/1985", "M", "Fontanes", "900", "Tennis Club du Causse", "Tennis",
         "100", "30", "10/10/2019"],
        ["D2", "Kerbrat", "Gwendal", "01/01/1985", "M", "Fontanes", "", "US Lalbenque", "Football",
         "100", "20,00 €", "10/11/2019"],
        ["D3", "Valsecchi", "Anatole", "02/11/2004", "M", "Limogne", "500", "Basket Causse Quercy", "Basket",
         "120,00 €", "75,00 €", "20/09/2019"],
        ["D4", "Pajaud", "Maxence", "17/05/1980", "M", "Cremps", "300", "Randonnée du Causse", "Randonnée",
         "40,00 €", "45,00 €", "01/10/2019"],
        ["D5", "Zimmerlin", "Ysaline", "30/01/2016", "F", "Lalbenque", "480", "Danse et Rythmes", "Danse",
         "200", "vingt euros", "05/10/2019"],
        ["D5", "Zimmerlin", "Ysaline", "30/01/2016", "F", "Lalbenque", "480", "Danse et Rythmes", "Danse",
         "200", "60", "31/02/2019"],
        ["D8", "Quievreux", "Apolline", "11/08/2008", "F", "Lalbenque", "450", "Judo Club Limogne-en-Quercy",
         "Judo", "150", "50,00 €", "05/10/2016"],
    ])
    newer = write_xlsx(folder / "APS 2022.xlsx", {"Aides": [
        ["Aide à la pratique sportive 2022"],
        ALIASES,
        ["D1", "DUPONT MARTIN", "LEA", D(2012, 6, 5), "F", "Lalbenque", 450, "JUDO CLUB LIMOGNE EN QUERCY",
         "JUDO", 150, 90, D(2019, 9, 15)],
        ["D6", "Ortolani", "Philippine", D(2015, 6, 21), "Féminin", "Cremps", 800, "Tennis Club du Causse",
         "Tennis", 140, "20,00 €", D(2022, 9, 14)],
        ["D7", "Brisemontier", "Clémentine", D(2018, 12, 5), "F", "Limogne-en-Quercy", 420,
         "Judo Club Limogne-en-Quercy", "Judo", 160, 80, D(2022, 9, 21)],
        ["D1", "Dupont-Martin", "Léa", D(2012, 6, 5), "F", "Lalbenque", 450, "Judo Club Limogne-en-Quercy",
         "Judo", 150, 80, D(2022, 1, 12)],
        ["Total", None, None, None, None, None, None, None, None, None, 270, None],
    ]})
    os.utime(older, (OLD, OLD))
    os.utime(newer, (NEW, NEW))
    con = connect(base / "w.duckdb")
    load_reference(con)
    load_raw(con, SPEC, base / "raw", Pseudonymiser(b"k"))
    build_staging(con, SPEC)
    catalogue = yaml.safe_load((PACKAGE_DIR / "indicateurs" / "aide_sport.yaml").read_text(encoding="utf-8"))
    for entry in catalogue:  # in the order of the catalogue: the intermediate view first
        run_sql_asset(con, entry["asset"])
    yield con, base / "w.duckdb"
    con.close()


@pytest.fixture
def con(warehouse):
    return warehouse[0]


def rows(con, sql):
    return con.execute(sql).fetchall()


def test_quarantine_names_file_line_column_and_reason(con):
    assert rows(con, "SELECT fichier_nom, ligne, colonne, valeur_brute, motif FROM qualite.quarantaine "
                     "ORDER BY ligne") == [
        ("aides 2019.csv", 7, "Montant aide, Coût licence", "45,00 € > 40,00 €",
         "Montant aide, Coût licence : aide (45,00 €) supérieure au coût de la licence (40,00 €)"),
        ("aides 2019.csv", 8, "Montant aide", "vingt euros", "Montant aide : nombre illisible : vingt euros"),
        ("aides 2019.csv", 9, "Date d'attribution", "31/02/2019",
         "Date d'attribution : date illisible : 31/02/2019"),
    ]


def test_the_same_aid_typed_twice_with_the_club_spelled_two_ways_is_one_aid(con):
    kept = rows(con, "SELECT fichier_nom, feuille, ligne, club, montant, montant_autorise, tranche_qf "
                     "FROM staging.aide_sport__aides WHERE date_attribution = DATE '2019-09-15'")
    assert kept == [("APS 2022.xlsx", "Aides", 3, "JUDO CLUB LIMOGNE EN QUERCY", Decimal("90.00"),
                     Decimal("90.00"), "0-499")]
    assert rows(con, "SELECT fichier_nom, lignes_lues, lignes_chargees, lignes_quarantaine, lignes_doublons, "
                     "lignes_vides_total FROM qualite.journal_chargement ORDER BY fichier_nom") == [
        ("APS 2022.xlsx", 5, 4, 0, 0, 1),
        ("aides 2019.csv", 9, 4, 3, 1, 1),
    ]


def test_one_person_whatever_the_spelling_of_the_name(con):
    aids = rows(con, "SELECT annee, count(DISTINCT personne_id), count(*) FROM staging.aide_sport__aides "
                     "GROUP BY annee ORDER BY annee")
    assert aids == [(2016, 1, 1), (2019, 3, 4), (2022, 3, 3)]
    (persons,) = con.execute("SELECT count(DISTINCT personne_id) FROM staging.aide_sport__aides").fetchone()
    assert persons == 6  # D1 in both 2019 and 2022


def test_amount_allowed_by_the_rule_in_force(con):
    allowed = rows(con, "SELECT fichier_nom, ligne, tranche_qf, montant_autorise FROM staging.aide_sport__aides "
                        "ORDER BY fichier_nom, ligne")
    assert allowed == [
        ("APS 2022.xlsx", 3, "0-499", Decimal("90.00")),  # 2019: min(105, 90)
        ("APS 2022.xlsx", 4, "800+", Decimal("20.00")),  # 2022, QF 800 exactly: 20 €
        ("APS 2022.xlsx", 5, "0-499", Decimal("80.00")),  # 2022: min(112, 80)
        ("APS 2022.xlsx", 6, "0-499", Decimal("80.00")),  # 2022: min(105, 80)
        ("aides 2019.csv", 4, "800+", Decimal("0.00")),  # 2019: QF >= 800 not eligible
        ("aides 2019.csv", 5, "NR", None),  # no QF
        ("aides 2019.csv", 6, "500-799", Decimal("60.00")),  # QF 500 exactly: min(60, 70)
        ("aides 2019.csv", 10, "NR", None),  # no rule before 2017
    ]


def test_rule_warnings_name_the_line_and_the_rows_stay(con):
    assert rows(con, "SELECT type, fichier_nom, feuille, ligne, colonne, message FROM qualite.avertissements "
                     "WHERE source = 'aide_sport' ORDER BY ligne, type") == [
        ("plafond", "aides 2019.csv", "", 4, "Montant aide",
         "aide de 30,00 € au-dessus du montant autorisé (0,00 €) par la règle 2017-2021 : QF ≥ 800 : pas d'aide"),
        ("deuxième aide", "aides 2019.csv", "", 5, None,
         "deuxième aide en 2019 pour la même personne (déjà aidée : aides 2019.csv ligne 4)"),
        ("plafond non vérifiable", "aides 2019.csv", "", 5, "QF",
         "QF non renseigné : le plafond de l'aide ne peut pas être vérifié"),
        ("plafond", "aides 2019.csv", "", 6, "Montant aide",
         "aide de 75,00 € au-dessus du montant autorisé (60,00 €) par la règle 2017-2021 : "
         "500 ≤ QF < 800 : 50 % du coût de la licence, plafonné à 70 €"),
        ("plafond non vérifiable", "aides 2019.csv", "", 10, "QF",
         "aucune règle d'attribution connue pour 2016 : le plafond ne peut pas être vérifié"),
    ]


def test_annual_indicator(con):
    assert rows(con, "SELECT annee, beneficiaires, aides, montant_total FROM indicateurs.aide_sport_annuel "
                     "ORDER BY annee") == [
        (2016, 1, 1, Decimal("50.00")), (2019, 3, 4, Decimal("215.00")), (2022, 3, 3, Decimal("180.00"))]


@pytest.mark.parametrize("table, key, expected", [
    ("aide_sport_par_commune", "code_commune", [(2016, "46148", 1, Decimal("50.00")),
        (2019, "46148", 1, Decimal("90.00")), (2019, "46173", 1, Decimal("75.00")),
        (2019, "HORS_CC", 1, Decimal("50.00")), (2022, "46082", 1, Decimal("20.00")),
        (2022, "46148", 1, Decimal("80.00")), (2022, "46173", 1, Decimal("80.00"))]),
    ("aide_sport_par_tranche_qf", "tranche_qf", [(2016, "NR", 1, Decimal("50.00")),
        (2019, "0-499", 1, Decimal("90.00")), (2019, "500-799", 1, Decimal("75.00")),
        (2019, "800+", 1, Decimal("50.00")), (2022, "0-499", 2, Decimal("160.00")),
        (2022, "800+", 1, Decimal("20.00"))]),
    ("aide_sport_par_tranche_age", "tranche_age", [(2016, "6-11", 1, Decimal("50.00")),
        (2019, "12-14", 1, Decimal("75.00")), (2019, "18+", 1, Decimal("50.00")),
        (2019, "6-11", 1, Decimal("90.00")), (2022, "0-5", 1, Decimal("80.00")),
        (2022, "6-11", 2, Decimal("100.00"))]),
])
def test_breakdowns(con, table, key, expected):
    assert rows(con, f"SELECT annee, {key}, beneficiaires, montant_total FROM indicateurs.{table} "
                     "ORDER BY ALL") == expected


@pytest.mark.parametrize("table, schema", [
    ("staging.aide_sport__aides", schemas.AideSportAides),
    ("indicateurs.aide_sport_annuel", schemas.AideSportAnnuel),
    ("indicateurs.aide_sport_par_commune", schemas.AideSportParCommune),
    ("indicateurs.aide_sport_par_tranche_age", schemas.AideSportParTrancheAge),
    ("indicateurs.aide_sport_par_tranche_qf", schemas.AideSportParTrancheQf),
])
def test_tables_pass_their_schema(con, table, schema):
    assert validate_table(con, table, schema).empty


def test_schemas_catch_an_aid_above_the_licence_cost_and_fewer_aids_than_persons(con):
    con.execute("CREATE TEMP TABLE mauvaises_aides AS SELECT * FROM staging.aide_sport__aides")
    con.execute("UPDATE mauvaises_aides SET montant = 200 WHERE ligne = 6")
    con.execute("CREATE TEMP TABLE mauvais_annuel AS SELECT * FROM indicateurs.aide_sport_annuel")
    con.execute("UPDATE mauvais_annuel SET aides = 2 WHERE annee = 2019")
    failures = validate_table(con, "mauvaises_aides", schemas.AideSportAides)
    assert list(failures["check"]) == ["aide supérieure au coût de la licence"]
    failures = validate_table(con, "mauvais_annuel", schemas.AideSportAnnuel)
    assert list(failures["check"]) == ["moins d'aides que de bénéficiaires"]


def test_no_name_birth_date_or_file_number_in_clear(warehouse):
    con, path = warehouse
    con.execute("CHECKPOINT")
    data = path.read_bytes()
    for clear in ["Dupont", "DUPONT", "Kerbrat", "Zimmerlin", "Brisemontier", "Ortolani"]:
        assert clear.encode() not in data, clear
    assert rows(con, "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name IN "
                     "('raw', 'staging') AND column_name IN ('nom', 'prenom', 'date_naissance', 'dossier')") == []
    famille = rows(con, "SELECT DISTINCT famille_id FROM staging.aide_sport__aides")
    assert len(famille) == 6 and all(len(f) == 32 for (f,) in famille)
