"""The food-aid demo folder through the whole pipeline (the shared `demo_run`), against the truth
its generator computed from the passages it wrote."""

import duckdb
import pytest


@pytest.fixture(scope="module")
def demo(demo_run):
    truths, outcome, path = demo_run
    con = duckdb.connect(str(path), read_only=True)
    yield truths["aide_alimentaire"], outcome, con
    con.close()


def _by_key(con, table: str, key_width: int) -> dict:
    rows = con.execute(f"SELECT * FROM indicateurs.{table}").fetchall()
    return {tuple(row[:key_width]): tuple(row[key_width:]) for row in rows}


def test_no_food_aid_check_fails(demo):
    _, outcome, _ = demo
    assert not [c for c in outcome.failed_checks if "aide_alimentaire" in c]
    assert not [s for s in outcome.failed_steps if "aide_alimentaire" in s]


def test_indicators_equal_the_generator_truth(demo):
    truth, _, con = demo
    assert len(truth.annuel) == 10  # five structures, two years
    assert _by_key(con, "aide_alimentaire_annuel", 2) == truth.annuel
    assert _by_key(con, "aide_alimentaire_par_commune", 3) == truth.par_commune
    assert _by_key(con, "aide_alimentaire_mensuel", 3) == truth.mensuel


def test_every_row_is_accounted_for(demo):
    truth, _, con = demo
    read = dict(con.execute("""
        SELECT fichier_nom, lignes_lues - lignes_vides_total FROM qualite.journal_chargement
        WHERE source = 'aide_alimentaire' AND statut = 'chargé'""").fetchall())
    assert read == truth.lignes_par_fichier
    quarantined, duplicates, skipped = con.execute("""
        SELECT sum(lignes_quarantaine), sum(lignes_doublons), count(*) FILTER (WHERE statut = 'ignoré')
        FROM qualite.journal_chargement WHERE source = 'aide_alimentaire'""").fetchone()
    assert (quarantined, duplicates, skipped) == (
        truth.lignes_quarantaine, truth.lignes_doublons, truth.fichiers_ignores)


def test_warnings_name_the_corrected_rows_the_odd_weight_and_the_unknown_orienters(demo):
    truth, _, con = demo
    counts = dict(con.execute("SELECT type, count(*) FROM qualite.avertissements "
                              "WHERE source = 'aide_alimentaire' GROUP BY type").fetchall())
    assert counts["conflit"] == truth.conflits
    assert counts["poids inhabituel"] == 1
    unknown = con.execute("SELECT count(*) FROM staging.aide_alimentaire__passages "
                          "WHERE orientation_non_reconnue IS NOT NULL").fetchone()[0]
    assert unknown == truth.passages_orientation_hors_liste > 0


def test_the_epicerie_serves_households_oriented_by_a_social_worker(demo):
    _, _, con = demo
    assert con.execute("SELECT DISTINCT orientation FROM staging.aide_alimentaire__passages "
                       "WHERE structure_id = 'epicerie_rertr'").fetchall() == [("travailleur_social",)]


def test_restos_distribute_most_during_the_winter_campaign(demo):
    _, _, con = demo
    rows = con.execute("""
        SELECT structure_id, avg(passages) FILTER (WHERE mois IN (12, 1, 2)),
               avg(passages) FILTER (WHERE mois BETWEEN 5 AND 9)
        FROM indicateurs.aide_alimentaire_mensuel
        WHERE structure_id IN ('restos_lalbenque', 'restos_limogne') GROUP BY ALL""").fetchall()
    assert len(rows) == 2 and all(winter > 2 * summer for _, winter, summer in rows)
