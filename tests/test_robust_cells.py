"""Issue 17, cells and rules: no cell can abort a refresh. A bad cell is quarantined with a
plain-French reason (file, line, column), or read with a warning; every other row loads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pandera.pandas as pa
import pytest

from assets.sources import schema_result
from conftest import POCKETO_HEADER, presence, write_csv, write_xlsx
from schemas import describe_failures, integer, validate_table, year
from sources import france_services
from sources.parsing import (category_parser, parse_date, parse_identifier, parse_integer,
                             parse_label, parse_number, parse_time)
from sources.reading import ReadStats
from sources.referential import INCONNUE, resolve_commune, typo_warning
from sources.spec import load_spec, spec_names
from sources.typos import guess, one_slip_apart


TODAY = dt.date(2026, 11, 28)


# --- 1. numbers too large for DECIMAL(14, 2) --------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("99999999999999", (None, "nombre trop grand : 99999999999999")),
    ("1 000 000 000 000", (None, "nombre trop grand : 1 000 000 000 000")),
    ("-1000000000000", (None, "nombre trop grand : -1000000000000")),
    ("999999999999,995", (None, "nombre trop grand : 999999999999,995")),  # rounds to 10^12
    ("999 999 999 999,99", ("999999999999.99", None)),
    ("999999999999,994", ("999999999999.994", None)),
])
def test_numbers_are_bounded_by_the_decimal_they_are_kept_in(raw, expected):
    assert parse_number(raw) == expected


def test_every_number_the_parser_accepts_casts_to_the_staging_decimal():
    values = [parse_number(raw)[0] for raw in ("999 999 999 999,99", "999999999999,994", "-0,005")]
    with duckdb.connect() as con:
        cast = con.execute("SELECT CAST(v AS DECIMAL(14, 2)) FROM unnest(?) t(v)", [values]).fetchall()
    assert [str(v) for (v,) in cast] == ["999999999999.99", "999999999999.99", "-0.01"]


# --- 2. non-ASCII digits: read as their ASCII digits, by every parser ------------------------

@pytest.mark.parametrize("parser, raw, expected", [
    (parse_number, "１２", "12"), (parse_number, "٣٠٠", "300"), (parse_number, "１２,５", "12.5"),
    (parse_integer, "١٢", "12"), (parse_integer, "１ ０２０", "1020"),
    (lambda raw: parse_date(raw, TODAY), "０３/０９/２０２４", "2024-09-03"),
    (lambda raw: parse_date(raw, TODAY), "٠٣/٠٩/٢٠٢٤", "2024-09-03"),
    (parse_time, "０８:３０", "08:30:00"), (parse_time, "٨h٣٠", "08:30:00"),
    (parse_identifier, "００１２", "12"),
])
def test_non_ascii_digits_are_read_as_ascii_digits(parser, raw, expected):
    assert parser(raw) == (expected, None)


def test_what_the_parsers_give_for_non_ascii_digits_is_what_duckdb_casts():
    values = {"DECIMAL(14, 2)": parse_number("٣٠٠")[0], "BIGINT": parse_integer("１２")[0],
              "DATE": parse_date("٠٣/٠٩/٢٠٢٤", TODAY)[0], "TIME": parse_time("０８:３０")[0]}
    with duckdb.connect() as con:
        cast = [con.execute(f"SELECT CAST(? AS {sql_type})::VARCHAR", [value]).fetchone()[0]
                for sql_type, value in values.items()]
    assert cast == ["300.00", "12", "2024-09-03", "08:30:00"]


def test_labels_and_categories_fold_non_ascii_digits_too():
    months = category_parser(load_spec("france_services").categories["mois"])
    assert (months("٢"), months("１２"), parse_label("ALSH ١٢-١٧ ans")) == (
        ("2", None), ("12", None), ("ALSH 12 17 ANS", None))


def test_other_unicode_numerals_stay_unreadable():
    assert parse_number("²") == (None, "nombre illisible : ²")
    assert parse_date("⅓/02/2022", TODAY) == (None, "date illisible : ⅓/02/2022")


# --- 3. every pandera range of a staged column has a row rule ----------------------------------
# (source, spec column, typed columns of the row as SQL, motif of the rule that refuses it)
RANGES = [
    ("pocketo", "qf", {"qf": "-350.00"}, "quotient familial négatif : -350,00"),
    ("pocketo", "date_naissance", {"age": "1"}, "âge hors de 2 à 18 ans à la date de présence : 1 ans"),
    ("pocketo", "date_presence", {"date_presence": "DATE '1905-07-14'"},
     "date hors des années 2000 à 2100 : 14/07/1905"),
    ("pocketo", "heure_depart", {"heure_arrivee": "TIME '07:00'", "heure_depart": "TIME '20:00'"},
     "présence de plus de 12 h (07:00 - 20:00)"),
    ("aide_alimentaire", "nb_adultes", {"nb_adultes": "0", "nb_enfants": "1"},
     "au moins un adulte attendu par foyer : 0"),
    ("aide_alimentaire", "nb_enfants", {"nb_adultes": "1", "nb_enfants": "-1"},
     "nombre d'enfants négatif : -1"),
    ("aide_alimentaire", "nb_enfants", {"nb_adultes": "1", "nb_enfants": "20"},
     "foyer de plus de 20 personnes (faute de frappe ?) : 1 adulte(s) et 20 enfant(s)"),
    ("aide_alimentaire", "poids_kg", {"poids_kg": "-2.50"}, "poids négatif : -2.50 kg"),
    ("aide_alimentaire", "poids_kg", {"poids_kg": "10000.50"},
     "poids de plus de 10 000 kg pour un passage (faute de frappe ?) : 10000.50 kg"),
    ("aide_alimentaire", "date_passage", {"date_passage": "DATE '1900-01-01'"},
     "date hors des années 2000 à 2100 : 01/01/1900"),
    ("aide_sport", "qf", {"qf": "-1.00"}, "quotient familial négatif : -1,00"),
    ("aide_sport", "cout_licence", {"cout_licence": "-5.00", "montant": "NULL"},
     "coût de licence négatif : -5,00 €"),
    ("aide_sport", "montant", {"montant": "0.00", "cout_licence": "NULL"},
     "montant d'aide nul ou négatif : 0,00 €"),
    ("aide_sport", "montant", {"montant": "10000.01", "cout_licence": "NULL"},
     "montant d'aide de plus de 10 000 € (faute de frappe ?) : 10000,01 €"),
    ("aide_sport", "date_naissance", {"age": "111"}, "âge hors de 0 à 110 ans à la date de l'aide : 111 ans"),
    ("aide_sport", "date_attribution", {"date_attribution": "DATE '2101-01-01'"},
     "date hors des années 2000 à 2100 : 01/01/2101"),
    ("france_services", "annee", {"annee": "1999"}, f"année hors de 2000 à {TODAY.year} : 1999"),
    ("france_services", "demandes", {"demandes": "-3"}, "nombre de demandes négatif : -3"),
]


def _refusals(source: str, column: str, row: dict[str, str]) -> list[str]:
    """The motifs of the rules on ``column`` that refuse ``row`` (typed values as SQL)."""
    values = ", ".join(f"{sql} AS {name}" for name, sql in row.items())
    motifs = []
    with duckdb.connect() as con:
        for rule in load_spec(source).rules:
            if column in rule.columns and set(rule.columns) <= {column, *row}:
                refused, motif = con.execute(
                    f"SELECT ({rule.valid}) IS NOT TRUE, {rule.reason} FROM (SELECT {values})").fetchone()
                motifs += [motif] if refused else []
    return motifs


@pytest.mark.parametrize("source, column, row, motif", RANGES)
def test_a_value_pandera_refuses_is_quarantined_by_a_rule(source, column, row, motif):
    assert motif in _refusals(source, column, row)


@pytest.mark.parametrize("source", spec_names())
def test_every_date_column_kept_in_raw_is_bounded_by_the_years_the_warehouse_accepts(source):
    spec = load_spec(source)
    for column in (c for c in spec.columns.values() if c.kind == "date" and not c.personal):
        assert _refusals(source, column.name, {column.name: "DATE '1999-12-31'"}) == [
            "date hors des années 2000 à 2100 : 31/12/1999"]
        assert _refusals(source, column.name, {column.name: "DATE '2000-01-01'"}) == []


# --- 4. a year alone in a date cell; Excel serials only where plausible ------------------------

@pytest.mark.parametrize("raw, expected", [
    ("2022", (None, "date incomplète : 2022, écrire la date au format jj/mm/aaaa")),
    ("1999", (None, "date incomplète : 1999, écrire la date au format jj/mm/aaaa")),
    ("١٩٩٩", (None, "date incomplète : ١٩٩٩, écrire la date au format jj/mm/aaaa")),
    ("1234", (None, "date illisible : 1234")),
    ("45538", ("2024-09-03", None)), ("10000", ("1927-05-18", None)),
    ("01/01/1900", ("1900-01-01", None)),  # a real date: the spec's year rule refuses it
])
def test_a_year_alone_is_an_incomplete_date(raw, expected):
    assert parse_date(raw, TODAY) == expected


# --- 5. a failed blocking check names the file, line and column of its rows -------------------

@pytest.fixture
def staged_years():
    con = duckdb.connect()
    con.execute("CREATE TABLE t (annee INTEGER, fichier_nom VARCHAR, feuille VARCHAR, ligne INTEGER)")
    rows = [(2022, "a.csv", "", 2), (1905, "a.csv", "", 3), (2023, "b.xlsx", "2023", 4)]
    rows += [(1900 + i, "c.csv", "", 10 + i) for i in range(6)]
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", rows)
    yield con
    con.close()


SCHEMA = pa.DataFrameSchema({"annee": year(), "fichier_nom": pa.Column(str), "feuille": pa.Column(str),
                             "ligne": integer(1)})


def test_failures_name_the_file_line_and_column_then_how_many_others(staged_years):
    failures = validate_table(staged_years, "t", SCHEMA)
    assert describe_failures(staged_years, "t", failures) == (
        "7 valeurs refusées : a.csv ligne 3, colonne annee : 1905 (greater_than_or_equal_to(2000)) ; "
        "c.csv ligne 10, colonne annee : 1900 (greater_than_or_equal_to(2000)) ; "
        "c.csv ligne 11, colonne annee : 1901 (greater_than_or_equal_to(2000)) ; "
        "c.csv ligne 12, colonne annee : 1902 (greater_than_or_equal_to(2000)) ; "
        "c.csv ligne 13, colonne annee : 1903 (greater_than_or_equal_to(2000)) ; et 2 autres")


def test_large_tables_checked_by_values_name_the_same_rows(staged_years):
    staged_years.execute("DELETE FROM t WHERE fichier_nom = 'c.csv'")
    staged_years.execute("INSERT INTO t VALUES (1999, 'd.xlsx', 'Feuil1', 7)")
    failures = validate_table(staged_years, "t", SCHEMA, by_values_from_rows=1)
    assert describe_failures(staged_years, "t", failures) == (
        "2 valeurs refusées : a.csv ligne 3, colonne annee : 1905 (greater_than_or_equal_to(2000)) ; "
        "d.xlsx, feuille « Feuil1 » ligne 7, colonne annee : 1999 (greater_than_or_equal_to(2000))")


@pytest.mark.parametrize("change, expected", [
    ("SELECT 1", ""),  # every column passes at its least and greatest values
    ("UPDATE t SET ligne = NULL WHERE annee = 2023",
     "1 valeur refusée : b.xlsx, feuille « 2023 » ligne None, colonne ligne : <NA> (not_nullable)"),
    ("UPDATE t SET ligne = 0 WHERE annee = 2022",
     "1 valeur refusée : a.csv ligne 0, colonne ligne : 0 (greater_than_or_equal_to(1))"),
])
def test_columns_checked_at_their_ends_give_the_same_failures(staged_years, change, expected):
    """A large table's column with only a minimum, a maximum or an integer type is judged at its
    least and greatest values (and NULL): when they pass, every row passes; else every row that
    fails is found as when the whole table is checked."""
    staged_years.execute("DELETE FROM t WHERE annee < 2000")
    staged_years.execute(change)
    by_values = validate_table(staged_years, "t", SCHEMA, by_values_from_rows=1)
    whole = validate_table(staged_years, "t", SCHEMA)
    assert describe_failures(staged_years, "t", by_values) == describe_failures(staged_years, "t", whole) == expected


def test_the_check_result_says_which_rows_failed(staged_years):
    staged_years.execute("DELETE FROM t WHERE fichier_nom = 'c.csv'")
    result = schema_result(staged_years, "t", SCHEMA)
    assert not result.passed
    assert result.description == ("1 valeur refusée : a.csv ligne 3, colonne annee : 1905 "
                                   "(greater_than_or_equal_to(2000))")
    assert result.metadata["lignes_refusees"].value == result.description
    staged_years.execute("DELETE FROM t WHERE annee < 2000")
    assert schema_result(staged_years, "t", SCHEMA).description == "t respecte son schéma."


# --- 6. France Services: month headers with typos and abbreviations, unknown headers -----------
FS = france_services.SPEC


@pytest.mark.parametrize("header, month", [
    ("fevr", "2"), ("févr.", "2"), ("Fev", "2"), ("Janv", "1"), ("Sept.", "9"), ("Aout", "8"),
    ("Dec", "12"), ("Aoû", "8"), ("Juil", "7"), ("Fevier", "2"), ("Févirer", "2"), ("Setpembre", "9"),
    ("Decmbre", "12"), ("Juilet", "7"),
])
def test_months_are_recognised_with_abbreviations_and_typos(header, month):
    assert france_services.month_of(header, FS)[0] == month


@pytest.mark.parametrize("header", ["Juim", "Commentaire", "Site", "Moi", "Mais", ""])
def test_short_or_other_headers_are_not_months(header):
    assert france_services.month_of(header, FS) == (None, False)


def test_a_mistyped_month_is_read_with_a_warning_and_an_unknown_column_is_reported(tmp_path):
    path = write_xlsx(tmp_path / "France Services Lalbenque 2023.xlsx", {"2023": [
        ["Opérateur", "Janvier", "Fevier", "Mars", "Commentaire", "Total"],
        ["CAF", 1, 2, 3, "RAS", 6],
    ]})
    stats = ReadStats()
    frame = pd.concat(france_services.read_chunks(path, FS, stats))
    assert frame[["mois", "demandes", "cellule"]].values.tolist() == [
        ["Janvier", "1", "B"], ["2", "2", "C"], ["Mars", "3", "D"]]
    assert stats.warnings == [
        {"type": "en-tête", "feuille": "2023", "ligne": 1, "colonne": "Fevier",
         "message": "en-tête « Fevier » (C1) lu comme le mois Février (faute de frappe ?)"},
        {"type": "en-tête", "feuille": "2023", "ligne": 1, "colonne": "Commentaire",
         "message": "colonne « Commentaire » (E1) ignorée : ni un mois, ni l'opérateur, ni le total"},
    ]


# --- 7. communes with a postcode, a department or a one-letter typo -------------------------

@pytest.mark.parametrize("raw, code", [
    ("46230 Lalbenque", "46148"), ("Lalbenque 46230", "46148"), ("LALBENQUE (46)", "46148"),
    ("Lalbenqeu", "46148"), ("Lalbenqu", "46148"), ("Limogne-en-Quercyy", "46173"),
    ("46260 LIMOGNE", "46173"), ("Varaira", "46328"),
    # outside the territory: the commune's own code (indicators count it as HORS_CC); a typo is
    # only guessed for the territory's members
    ("Fontanes", "46109"), ("Fontane", INCONNUE), ("46230 Cieurac", "46070"), ("Cahors", "46042"),
    ("Bac", INCONNUE),  # "Bach" is too short to guess
])
def test_communes_with_postcode_department_or_typo(raw, code):
    assert resolve_commune(raw) == (code, None)


def test_only_a_typo_warns():
    assert typo_warning("Lalbenqeu") == "commune « Lalbenqeu » lue comme Lalbenque (faute de frappe ?)"
    assert typo_warning("46230 Lalbenque") is None
    assert typo_warning("Fontane") is None


def test_a_typo_between_two_meanings_is_not_guessed():
    known = {"martel": "A", "mortel": "B", "cahors": "C"}
    assert guess("mertel", known) is None
    assert guess("cahros", known) == "C"
    assert guess("cahors", {"cahor": "X"}) == "X" and guess("cahors", {"cahors": "X"}) is None


@pytest.mark.parametrize("a, b, expected", [
    ("lalbenque", "lalbenqeu", True), ("fevrier", "fevier", True), ("abc", "abd", True),
    ("abc", "abcd", True), ("abc", "abc", False), ("abc", "acbd", False), ("abcd", "badc", False),
])
def test_one_slip(a, b, expected):
    assert one_slip_apart(a, b) is expected and one_slip_apart(b, a) is expected


# --- end to end: the demo drop folder with bad cells added, one refresh -----------------------
POCKETO_FILE, FOOD_FILE, SPORT_FILE = "robustesse.csv", "robustesse aide.csv", "robustesse sport.csv"
FS_FILE = "France Services Lalbenque 2018.xlsx"
FOOD_HEADER = ["Date", "Structure", "N° foyer", "Commune", "Composition familiale", "Nb adultes",
               "Nb enfants", "Orienté par", "Poids (kg)"]
SPORT_HEADER = ["N° dossier", "Nom", "Prénom", "Date de naissance", "Sexe", "Commune", "QF", "Club",
                "Discipline", "Coût licence", "Montant aide", "Date d'attribution"]


def add_bad_cells(raw: Path) -> None:
    write_csv(raw / "pocketo" / POCKETO_FILE, [
        POCKETO_HEADER,
        presence(nom="Robuste", prenom="Un", qf="99999999999999"),  # line 2
        presence(nom="Robuste", prenom="Deux", qf="-350"),  # line 3
        presence(nom="Robuste", prenom="Trois", qf="１２００", commune="46230 Lalbenque"),  # loads
        presence(nom="Robuste", prenom="Quatre", date="2022"),  # line 5
        presence(nom="Robuste", prenom="Cinq", date="01/01/1900"),  # line 6
        presence(nom="Robuste", prenom="Six", date="٠٩/٠٣/٢٠٢٢", commune="Lalbenqeu"),  # loads
        presence(nom="Robuste", prenom="Sept", commune="Lalbenqeu"),  # loads: one warning for both
    ], encoding="utf-8")
    food = ["Restos Lalbenque", "R-1", "Lalbenque", "Couple", "2", "", "CCAS"]
    write_csv(raw / "aide_alimentaire" / FOOD_FILE, [
        FOOD_HEADER,
        ["2022", *food, "3"],  # line 2
        ["01/01/1900", *food, "3"],  # line 3
        ["10/03/2022", *food, "99999999999999"],  # line 4
        ["11/03/2022", *food[:2], "LALBENQUE (46)", *food[3:], "４"],  # loads
    ], encoding="utf-8")
    sport = ["S-1", "Robuste", "Sept", "05/06/2012", "F", "Lalbenque", "600", "Judo Club", "Judo",
             "90", "30"]
    write_csv(raw / "aide_sport" / SPORT_FILE, [
        SPORT_HEADER,
        [*sport, "2022"],  # line 2
        [*sport, "12/10/2022"],  # loads
    ], encoding="utf-8")
    write_xlsx(raw / "france_services" / FS_FILE, {"2018": [
        ["Opérateur", "Janvier", "Fevier", "Mars", "Commentaire", "Total"],
        ["CAF", 1, 2, 3, "RAS", 6],
    ]})


@pytest.fixture(scope="module")
def robust_run(hostile_run):
    """The demo with these files (and the other hostile files of ``hostile_run``), refreshed."""
    command, warehouse, _ = hostile_run
    with duckdb.connect(str(warehouse), read_only=True) as con:
        yield command, con


def test_the_refresh_publishes(robust_run):
    (code, out, err), _ = robust_run
    assert code == 0 and "Entrepôt publié" in out, err


def test_each_bad_cell_is_quarantined_on_its_own_column(robust_run):
    _, con = robust_run
    rows = con.execute(
        "SELECT source, ligne, colonne, motif FROM qualite.quarantaine WHERE fichier_nom IN (?, ?, ?, ?) "
        "ORDER BY source, ligne", [POCKETO_FILE, FOOD_FILE, SPORT_FILE, FS_FILE]).fetchall()
    assert rows == [
        ("aide_alimentaire", 2, "Date",
         "Date : date incomplète : 2022, écrire la date au format jj/mm/aaaa"),
        ("aide_alimentaire", 3, "Date", "Date : date hors des années 2000 à 2100 : 01/01/1900"),
        ("aide_alimentaire", 4, "Poids (kg)", "Poids (kg) : nombre trop grand : 99999999999999"),
        ("aide_sport", 2, "Date d'attribution",
         "Date d'attribution : date incomplète : 2022, écrire la date au format jj/mm/aaaa"),
        ("pocketo", 2, "QF", "QF : nombre trop grand : 99999999999999"),
        ("pocketo", 3, "QF", "QF : quotient familial négatif : -350,00"),
        ("pocketo", 5, "Date", "Date : date incomplète : 2022, écrire la date au format jj/mm/aaaa"),
        # the age, computed from the wrong date, is refused too
        ("pocketo", 6, "Date, Date de naissance", "Date : date hors des années 2000 à 2100 : 01/01/1900 ; "
         "Date de naissance : âge hors de 2 à 18 ans à la date de présence : -116 ans"),
    ]


def test_the_good_rows_of_the_same_files_load(robust_run):
    _, con = robust_run
    pocketo = con.execute("SELECT ligne, date_presence, code_commune, qf FROM staging.pocketo__presences "
                          "WHERE fichier_nom = ? ORDER BY ligne", [POCKETO_FILE]).fetchall()
    assert [(line, str(day), commune, float(qf) if qf is not None else None)
            for line, day, commune, qf in pocketo] == [
        (4, "2022-03-09", "46148", 1200.0), (7, "2022-03-09", "46148", 600.0),
        (8, "2022-03-09", "46148", 600.0)]
    food = con.execute("SELECT ligne, code_commune, poids_kg FROM staging.aide_alimentaire__passages "
                       "WHERE fichier_nom = ?", [FOOD_FILE]).fetchall()
    assert [(line, commune, float(kg)) for line, commune, kg in food] == [(5, "46148", 4.0)]
    sport = con.execute("SELECT ligne, date_attribution FROM staging.aide_sport__aides WHERE fichier_nom = ?",
                        [SPORT_FILE]).fetchall()
    assert [(line, str(day)) for line, day in sport] == [(3, "2022-10-12")]
    counts = con.execute("SELECT mois, demandes, cellule FROM staging.france_services__demandes "
                         "WHERE fichier_nom = ? ORDER BY mois", [FS_FILE]).fetchall()
    assert counts == [(1, 1, "B"), (2, 2, "C"), (3, 3, "D")]


def test_typos_and_unknown_headers_are_warnings_naming_file_line_and_column(robust_run):
    _, con = robust_run
    rows = con.execute(
        "SELECT source, type, fichier_nom, ligne, colonne, message FROM qualite.avertissements "
        "WHERE type IN ('commune', 'en-tête') AND fichier_nom IN (?, ?) ORDER BY source, fichier_nom, ligne, colonne",
        [POCKETO_FILE, FS_FILE]).fetchall()
    assert rows == [
        ("france_services", "en-tête", FS_FILE, 1, "Commentaire",
         "colonne « Commentaire » (E1) ignorée : ni un mois, ni l'opérateur, ni le total"),
        ("france_services", "en-tête", FS_FILE, 1, "Fevier",
         "en-tête « Fevier » (C1) lu comme le mois Février (faute de frappe ?)"),
        ("pocketo", "commune", POCKETO_FILE, 7, "Commune",
         "commune « Lalbenqeu » lue comme Lalbenque (faute de frappe ?) : 2 ligne(s) de ce fichier, "
         "première ligne 7"),
    ]


def test_the_command_line_prints_the_rows_a_blocking_check_refused(tmp_path, monkeypatch, capsys):
    """A check that fails (here a stricter France Services schema) names its rows on stderr."""
    from pipelines.cli import main
    from schemas import france_services as schema_module

    strict = schema_module.FranceServicesDemandes.update_columns({"demandes": {"checks": [pa.Check.le(1)]}})
    monkeypatch.setattr(schema_module, "FranceServicesDemandes", strict)
    write_xlsx(tmp_path / "raw" / "france_services" / FS_FILE, {"2018": [
        ["Opérateur", "Janvier", "Février", "Mars"], ["CAF", 1, 2, 3]]})
    assert main(["refresh", "--raw-dir", str(tmp_path / "raw"),
                 "--warehouse", str(tmp_path / "observatoire.duckdb")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        "Contrôle bloquant en échec : stg_france_services__demandes:schema_pandera — 2 valeurs refusées : "
        f"{FS_FILE}, feuille « 2018 » ligne 2 cellule C, colonne demandes : 2 (less_than_or_equal_to(1)) ; "
        f"{FS_FILE}, feuille « 2018 » ligne 2 cellule D, colonne demandes : 3 (less_than_or_equal_to(1)).")
    assert not any("blocking" in line for line in err)
