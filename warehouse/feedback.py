"""Feedback workbooks: ``retours/<source>-<année>.xlsx``, what each service must fix in its files.

Written by each refresh into the build's export folder, so they are published with the warehouse.
A first sheet ``Campagne`` gives the campaign status of that source and year
(qualite.campagne); then one sheet per file received (loaded or refused): every quarantined row
(file, sheet, line as seen when opening the file, column, value, reason) with what to do, then
the warnings. The value is the one qualite.quarantaine keeps, which is never a personal one
(a name, a birth date, a file number: sources/specs/*.yaml ``personnel``). The advice comes from
warehouse/retours_conseils.yaml (reason pattern -> French advice), never from code.

:func:`plan_feedback` reads what the workbooks show (plain data); :func:`write_workbooks`
writes them, in the refresh's worker process (warehouse/worker.py) while the main one goes on.

A file belongs to the workbook of every year its loaded rows cover; a file with no loaded row
(refused, or all its rows quarantined) to the campaign's latest year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from warehouse import PACKAGE_DIR, read_yaml
from warehouse.campaign import MANQUANT, PARTIEL, latest_year, month_names, sources, staging_table
from warehouse.journal import CHARGE, REJETE

ADVICE_PATH = PACKAGE_DIR / "retours_conseils.yaml"
FOLDER = "retours"
SUMMARY_SHEET = "Campagne"
BOLD = Font(bold=True)
WRAPPED = Alignment(wrap_text=True, vertical="top")
QUARANTINE_HEADER = ["Fichier", "Feuille", "Ligne", "Colonne", "Valeur lue", "Motif", "À faire"]
WARNING_HEADER = ["Fichier", "Feuille", "Ligne", "Colonne", "Message", "À faire"]
SUMMARY_HEADER = ["Structure", "Statut", "Mois manquants", "Fichiers", "Lignes chargées", "Première date",
                  "Dernière date", "Fichier le plus récent", "À faire"]
WIDTHS = {"Motif": 60, "Message": 60, "À faire": 60, "Fichier": 40, "Structure": 40}


@cache
def _advice_rules() -> tuple[list[tuple[re.Pattern, str]], str]:
    data = read_yaml(ADVICE_PATH)
    return [(re.compile(r["motif"], re.IGNORECASE), r["conseil"]) for r in data["conseils"]], data["defaut"]


def advice(reason: str | None) -> str:
    """What to do about a reason, in French: the first matching pattern's advice."""
    rules, default = _advice_rules()
    return next((text for pattern, text in rules if pattern.search(reason or "")), default)


def records(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def files_by_year(con: duckdb.DuckDBPyConnection, source: str, last_year: int) -> dict[int, list[str]]:
    """The source's files received (loaded or refused), by the years their loaded rows cover."""
    files = [name for (name,) in con.execute(
        "SELECT fichier_nom FROM qualite.journal_chargement WHERE source = ? AND statut IN (?, ?) "
        "ORDER BY fichier_nom", [source, CHARGE, REJETE]).fetchall()]
    staged = staging_table(source)
    year_of = "annee" if "annee" in {c for (c,) in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() AND "
        "schema_name || '.' || table_name = ?", [staged]).fetchall()} else None
    covered: dict[str, set[int]] = {}
    if year_of:
        for name, year in con.execute(f"SELECT DISTINCT fichier_nom, {year_of} FROM {staged}").fetchall():
            covered.setdefault(name, set()).add(year)
    by_year: dict[int, list[str]] = {}
    for name in files:
        for year in sorted(covered.get(name) or {last_year}):
            by_year.setdefault(year, []).append(name)
    return by_year


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name from a file name (31 characters, no []:*?/\\)."""
    base = re.sub(r"[\[\]:*?/\\]", "_", Path(name).stem)[:28] or "fichier"
    title, n = base, 2
    while title.lower() in taken:
        title, n = f"{base[:25]} ({n})", n + 1
    taken.add(title.lower())
    return title


def _append_table(sheet, header: list[str], rows: list[list]) -> None:
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
    for row in rows:
        sheet.append(row)


def _finish(sheet, header: list[str]) -> None:
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(name, 16)
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = WRAPPED


@dataclass(frozen=True)
class SourceRows:
    """A source's rows of the load log, the quarantine and the warnings, by file name: read once
    for all its workbooks."""
    logs: dict[str, dict]
    rejected: dict[str, list[dict]]
    warnings: dict[str, list[dict]]


def source_rows(con: duckdb.DuckDBPyConnection, source: str) -> SourceRows:
    def by_file(sql: str) -> dict[str, list[dict]]:
        found: dict[str, list[dict]] = {}
        for row in records(con, sql, [source]):
            found.setdefault(row["fichier_nom"], []).append(row)
        return found

    logs = {name: rows[0] for name, rows in by_file(
        "SELECT * FROM qualite.journal_chargement WHERE source = ?").items()}
    return SourceRows(logs, by_file("SELECT * FROM qualite.quarantaine WHERE source = ? "
                                    "ORDER BY fichier_nom, feuille NULLS FIRST, ligne, cellule"),
                      by_file("SELECT * FROM qualite.avertissements WHERE source = ? "
                              "ORDER BY fichier_nom, feuille NULLS FIRST, ligne NULLS FIRST, type"))


def file_sheet(sheet, rows: SourceRows, name: str) -> int:
    """One file's sheet; returns the number of quarantined rows listed."""
    log = rows.logs[name]
    sheet.append([f"Fichier : {name}"])
    sheet["A1"].font = Font(bold=True, size=13)
    if log["statut"] == REJETE:
        sheet.append([f"Fichier refusé entier : {log['motif']}", None, None, None, None, None,
                      advice(log["motif"])])
    else:
        sheet.append([f"{log['lignes_lues']} ligne(s) lue(s) : {log['lignes_chargees']} chargée(s), "
                      f"{log['lignes_quarantaine']} refusée(s), {log['lignes_doublons']} en double, "
                      f"{log['lignes_vides_total']} vide(s) ou de total"])
    sheet.append([])
    sheet.append(["Lignes refusées (à corriger dans le fichier)"])
    sheet.cell(sheet.max_row, 1).font = BOLD
    rejected = rows.rejected.get(name, [])
    _append_table(sheet, QUARANTINE_HEADER, [
        [r["fichier_nom"], r["feuille"], r["ligne"], r["colonne"], r["valeur_brute"], r["motif"],
         advice(r["motif"])] for r in rejected])
    sheet.append([])
    sheet.append(["Avertissements (lignes gardées, à vérifier)"])
    sheet.cell(sheet.max_row, 1).font = BOLD
    _append_table(sheet, WARNING_HEADER, [
        [r["fichier_nom"], r["feuille"], r["ligne"], r["colonne"], r["message"],
         advice(f"{r['type']} {r['message']}")] for r in rows.warnings.get(name, [])])
    _finish(sheet, QUARANTINE_HEADER)
    sheet.freeze_panes = "A2"
    return len(rejected)


