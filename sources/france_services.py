"""France Services counters (sources.md §2): the counter workbook and the long CSV.

The long layout (``Site;Année;Mois;Opérateur;Demandes``, one row per count) is read by the shared
reader. The counter layout (title rows naming the site and the year, a header
``Opérateur | Janvier … Décembre | Total``, one row per operator, a ``Total`` row), whether a
workbook or a CSV saved from it, is turned here into the same long raw rows:

- one raw row per month cell of an operator row, a blank cell being 0. Its ``ligne`` is the
  operator row's Excel row and its ``cellule`` the cell's column ("D"): each raw row, and so
  each quarantined row, is one cell a person can find;
- rows read, for the row accounting, are the month cells of the table: those of the operator
  rows are yielded, those of the ``Total`` row and of empty rows are counted as blank/total. The
  ``Total`` column is a cross-check, not a row;
- the site and the year come from the title rows, else the sheet name, else the file name; a file
  where either stays unknown is rejected whole, before any of its rows is yielded;
- the file's totals are checked, never trusted: a ``Total`` cell that disagrees with its month
  cells is a warning naming the cell; the month cells are the facts;
- a month header is read through the spec's month labels (``mois``: names, abbreviations), or as
  a one-letter typo of one of them ("Fevier"), with a warning; any other header cell that is
  neither the operator column nor the total is a warning too (its column is not read).

A file with no counter header (an operator column and month columns within its first rows) is a
long file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from itertools import groupby
from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter

from sources import reading
from sources.parsing import fold, header_key, is_blank, parse_integer
from sources.reading import HEADER_SEARCH_ROWS, FileRejected, ReadStats, Record, records
from sources.spec import SourceSpec, load_spec
from sources.typos import guess
from warehouse import settings
from warehouse.reference import read_ref

SPEC = load_spec("france_services")
WARNING_TYPE = "total"
HEADER_WARNING = "en-tête"
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_DATE = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}")  # "édité le 08/01/2023" names no year
# A counter header has at least this many month columns: a line of a long file has at most two
# cells that read as a month ("…;1;Partenaires;12").
MIN_MONTHS = 3


@dataclass(frozen=True)
class CounterTable:
    """Where the counter table of one sheet sits."""

    sheet: str
    header_line: int
    operator_column: int
    months: dict[int, str]  # column index -> the month's header as written
    guessed: dict[int, str]  # column index -> the month's code ("2"), for a header with a typo
    total_column: int | None
    title: str  # the text of the rows above the header
    header: tuple[str, ...]  # the header row's cells


@dataclass(frozen=True)
class TableRow:
    """A row below the header: an operator's, the Total row or an empty one."""

    line: int
    label: str
    cells: dict[int, str]  # month column -> raw text
    total: str  # the row's own Total cell, raw text


def read_chunks(path: Path, spec: SourceSpec, stats: ReadStats) -> Iterator[pd.DataFrame]:
    """Raw text frames of a counter workbook, or of a long file through the shared reader."""
    sheets = {sheet: list(rows) for sheet, rows in groupby(records(path), key=lambda r: r[0])}
    tables = {sheet: _counter_table(sheet, rows, spec) for sheet, rows in sheets.items()}
    if not any(tables.values()):
        yield from reading.read_chunks(path, spec, stats)
        return
    rows = []
    for sheet, table in tables.items():
        if table is None:
            if any(not is_blank(cell) for _, _, cells in sheets[sheet] for cell in cells):
                raise FileRejected(f"feuille « {sheet} » : en-tête « Opérateur | Janvier | … » "
                                   f"introuvable dans les {HEADER_SEARCH_ROWS} premières lignes")
            continue
        stats.header_lines[sheet] = table.header_line
        stats.warnings += _header_warnings(table, spec)
        rows += _raw_rows(table, sheets[sheet], path, spec, stats)
    if rows:
        yield pd.DataFrame.from_records(rows, columns=[*spec.columns, "feuille", "ligne", "cellule"])


