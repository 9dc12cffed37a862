"""The yearly report on a small hand-made warehouse following the `public` layer contract."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.report import rapport
from assets.resources import WarehouseResource
from pipelines.cli import main
from reporting import browser, draft_report, pdf, write_report
from reporting.build import render
from reporting.charts import Line, bar_chart
from reporting.numbers import Cell, Evolution, Format, evolution, french
from warehouse.catalogue import write_catalogue

pytestmark = pytest.mark.refreshes(1)  # Chromium, several times

SVG = "{http://www.w3.org/2000/svg}"

# The public layer as the contract says (masked cells NULL, a `secret` flag per row) and the ref
# tables the report takes its labels from.
WAREHOUSE_SQL = """
CREATE SCHEMA ref; CREATE SCHEMA public; CREATE SCHEMA qualite;
CREATE TABLE ref.structures (structure_id VARCHAR, libelle VARCHAR);
INSERT INTO ref.structures VALUES ('alsh_lalbenque', 'ALSH Lalbenque'),
  ('alsh_limogne', 'ALSH Limogne-en-Quercy'), ('rdvj', 'Rendez-vous Jeunes'),
  ('fs_lalbenque', 'France Services Lalbenque'), ('fs_limogne', 'France Services Limogne'),
  ('restos_lalbenque', 'Restos du Cœur Lalbenque');
CREATE TABLE ref.communes (code_commune VARCHAR, nom VARCHAR, membre_cc BOOLEAN);
INSERT INTO ref.communes VALUES ('46148', 'Lalbenque', TRUE), ('46173', 'Limogne-en-Quercy', TRUE),
  ('46010', 'Aujols', TRUE), ('46109', 'Fontanes', FALSE);
CREATE TABLE ref.communes_population (code_commune VARCHAR, annee INTEGER, population_municipale INTEGER);
INSERT INTO ref.communes_population VALUES ('46148', 2021, 1850), ('46148', 2022, 1899),
  ('46148', 2023, 1950), ('46173', 2022, 856), ('46010', 2022, 383);
CREATE TABLE ref.ctg_axes (convention VARCHAR, axe VARCHAR, libelle VARCHAR);
INSERT INTO ref.ctg_axes VALUES
  ('2019-2022', '1', 'Faciliter le parcours des enfants et des jeunes sur le territoire'),
  ('2019-2022', '2', 'Garantir un accès aux services pour tous'),
  ('2019-2022', '3', 'Accompagner le vieillissement'),
  ('2019-2022', '4', 'Soutenir les solidarités, animer la vie sociale');
CREATE TABLE ref.ctg_nomenclature (variable VARCHAR, code VARCHAR, libelle VARCHAR);
INSERT INTO ref.ctg_nomenclature VALUES ('realisation', 'realise', 'Réalisé'),
  ('realisation', 'non_realise', 'Non réalisé'), ('objectif', 'atteint', 'Atteint');
CREATE TABLE ref.catalogue (schema_name VARCHAR, table_name VARCHAR, column_name VARCHAR,
  libelle VARCHAR, definition VARCHAR, unite VARCHAR, source VARCHAR);
INSERT INTO ref.catalogue VALUES
  ('public', 'alsh_annuel', 'heures_enfants', 'Heures enfants', 'Heures de présence pointées.', 'heures', ''),
  ('public', 'alsh_annuel', 'enfants_distincts', 'Enfants distincts', 'Enfants venus au moins une fois.',
   'enfants', ''),
  ('public', 'aide_sport_annuel', 'beneficiaires', 'Bénéficiaires', 'Personnes aidées.', 'personnes', '');

CREATE TABLE public.alsh_annuel (structure_id VARCHAR, annee INTEGER, heures_enfants DECIMAL(14,2),
  enfants_distincts INTEGER, jours_ouverture INTEGER, places INTEGER, taux_occupation DECIMAL(7,2),
  secret BOOLEAN NOT NULL);
