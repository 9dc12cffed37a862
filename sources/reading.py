"""Read any delimited text or workbook into chunks of raw text cells with their line.

The reader knows nothing of a source beyond its header aliases: it finds the
header row, maps each column to the source's column names, and yields pandas
frames of raw text with ``feuille`` and ``ligne`` (the 1-based line, or Excel
row, a person opening the file would see). Blank lines and "Total" rows are
counted, not yielded. A record of delimited text that cannot be read by position (too long,
or not as many fields as its header) is set aside whole, its reason in ``ReadStats.rejected``
and none of its values kept. Every sheet of a workbook is read by its header, or said
unread in ``ReadStats.sheets``.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import os
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from python_calamine import CalamineWorkbook

from sources.parsing import fold, header_key, is_blank
from sources.spec import SourceSpec
from warehouse.db import sql_text

HEADER_SEARCH_ROWS = 100  # a header further down is no header
SNIFF_LINES = 20  # the first lines that settle the separator
CHUNK_ROWS = 100_000
DELIMITERS = (";", "\t", ",")
# A record longer than this is no table row (a pasted document, a binary blob): set aside whole,
# never parsed nor copied. The csv module is allowed far more, so that it can read past it.
MAX_RECORD_CHARS = 1 << 17
TOO_LONG = "ligne trop longue"
csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
_MONTH = (r"(janv(ier)?|fevr?(ier)?|mars|avr(il)?|mai|juin|juil(let)?|aout|sept(embre)?"
          r"|oct(obre)?|nov(embre)?|dec(embre)?)")
# The instructions and lists of the entry templates (sources/templates.py): never data.
TEMPLATE_SHEETS = {"mode d emploi du modele", "listes du modele"}
_DATA_SHEET = re.compile(rf"^\s*((19|20)\d{{2}}|{_MONTH}(?![a-z]))", re.I)  # a whole word


class FileRejected(Exception):
    """The file cannot be read as this source's table; the message is for the user."""


@dataclass
class ReadStats:
    """What a reader tells besides its rows: lines it did not yield, warnings on the file."""

    blank_or_total: int = 0
    header_lines: dict[str, int] = field(default_factory=dict)
    # Each warning: {"type", "feuille", "ligne", "colonne", "message"} (kept rows, told to the user).
    warnings: list[dict] = field(default_factory=list)
    # Records set aside whole, none of their values kept: (sheet, line, reason in French).
    rejected: list[tuple[str, int, str]] = field(default_factory=list)
    # Every sheet of a workbook: "lue", "vide", or why it was not read.
    sheets: dict[str, str] = field(default_factory=dict)


Record = tuple[str, int, list[str]]  # sheet ("" for delimited text), line, cells
Rows = Iterator[tuple[int, list[str]]]  # a sheet's lines and cells
# A reader turns a file into frames of raw text cells (the spec's columns, ``feuille``, ``ligne``).
Reader = Callable[[Path, SourceSpec, "ReadStats"], Iterator[pd.DataFrame]]


# --- Decoding -------------------------------------------------------------------------------

_NON_ASCII = re.compile(rb"[\x80-\xff]")
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
LISTED_LINES = 10  # line numbers a warning names


def _utf8_pairs(data: bytes) -> bool:
    """Whether ``data`` holds two bytes that may start a multibyte UTF-8 character (then some
    line of it may be UTF-8); numpy, for the blocks of a large Windows-1252 file."""
    bytes_ = np.frombuffer(data, np.uint8)
    high = np.flatnonzero(bytes_ >= 0x80)
    second = high[1:][np.diff(high) == 1]
    lead = bytes_[second - 1]
    return bool(((lead >= 0xC2) & (lead <= 0xF4) & (bytes_[second] <= 0xBF)).any())


def _lines_of(data: bytes) -> list[bytes]:
    """The lines of ``data``, each with its line feed (the last may have none)."""
    *lines, last = data.split(b"\n")
    return [line + b"\n" for line in lines] + ([last] if last else [])