@dataclass(frozen=True)
class FeedbackWorkbook:
    """What one workbook shows, read from the warehouse: plain data, written by
    :func:`write_workbooks` anywhere (the refresh's worker process writes them)."""
    path: Path
    label: str
    year: int
    campaign: list[dict]
    files: list[str]
    rows: SourceRows


def campaign_rows(con: duckdb.DuckDBPyConnection, source: str, year: int) -> list[dict]:
    """The campaign status of a source's structures for a year (qualite.campagne)."""
    return records(con, """
        SELECT coalesce(s.libelle, 'registre intercommunal') AS structure, c.*
        FROM qualite.campagne c LEFT JOIN ref.structures s USING (structure_id)
        WHERE c.source = ? AND c.annee = ? AND c.mois IS NULL ORDER BY structure""", [source, year])


def summary_sheet(sheet, plan: FeedbackWorkbook) -> None:
    sheet.append([f"Campagne de collecte {plan.year} : {plan.label}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(["Ce classeur liste, fichier par fichier (une feuille chacun), les lignes refusées et ce "
                  "qu'il faut corriger, puis les avertissements. Corrigez le fichier, puis renvoyez-le à "
                  "l'observatoire."])
    sheet.append([])
    _append_table(sheet, SUMMARY_HEADER, [[
        r["structure"], r["statut"], month_names(r["mois_manquants"]), r["fichiers"], r["lignes"],
        r["premiere_date"], r["derniere_date"], r["dernier_fichier"],
        advice(r["statut"]) if r["statut"] in (MANQUANT, PARTIEL) else ""] for r in plan.campaign])
    for row in sheet.iter_rows(min_row=5):
        for cell in row[5:8]:
            cell.number_format = "DD/MM/YYYY"
    _finish(sheet, SUMMARY_HEADER)


def plan_feedback(con: duckdb.DuckDBPyConnection, folder: Path) -> list[FeedbackWorkbook]:
    """Every feedback workbook of ``folder/retours/``, with what it shows."""
    last_year = latest_year(con)
    if last_year is None:
        return []
    plans = []
    for source, about in sources().items():
        by_year, rows = files_by_year(con, source, last_year), source_rows(con, source)
        plans += [FeedbackWorkbook(folder / FOLDER / f"{source}-{year}.xlsx", about["libelle"], year,
                                   campaign_rows(con, source, year), by_year.get(year, []), rows)
                  for year in sorted({*by_year, last_year})]
    return plans


def write_workbook(plan: FeedbackWorkbook) -> None:
    workbook = openpyxl.Workbook()
    summary_sheet(workbook.active, plan)
    workbook.active.title = SUMMARY_SHEET
    taken = {SUMMARY_SHEET.lower()}
    for name in plan.files:
        file_sheet(workbook.create_sheet(sheet_title(name, taken)), plan.rows, name)
    plan.path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(plan.path)


def write_workbooks(plans: list[FeedbackWorkbook]) -> list[Path]:
    """Write the workbooks; returns their paths."""
    for plan in plans:
        write_workbook(plan)
    return [plan.path for plan in plans]
