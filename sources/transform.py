"""Type raw text cells and replace personal columns by keys, inside the warehouse's DuckDB.

The raw text of a batch of files is gathered in :class:`ClearText`: ``clair``, an in-memory
database attached to the warehouse's DuckDB while a source loads, never written to the
warehouse's file (pages it cannot keep in memory go to a temporary folder private to the
process). Every cell goes through its column's parser once per distinct value
(sources/parsing.py: millions of rows cost the number of distinct cells), as each file is read;
the results form one dictionary per column (raw text -> value of the column's type, or the
French reason it failed), written to ``clair`` and joined back in SQL when the batch is typed.
Every failure is kept with its line and column, never the raw value of a personal column.
Persons are hashed in Python once per distinct identity (sources/pseudonym.py). Only the typed,
pseudonymised rows and the anomalies leave ``clair``, by an INSERT ... SELECT the warehouse
runs: the warehouse's tables never receive a name, a birth date or a file number.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from sources.discovery import RawFile
from sources.parsing import PARSERS, Parsed, category_parser, is_blank, parse_series, parse_text
from sources.pseudonym import Pseudonymiser
from sources.reading import FileRejected, Reader, ReadStats, read_chunks, read_with_duckdb
from sources.referential import commune_parser, structure_parser
from sources.spec import ColumnSpec, SourceSpec
from warehouse import settings
from warehouse.db import private_temp_directory, sql_text

# Where a raw row comes from. `cellule` is "" for row-based files; a reader that turns one line
# into several raw rows (one per month cell of a counter workbook) names the cell ("D").
PROVENANCE = ["fichier_hash", "fichier_nom", "fichier_modifie", "feuille", "ligne", "cellule"]
ROW_ID = ["fichier_hash", "feuille", "ligne", "cellule"]
MISSING = "valeur manquante"
CLEAR = "clair"  # the database of the clear text, attached for the time of a load

# Typed columns whose name differs from the raw column's.
RENAMED = {"structure": "structure_id", "commune": "code_commune"}


def parser_for(spec: SourceSpec, column: str) -> Callable[[str], Parsed]:
    return _parser_for(spec, column, settings.ref_dir())


@cache
def _parser_for(spec: SourceSpec, column: str, ref_dir: Path) -> Callable[[str], Parsed]:
    kind = spec.columns[column].kind
    if kind in PARSERS:
        return PARSERS[kind]
    if kind == "structure":
        return structure_parser(spec.name, ref_dir)
    if kind == "commune":
        return commune_parser(ref_dir)
    return category_parser(spec.categories[kind])


def typed_name(column: ColumnSpec) -> str:
    return RENAMED.get(column.kind, column.name)


def parse_values(raw_values: list[str], spec: SourceSpec, column: ColumnSpec) -> list[tuple]:
    """Each raw text of a column: (canonical value, reason it failed, raw value the quarantine
    shows, label). A required column left blank fails with ``valeur manquante``; a personal
    column shows no raw value and only the first words of its reason; the label is the
    commune's text as written (None for other columns)."""
    raw = pd.Series(raw_values, dtype=object)
    values, reasons = parse_series(raw, parser_for(spec, column.name))
    labels = parse_series(raw, parse_text)[0].tolist() if column.kind == "commune" else [None] * len(raw)
    parsed = []
    for text, value, reason, label in zip(raw_values, values.tolist(), reasons.tolist(), labels):
        if reason is None and column.required and is_blank(text):
            reason = MISSING
        if reason is not None and column.personal:
            reason = reason.split(" : ")[0]
        parsed.append((value, reason, None if reason is None or column.personal else text.strip(), label))
    return parsed


DICTIONARY_COLUMNS = ["brut", "valeur", "motif", "valeur_brute", "libelle"]