def _unknown_encoding(offset: int) -> FileRejected:
    return FileRejected(f"encodage non reconnu (ni UTF-8 ni Windows-1252) à l'octet {offset}")


class LineDecoder:
    """Decodes a delimited text line by line: a line that is valid UTF-8 is UTF-8, any other
    Windows-1252 (FileRejected when it is neither). Fed whole lines in order (the whole file,
    or blocks cut after a line feed) by :func:`decode` and :func:`utf8_copy` alike, it notes
    which kinds of lines it met, so that a UTF-8 file with a few Windows-1252 lines (a copy and
    paste) is read right and told, and a Windows-1252 file is read without a word."""

    def __init__(self) -> None:
        self.lines = 0  # line feeds seen
        self.offset = 0  # bytes seen
        self.utf8 = False  # a line with a UTF-8 accent
        self.cp1252: list[int] = []  # the first lines with a Windows-1252 accent
        self.more = False  # more lines than those listed

    def decode(self, data: bytes) -> str:
        if self.offset == 0 and data.startswith(codecs.BOM_UTF8):
            data, self.offset = data[len(codecs.BOM_UTF8):], len(codecs.BOM_UTF8)
        text = self._decode(data)
        self.lines += data.count(b"\n")
        self.offset += len(data)
        return text

    def _decode(self, data: bytes) -> str:
        if data.isascii():
            return data.decode("ascii")
        try:
            text = data.decode("utf-8")
            self.utf8 = True
            return text
        except UnicodeDecodeError:
            pass
        if not _utf8_pairs(data):  # no line of it can be UTF-8
            self._note_cp1252(data, self.lines)
            return self._cp1252(data, self.offset)
        parts, offset = [], self.offset
        for number, line in enumerate(_lines_of(data), start=self.lines):
            try:
                parts.append(line.decode("utf-8"))
                self.utf8 |= not line.isascii()
            except UnicodeDecodeError:
                self._note_cp1252(line, number)
                parts.append(self._cp1252(line, offset))
            offset += len(line)
        return "".join(parts)

    @staticmethod
    def _cp1252(data: bytes, offset: int) -> str:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise _unknown_encoding(offset + error.start) from error

    def _note_cp1252(self, data: bytes, lines_before: int) -> None:
        """Remember the (1-based) numbers of the first lines of ``data`` holding a non-ASCII
        byte, up to LISTED_LINES in all (then only that there are more)."""
        line, searched = lines_before + 1, 0
        for match in _NON_ASCII.finditer(data):
            if self.more:
                break
            line += data.count(b"\n", searched, match.start())
            searched = match.start()
            if self.cp1252[-1:] != [line]:
                if len(self.cp1252) == LISTED_LINES:
                    self.more = True
                else:
                    self.cp1252.append(line)

    def warning(self) -> dict | None:
        """The warning of a file that mixes UTF-8 and Windows-1252 lines; None otherwise."""
        if not (self.utf8 and self.cp1252):
            return None
        listed = ", ".join(map(str, self.cp1252)) + (", …" if self.more else "")
        message = ("1 ligne lue en Windows-1252, le reste du fichier en UTF-8 : ligne "
                   f"{listed} (vérifier ses accents)" if len(self.cp1252) == 1 else
                   "des lignes lues en Windows-1252, le reste du fichier en UTF-8 : lignes "
                   f"{listed} (vérifier leurs accents)")
        return {"type": "encodage", "feuille": "", "ligne": self.cp1252[0], "colonne": None,
                "message": message}


UTF16_SAMPLE = 4096  # first bytes that tell UTF-16 without BOM


