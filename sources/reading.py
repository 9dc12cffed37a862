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
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from python_calamine import CalamineWorkbook

from sources.parsing import fold, header_key, is_blank
from sources.spec import SourceSpec
from warehouse.db import sql_text

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


class HeaderSearch:
    """Finds a table's header row through the source's aliases; remembers the best partial
    match to say which required columns are missing."""

    def __init__(self, spec: SourceSpec):
        self.spec = spec
        self.best: dict[int, str] = {}

    def match(self, cells: list[str]) -> dict[int, str] | None:
        """Column index -> column name when ``cells`` hold every required column's header."""
        mapping = _match_header(cells, self.spec)
        if len(mapping) > len(self.best):
            self.best = mapping
        return mapping if all(c in mapping.values() for c in self.spec.required) else None

    def rejection(self) -> FileRejected:
        if not self.best:
            return FileRejected("aucune ligne d'en-tête reconnue dans les 15 premières lignes")
        missing = [self.spec.columns[c].label for c in self.spec.required if c not in self.best.values()]
        return FileRejected("colonnes obligatoires absentes : " + ", ".join(missing))


def is_blank_or_total(cells: list[str | None]) -> bool:
    """A line that is no record: every cell blank, or a "Total" line (a cross-check, never a fact)."""
    first = next((c for c in cells if not is_blank(c)), None)
    return first is None or fold(first).startswith("total")


def read_chunks(
    path: Path, spec: SourceSpec, stats: ReadStats, chunk_rows: int = CHUNK_ROWS
) -> Iterator[pd.DataFrame]:
    """Raw text frames of the table in ``path``; raises FileRejected when it is not one."""
    headers: dict[str, dict[int, str]] = {}
    search = HeaderSearch(spec)
    buffer: list[dict[str, str | int | None]] = []
    for sheet, line, cells in records(path):
        if sheet not in headers:
            mapping = search.match(cells) if line <= HEADER_SEARCH_ROWS else None
            if mapping is not None:
                headers[sheet] = mapping
                stats.header_lines[sheet] = line
            continue
        if is_blank_or_total(cells):
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
        raise search.rejection()
    if buffer:
        yield _frame(buffer, spec)


def _frame(rows: list[dict[str, str | int | None]], spec: SourceSpec) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows)
    for column in spec.columns:
        if column not in frame:
            frame[column] = ""
    return frame


# --- The same reading done by DuckDB, for large delimited files -----------------------------
#
# DuckDB parses a delimited file 10 to 20 times faster than the csv module, but it does not say
# on which line a record starts, skips empty lines, and refuses Windows-1252. So the file's
# line ends are scanned with numpy, its header found by the code above, and it is transcoded to
# UTF-8 when DuckDB refuses its bytes; DuckDB's records are then numbered by the non-empty lines
# after the header. That numbering holds only when each record is one line: a line with an odd
# number of quotes (a quoted line break), a lone carriage return, a record count that differs
# from the number of lines, or any parse error sends the file back to the csv module.

BLOCK_BYTES = 1 << 24
HEAD_BYTES = 1 << 18
MAX_LINE_GAPS = 64  # runs of empty lines among the records; more: the csv module numbers them


@dataclass(frozen=True)
class DelimitedLayout:
    """Where the table of a delimited text file is, as the csv module reads its first lines."""

    delimiter: str
    header_line: int
    header_end: int  # the last physical line of the header record
    width: int  # cells in the header record
    mapping: dict[int, str]  # cell index -> column name


@dataclass(frozen=True)
class LineScan:
    """The 1-based numbers of a file's non-empty and empty physical lines."""

    filled: np.ndarray
    empty: np.ndarray