class Dictionaries:
    """The distinct raw texts of a batch, each parsed once, and the keys of its persons: filled
    file by file as ClearText reads them, then written to ``clair`` and joined to the rows when
    the batch is typed."""

    def __init__(self, spec: SourceSpec, pseudonymiser: Pseudonymiser):
        self.spec, self.pseudonymiser = spec, pseudonymiser
        self.parsed: dict[str, dict[str, tuple]] = {name: {} for name in spec.columns}
        self.keys: dict[str, dict[tuple, str | None]] = {p.column: {} for p in spec.pseudonyms}
        self._parts = {p.column: [column_of(spec, part).name for part in p.parts] for p in spec.pseudonyms}

    def add(self, con: duckdb.DuckDBPyConnection, select: str) -> None:
        """The new texts and persons of a file (``select``: its raw text rows)."""
        parts = {name for names in self._parts.values() for name in names}
        for key, names in self._parts.items():
            identities = con.execute(f"SELECT DISTINCT {', '.join(names)} FROM ({select})").fetchall()
            new = [identity for identity in identities if identity not in self.keys[key]]
            for i, name in enumerate(names):
                self._parse(name, {identity[i] for identity in new})
            for identity in new:
                canonical = (self.parsed[name][text][0] or "" for name, text in zip(names, identity))
                self.keys[key][identity] = self.pseudonymiser.hash_parts(tuple(canonical))
        for name in (n for n in self.spec.columns if n not in parts):
            self._parse(name, {v for (v,) in con.execute(f"SELECT DISTINCT {name} FROM ({select})").fetchall()})

    def _parse(self, name: str, texts: set[str]) -> None:
        new = [text for text in texts if text not in self.parsed[name]]
        if new:
            self.parsed[name].update(zip(new, parse_values(new, self.spec, self.spec.columns[name])))

    def failing(self) -> list[ColumnSpec]:
        """The columns with a text that did not parse."""
        return [self.spec.columns[name] for name, parsed in self.parsed.items()
                if any(reason is not None for _, reason, _, _ in parsed.values())]

    def create(self, con: duckdb.DuckDBPyConnection, prefix: str) -> list[str]:
        """Write the dictionaries as tables ``<prefix>d_<column>`` (raw text -> value cast
        once to the column's type, reason, raw value the quarantine shows, label) and
        ``<prefix>k_<key>`` (raw texts of the parts -> key); returns their names."""
        tables = []
        for name, parsed in self.parsed.items():
            table, sql_type = f"{prefix}d_{name}", self.spec.columns[name].sql_type
            fields = _columns(parsed.values(), len(DICTIONARY_COLUMNS) - 1)
            _create(con, table, DICTIONARY_COLUMNS, [list(parsed), *fields],
                    f"* REPLACE (CAST(valeur AS {sql_type}) AS valeur)")
            tables.append(table)
        for key, keys in self.keys.items():
            parts = _columns(keys, len(self._parts[key]))
            names = [f"p{i}" for i in range(len(parts))] + ["cle"]
            _create(con, f"{prefix}k_{key}", names, [*parts, list(keys.values())], "*")
            tables.append(f"{prefix}k_{key}")
        return tables


def _create(con: duckdb.DuckDBPyConnection, table: str, names: list[str],
            columns: list[Sequence[str | None]], selected: str) -> None:
    """A table of ``selected`` over text columns (built column by column: three times faster
    than row by row for the hundreds of thousands of identities of a batch)."""
    con.register("_dictionnaire", pa.table({name: pa.array(values, pa.string())
                                            for name, values in zip(names, columns)}))
    con.execute(f"CREATE TABLE {table} AS SELECT {selected} FROM _dictionnaire")
    con.unregister("_dictionnaire")


def _columns(rows: Iterable[tuple], width: int) -> list[tuple]:
    """Tuples of the same width, column by column."""
    return list(zip(*rows)) or [()] * width


def column_of(spec: SourceSpec, typed: str) -> ColumnSpec:
    """The column whose typed name is ``typed`` (parts of a pseudonym name typed columns)."""
    return next(c for c in spec.columns.values() if typed_name(c) == typed)