INSERT INTO public.alsh_annuel VALUES
  ('alsh_lalbenque', 2019, 30442, 241, 97, 50, 62.77, FALSE),
  ('alsh_lalbenque', 2022, 36424, 249, 97, 74, 50.74, FALSE),
  ('alsh_lalbenque', 2023, 38150, 229, 97, 74, 53.15, FALSE),
  ('alsh_limogne', 2019, 7438, 116, 60, 30, 41.32, FALSE),
  ('alsh_limogne', 2022, 17960, 136, 94, 30, 63.69, FALSE),
  ('alsh_limogne', 2023, 21052, 135, 94, 48, 46.66, FALSE),
  ('rdvj', 2019, 25, 6, 5, NULL, NULL, FALSE),
  ('rdvj', 2022, NULL, NULL, 3, NULL, NULL, TRUE),
  ('rdvj', 2023, 180, 7, 12, NULL, NULL, FALSE);
CREATE TABLE public.alsh_par_commune (structure_id VARCHAR, annee INTEGER, code_commune VARCHAR,
  enfants_distincts INTEGER, heures_enfants DECIMAL(14,2), secret BOOLEAN NOT NULL);
INSERT INTO public.alsh_par_commune VALUES
  ('alsh_lalbenque', 2023, '46148', 73, 11768.23, FALSE),
  ('alsh_lalbenque', 2023, '46010', NULL, NULL, TRUE),
  ('alsh_lalbenque', 2023, 'HORS_CC', 30, 5252.52, FALSE),
  ('alsh_limogne', 2023, '46173', 46, 6249.80, FALSE);
CREATE TABLE public.france_services_annuel (structure_id VARCHAR, annee INTEGER, demandes INTEGER,
  secret BOOLEAN NOT NULL);
INSERT INTO public.france_services_annuel VALUES ('fs_lalbenque', 2019, 554, FALSE),
  ('fs_lalbenque', 2022, 1090, FALSE), ('fs_limogne', 2022, 486, FALSE), ('fs_limogne', 2023, 571, FALSE);
CREATE TABLE public.petite_enfance_couverture (annee INTEGER, code_geo VARCHAR, niveau_geo VARCHAR,
  places_micro_creche INTEGER, places_assistantes_maternelles INTEGER, places_mam INTEGER,
  places_prescolarisation INTEGER, places_total INTEGER, enfants_moins_3_ans INTEGER,
  taux_couverture DECIMAL(7,2), nature_moins_3_ans VARCHAR, source_moins_3_ans VARCHAR,
  secret BOOLEAN NOT NULL);
INSERT INTO public.petite_enfance_couverture VALUES
  (2019, '244600532', 'epci', 11, 149, 0, 8, 168, 230, 73.04, 'estimation', 'estimation 2019', FALSE),
  (2023, '244600532', 'epci', 12, 128, 40, 9, 189, 244, 77.46, 'estimation',
   'estimation : population 2023 (ref.communes_population) × 2,70 % (petite_enfance_part_moins_3_ans.csv)', FALSE),
  (2023, '46148', 'commune', 0, 30, 12, 4, 46, 51, 90.20, 'estimation', 'estimation', FALSE);
CREATE TABLE ref.petite_enfance_part_moins_3_ans (annee_debut INTEGER, annee_fin INTEGER,
  part_moins_3_ans DECIMAL(5,4), source VARCHAR);
INSERT INTO ref.petite_enfance_part_moins_3_ans VALUES
  (2019, 2022, 0.0260, 'recensement 2019'), (2023, NULL, 0.0270, 'hypothèse de l''observatoire : 2,70 %');
CREATE TABLE public.aide_alimentaire_annuel (structure_id VARCHAR, annee INTEGER, foyers INTEGER,
  personnes INTEGER, adultes INTEGER, enfants INTEGER, passages INTEGER, poids_kg DECIMAL(14,2),
  secret BOOLEAN NOT NULL);