def _counter_table(sheet: str, rows: list[Record], spec: SourceSpec) -> CounterTable | None:
    """The header row with an operator column and month columns, within the first rows."""
    for index, (_, line, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        operator = [i for i, c in enumerate(cells) if spec.alias_index.get(header_key(c)) == "operateur"]
        months = {i: month_of(c, spec) for i, c in enumerate(cells)}
        months = {i: month for i, month in months.items() if month[0]}
        if operator and len(months) >= MIN_MONTHS:
            total = next((i for i, c in enumerate(cells) if fold(c).startswith("total")), None)
            title = " ".join(c for _, _, above in rows[:index] for c in above if not is_blank(c))
            guessed = {i: code for i, (code, typo) in months.items() if typo}
            return CounterTable(sheet, line, operator[0], {i: cells[i].strip() for i in months},
                                guessed, total, title, tuple(cells))
    return None


@cache
def _month_labels(spec: SourceSpec) -> dict[str, str]:
    """The spec's month labels, folded -> the month's code."""
    return {fold(label): code for label, code in spec.categories["mois"].items()}


def month_of(cell: str, spec: SourceSpec) -> tuple[str | None, bool]:
    """(the month's code or None, whether it was guessed from a one-letter typo)."""
    labels, key = _month_labels(spec), fold(cell)
    if key in labels:
        return labels[key], False
    guessed = guess(key, labels)
    return guessed, guessed is not None


def _header_warnings(table: CounterTable, spec: SourceSpec) -> list[dict]:
    """A warning for each month header read through a typo, and for each header cell that is
    neither a month, the operator column nor the total (its column is not read)."""
    names = {code: label for label, code in reversed(spec.categories["mois"].items())}
    warnings = []
    for column, cell in enumerate(table.header):
        if is_blank(cell) or column in (table.operator_column, table.total_column):
            continue
        code, guessed = month_of(cell, spec)
        where = f"{get_column_letter(column + 1)}{table.header_line}"
        if guessed:
            message = (f"en-tête « {cell.strip()} » ({where}) lu comme le mois {names[code]} "
                       "(faute de frappe ?)")
        elif code is None:
            message = (f"colonne « {cell.strip()} » ({where}) ignorée : ni un mois, ni l'opérateur, "
                       "ni le total")
        else:
            continue
        warnings.append({"type": HEADER_WARNING, "feuille": table.sheet, "ligne": table.header_line,
                         "colonne": cell.strip(), "message": message})
    return warnings


def _raw_rows(
    table: CounterTable, rows: list[Record], path: Path, spec: SourceSpec, stats: ReadStats
) -> list[dict]:
    site, year = _site_and_year(table, path, spec)
    operators: list[TableRow] = []
    for _, line, cells in rows:
        if line <= table.header_line:
            continue
        row = _table_row(table, line, cells)
        if not row.label and not row.total and all(is_blank(c) for c in row.cells.values()):
            stats.blank_or_total += len(table.months)
        elif fold(row.label).startswith("total"):
            stats.blank_or_total += len(table.months)
            _check_total_row(table, row, operators, stats)
        else:
            _check_row_total(table, row, stats)
            operators.append(row)
    return [
        {"site": site, "annee": year, "mois": table.guessed.get(column, table.months[column]),
         "operateur": row.label,
         "demandes": "0" if is_blank(text) else text,
         "feuille": table.sheet, "ligne": row.line, "cellule": get_column_letter(column + 1)}
        for row in operators for column, text in row.cells.items()
    ]


def _table_row(table: CounterTable, line: int, cells: list[str]) -> TableRow:
    def cell(index: int | None) -> str:
        return cells[index].strip() if index is not None and index < len(cells) else ""

    def given(index: int | None) -> str:
        return "" if is_blank(cell(index)) else cell(index)

    return TableRow(line, given(table.operator_column),
                    {column: cell(column) for column in table.months}, given(table.total_column))


# --- site and year -------------------------------------------------------------------------

def _site_and_year(table: CounterTable, path: Path, spec: SourceSpec) -> tuple[str, str]:
    places = (table.title, table.sheet, path.stem)
    site = next((found for found in (_site_in(p, spec.name) for p in places) if found), None)
    year = next((found for found in (_year_in(p) for p in places) if found), None)
    where = f"feuille « {table.sheet} » : " if table.sheet else ""
    if site is None:
        raise FileRejected(f"{where}site introuvable : ni le titre, ni le nom de la feuille, ni le "
                           "nom du fichier ne nomment un espace France Services connu")
    if year is None:
        raise FileRejected(f"{where}année introuvable : ni le titre, ni le nom de la feuille, ni le "
                           "nom du fichier ne donnent une seule année")
    return site, year


def _site_aliases(source: str) -> tuple[tuple[str, str, str], ...]:
    """(folded alias, alias, structure_id) of the source's sites, longest first."""
    return _site_aliases_in(source, settings.ref_dir())


@cache
def _site_aliases_in(source: str, ref_dir: Path) -> tuple[tuple[str, str, str], ...]:
    aliases = [(fold(r["alias"]), r["alias"], r["structure_id"])
               for r in read_ref("structures_alias", ref_dir) if r["source"] == source]
    return tuple(sorted(aliases, key=lambda a: -len(a[0])))


def _site_in(text: str, source: str) -> str | None:
    """The longest site alias named in ``text``, when all those named are the same site."""
    words = f" {fold(text)} "
    found = [(alias, site) for key, alias, site in _site_aliases(source) if f" {key} " in words]
    return found[0][0] if found and len({site for _, site in found}) == 1 else None


def _year_in(text: str) -> str | None:
    """The one year named in ``text`` (dates aside), None when there are none or several."""
    years = set(_YEAR.findall(_DATE.sub(" ", text)))
    return years.pop() if len(years) == 1 else None


# --- totals: checked, never trusted ----------------------------------------------------------

def _count(text: str) -> int | None:
    """A month cell's count (blank is 0), None when unreadable."""
    if is_blank(text):
        return 0
    value, _ = parse_integer(text)
    return None if value is None else int(value)


def _sum(counts: list[int | None]) -> int | None:
    return None if None in counts else sum(counts)


def _check_row_total(table: CounterTable, row: TableRow, stats: ReadStats) -> None:
    computed = _sum([_count(text) for text in row.cells.values()])
    _compare(stats, table, row.line, table.total_column, f"Total de la ligne {row.label}",
             row.total, computed)


def _check_total_row(
    table: CounterTable, total: TableRow, operators: list[TableRow], stats: ReadStats
) -> None:
    columns = {column: _sum([_count(r.cells[column]) for r in operators]) for column in table.months}
    for column, computed in columns.items():
        _compare(stats, table, total.line, column,
                 f"Total de la colonne {table.months[column]}", total.cells[column], computed)
    _compare(stats, table, total.line, table.total_column, "Total général", total.total,
             _sum(list(columns.values())))


def _compare(
    stats: ReadStats, table: CounterTable, line: int, column: int | None, what: str,
    entered: str, computed: int | None,
) -> None:
    """A warning when a Total cell the file gives disagrees with the sum of its month cells."""
    if column is None or computed is None or is_blank(entered):
        return
    typed = _count(entered)
    if typed == computed:
        return
    cell = f"{get_column_letter(column + 1)}{line}"
    said = f"{typed} saisi" if typed is not None else f"« {entered} » illisible"
    header = table.months.get(column, "Total")
    stats.warnings.append({
        "type": WARNING_TYPE, "feuille": table.sheet, "ligne": line, "colonne": header,
        "message": f"{what} ({cell}) : {said}, {computed} calculé",
    })