def age_sql(birth: str, event: str) -> str:
    """Whole years from one DATE to another (one less before the birthday)."""
    return (f"year({event}) - year({birth}) - CASE WHEN month({event}) < month({birth}) OR "
            f"(month({event}) = month({birth}) AND day({event}) < day({birth})) THEN 1 ELSE 0 END")


class ClearText:
    """The raw text of the files being read, personal columns in clear, in ``clair``: an
    in-memory database attached to the warehouse's DuckDB for the time of the load.

    Nothing of ``clair`` is ever written to the warehouse's file; the pages DuckDB cannot keep
    in memory go to the warehouse's temporary folder, private to the process
    (warehouse/db.py), where Windows-1252 and UTF-16 files are also transcoded (and files whose
    name is not UTF-8 linked), in a folder removed when ClearText closes. :meth:`read` adds a
    file to the current batch through a cursor of its own; :meth:`take` hands the batch over
    as a :class:`ClearBatch`, whose typed rows and anomalies are all that may leave ``clair``,
    by SQL the warehouse runs: the typed rows never leave DuckDB, and a batch can be written
    while ClearText reads the next one.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, spec: SourceSpec, pseudonymiser: Pseudonymiser):
        self.spec = spec
        self.pseudonymiser = pseudonymiser
        # Transcoded copies of Windows-1252 or UTF-16 files, inside the process's private folder:
        # if the process is killed, the next one removes them with it.
        self.scratch = Path(tempfile.mkdtemp(prefix="transcodage-", dir=private_temp_directory()))
        self._warehouse = con
        (self._threads,), = con.execute("SELECT current_setting('threads')").fetchall()
        # The reading and the writing threads each drive one DuckDB thread: on two cores,
        # more would only make them wait for each other.
        con.execute("SET threads = 1")
        con.execute(f"ATTACH ':memory:' AS {CLEAR}")
        self.con = con.cursor()
        self.con.execute("SET enable_progress_bar = false")
        self.rows = 0
        self._sources: list[str] = []  # one SELECT of raw text rows per file of the batch
        self._tables: list[str] = []
        self._dictionaries = Dictionaries(spec, pseudonymiser)
        self._read = self._batches = 0

    def __enter__(self) -> ClearText:
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.con.close()
            self._warehouse.execute(f"DETACH {CLEAR}")
            self._warehouse.execute(f"SET threads = {self._threads}")
        finally:
            shutil.rmtree(self.scratch, ignore_errors=True)

    def read(self, file: RawFile, reader: Reader, stats: ReadStats) -> None:
        """Add a file's rows: read by DuckDB when it is delimited text for the shared reader
        (sources/reading.py says when that cannot be trusted), else from the reader's frames.
        On FileRejected nothing of the file is kept."""
        self._read += 1
        table = f"{CLEAR}.fichier_{self._read}"
        try:
            select, cell = None, "'' AS cellule"
            if reader is read_chunks and file.path.suffix.lower() != ".xlsx":
                select = read_with_duckdb(self.con, file.path, self.spec, stats, table, self.scratch)
            if select is None:
                select, cell = self._load_frames(table, reader(file.path, self.spec, stats)), "cellule"
        except FileRejected:
            self.con.execute(f"DROP TABLE IF EXISTS {table}")
            raise
        self._tables.append(table)
        self._sources.append(
            f"SELECT {sql_text(file.sha256)} AS fichier_hash, {sql_text(file.name)} AS fichier_nom, "
            f"TIMESTAMP {sql_text(file.modified.isoformat(' '))} AS fichier_modifie, feuille, "
            f"ligne, {cell}, {', '.join(self.spec.columns)} FROM ({select})")
        (count,), = self.con.execute(f"SELECT count(*) FROM ({select})").fetchall()
        self.rows += count
        self._dictionaries.add(self.con, select)

    def _load_frames(self, table: str, frames: Iterator[pd.DataFrame]) -> str:
        columns = ["feuille", "ligne", "cellule", *self.spec.columns]
        types = {"ligne": "INTEGER"}
        self.con.execute(f"CREATE OR REPLACE TABLE {table} ("
                         + ", ".join(f"{c} {types.get(c, 'VARCHAR')}" for c in columns) + ")")
        for frame in frames:
            self.con.register("_trame", frame)
            given = [c for c in columns if c in frame.columns]
            self.con.execute(f"INSERT INTO {table} BY NAME SELECT {', '.join(given)} FROM _trame")
            self.con.unregister("_trame")
        texts = ", ".join(f"coalesce({c}, '') AS {c}" for c in columns if c != "ligne")
        return f"SELECT ligne, {texts} FROM {table}"

    def take(self) -> ClearBatch | None:
        """The files read since the last batch (None when there are no rows), as a batch."""
        batch = None
        if self.rows:
            self._batches += 1
            batch = ClearBatch(self.con, f"{CLEAR}.lot_{self._batches}_", self.spec,
                               self._sources, self._tables, self._dictionaries)
        else:
            for table in self._tables:
                self.con.execute(f"DROP TABLE {table}")
        self._sources, self._tables, self.rows = [], [], 0
        self._dictionaries = Dictionaries(self.spec, self.pseudonymiser)
        return batch


class ClearBatch:
    """Rows of some files gathered in ClearText, with their dictionaries as tables of ``clair``
    named by ``prefix``. Its SQL types and pseudonymises the rows by joining them to the
    dictionaries, in whichever connection of the warehouse runs it."""

    def __init__(self, con: duckdb.DuckDBPyConnection, prefix: str, spec: SourceSpec,
                 sources: list[str], tables: list[str], dictionaries: Dictionaries):
        self.spec, self._prefix, self._dictionaries = spec, prefix, dictionaries
        self._texts = " UNION ALL ".join(sources)
        self._tables = tables + dictionaries.create(con, prefix)

    def drop(self, con: duckdb.DuckDBPyConnection) -> None:
        """Forget the batch's rows and dictionaries."""
        for table in self._tables:
            con.execute(f"DROP TABLE {table}")

    def rows_sql(self) -> str:
        """The batch's rows, typed and pseudonymised, without any personal column."""
        d = f"{self._prefix}d_"
        selected, joined = [f"t.{name}" for name in PROVENANCE], []
        for name, column in self.spec.columns.items():
            if not column.personal:
                selected.append(f"{d}{name}.valeur AS {typed_name(column)}")
                joined.append(name)
            if column.kind == "commune":
                selected.append(f"{d}{name}.libelle AS commune_libelle")
        if self.spec.age:
            birth, event = (column_of(self.spec, c).name for c in self.spec.age)
            selected.append(f"{age_sql(f'{d}{birth}.valeur', f'{d}{event}.valeur')} AS age")
            joined += [birth, event]
        joins = [f"LEFT JOIN {d}{name} ON {d}{name}.brut = t.{name}" for name in dict.fromkeys(joined)]
        for pseudonym in self.spec.pseudonyms:
            key = f"{self._prefix}k_{pseudonym.column}"
            selected.append(f"{key}.cle AS {pseudonym.column}")
            joins.append(f"LEFT JOIN {key} ON " + " AND ".join(
                f"{key}.p{i} = t.{column_of(self.spec, part).name}" for i, part in enumerate(pseudonym.parts)))
        return f"SELECT {', '.join(selected)} FROM ({self._texts}) t {' '.join(joins)}"

    def anomalies_sql(self) -> str | None:
        """One row per failing cell of the batch (None when every cell parsed)."""
        parts = [
            f"SELECT {', '.join('t.' + c for c in ROW_ID)}, {sql_text(column.label)} AS colonne, "
            f"d.valeur_brute, d.motif FROM ({self._texts}) t JOIN {self._prefix}d_{column.name} d "
            f"ON d.brut = t.{column.name} WHERE d.motif IS NOT NULL"
            for column in self._dictionaries.failing()
        ]
        return " UNION ALL ".join(parts) or None