class _LineScanner:
    """Counts lines block by block; unusable once a line has an odd number of quotes (a quoted
    line break) or a carriage return is not followed by a line feed: the csv module and DuckDB
    would not count such lines alike."""

    def __init__(self) -> None:
        self.filled: list[np.ndarray] = []
        self.empty: list[np.ndarray] = []
        self.lines = self.quotes = self.partial = 0
        self.last_byte = 10
        self.usable = True

    def feed(self, block: bytes) -> None:
        data = np.frombuffer(block, np.uint8)
        returns = np.flatnonzero(data[:-1] == 13)  # a last \r waits for the next block
        if (data[returns + 1] != 10).any() or (self.last_byte == 13 and data[0] != 10):
            self.usable = False
        ends = np.flatnonzero(data == 10)
        quotes = np.flatnonzero(data == 34)
        if ((self.quotes + np.searchsorted(quotes, ends)) % 2).any():
            self.usable = False
        self.quotes += len(quotes)
        lengths = ends - np.concatenate(([-self.partial], ends[:-1] + 1))
        blank = lengths == 0
        one = np.flatnonzero(lengths == 1)
        before = ends[one] - 1
        blank[one] = np.where(before < 0, self.last_byte, data[np.maximum(before, 0)]) == 13  # "\r\n"
        numbers = np.arange(self.lines + 1, self.lines + 1 + len(ends))
        self.filled.append(numbers[~blank])
        self.empty.append(numbers[blank])
        self.lines += len(ends)
        self.partial = len(block) - int(ends[-1]) - 1 if len(ends) else self.partial + len(block)
        self.last_byte = block[-1]

    def finish(self) -> LineScan | None:
        if not self.usable or self.last_byte == 13 or self.quotes % 2:
            return None
        if self.partial:  # a last line without its line feed
            self.filled.append(np.array([self.lines + 1]))
        return LineScan(np.concatenate([np.zeros(0, np.int64), *self.filled]),
                        np.concatenate([np.zeros(0, np.int64), *self.empty]))


def scan_lines(path: Path) -> LineScan | None:
    """The file's lines (the same in Windows-1252 and in UTF-8), None when DuckDB cannot be
    trusted to count them."""
    scanner = _LineScanner()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(BLOCK_BYTES), b""):
            scanner.feed(block)
            if not scanner.usable:
                return None
    return scanner.finish()


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(BLOCK_BYTES), b""):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def cp1252_copy(path: Path, scratch: Path) -> Path:
    """A UTF-8 copy of a Windows-1252 file in ``scratch``; FileRejected (as :func:`decode`)
    when it is not Windows-1252 either."""
    copy = scratch / f"{hashlib.sha256(str(path).encode()).hexdigest()[:16]}.csv"
    with path.open("rb") as handle, copy.open("wb") as out:
        offset = 0
        for block in iter(lambda: handle.read(BLOCK_BYTES), b""):
            try:
                out.write(block.decode("cp1252").encode("utf-8"))
            except UnicodeDecodeError as error:
                raise FileRejected(
                    f"encodage non reconnu (ni UTF-8 ni Windows-1252) à l'octet {offset + error.start}"
                ) from error
            offset += len(block)
    return copy


def _head(path: Path) -> tuple[str, bool]:
    """The first complete lines of a UTF-8 file, and whether they are the whole file;
    UnicodeDecodeError when they are not UTF-8."""
    with path.open("rb") as handle:
        data = handle.read(HEAD_BYTES + 1)
    whole = len(data) <= HEAD_BYTES
    if not whole:
        data = data[: data.rfind(b"\n") + 1]
    return data.decode("utf-8").removeprefix("\ufeff"), whole


def delimited_layout(path: Path, spec: SourceSpec) -> DelimitedLayout | None:
    """The header of a UTF-8 delimited file, found as :func:`read_chunks` finds it; None when
    the first lines do not settle it (very long lines, or a record spanning lines before the
    header). Raises FileRejected when the file has no header."""
    head, whole = _head(path)
    if not whole and len(head.splitlines()) <= HEADER_SEARCH_ROWS + 5:
        return None
    delimiter = sniff_delimiter(head)
    reader = csv.reader(io.StringIO(head, newline=""), delimiter=delimiter)
    search, line = HeaderSearch(spec), 1
    for count, cells in enumerate(reader, start=1):
        if line > HEADER_SEARCH_ROWS:
            break
        mapping = search.match(cells)
        if mapping is not None:
            if reader.line_num != count:
                return None
            return DelimitedLayout(delimiter, line, reader.line_num, len(cells), mapping)
        line = reader.line_num + 1
    if whole or line > HEADER_SEARCH_ROWS:
        raise search.rejection()
    return None