def utf16_codec(head: bytes) -> str | None:
    """The codec of a UTF-16 text beginning with ``head``: with its BOM (Excel's "Texte
    Unicode"), or without one when NUL bytes fill nearly every other byte (the high bytes of
    Latin characters) and almost none of the others; None for any other text."""
    if head.startswith(UTF16_BOMS):
        return "utf-16"
    sample = head[: min(len(head), UTF16_SAMPLE) // 2 * 2]
    pairs = len(sample) // 2
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    if pairs < 2:
        return None
    if odd >= 0.75 * pairs and even <= 0.05 * pairs:
        return "utf-16-le"
    if even >= 0.75 * pairs and odd <= 0.05 * pairs:
        return "utf-16-be"
    return None


def _utf16_decoder(codec: str) -> Callable[[bytes, bool], str]:
    decode = codecs.getincrementaldecoder(codec)().decode

    def utf16(block: bytes, final: bool) -> str:
        try:
            return decode(block, final)
        except UnicodeDecodeError as error:
            raise FileRejected("texte Unicode (UTF-16) illisible") from error
    return utf16


def decode(data: bytes, stats: ReadStats | None = None) -> str:
    """UTF-16 (:func:`utf16_codec`); else each line UTF-8 (with or without BOM) when it is,
    else Windows-1252, with a warning in ``stats`` when a file mixes both; never silently
    latin-1."""
    if codec := utf16_codec(data[:UTF16_SAMPLE]):
        return _utf16_decoder(codec)(data, True)
    decoder = LineDecoder()
    text = decoder.decode(data)
    if stats is not None and (warning := decoder.warning()):
        stats.warnings.append(warning)
    return text


def _sniff_lines(text: str) -> list[str]:
    """The first SNIFF_LINES lines that are not empty, nor too long to be table rows."""
    lines = []
    for line in io.StringIO(text, newline=None):
        line = line.rstrip("\n")
        if len(lines) == SNIFF_LINES:
            break
        if line.strip() and len(line) <= MAX_RECORD_CHARS:
            lines.append(line)
    return lines


def sniff_delimiter(text: str) -> str:
    """The separator that splits the first lines most consistently."""
    lines = _sniff_lines(text)
    best, best_score = ";", -1
    for delimiter in DELIMITERS:
        counts = [len(next(csv.reader([line], delimiter=delimiter))) - 1 for line in lines]
        widest = max(counts, default=0)
        score = sum(1 for c in counts if c == widest) * widest
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_rows(path: Path, stats: ReadStats | None) -> Rows:
    text = decode(path.read_bytes(), stats)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    line = 1
    try:
        for cells in reader:
            yield line, cells
            line = reader.line_num + 1
    except csv.Error as error:
        raise FileRejected(f"texte délimité illisible à la ligne {line}") from error


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


def data_sheets(names: list[str], hidden: Collection[str] = ()) -> list[str]:
    """Sheets named like a year or a month (a whole word: "Décompte" is no December), else the
    first visible sheet. Only for readers that choose sheets by name (the France Services
    counters); :func:`read_chunks` reads every sheet with a header."""
    named = [name for name in names if _DATA_SHEET.match(fold(name))]
    return named or [name for name in names if name not in hidden][:1]


def _xlsx_sheets(path: Path, every_sheet: bool) -> Iterator[tuple[str, Rows]]:
    try:
        if _utf8_name(path):
            workbook = CalamineWorkbook.from_path(str(path))
        else:  # calamine opens UTF-8 names only
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))
    except Exception as error:  # calamine raises its own error types for broken files
        raise FileRejected(f"classeur Excel illisible ({error})") from error
    names = [name for name in workbook.sheet_names if fold(name) not in TEMPLATE_SHEETS]
    if not every_sheet:
        hidden = {s.name for s in workbook.sheets_metadata if "Visible" not in str(s.visible)}
        names = data_sheets(names, hidden)
    for name in names:
        rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        yield name, ((index, [_cell_text(v) for v in row]) for index, row in enumerate(rows, start=1))


def sheets(path: Path, stats: ReadStats | None = None, every_sheet: bool = True
           ) -> Iterator[tuple[str, Rows]]:
    """Each sheet of a workbook (all of them, or those :func:`data_sheets` names) with its
    rows; a delimited text is one sheet named ""."""
    if path.suffix.lower() == ".xlsx":
        yield from _xlsx_sheets(path, every_sheet)
    else:
        yield "", _csv_rows(path, stats)


