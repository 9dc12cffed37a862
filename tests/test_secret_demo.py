"""Statistical secrecy on the demo refresh: nothing under the threshold in public or the exports."""

import csv
from decimal import Decimal

import duckdb
import pytest

from warehouse import settings
from warehouse.db import schema_layout
from warehouse.secrecy import load_rules

RULES = load_rules()
SMALL = range(1, 5)


@pytest.fixture(scope="module")
def demo(demo_run):
    _, outcome, path = demo_run
    assert outcome.published, outcome.errors
    with duckdb.connect(str(path), read_only=True) as con:
        yield con, settings.export_dir(path)


def person_counts():
    return [(table, count) for table, rule in RULES.items() for count in rule.comptes]


def test_every_column_of_every_indicator_table_is_classified_by_its_declaration(demo):
    con, _ = demo
    unclassified = [f"{table}.{column}" for table, layout in schema_layout(con, "indicateurs").items()
                    for column in layout.names
                    if column not in layout.key and (table not in RULES or not RULES[table].classifies(column))]
    assert unclassified == []
    assert con.execute("SELECT count(*) FROM qualite.secret_statistique WHERE type = 'non_classe'").fetchone()[0] == 0


def test_no_count_of_persons_from_1_to_4_is_visible_in_public(demo):
    con, _ = demo
    visible = {f"{t}.{c}": con.execute(f"SELECT count(*) FROM public.{t} WHERE {c} BETWEEN 1 AND 4").fetchone()[0]
               for t, c in person_counts()}
    assert set(visible.values()) == {0}
    hidden = con.execute("SELECT count(*) FROM indicateurs.alsh_par_commune WHERE enfants_distincts "
                         "BETWEEN 1 AND 4").fetchone()[0]
    assert hidden > 0  # the demo has small cells: the test above can fail


def test_no_count_of_persons_from_1_to_4_is_visible_in_the_exports(demo):
    con, folder = demo
    for table, count in person_counts():
        parquet = con.execute(f"SELECT count(*) FROM read_parquet('{folder}/parquet/{table}.parquet') "
                              f"WHERE {count} BETWEEN 1 AND 4").fetchone()[0]
        with (folder / "csv" / f"{table}.csv").open(encoding="utf-8", newline="") as stream:
            plain = [row[count] for row in csv.DictReader(stream)]
        with (folder / "excel" / f"{table}.csv").open(encoding="cp1252", newline="") as stream:
            excel = [row[count] for row in csv.DictReader(stream, delimiter=";")]
        rows = con.execute(f"SELECT count(*) FROM public.{table}").fetchone()[0]
        assert (parquet, len(plain), len(excel)) == (0, rows, rows)
        assert not {str(n) for n in SMALL} & (set(plain) | set(excel)), f"{table}.{count}"


def test_every_masked_cell_is_logged_and_flags_its_row(demo):
    con, _ = demo
    for table, layout in schema_layout(con, "indicateurs").items():
        key = layout.key
        join = " AND ".join(f"p.{c} = i.{c}" for c in key)
        measures = [c for c in layout.names if c not in key]
        nulled = " + ".join(f"(p.{c} IS NULL AND i.{c} IS NOT NULL)::INT" for c in measures)
        cells, unflagged = con.execute(
            f"SELECT coalesce(sum({nulled}), 0), count(*) FILTER (WHERE ({nulled}) > 0 AND NOT p.secret) "
            f"FROM public.{table} p JOIN indicateurs.{table} i ON {join}").fetchone()
        rows = [con.execute(f"SELECT count(*) FROM {s}.{table}").fetchone()[0] for s in ("indicateurs", "public")]
        logged = con.execute("SELECT count(*) FROM qualite.secret_statistique WHERE table_name = ?",
                             [table]).fetchone()[0]
        assert (cells, unflagged, rows[0]) == (logged, 0, rows[1]), table


def test_breakdowns_add_up_to_their_total_as_their_declaration_says(demo):
    """The premise of secondary suppression: the additive columns of a breakdown sum to its total
    (hours to the rounding of each cell to the hundredth), so a lone masked cell would be found."""
    con, _ = demo
    for table, rule in RULES.items():
        breakdown = rule.ventilation
        if breakdown is None:
            continue
        group = ", ".join(breakdown.groupe)
        for column in breakdown.additives:
            groups, gaps = con.execute(f"""
                SELECT count(*), count(*) FILTER (WHERE abs(b.parts - t.total) > 0.005 * b.cells)
                FROM (SELECT {group}, sum({column}) AS parts, count(*) AS cells FROM indicateurs.{table}
                      WHERE {breakdown.lignes} GROUP BY ALL) b
                JOIN (SELECT {group}, {column} AS total FROM indicateurs.{breakdown.total}
                      WHERE {breakdown.total_lignes}) t USING ({group})
                WHERE t.total IS NOT NULL""").fetchone()
            assert (groups > 0, gaps) == (True, 0), f"{table}.{column}"


def test_aid_to_sport_2018_by_qf_band_hides_the_lone_beneficiary_and_the_next_band(demo):
    # indicateurs.aide_sport_par_tranche_qf, 2018: 0-499 36 persons 2270 €, 500-799 46 2365 €,
    # 800+ 1 person 30 €: the 800+ band is masked, and 0-499 (smaller than 500-799) with it
    con, _ = demo
    rows = con.execute("SELECT tranche_qf, beneficiaires, montant_total, secret FROM "
                       "public.aide_sport_par_tranche_qf WHERE annee = 2018 ORDER BY tranche_qf").fetchall()
    assert rows == [("0-499", None, None, True), ("500-799", 46, Decimal("2365.00"), False),
                    ("800+", None, None, True)]
    assert con.execute("SELECT beneficiaires, montant_total FROM public.aide_sport_annuel WHERE annee = 2018"
                       ).fetchone() == (83, Decimal("4665.00"))
