"""The France Services demo files through one refresh: published figures and the demo's truth."""

from decimal import Decimal

import duckdb
import pytest


@pytest.fixture(scope="module")
def demo(demo_run):
    truths, _, path = demo_run
    con = duckdb.connect(str(path), read_only=True)
    yield truths["france_services"], con
    con.close()


def test_no_france_services_step_or_check_failed(demo_run):
    _, outcome, _ = demo_run
    failed = outcome.failed_steps + outcome.failed_checks
    assert [name for name in failed if "france_services" in name] == []


def test_published_figures_reconcile(demo):
    _, con = demo
    rows = con.execute(
        "SELECT indicateur, annee, calcule, statut FROM qualite.rapprochement "
        "WHERE indicateur LIKE 'france_services%' ORDER BY indicateur, annee").fetchall()
    assert rows == [
        ("france_services_annuel.demandes", 2019, Decimal("554.00"), "ok"),
        ("france_services_annuel.demandes", 2020, Decimal("558.00"), "ok"),
        ("france_services_annuel.demandes", 2021, Decimal("612.00"), "ok"),
        ("france_services_annuel.demandes", 2022, Decimal("1090.00"), "ok"),
        ("france_services_mensuel.demandes[operateur_id=anah]", 2022, Decimal("43.00"), "ok"),
    ]


def test_indicators_match_the_demo_truth(demo):
    truth, con = demo
    yearly = con.execute("SELECT structure_id, annee, demandes FROM indicateurs.france_services_annuel")
    assert {(s, y): n for s, y, n in yearly.fetchall()} == truth.annuel
    monthly = con.execute("SELECT structure_id, annee, mois, operateur_id, demandes "
                          "FROM indicateurs.france_services_mensuel").fetchall()
    assert {(s, y, m, o): n for s, y, m, o, n in monthly} == truth.mensuel


def test_covid_closure_shows_as_an_empty_april(demo):
    _, con = demo
    april = con.execute("SELECT count(*), sum(demandes) FROM indicateurs.france_services_mensuel "
                        "WHERE structure_id = 'fs_lalbenque' AND annee = 2020 AND mois = 4").fetchone()
    assert april == (8, 0)  # the 8 operators of the MSAP, every cell blank


def test_every_row_is_accounted_for(demo):
    truth, con = demo
    journal = con.execute(
        "SELECT fichier_nom, lignes_lues, lignes_vides_total, lignes_quarantaine, lignes_doublons "
        "FROM qualite.journal_chargement WHERE source = 'france_services' AND statut = 'chargé'").fetchall()
    assert {name: (read, blank) for name, read, blank, _, _ in journal} == {
        name: (truth.lignes_lues[name], truth.lignes_vides_total[name]) for name in truth.lignes_lues}
    assert sum(q for *_, q, _ in journal) == truth.lignes_quarantaine
    assert sum(d for *_, d in journal) == truth.lignes_doublons


def test_wrong_hand_typed_totals_are_reported(demo):
    truth, con = demo
    warnings = con.execute("SELECT fichier_nom, feuille, message FROM qualite.avertissements "
                           "WHERE source = 'france_services' AND type = 'total'").fetchall()
    cells = sorted((name, sheet, message.split("(")[1].split(")")[0]) for name, sheet, message in warnings)
    assert cells == sorted(truth.totaux_faux)
    conflicts = con.execute("SELECT count(*) FROM qualite.avertissements "
                            "WHERE source = 'france_services' AND type = 'conflit'").fetchone()[0]
    assert conflicts == truth.conflits