def records(path: Path, stats: ReadStats | None = None) -> Iterator[Record]:
    """Every line of a delimited text, or of the sheets of a workbook :func:`data_sheets`
    names, with its sheet and line."""
    for sheet, rows in sheets(path, stats, every_sheet=False):
        for line, cells in rows:
            yield sheet, line, cells


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
        if sum(map(len, cells)) > MAX_RECORD_CHARS:
            return None
        mapping = _match_header(cells, self.spec)
        if len(mapping) > len(self.best):
            self.best = mapping
        return mapping if all(c in mapping.values() for c in self.spec.required) else None

    def rejection(self) -> FileRejected:
        if not self.best:
            return FileRejected(
                f"aucune ligne d'en-tête reconnue dans les {HEADER_SEARCH_ROWS} premières lignes")
        missing = [self.spec.columns[c].label for c in self.spec.required if c not in self.best.values()]
        return FileRejected("colonnes obligatoires absentes : " + ", ".join(missing))


def is_blank_or_total(cells: list[str | None]) -> bool:
    """A line that is no record: every cell blank, or a "Total" line (a cross-check, never a fact)."""
    first = next((c for c in cells if not is_blank(c)), None)
    return first is None or fold(first).startswith("total")


def record_problem(cells: list[str], header: Sequence[str]) -> str | None:
    """Why a record of a delimited text cannot be read by position, or None.

    A record longer than MAX_RECORD_CHARS is ``ligne trop longue``. A record whose number of
    fields differs from its header's is ``nombre de champs incorrect (12 au lieu de 13)``:
    its cells would land in the wrong columns (a missing date shifts the file number into it;
    unquoted decimal commas in a comma-separated file split a number in two). Two differences
    are no shift and are tolerated: extra fields that are all empty (the trailing separator
    Excel writes at the end of each line) and missing fields whose header is empty."""
    if sum(map(len, cells)) > MAX_RECORD_CHARS:
        return TOO_LONG
    spare = cells[len(header):] if len(cells) > len(header) else header[len(cells):]
    if any(cell.strip() for cell in spare):
        return f"nombre de champs incorrect ({len(cells)} au lieu de {len(header)})"
    return None


BLANK = ""  # the fate of a blank or total line


def record_fate(cells: list[str | None], header: Sequence[str] | None) -> str | None:
    """None for a record to read, BLANK for a blank or total line, else why the record is set
    aside (:func:`record_problem`; only delimited text has a ``header`` to check against: a
    workbook's cells cannot shift). A record too long is set aside before anything looks at
    its cells."""
    present = [cell for cell in cells if cell is not None]  # DuckDB pads missing fields with NULL
    problem = record_problem(present, header) if header is not None else None
    if problem != TOO_LONG and is_blank_or_total(cells):
        return BLANK
    return problem


def _lines(count: int) -> str:
    return f"{count} ligne non vide" if count == 1 else f"{count} lignes non vides"


