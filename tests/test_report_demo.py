"""The yearly report written by the demo refresh (the `rapport` asset), opened in Chromium."""

from __future__ import annotations

import duckdb
import pytest
from test_report import cells_text, open_in_chromium, table_row

from warehouse.settings import report_dir


@pytest.fixture(scope="module")
def report(demo_run):
    _, outcome, warehouse = demo_run
    assert outcome.published, outcome.errors
    return report_dir(warehouse) / "rapport-2023.html"


@pytest.fixture(scope="module")
def page(report) -> str:
    return cells_text(report.read_text(encoding="utf-8"))


def test_refresh_leaves_html_and_pdf_beside_the_warehouse(report):
    assert report.exists()
    assert report.with_suffix(".pdf").read_bytes()[:5] == b"%PDF-"


def test_report_renders_without_error_and_draws_every_chart(report, tmp_path):
    rendered = open_in_chromium(report, tmp_path)
    assert rendered.errors == []
    # ALSH, RDVJ, childcare, France Services, food aid, sport aid, CTG synthesis
    assert len(rendered.charts) == 7
    for chart in rendered.charts:
        assert chart["largeur"] > 300 and chart["hauteur"] > 100 and chart["barres"] >= 1, chart
    # the bilan's figure: 36 424 heures-enfants at ALSH Lalbenque in 2022
    assert "36 424" in rendered.text


def test_published_figures_and_their_evolution(page):
    # bilan CTG: 30 442 (2019) and 36 424 (2022) at Lalbenque; 7 438 -> 21 052 at Limogne (+183 %)
    lalbenque = table_row(page, "ALSH Lalbenque")
    assert (lalbenque[0], lalbenque[3], lalbenque[5]) == ("30 442", "36 424", "+25,3 %")  # 38 150
    limogne = table_row(page, "ALSH Limogne-en-Quercy")
    assert (limogne[0], limogne[4], limogne[5]) == ("7 438", "21 052", "+183,0 %")
    assert table_row(page, "Rendez-vous Jeunes (ALSH 12-17 ans)")[:5] == [
        "1 625", "1 790", "770", "1 715", "1 980"]
    assert table_row(page, "France Services Lalbenque (MSAP jusqu'en 2021)")[:5] == [
        "554", "558", "612", "1 090", "—"]
    assert "59 202" in page  # 38 150 + 21 052 heures-enfants in 2023, the first key figure


def test_commune_table_shows_s_exactly_where_public_is_masked(demo_run, page):
    _, _, warehouse = demo_run
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("""
            SELECT c.nom, p.enfants_distincts, p.secret FROM public.alsh_par_commune p
            JOIN ref.communes c USING (code_commune)
            WHERE p.structure_id = 'alsh_lalbenque' AND p.annee = 2023""").fetchall()
    communes = page[page.index('id="communes"'):page.index('id="annexes"')]
    assert any(secret for _, _, secret in rows) and not all(secret for _, _, secret in rows)
    for name, children, secret in rows:
        shown = table_row(communes, name)[3]  # after population, places and coverage
        assert shown == ("s" if children is None and secret else str(children)), name


def test_annexes_show_every_reconciled_figure_and_the_load_quality(page):
    annexes = page[page.index('id="annexes"'):]
    assert annexes.count('<span class="statut ok">ok</span>') == 33
    assert table_row(annexes, "Pointages des accueils de loisirs (Pocketo)")[4:8] == [
        "33 562", "31 879", "32", "1 643"]
    assert "moins de 5 personnes ou foyers n'est jamais publié" in page


def test_the_visible_text_names_no_table_column_or_file(page):
    from test_report import SNAKE_CASE, visible_text

    text = visible_text(page)
    assert SNAKE_CASE.findall(text) == [] and ".csv" not in text
    assert "critères d'accès modifiés en 2022 (rupture de série)" in text
    assert "labellisée France Services en 2021" in text
    assert "73,0" in text and "77,5" in text and "+4,5 pts" in text  # from the rounded figures shown
