"""Read any delimited text or workbook into chunks of raw text cells with their line.

The reader knows nothing of a source beyond its header aliases: it finds the
header row, maps each column to the source's column names, and yields pandas
frames of raw text with ``feuille`` and ``ligne`` (the 1-based line, or Excel
row, a person opening the file would see). Blank lines and "Total" rows are
counted, not yielded.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook

from sources.parsing import fold, header_key, is_blank
from sources.spec import SourceSpec

HEADER_SEARCH_ROWS = 15
CHUNK_ROWS = 100_000
DELIMITERS = (";", "\t", ",")
_DATA_SHEET = re.compile(
    r"^\s*((19|20)\d{2}|janv|fevr|mars|avr|mai|juin|juil|aout|sept|oct|nov|dec)", re.I
)


class FileRejected(Exception):
    """The file cannot be read as this source's table; the message is for the user."""


@dataclass
class ReadStats:
    """What a reader tells besides its rows: lines it did not yield, warnings on the file."""

    blank_or_total: int = 0
    header_lines: dict[str, int] = field(default_factory=dict)
    # Each warning: {"type", "feuille", "ligne", "colonne", "message"} (kept rows, told to the user).
    warnings: list[dict] = field(default_factory=list)


Record = tuple[str, int, list[str]]  # sheet ("" for delimited text), line, cells
# A reader turns a file into frames of raw text cells (the spec's columns, ``feuille``, ``ligne``).
Reader = Callable[[Path, SourceSpec, "ReadStats"], Iterator[pd.DataFrame]]


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252; never silently latin-1."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise FileRejected(
            f"encodage non reconnu (ni UTF-8 ni Windows-1252) à l'octet {error.start}"
        ) from error


def sniff_delimiter(text: str) -> str:
    """The separator that splits the first lines most consistently."""
    lines = [line for line in text.splitlines()[:HEADER_SEARCH_ROWS + 5] if line.strip()]
    best, best_score = ";", -1
    for delimiter in DELIMITERS:
        counts = [len(next(csv.reader([line], delimiter=delimiter))) - 1 for line in lines]
        widest = max(counts, default=0)
        score = sum(1 for c in counts if c == widest) * widest
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_records(path: Path) -> Iterator[Record]:
    text = decode(path.read_bytes())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    line = 1
    for cells in reader:
        yield "", line, cells
        line = reader.line_num + 1


def _cell_text(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        seconds = round(value.total_seconds())
        return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def data_sheets(names: list[str]) -> list[str]:
    """Sheets named like a year or a month, else the first sheet."""
    named = [name for name in names if _DATA_SHEET.match(fold(name))]
    return named or names[:1]


def _xlsx_records(path: Path) -> Iterator[Record]:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as error:  # calamine raises its own error types for broken files
        raise FileRejected(f"classeur Excel illisible ({error})") from error
    for name in data_sheets(workbook.sheet_names):
        rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for index, row in enumerate(rows, start=1):
            yield name, index, [_cell_text(v) for v in row]


def records(path: Path) -> Iterator[Record]:
    reader = _xlsx_records if path.suffix.lower() == ".xlsx" else _csv_records
    return reader(path)


def _match_header(cells: list[str], spec: SourceSpec) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for index, cell in enumerate(cells):
        column = spec.alias_index.get(header_key(cell))
        if column and column not in mapping.values():
            mapping[index] = column
    return mapping


def _is_total(cells: list[str]) -> bool:
    first = next((c for c in cells if not is_blank(c)), "")
    return fold(first).startswith("total")


def _missing_message(spec: SourceSpec, found: Iterable[str]) -> str:
    missing = [spec.columns[c].label for c in spec.required if c not in set(found)]
    return "colonnes obligatoires absentes : " + ", ".join(missing)


def read_chunks(
    path: Path, spec: SourceSpec, stats: ReadStats, chunk_rows: int = CHUNK_ROWS
) -> Iterator[pd.DataFrame]:
    """Raw text frames of the table in ``path``; raises FileRejected when it is not one."""
    headers: dict[str, dict[int, str]] = {}
    best: dict[int, str] = {}
    buffer: list[dict[str, str | int | None]] = []
    for sheet, line, cells in records(path):
        if sheet not in headers:
            if line > HEADER_SEARCH_ROWS:
                continue
            mapping = _match_header(cells, spec)
            if len(mapping) > len(best):
                best = mapping
            if not all(c in mapping.values() for c in spec.required):
                continue
            headers[sheet] = mapping
            stats.header_lines[sheet] = line
            continue
        if all(is_blank(c) for c in cells) or _is_total(cells):
            stats.blank_or_total += 1
            continue
        mapping = headers[sheet]
        row: dict[str, str | int | None] = {col: "" for col in mapping.values()}
        for index, column in mapping.items():
            if index < len(cells):
                row[column] = cells[index]
        row["feuille"], row["ligne"] = sheet, line
        buffer.append(row)
        if len(buffer) >= chunk_rows:
            yield _frame(buffer, spec)
            buffer = []
    if not headers:
        if not best:
            raise FileRejected("aucune ligne d'en-tête reconnue dans les 15 premières lignes")
        raise FileRejected(_missing_message(spec, best.values()))
    if buffer:
        yield _frame(buffer, spec)


def _frame(rows: list[dict[str, str | int | None]], spec: SourceSpec) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows)
    for column in spec.columns:
        if column not in frame:
            frame[column] = ""
    return frame