class SheetTable:
    """The table of one sheet (or of a delimited text): finds its header within the first
    HEADER_SEARCH_ROWS lines, then turns each record below it into a raw row."""

    def __init__(self, sheet: str, spec: SourceSpec, delimited: bool):
        self.sheet, self.delimited = sheet, delimited
        self.search = HeaderSearch(spec)
        self.mapping: dict[int, str] | None = None
        self.header: list[str] = []
        self.filled = 0  # non-blank lines, while no header is found

    def row(self, line: int, cells: list[str], stats: ReadStats) -> dict | None:
        """The raw row of a record (None for the header, a blank or total line, a record set
        aside, or any line of a sheet without header)."""
        if self.mapping is None:
            self.filled += any(not is_blank(cell) for cell in cells)
            mapping = self.search.match(cells) if line <= HEADER_SEARCH_ROWS else None
            if mapping is not None:
                self.mapping, self.header = mapping, cells
                stats.header_lines[self.sheet] = line
            return None
        fate = record_fate(cells, self.header if self.delimited else None)
        if fate == BLANK:
            stats.blank_or_total += 1
            return None
        if fate is not None:
            stats.rejected.append((self.sheet, line, fate))
            return None
        row: dict[str, str | int | None] = {col: "" for col in self.mapping.values()}
        for index, column in self.mapping.items():
            if index < len(cells):
                row[column] = cells[index]
        row["feuille"], row["ligne"] = self.sheet, line
        return row

    def status(self) -> str:
        """What became of the sheet, for the load log."""
        if self.mapping is not None:
            return "lue"
        if not self.filled:
            return "vide"
        return f"non lue : {self.search.rejection()} ({_lines(self.filled)})"


def read_chunks(
    path: Path, spec: SourceSpec, stats: ReadStats, chunk_rows: int = CHUNK_ROWS
) -> Iterator[pd.DataFrame]:
    """Raw text frames of the table in ``path``; raises FileRejected when it is not one.

    Every sheet of a workbook whose header is found is read, whatever its name or place; each
    sheet's fate goes to ``stats.sheets``, and a sheet holding lines but no header is also a
    warning. The file is rejected when no sheet has a header."""
    delimited = path.suffix.lower() != ".xlsx"
    tables: list[SheetTable] = []
    buffer: list[dict[str, str | int | None]] = []
    for sheet, rows in sheets(path, stats):
        table = SheetTable(sheet, spec, delimited)
        tables.append(table)
        for line, cells in rows:
            if (row := table.row(line, cells, stats)) is not None:
                buffer.append(row)
                if len(buffer) >= chunk_rows:
                    yield _frame(buffer, spec)
                    buffer = []
    if not any(table.mapping is not None for table in tables):
        closest = max(tables, key=lambda t: len(t.search.best), default=None)
        raise (closest.search if closest else HeaderSearch(spec)).rejection()
    if not delimited:
        _tell_sheets(tables, stats)
    if buffer:
        yield _frame(buffer, spec)


def _tell_sheets(tables: list[SheetTable], stats: ReadStats) -> None:
    for table in tables:
        stats.sheets[table.sheet] = status = table.status()
        if table.mapping is None and table.filled:
            stats.warnings.append({"type": "feuille non lue", "feuille": table.sheet, "ligne": None,
                                   "colonne": None, "message": f"feuille {status}"})


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
# DuckDB reads SPARE_FIELDS columns past the header and tells a missing field (NULL) from an empty
# one (''): the few records SQL cannot clear (a first cell that may be blank or "Total", a
# missing or spare field, a record too long) are judged in Python by record_fate, as the csv
# module's are.

BLOCK_BYTES = 1 << 24
HEAD_BYTES = 1 << 18
MAX_LINE_GAPS = 64  # runs of empty lines among the records; more: the csv module numbers them
MAX_SET_ASIDE = 10_000  # records set aside; more: the csv module reads the file
SPARE_FIELDS = 4  # read past the header's; a record with more sends the file to the csv module
NO_NULL = "'\x01'"  # DuckDB's null string: no field is NULL but a missing one


@dataclass(frozen=True)
class DelimitedLayout:
    """Where the table of a delimited text file is, as the csv module reads its first lines."""

    delimiter: str
    header_line: int
    header_end: int  # the last physical line of the header record
    header: tuple[str, ...]  # the header record's cells
    mapping: dict[int, str]  # cell index -> column name

    @property
    def width(self) -> int:
        return len(self.header)

    @property
    def named(self) -> int:
        """Fields up to the last header cell that is not empty."""
        return max((i + 1 for i, cell in enumerate(self.header) if cell.strip()), default=0)


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


def _utf16_file(path: Path) -> str | None:
    with path.open("rb") as handle:
        return utf16_codec(handle.read(UTF16_SAMPLE))


