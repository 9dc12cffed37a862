"""Excel workbooks of the public tables: ``excel/<table>.xlsx``, typed cells Excel does not guess.

A CSV opened in Excel is re-read by Excel's guesses: the age band ``6-11`` becomes a date, a code
``06…`` loses its zero. A workbook carries the type of each cell: numbers are numbers with a
French display (thousands separated, the decimals of the column's type), years and months are
integers without separator, codes and bands are text (format ``@``). The first sheet holds the
rows, under the labels of ``ref.catalogue``, with a frozen header and a filter; a masked cell
(empty in a row whose ``secret`` is true) shows ``s``. The second sheet describes the table and
its columns, with the legend of ``s``. A text cell starting with ``=``, ``+``, ``-`` or ``@`` is
neutralised (a leading apostrophe), so that a spreadsheet never reads it as a formula.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

MASKED = "s"
FORMULA_STARTS = ("=", "+", "-", "@")
TEXT_FORMAT, YEAR_FORMAT, COUNT_FORMAT = "@", "0", "#,##0"
YEAR_COLUMNS = {"annee", "annee_debut", "annee_fin", "mois"}
INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")
DATA_SHEET, ABOUT_SHEET = "Données", "Définitions"


def neutralise(text: str) -> str:
    """A text a spreadsheet would run as a formula, made inert by a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def number_format(name: str, sql_type: str) -> str:
    """The Excel format of a column: French display comes from Excel's locale, not the code."""
    if name in YEAR_COLUMNS:
        return YEAR_FORMAT
    if sql_type in INTEGER_TYPES:
        return COUNT_FORMAT
    scale = re.fullmatch(r"DECIMAL\(\d+,\s*(\d+)\)", sql_type)
    if scale:
        decimals = int(scale.group(1))
        return COUNT_FORMAT + ("." + "0" * decimals if decimals else "")
    if sql_type in ("DOUBLE", "FLOAT", "REAL"):
        return "#,##0.00"
    return TEXT_FORMAT


def cell_value(value: object, masked: bool) -> object:
    if value is None:
        return MASKED if masked else None
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, str):
        return neutralise(value)
    return value


def write_workbook(path: Path, columns: list[tuple[str, str]], rows: list[tuple], about: dict,
                   table: str, threshold: int) -> None:
    """One table's workbook: its rows, then its definitions."""
    workbook = Workbook()
    data = workbook.active
    data.title = DATA_SHEET
    names = [name for name, _ in columns]
    data.append([(about.get((table, name)) or (name,))[0] for name in names])
    for cell in data[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    formats = [number_format(name, sql_type) for name, sql_type in columns]
    secret_at = names.index("secret") if "secret" in names else None
    for row in rows:
        masked = secret_at is not None and bool(row[secret_at])
        data.append([cell_value(value, masked) for value in row])
    for index, (name, fmt) in enumerate(zip(names, formats), start=1):
        letter = get_column_letter(index)
        data.column_dimensions[letter].width = max(12, min(40, len(str(data.cell(1, index).value)) + 2))
        for (cell,) in data.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.number_format = TEXT_FORMAT if isinstance(cell.value, str) else fmt
    data.freeze_panes = "A2"
    data.auto_filter.ref = data.dimensions
    describe(workbook.create_sheet(ABOUT_SHEET), columns, about, table, threshold)
    workbook.save(path)


def describe(sheet, columns: list[tuple[str, str]], about: dict, table: str, threshold: int) -> None:
    """The sheet that says what the table is, where it comes from, and what ``s`` means."""
    libelle, definition, _, source = about.get((table, None)) or (table, "", None, None)
    for line in ([libelle], [definition], [f"Source : {source}" if source else ""],
                 [f"{MASKED} : secret statistique. Un compte de personnes ou de foyers de 1 à {threshold - 1}, "
                  "et les chiffres calculés à partir de lui, ne sont pas publiés."],
                 [], ["Colonne", "Nom dans l'entrepôt", "Définition", "Unité"]):
        sheet.append([neutralise(text) for text in line])
    sheet["A1"].font = Font(bold=True, size=13)
    for cell in sheet[6]:
        cell.font = Font(bold=True)
    for name, _ in columns:
        label, text, unit, _ = about.get((table, name)) or (name, "", None, None)
        sheet.append([neutralise(label), name, neutralise(text or ""), unit or ""])
    for letter, width in zip("ABCD", (30, 24, 80, 14)):
        sheet.column_dimensions[letter].width = width


def export_workbook(con: duckdb.DuckDBPyConnection, table: str, path: Path, select_sql: str,
                    columns: list[tuple[str, str]], about: dict, threshold: int) -> None:
    write_workbook(path, columns, con.execute(select_sql).fetchall(), about, table, threshold)