INSERT INTO public.aide_alimentaire_annuel VALUES
  ('restos_lalbenque', 2022, 35, 90, 49, 41, 368, 4982.8, FALSE),
  ('restos_lalbenque', 2023, 39, 108, 56, 52, 387, 5405.9, FALSE);
CREATE TABLE public.aide_sport_annuel (annee INTEGER, beneficiaires INTEGER, aides INTEGER,
  montant_total DECIMAL(14,2), secret BOOLEAN NOT NULL);
INSERT INTO public.aide_sport_annuel VALUES (2019, 77, 78, 4420, FALSE), (2021, 78, 78, 3705, FALSE),
  (2022, 251, 252, 8650, FALSE);
CREATE TABLE public.aide_sport_par_commune (annee INTEGER, code_commune VARCHAR, beneficiaires INTEGER,
  montant_total DECIMAL(14,2), secret BOOLEAN NOT NULL);
INSERT INTO public.aide_sport_par_commune VALUES (2022, '46148', 47, 1500, FALSE),
  (2022, '46173', NULL, NULL, TRUE);
CREATE TABLE public.ctg_suivi (annee INTEGER, code_action VARCHAR, convention VARCHAR, periode VARCHAR,
  axe VARCHAR, libelle VARCHAR, realisation VARCHAR, objectif VARCHAR, remarque VARCHAR,
  source_statut VARCHAR, secret BOOLEAN NOT NULL);
INSERT INTO public.ctg_suivi VALUES
  (2022, '1.A.2', '2019-2022', '2019-2022', '1', 'Maintien et évolution des accueils de loisirs',
   'realise', 'atteint', NULL, 'deduit du recit', FALSE),
  (2022, '3.D.1', '2019-2022', '2019-2022', '3', 'Equipe citoyennes Monalisa', 'non_realise', NULL,
   'Faute de structure porteuse.', 'ecrit dans le bilan', FALSE);
CREATE TABLE public.ctg_synthese (annee INTEGER, axe VARCHAR, convention VARCHAR, periode VARCHAR,
  libelle_axe VARCHAR, nb_actions INTEGER, nb_realisees INTEGER, nb_partielles INTEGER,
  nb_non_realisees INTEGER, part_realisees DECIMAL(5,4), secret BOOLEAN NOT NULL);
INSERT INTO public.ctg_synthese VALUES
  (2022, '1', '2019-2022', '2019-2022', 'Axe 1', 1, 1, 0, 0, 1.0, FALSE),
  (2022, '3', '2019-2022', '2019-2022', 'Axe 3', 1, 0, 0, 1, 0.0, FALSE),
  (2022, 'ensemble', '2019-2022', '2019-2022', 'Ensemble des axes', 2, 1, 0, 1, 0.5, FALSE);
CREATE TABLE public.rapprochement (source VARCHAR, indicateur VARCHAR, structure_id VARCHAR,
  annee INTEGER, attendu DECIMAL(14,2), calcule DECIMAL(14,2), ecart DECIMAL(14,2),
  tolerance DECIMAL(14,2), statut VARCHAR, note VARCHAR, secret BOOLEAN NOT NULL);
INSERT INTO public.rapprochement VALUES
  ('bilan CTG 2019-2022 (Axe 1-A2)', 'alsh_annuel.heures_enfants', 'alsh_lalbenque', 2022, 36424,
   36424, 0, 0.5, 'ok', 'le texte dit 2022', FALSE),
  ('bilan CTG 2019-2022 (Axe 1-B2)', 'alsh_annuel.enfants_distincts', 'rdvj', 2022, 4, NULL, NULL,
   0, 'écart', NULL, TRUE);
CREATE TABLE public.qualite_chargement (source VARCHAR, fichiers_lus BIGINT, fichiers_rejetes BIGINT,
  fichiers_ignores BIGINT, fichiers_doublons BIGINT, lignes_lues BIGINT, lignes_chargees BIGINT,
  lignes_quarantaine BIGINT, lignes_doublons BIGINT, lignes_vides_total BIGINT);