def _scratch_name(path: Path, scratch: Path, kind: str) -> Path:
    return scratch / f"{hashlib.sha256(os.fsencode(path)).hexdigest()[:16]}.{kind}.csv"


class _WholeLines:
    """Feeds a LineDecoder whole lines out of blocks cut anywhere."""

    def __init__(self) -> None:
        self.decoder, self.rest = LineDecoder(), b""

    def __call__(self, block: bytes, final: bool) -> str:
        data = self.rest + block
        cut = len(data) if final else data.rfind(b"\n") + 1
        self.rest = data[cut:]
        return self.decoder.decode(data[:cut])


def _copy_as_utf8(path: Path, copy: Path, decode: Callable[[bytes, bool], str]) -> Path:
    with path.open("rb") as handle, copy.open("wb") as out:
        for block in iter(lambda: handle.read(BLOCK_BYTES), b""):
            out.write(decode(block, False).encode("utf-8"))
        out.write(decode(b"", True).encode("utf-8"))
    return copy


def utf8_copy(path: Path, scratch: Path) -> tuple[Path, dict | None]:
    """A UTF-8 copy in ``scratch`` of a file that is not all UTF-8, decoded line by line as
    :func:`decode` does, and the warning when it mixes UTF-8 and Windows-1252 lines;
    FileRejected when a line is neither."""
    lines = _WholeLines()
    copy = _copy_as_utf8(path, _scratch_name(path, scratch, "utf8"), lines)
    return copy, lines.decoder.warning()


def utf16_copy(path: Path, scratch: Path, codec: str) -> Path:
    """A UTF-8 copy in ``scratch`` of a UTF-16 file (Excel's "Texte Unicode")."""
    return _copy_as_utf8(path, _scratch_name(path, scratch, "utf16"), _utf16_decoder(codec))


def _utf8_name(path: Path) -> bool:
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _link(path: Path, scratch: Path) -> Path:
    """A link in ``scratch`` to a file whose name is not UTF-8 (DuckDB takes UTF-8 names)."""
    link = _scratch_name(path, scratch, "lien")
    os.symlink(os.path.abspath(path), link)
    return link


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
    if not whole and len(_sniff_lines(head)) < SNIFF_LINES:
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
            return DelimitedLayout(delimiter, line, reader.line_num, tuple(cells), mapping)
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


@dataclass
class UnreadRecords:
    """The records of a DuckDB table that are not read: blank or total lines (their rowids),
    and records set aside (rowid, line, reason)."""

    blank: list[int]
    set_aside: list[tuple[int, int, str]]


def _unread_records(
    con: duckdb.DuckDBPyConnection, table: str, layout: DelimitedLayout, numbering: str
) -> UnreadRecords:
    """Only a record whose first cell does not begin with an ASCII letter or digit other than
    n and t (the blanks "nc", "n.c.", "nr"..., the word "Total"), or a record missing a named
    field, with a spare field that is not empty, or too long, can be unread: those few are
    judged in Python by :func:`record_fate`."""
    cells = [f"c{i}" for i in range(layout.width + SPARE_FIELDS)]
    length = " + ".join(f"coalesce(length({c}), 0)" for c in cells)
    suspect = [r"c0 IS NULL OR NOT regexp_matches(c0, '^[ \t]*[0-9A-MO-SU-Za-mo-su-z]')",
               f"{length} > {MAX_RECORD_CHARS}",
               *(f"trim({c}) <> ''" for c in cells[layout.width:])]
    if layout.named:
        suspect.append(f"c{layout.named - 1} IS NULL")
    candidates = con.execute(
        f"SELECT rowid, CAST({numbering} AS INTEGER), {', '.join(cells)} FROM {table} "
        f"WHERE {' OR '.join(f'({s})' for s in suspect)} ORDER BY rowid").fetchall()
    unread = UnreadRecords([], [])
    for rowid, line, *values in candidates:
        fate = record_fate(values, layout.header)
        if fate == BLANK:
            unread.blank.append(rowid)
        elif fate is not None:
            unread.set_aside.append((rowid, line, fate))
    return unread


