"""The aide_sport demo files through the whole refresh (the session `demo_run`): the bilan's
figures reconcile, and every indicator, warning, quarantined row and duplicate is the one the
generator (demo/aide_sport.py) planted."""

from collections import defaultdict

import duckdb
import pytest

# Age bands of ref.aide_sport_tranches_age, written out here: (band, first age, last age).
AGE_BANDS = [("0-5", 0, 5), ("6-11", 6, 11), ("12-14", 12, 14), ("15-17", 15, 17), ("18+", 18, 200)]


@pytest.fixture(scope="module")
def demo(demo_run):
    truths, outcome, path = demo_run
    con = duckdb.connect(str(path), read_only=True)
    yield truths["aide_sport"], outcome, con
    con.close()


def rows(con, sql):
    return con.execute(sql).fetchall()


def test_every_aide_sport_check_passed(demo):
    _, outcome, _ = demo
    assert [c for c in outcome.failed_checks if "aide_sport" in c] == []
    assert [s for s in outcome.failed_steps if "aide_sport" in s] == []


def test_every_figure_of_the_bilan_reconciles(demo):
    _, _, con = demo
    found = rows(con, "SELECT indicateur, annee, calcule, statut FROM qualite.rapprochement "
                      "WHERE indicateur LIKE 'aide_sport_annuel.%' ORDER BY ALL")
    assert [(i, y, int(c)) for i, y, c, _ in found] == [
        ("aide_sport_annuel.beneficiaires", 2017, 58), ("aide_sport_annuel.beneficiaires", 2018, 83),
        ("aide_sport_annuel.beneficiaires", 2019, 77), ("aide_sport_annuel.beneficiaires", 2020, 78),
        ("aide_sport_annuel.beneficiaires", 2021, 78), ("aide_sport_annuel.beneficiaires", 2022, 251),
        ("aide_sport_annuel.montant_total", 2017, 3510), ("aide_sport_annuel.montant_total", 2018, 4665),
        ("aide_sport_annuel.montant_total", 2019, 4420), ("aide_sport_annuel.montant_total", 2020, 4295),
        ("aide_sport_annuel.montant_total", 2021, 3705), ("aide_sport_annuel.montant_total", 2022, 8650),
    ]
    assert {status for *_, status in found} == {"ok"}


def test_the_2022_rule_explains_more_persons_and_a_lower_average_aid(demo):
    _, _, con = demo
    average = dict(rows(con, "SELECT annee, montant_total / beneficiaires FROM indicateurs.aide_sport_annuel"))
    assert average[2022] < min(average[y] for y in range(2017, 2022))
    high_qf = dict(rows(con, "SELECT annee, beneficiaires FROM indicateurs.aide_sport_par_tranche_qf "
                             "WHERE tranche_qf = '800+'"))
    assert high_qf.get(2018) == 1 and 2017 not in high_qf and high_qf[2022] > 50  # 2018: the warned aid


def test_indicators_equal_the_generator_truth(demo):
    truth, _, con = demo
    annual = rows(con, "SELECT annee, beneficiaires, aides, montant_total FROM indicateurs.aide_sport_annuel")
    assert {y: (b, a, m) for y, b, a, m in annual} == {
        y: (truth.beneficiaires[y], truth.aides[y], truth.montant_total[y]) for y in truth.beneficiaires}
    for table, key, expected in [("aide_sport_par_commune", "code_commune", truth.par_commune),
                                 ("aide_sport_par_tranche_qf", "tranche_qf", truth.par_tranche_qf),
                                 ("aide_sport_par_tranche_age", "tranche_age", by_age_band(truth.par_age))]:
        found = rows(con, f"SELECT annee, {key}, beneficiaires, montant_total FROM indicateurs.{table}")
        assert {(y, k): (b, m) for y, k, b, m in found} == expected, table


def by_age_band(per_age: dict) -> dict:
    bands = defaultdict(lambda: (0, 0))
    for (year, age), (persons, euros) in per_age.items():
        band = next(name for name, low, high in AGE_BANDS if low <= age <= high)
        n, total = bands[year, band]
        bands[year, band] = (n + persons, total + euros)
    return dict(bands)


def test_warnings_are_the_planted_ones(demo):
    truth, _, con = demo
    found = rows(con, "SELECT type, fichier_nom, feuille, ligne FROM qualite.avertissements "
                      "WHERE source = 'aide_sport'")
    assert sorted(found) == sorted(truth.avertissements)
    assert {t for t, *_ in found} == {"plafond", "deuxième aide", "plafond non vérifiable"}


def test_quarantine_duplicates_and_row_accounting(demo):
    truth, _, con = demo
    quarantined = rows(con, "SELECT fichier_nom, feuille, ligne FROM qualite.quarantaine WHERE source = 'aide_sport'")
    assert set(quarantined) == truth.quarantaine and len(quarantined) == 4
    journal = rows(con, "SELECT fichier_nom, statut, lignes_lues - lignes_vides_total, lignes_chargees, "
                        "lignes_quarantaine, lignes_doublons FROM qualite.journal_chargement "
                        "WHERE source = 'aide_sport'")
    loaded = {f: (n, q, d) for f, status, n, _, q, d in journal if status == "chargé"}
    assert {f: n for f, (n, _, _) in loaded.items()} == truth.lignes_par_fichier
    duplicates = defaultdict(int)
    for file, _, _ in truth.doublons:
        duplicates[file] += 1
    assert {f: d for f, (_, _, d) in loaded.items() if d} == dict(duplicates)
    assert all(n == c + q + d for _, _, n, c, q, d in journal)
    assert {f: s for f, s, *_ in journal if s != "chargé"} == {"Règlement aide pratique sportive 2022.pdf": "ignoré"}
