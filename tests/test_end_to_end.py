"""The whole pipeline on the demo drop folder: one in-process Dagster materialisation."""

import re

import duckdb
import pytest

from pipelines.definitions import defs
from sources.pseudonym import normalise_identity


@pytest.fixture(scope="module")
def demo(demo_run):
    truths, outcome, path = demo_run
    con = duckdb.connect(str(path), read_only=True)
    yield truths, outcome, con
    con.close()


def test_the_run_publishes_with_every_blocking_check_passed(demo):
    _, outcome, _ = demo
    assert outcome.published, (outcome.failed_steps, outcome.failed_checks)


def test_every_alsh_figure_of_the_bilan_reconciles(demo):
    _, _, con = demo
    rows = con.execute("SELECT indicateur, structure_id, annee, calcule, statut FROM qualite.rapprochement "
                       "WHERE indicateur LIKE 'alsh_annuel.%' ORDER BY ALL").fetchall()
    assert len(rows) == 16
    assert {status for *_, status in rows} == {"ok"}, rows
    hours = {(s, y): c for i, s, y, c, _ in rows if i == "alsh_annuel.heures_enfants"}
    assert hours[("alsh_limogne", 2023)] == 21052 and hours[("alsh_lalbenque", 2022)] == 36424


def test_alsh_indicators_equal_the_generator_truth(demo):
    truths, _, con = demo
    truth = truths["pocketo"]
    rows = con.execute("SELECT structure_id, annee, heures_enfants, jours_ouverture, enfants_distincts "
                       "FROM indicateurs.alsh_annuel").fetchall()
    assert {(s, y): h for s, y, h, _, _ in rows} == truth.heures
    assert {(s, y): j for s, y, _, j, _ in rows} == truth.jours_ouverture
    assert {(s, y): e for s, y, _, _, e in rows} == truth.enfants_distincts


def test_breakdowns_add_up_to_the_annual_table(demo):
    _, _, con = demo
    for table, key in [("alsh_par_commune", "code_commune"), ("alsh_par_tranche_qf", "tranche_qf")]:
        # Each part's hours are rounded to the hundredth: the parts add up within that rounding.
        mismatches = con.execute(f"""
            SELECT a.structure_id, a.annee FROM indicateurs.alsh_annuel a
            JOIN (SELECT structure_id, annee, sum(enfants_distincts) e, sum(heures_enfants) h,
                         count(*) n
                  FROM indicateurs.{table} GROUP BY ALL) b USING (structure_id, annee)
            WHERE a.enfants_distincts <> b.e OR abs(a.heures_enfants - b.h) > 0.005 * b.n
                  OR b.n < 2""").fetchall()
        assert mismatches == [], table


def test_row_accounting_of_the_demo(demo):
    truths, _, con = demo
    truth = truths["pocketo"]
    read, loaded, quarantined, duplicates, blank = con.execute(
        "SELECT sum(lignes_lues), sum(lignes_chargees), sum(lignes_quarantaine), sum(lignes_doublons), "
        "sum(lignes_vides_total) FROM qualite.journal_chargement WHERE source = 'pocketo'").fetchone()
    assert (quarantined, duplicates) == (truth.lignes_quarantaine, truth.lignes_doublons)
    assert read - blank == truth.lignes_lues
    assert read == loaded + quarantined + duplicates + blank
    statuses = dict(con.execute("SELECT statut, count(*) FROM qualite.journal_chargement "
                                "WHERE source = 'pocketo' GROUP BY ALL").fetchall())
    assert statuses["ignoré"] == truth.fichiers_ignores
    assert statuses["doublon de fichier"] == truth.fichiers_doublons


def _values(con, where: str = "TRUE", schemas=("raw", "staging", "indicateurs", "public", "qualite")):
    """Every non-NULL value, as text, of the columns of ``schemas`` matching ``where``."""
    columns = con.execute(f"""
        SELECT c.schema_name, c.table_name, c.column_name FROM duckdb_columns() c
        WHERE list_contains(?, c.schema_name) AND NOT c.internal AND ({where})""",
                          [list(schemas)]).fetchall()
    for schema, table, column in columns:
        yield from (v for (v,) in con.execute(
            f'SELECT DISTINCT CAST("{column}" AS VARCHAR) FROM "{schema}"."{table}" '
            f'WHERE "{column}" IS NOT NULL').fetchall())


def _found_between_non_letters(data: bytes, words: set[str]) -> list[str]:
    """The words that occur in ``data`` with no ASCII letter just before or after them (what the
    regular expression ``(?<![A-Za-z])(w1|w2|...)(?![A-Za-z])`` finds, four times faster)."""
    found = set()
    for word in words:
        needle = word.encode()
        start = data.find(needle)
        while start != -1:
            end = start + len(needle)
            if not data[start - 1:start].isalpha() and not data[end:end + 1].isalpha():
                found.add(word)
                break
            start = data.find(needle, start + 1)
    return sorted(found)


def test_no_name_birth_date_or_file_number_in_clear(demo):
    from demo import pocketo

    _, outcome, con = demo
    public_words = {w for v in _values(con, "c.data_type = 'VARCHAR'", ("ref",))
                    for w in normalise_identity(v).split()}  # reference data: communes, labels
    names = {w for n in pocketo.NOMS + pocketo.PRENOMS for w in normalise_identity(n).split()
             if len(w) >= 4} - public_words
    words = {w for v in _values(con, "c.data_type = 'VARCHAR'") for w in normalise_identity(v).split()}
    assert not names & words, names & words
    file_numbers = {v for v in _values(con, "c.data_type = 'VARCHAR'") if re.fullmatch(r"[0-2]\d{4}", v)}
    assert file_numbers == set()
    personal_columns = con.execute("""
        SELECT schema_name || '.' || table_name || '.' || column_name FROM duckdb_columns()
        WHERE schema_name <> 'ref' AND regexp_matches(column_name, 'naissance|^nom|prenom|dossier')""").fetchall()
    assert personal_columns == []
    dates = con.execute("""SELECT DISTINCT column_name FROM duckdb_columns()
                           WHERE schema_name <> 'ref' AND data_type IN ('DATE', 'TIMESTAMP')""").fetchall()
    event_dates = {"date_presence", "date_passage", "date_attribution", "fichier_modifie", "modifie_le",
                   "premiere_date", "derniere_date", "dernier_fichier"}  # qualite.campagne: events and files
    assert {c for (c,) in dates} <= event_dates
    raw = outcome.build_path.read_bytes()
    spellings = {w for n in names if len(n) >= 5 for w in (n, n.title())}
    assert _found_between_non_letters(raw, spellings) == []


def test_dagster_sees_every_asset_and_check():
    repository = defs.get_repository_def()
    keys = {key.to_user_string() for key in repository.asset_graph.get_all_asset_keys()}
    assert {"raw_pocketo__presences", "stg_pocketo__presences", "ind_alsh__annuel",
            "ind_alsh__par_commune", "ind_alsh__par_tranche_qf", "qualite__rapprochement",
            "ref__communes"} <= keys
    checks = {f"{k.asset_key.to_user_string()}:{k.name}" for k in repository.asset_graph.asset_check_keys}
    assert {"stg_pocketo__presences:comptage_des_lignes", "stg_pocketo__presences:schema_pandera",
            "ind_alsh__annuel:schema_pandera"} <= checks


def test_the_byte_search_finds_a_name_only_between_non_letters():
    data = b"\x00DUPONT,xDURANDy Dupont"
    assert _found_between_non_letters(data, {"DUPONT", "DURAND", "Dupont", "MARTIN"}) == ["DUPONT", "Dupont"]