def read_with_duckdb(
    con: duckdb.DuckDBPyConnection, path: Path, spec: SourceSpec, stats: ReadStats, table: str,
    scratch: Path,
) -> str | None:
    """Read a delimited file into the DuckDB table ``table`` (one text column per cell) and
    return the SELECT of its records as :func:`read_chunks` yields them (``feuille``, ``ligne``
    and one text column per spec column); None when only the csv module reads it right.

    A UTF-16 file is first transcoded to a UTF-8 copy in ``scratch``, and a file whose name is
    not UTF-8 read through a link there (DuckDB takes UTF-8 names). The file is then taken as
    UTF-8; DuckDB checks every byte it reads. Only when it refuses them is the whole file
    checked, and read again from a copy decoded line by line as :func:`decode` does (raises
    FileRejected when a line is neither UTF-8 nor Windows-1252). Copies and links are removed
    once read."""
    made: list[Path] = []
    try:
        if codec := _utf16_file(path):
            path = utf16_copy(path, scratch, codec)
            made.append(path)
        elif not _utf8_name(path):
            path = _link(path, scratch)
            made.append(path)
        return _read_text(con, path, spec, stats, table, scratch, made)
    finally:
        for copy in made:
            copy.unlink(missing_ok=True)


def _read_text(
    con: duckdb.DuckDBPyConnection, path: Path, spec: SourceSpec, stats: ReadStats, table: str,
    scratch: Path, made: list[Path],
) -> str | None:
    scan = scan_lines(path)
    if scan is None:
        return None
    try:
        return _read_utf8(con, path, spec, stats, table, scan)
    except (UnicodeDecodeError, duckdb.Error, FileRejected) as error:
        con.execute(f"DROP TABLE IF EXISTS {table}")
        if _is_utf8(path):
            if isinstance(error, FileRejected):
                raise
            return None
    copy, warning = utf8_copy(path, scratch)  # the same lines as the file's
    made.append(copy)
    try:
        select = _read_utf8(con, copy, spec, stats, table, scan)  # the table holds the text now
    except duckdb.Error:
        con.execute(f"DROP TABLE IF EXISTS {table}")
        return None
    if select is not None and warning is not None:
        stats.warnings.append(warning)
    return select


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
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(layout.width + SPARE_FIELDS)) + "}"
    con.execute(
        f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_csv({sql_text(str(text))}, "
        f"auto_detect = false, header = false, skip = {layout.header_end}, "
        f"delim = {sql_text(layout.delimiter)}, quote = '\"', escape = '\"', columns = {columns}, "
        f"nullstr = {NO_NULL}, null_padding = true, strict_mode = true, encoding = 'utf-8')")
    (count,), = con.execute(f"SELECT count(*) FROM {table}").fetchall()
    unread = _unread_records(con, table, layout, numbering) if count == len(record_lines) else None
    if unread is None or len(unread.set_aside) > MAX_SET_ASIDE:
        con.execute(f"DROP TABLE {table}")
        return None
    stats.blank_or_total += int((scan.empty > layout.header_end).sum()) + len(unread.blank)
    stats.rejected += [("", line, reason) for _, line, reason in unread.set_aside]
    stats.header_lines[""] = layout.header_line
    cells = {name: f"coalesce(c{index}, '')" for index, name in layout.mapping.items()}
    selected = ", ".join(f"{cells.get(name, repr(''))} AS {name}" for name in spec.columns)
    unread_rows = unread.blank + [rowid for rowid, _, _ in unread.set_aside]
    kept = f" WHERE rowid NOT IN ({', '.join(map(str, unread_rows))})" if unread_rows else ""
    return f"SELECT '' AS feuille, CAST({numbering} AS INTEGER) AS ligne, {selected} FROM {table}{kept}"