INSERT INTO public.qualite_chargement VALUES ('pocketo', 14, 0, 3, 1, 33562, 31879, 32, 1643, 8);
"""

DAY = dt.date(2024, 1, 15)


def cells_text(text: str) -> str:
    """The page with plain spaces and apostrophes, to compare with figures typed by hand."""
    return re.sub(r"[\u202f\u00a0]", " ", html.unescape(text))


@pytest.fixture
def warehouse(tmp_path) -> Path:
    path = tmp_path / "observatoire.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(WAREHOUSE_SQL)
    return path


@pytest.fixture
def page(warehouse) -> str:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        year, html = render(con, None, 5, DAY)
    assert year == 2023  # the latest year with data in the public layer
    return cells_text(html)


def table_row(html: str, label: str) -> list[str]:
    """The cells of the first table row whose header is `label`."""
    match = re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', html, re.S)
    assert match, label
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", match[1], re.S)]


def row_cells(html: str, text: str) -> list[str]:
    """The cells of the first table row holding `text`."""
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", html, re.S) if text in r)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


# --- figures written the French way ----------------------------------------------------------

def test_french_numbers():
    assert french(Decimal("36424.00")) == "36\u202f424"
    assert french(Decimal("1234567.456"), 2) == "1\u202f234\u202f567,46"
    assert Format(fraction=True, decimales=1)(Cell(Decimal("0.5074"))) == "50,7\u00a0%"
    assert Format(suffixe=" €")(Cell(Decimal("8650"))) == "8\u202f650\u00a0€"
    assert Format()(Cell(None, masked=True)) == "s"
    assert Format()(Cell(None)) == "—"


def test_evolution_rules():
    assert evolution(Cell(Decimal(30442)), Cell(Decimal(36424)), "pourcentage", 30).text == "+19,7\u00a0%"
    assert evolution(Cell(Decimal(40)), Cell(Decimal(30)), "pourcentage", 30).text == "−25,0\u00a0%"
    # a base under 30 is not significant; 30 itself is
    assert evolution(Cell(Decimal(29)), Cell(Decimal(300)), "pourcentage", 30).text == "n.s."
    assert evolution(Cell(Decimal(30)), Cell(Decimal(45)), "pourcentage", 30).text == "+50,0\u00a0%"
    assert evolution(Cell(None, masked=True), Cell(Decimal(45)), "pourcentage", 30).text == "s"
    # a change in points is computed from the rounded figures shown: 73,0 -> 77,5 is +4,5 pts
    assert evolution(Cell(Decimal("73.04")), Cell(Decimal("77.46")), "points", 30).text == "+4,5\u00a0pts"
    # an empty evolution says why
    assert evolution(Cell(None), Cell(Decimal(45)), "pourcentage", 30, (2019, 2023)) == Evolution(
        "—", reason="pas de donnée en 2019")
    assert evolution(Cell(Decimal(4)), Cell(None), "points", 30, (2022, 2023)).reason == "pas de donnée en 2023"


# --- charts ------------------------------------------------------------------------------------

def test_bar_chart_draws_one_bar_per_known_cell_and_s_for_masked():
    lines = [Line("ALSH Lalbenque", {2019: Cell(Decimal(30442)), 2020: Cell(None, masked=True)}),
             Line("ALSH Limogne", {2019: Cell(Decimal(7438))})]
    svg = ET.fromstring(bar_chart("Heures", [2019, 2020], lines, Format()))
    bars = [r for r in svg.iter(f"{SVG}rect") if float(r.get("height")) > 12]
    assert sorted(round(float(b.get("height")), 1) for b in bars)[-1] > 100  # 30 442 is drawn tall
    assert len(bars) == 2  # two known values; the legend's squares are 12 high
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "30\u202f442" in texts and "7\u202f438" in texts and "s" in texts
    assert "ALSH Lalbenque" in texts and "ALSH Limogne" in texts  # a legend for two series


# --- the page ----------------------------------------------------------------------------------

def test_series_tables_evolutions_and_masked_cells(page):
    # years since the first year with data; 2019 -> 2023: 38150 / 30442 - 1 = +25,3 %
    assert table_row(page, "ALSH Lalbenque")[:6] == ["30 442", "—", "—", "36 424", "38 150", "+25,3 %"]
    assert table_row(page, "ALSH Limogne-en-Quercy")[5:] == ["+183,0 %", "+17,2 %"]
    # RDVJ: base 25 < 30: not significant; 2022 masked: s, and so is its evolution over one year
    assert table_row(page, "Rendez-vous Jeunes") == ["25", "—", "—", "s", "180", "n.s.", "s"]
    # coverage rate: in points
    assert table_row(page, "Communauté de communes")[:6] == ["73,0", "—", "—", "—", "77,5", "+4,5 pts"]
    # sport aid: latest year 2022; the rule change of 2022 is a break in the series
    assert "Pas encore de donnée pour 2023 : la dernière année connue est 2022." in page
    assert "<td class=\"evol\">rupture</td>" in page
    # food aid has no 2019 value: no evolution since 2019 column, one year: 39 / 35 - 1
    assert table_row(page, "Restos du Cœur Lalbenque")[:3] == ["35", "39", "+11,4 %"]


def test_key_figures_sum_series_and_say_what_is_missing(page):
    essentiel = page[page.index('id="essentiel"'):page.index('id="axe-1"')]
    assert "59 202" in essentiel  # 38 150 + 21 052 heures-enfants
    assert "+56,3 % depuis 2019" in essentiel  # 59 202 / (30 442 + 7 438) = 1,563
    # France Services: Lalbenque sent nothing for 2023
    assert "571" in essentiel and "Pas de donnée en 2023 pour France Services Lalbenque : non compté." in essentiel
    assert "évolution depuis 2019 : rupture" in essentiel  # sport aid
    assert "évolution depuis 2019 : — (pas de donnée en 2019 pour France Services Limogne)" in essentiel


def test_the_detail_of_the_12_17_speaks_of_young_people_and_notes_are_in_words(page):
    rdvj = page[page.index("Rendez-vous Jeunes, l'accueil des 12-17 ans"):page.index("Accueil des enfants de moins")]
    assert re.findall(r'<th scope="col">([^<]+)</th>', rdvj[rdvj.index("Détail de"):])[:2] == [
        "Heures-jeunes", "Jeunes accueillis"]
    childcare = page[page.index("Accueil des enfants de moins"):page.index('id="axe-2"')]
    assert ('<p class="note">Le nombre d\'enfants de moins de 3 ans est une estimation : la population municipale '
            "de chaque commune multipliée par la part des moins de 3 ans retenue par l'observatoire."
            '<sup class="renvoi">1</sup></p>') in html.unescape(childcare)
    assert "<li>Source : Part des moins de 3 ans : hypothèse de l'observatoire : 2,70 %</li>" in html.unescape(childcare)
    assert "ref.communes_population" not in page and ".csv" not in page


def visible_text(page: str) -> str:
    """What a reader sees: the page without its style, tags and attributes."""
    return html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style\b.*?</style>", "", page, flags=re.S)))


SNAKE_CASE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")


def test_axes_titles_ctg_and_axis_without_indicator(page):
    assert "Axe 3 — Accompagner le vieillissement" in page
    assert "L'observatoire ne suit pas encore d'indicateur chiffré pour cet axe" in page
    assert "Faute de structure porteuse." in page  # the CTG action of axis 3
    assert '<span class="pastille non_realise">Non réalisé</span>' in page
    assert "<td>50 %</td>" in page  # CTG synthesis: 1 action done out of 2


def test_commune_table(page):
    communes = page[page.index('id="communes"'):page.index('id="annexes"')]
    # columns: population, places, coverage, ALSH Lalbenque, ALSH Limogne, RDVJ, sport aid (2022)
    assert table_row(communes, "Lalbenque") == ["1 950", "46", "90,2", "73", "0", "—", "47"]
    assert table_row(communes, "Aujols") == ["383", "0", "—", "s", "0", "—", "0"]
    assert table_row(communes, "Limogne-en-Quercy")[-1] == "s"
    assert table_row(communes, "Hors Communauté de communes") == ["", "—", "—", "30", "—", "—", "—"]
    assert "Fontanes" not in communes
    assert "Bénéficiaires de l'aide à la pratique sportive (2022)" in communes


def test_annexes(page):
    annexes = page[page.index('id="annexes"'):]
    # figure (source), structure, year, published, computed, gap, status, note
    assert row_cells(annexes, "alsh_annuel : heures enfants") == [
        "alsh_annuel : heures enfantsbilan CTG 2019-2022 (Axe 1-A2)", "ALSH Lalbenque", "2022",
        "36 424", "36 424", "0", "ok", "le texte dit 2022"]
    assert row_cells(annexes, "alsh_annuel : enfants distincts")[3:7] == ["4", "s", "s", "écart"]
    assert "Pointages des accueils de loisirs (Pocketo)" in annexes
    assert table_row(annexes, "Pointages des accueils de loisirs (Pocketo)") == [
        "14", "0", "3", "1", "33 562", "31 879", "32", "1 643", "8"]
    assert "Heures de présence pointées." in annexes  # definitions from ref.catalogue


def test_page_is_self_contained(page):
    assert "<script" not in page
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "<style>" in page and "moins de 5 personnes" in page


def test_unknown_year_and_missing_public_layer(warehouse, tmp_path, capsys):
    assert main(["rapport", "--warehouse", str(warehouse), "--annee", "2012"]) == 1
    assert "Aucune donnée pour 2012" in capsys.readouterr().err
    empty = tmp_path / "vide.duckdb"
    duckdb.connect(str(empty)).close()
    assert main(["rapport", "--warehouse", str(empty)]) == 1
    assert "pas de couche publique" in capsys.readouterr().err


# --- files: HTML always, PDF with Chromium -----------------------------------------------------

def test_command_writes_html_and_pdf_beside_the_warehouse(warehouse, capsys):
    assert pdf.chromium(), "Chromium manque : lancez scripts/install-chromium.sh"
    assert main(["rapport", "--warehouse", str(warehouse), "--annee", "2022"]) == 0
    folder = warehouse.parent / "rapport"
    assert (folder / "rapport-2022.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (folder / "rapport-2022.pdf").read_bytes()[:5] == b"%PDF-"
    assert f"Rapport 2022 (PDF) : {folder / 'rapport-2022.pdf'}" in capsys.readouterr().out


def test_a_draft_printed_ahead_is_taken_only_when_its_page_is_the_one_written(warehouse, tmp_path, monkeypatch):
    """A refresh starts printing the report from its build (draft_report), labelled from the
    declarations since ``catalogue`` has not run yet; the report written after publication, with
    the labels ``catalogue`` wrote, takes that PDF when the page is the same, and prints its own
    otherwise."""
    monkeypatch.setattr(browser, "_browser", None)  # each draft printed by a Chromium of its own
    with duckdb.connect(str(warehouse)) as con:
        same = draft_report(con, 5)
        write_catalogue(con)
        taken, finish = [], same.job.finish
        same.job.finish = lambda pdf: taken.append(pdf) or finish(pdf)
        files = write_report(con, tmp_path / "meme", 5, draft=same)
        assert taken == [files.pdf] and files.pdf.read_bytes()[:5] == b"%PDF-" and not same.job.partial.exists()
        other = draft_report(con, 5)
        other.page += "<!-- une autre page -->"
        other.job.finish = lambda pdf: pytest.fail("le PDF d'une autre page a été pris")
        files = write_report(con, tmp_path / "autre", 5, draft=other)
    assert files.pdf.read_bytes()[:5] == b"%PDF-" and other.job._process.poll() is not None
    assert sorted(p.name for p in (tmp_path / "autre").iterdir()) == ["rapport-2023.html", "rapport-2023.pdf"]


def test_the_browser_started_ahead_prints_the_draft_and_a_dead_one_is_replaced(warehouse, tmp_path, monkeypatch):
    """A refresh starts Chromium when it begins (reporting/browser.py) and prints the draft through
    it: the PDF has the pages of the usual one. If that browser died, the draft is printed the
    usual way."""
    assert pdf.chromium(), "Chromium manque : lancez scripts/install-chromium.sh"
    monkeypatch.setattr(browser, "_browser", None)
    browser.start()
    started = browser._browser
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            ahead = draft_report(con, 5)
            assert isinstance(ahead.job, browser.BrowserPrintJob)
            files = write_report(con, tmp_path / "navigateur", 5, draft=ahead)
            usual = write_report(con, tmp_path / "habituel", 5)
            started.close()
            dead = draft_report(con, 5)
            assert isinstance(dead.job, pdf.PrintJob)  # the browser ended: a Chromium of its own
            replaced = write_report(con, tmp_path / "remplace", 5, draft=dead)
    finally:
        started.close()
    midway = browser.BrowserPrintJob(started, files.html, tmp_path / "milieu.pdf.partiel")  # it died meanwhile
    assert midway.finish(tmp_path / "milieu.pdf") is None
    pages = [pdf_pages(path) for path in (files.pdf, usual.pdf, replaced.pdf, tmp_path / "milieu.pdf")]
    assert pages[0] == pages[1] == pages[2] == pages[3] > 1 and files.warning is None


def pdf_pages(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", path.read_bytes()))


def test_chromium_prints_at_the_idle_priority():
    """The refresh's own work never waits for Chromium, which raises its own priority (nice):
    it runs under the idle scheduling policy."""
    with pdf.Profile() as profile:
        assert pdf.chromium_command(["--dump-dom"], profile)[:3] == [shutil.which("chrt"), "--idle", "0"]


def test_chromium_leaves_nothing_in_the_temporary_folder(tmp_path, monkeypatch):
    """Its profile, and the folder of its singleton lock, which Chromium makes in TMPDIR and
    leaves there when it is ended by a signal (as every print is, with its helper processes),
    are removed with the print."""
    temporary = Path(tempfile.mkdtemp(prefix="obs-"))  # short: Chromium's lock is a Unix socket in it
    monkeypatch.setenv("TMPDIR", str(temporary))
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    page = tmp_path / "page.html"
    page.write_text("<!DOCTYPE html><html><body><p>Rapport</p></body></html>", encoding="utf-8")
    try:
        started = browser.Browser()  # as a refresh starts it, ended when the refresh ends
        started.print_page(page, tmp_path / "navigateur.pdf")
        started.close()
        assert pdf.print_pdf(page, tmp_path / "page.pdf") is None
        assert (tmp_path / "navigateur.pdf").read_bytes()[:5] == (tmp_path / "page.pdf").read_bytes()[:5] == b"%PDF-"
        assert list(temporary.iterdir()) == []
    finally:
        shutil.rmtree(temporary)


def test_without_chromium_the_html_is_written_and_the_pdf_skipped(warehouse, tmp_path, monkeypatch):
    stale = tmp_path / "sortie" / "rapport-2023.pdf"
    stale.parent.mkdir()
    stale.write_bytes(b"%PDF- last year")
    monkeypatch.setattr(pdf, "CHROMIUM", "chromium-absent-de-cette-machine")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        files = write_report(con, tmp_path / "sortie", 5)
    assert files.html.exists() and files.pdf is None and not stale.exists()
    assert "Chromium n'est pas installé, le rapport PDF n'a pas été produit" in files.warning


# --- the page in a browser ---------------------------------------------------------------------

PROBE_START = """<script>
window.__erreurs = [];
window.addEventListener("error", function (e) {
  __erreurs.push(e.message || "ressource introuvable : " + (e.target.src || e.target.href));
}, true);
["error", "warn"].forEach(function (level) {
  var original = console[level];
  console[level] = function () {
    __erreurs.push(Array.prototype.join.call(arguments, " "));
    original.apply(console, arguments);
  };
});
</script>"""
PROBE_END = """<script>
window.addEventListener("load", function () {
  var charts = Array.prototype.map.call(document.querySelectorAll("svg"), function (svg) {
    var box = svg.getBoundingClientRect();
    return {largeur: box.width, hauteur: box.height, barres: svg.querySelectorAll("rect").length,
            textes: svg.querySelectorAll("text").length};
  });
  document.documentElement.setAttribute("data-graphiques", JSON.stringify(charts));
  document.documentElement.setAttribute("data-erreurs", JSON.stringify(window.__erreurs));
});
</script>"""


@dataclass
class Rendered:
    dom: str
    errors: list[str]
    charts: list[dict]

    @property
    def text(self) -> str:
        """The visible text, spaces made plain."""
        body = re.sub(r"<(script|style)\b.*?</\1>", "", self.dom, flags=re.S)
        return cells_text(re.sub(r"<[^>]+>", " ", body))


def open_in_chromium(page: Path, tmp_path: Path) -> Rendered:
    """Open a copy of the page, with a probe of errors and charts, in headless Chromium."""
    assert pdf.chromium(), "Chromium manque : lancez scripts/install-chromium.sh"
    source = page.read_text(encoding="utf-8")
    probed = tmp_path / f"sonde-{page.name}"
    probed.write_text(source.replace("<head>", "<head>" + PROBE_START, 1)
                      .replace("</body>", PROBE_END + "</body>", 1), encoding="utf-8")
    done = pdf.run_chromium(["--dump-dom"], probed)
    probe = re.search(r'<html[^>]*data-graphiques="([^"]*)"[^>]*data-erreurs="([^"]*)"', done.stdout)
    assert probe, f"la page ne s'est pas chargée dans Chromium : {done.stderr[-800:]}"
    return Rendered(done.stdout, json.loads(html.unescape(probe[2])), json.loads(html.unescape(probe[1])))


def test_the_probe_catches_an_error(tmp_path):
    broken = tmp_path / "casse.html"
    broken.write_text("<!DOCTYPE html><html><head></head><body><img src=\"absente.png\">"
                      "<script>inconnue()</script></body></html>", encoding="utf-8")
    errors = open_in_chromium(broken, tmp_path).errors
    assert any("inconnue is not defined" in e for e in errors)
    assert any("absente.png" in e for e in errors)


def test_report_renders_in_chromium_with_every_chart_drawn(warehouse, tmp_path):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        files = write_report(con, tmp_path / "rapport", 5, today=DAY)
    rendered = open_in_chromium(files.html, tmp_path)
    assert rendered.errors == []
    # ALSH, RDVJ, childcare, France Services, food aid, sport aid, and the CTG synthesis
    assert len(rendered.charts) == 7
    for chart in rendered.charts:
        assert chart["largeur"] > 300 and chart["hauteur"] > 100 and chart["barres"] >= 1, chart
    assert "36 424" in rendered.text and "Le territoire en chiffres : rapport 2023" in rendered.text


def test_asset_writes_the_html_beside_the_published_warehouse_even_without_chromium(
        warehouse, monkeypatch, capsys):
    monkeypatch.setattr(pdf, "CHROMIUM", "chromium-absent-de-cette-machine")
    result = dg.materialize(  # the report asset reads the published warehouse
        [rapport], instance=dg.DagsterInstance.ephemeral(),
        resources={"warehouse": WarehouseResource(path=str(warehouse), raw_dir=str(warehouse.parent))})
    assert result.success
    metadata = result.asset_materializations_for_node("rapport")[0].metadata
    assert metadata["html"].value == str(warehouse.parent / "rapport" / "rapport-2023.html")
    assert (warehouse.parent / "rapport" / "rapport-2023.html").exists()
    assert not (warehouse.parent / "rapport" / "rapport-2023.pdf").exists()
    assert "Chromium n'est pas installé" in capsys.readouterr().err