def _numbering(record_lines: np.ndarray) -> str | None:
    """SQL giving the line of the record at ``rowid``: rowid plus an offset that grows past
    each run of empty lines; None when there are too many runs for one CASE."""
    offsets = record_lines - np.arange(len(record_lines))
    if len(offsets) == 0:
        return "rowid"
    runs = np.flatnonzero(np.diff(offsets)) + 1
    if len(runs) > MAX_LINE_GAPS:
        return None
    cases = " ".join(f"WHEN rowid >= {k} THEN {offsets[k]}" for k in reversed(runs))
    return f"rowid + CASE {cases} ELSE {offsets[0]} END" if cases else f"rowid + {offsets[0]}"


def _blank_or_total_rows(con: duckdb.DuckDBPyConnection, table: str, width: int) -> list[int]:
    """Rowids of the records that are blank or "Total" lines. Only a record whose first cell
    does not begin with an ASCII letter or digit other than n and t (the blanks "nc", "n.c.",
    "nr"..., the word "Total") can be one: those few are checked in Python."""
    cells = ", ".join(f"c{i}" for i in range(width))
    candidates = con.execute(
        f"SELECT rowid, {cells} FROM {table} "
        r"WHERE c0 IS NULL OR NOT regexp_matches(c0, '^[ \t]*[0-9A-MO-SU-Za-mo-su-z]')"
    ).fetchall()
    return [row[0] for row in candidates if is_blank_or_total(list(row[1:]))]


def read_with_duckdb(
    con: duckdb.DuckDBPyConnection, path: Path, spec: SourceSpec, stats: ReadStats, table: str,
    scratch: Path,
) -> str | None:
    """Read a delimited file into the DuckDB table ``table`` (one text column per cell) and
    return the SELECT of its records as :func:`read_chunks` yields them (``feuille``, ``ligne``
    and one text column per spec column); None when only the csv module reads it right.

    The file is first taken as UTF-8; DuckDB checks every byte it reads. Only when it refuses
    them is the whole file checked, and read again from its Windows-1252 transcoding (raises
    FileRejected when it is neither)."""
    scan = scan_lines(path)
    if scan is None:
        return None
    try:
        return _read_utf8(con, path, spec, stats, table, scan)
    except (UnicodeDecodeError, duckdb.Error, FileRejected) as error:
        con.execute(f"DROP TABLE IF EXISTS {table}")
        with path.open("rb") as handle:
            bom = handle.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8
        if bom or _is_utf8(path):
            if isinstance(error, FileRejected):
                raise
            return None
    copy = cp1252_copy(path, scratch)
    try:
        return _read_utf8(con, copy, spec, stats, table, scan)  # the table holds the text now
    except duckdb.Error:
        con.execute(f"DROP TABLE IF EXISTS {table}")
        return None
    finally:
        copy.unlink()


def _read_utf8(
    con: duckdb.DuckDBPyConnection, text: Path, spec: SourceSpec, stats: ReadStats, table: str,
    scan: LineScan,
) -> str | None:
    layout = delimited_layout(text, spec)
    if layout is None:
        return None
    record_lines = scan.filled[scan.filled > layout.header_end]
    numbering = _numbering(record_lines)
    if numbering is None:
        return None
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(layout.width)) + "}"
    con.execute(
        f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_csv({sql_text(str(text))}, "
        f"auto_detect = false, header = false, skip = {layout.header_end}, "
        f"delim = {sql_text(layout.delimiter)}, quote = '\"', escape = '\"', columns = {columns}, "
        "null_padding = true, strict_mode = true, encoding = 'utf-8')")
    (count,), = con.execute(f"SELECT count(*) FROM {table}").fetchall()
    if count != len(record_lines):
        con.execute(f"DROP TABLE {table}")
        return None
    blank_rows = _blank_or_total_rows(con, table, layout.width)
    stats.blank_or_total += int((scan.empty > layout.header_end).sum()) + len(blank_rows)
    stats.header_lines[""] = layout.header_line
    cells = {name: f"coalesce(c{index}, '')" for index, name in layout.mapping.items()}
    selected = ", ".join(f"{cells.get(name, repr(''))} AS {name}" for name in spec.columns)
    kept = f" WHERE rowid NOT IN ({', '.join(map(str, blank_rows))})" if blank_rows else ""
    return f"SELECT '' AS feuille, CAST({numbering} AS INTEGER) AS ligne, {selected} FROM {table}{kept}"
