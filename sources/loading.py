"""From a source's drop folder to its staging table, for any source with a spec.

1. :func:`load_raw` reads every file (typed, pseudonymised) into ``raw.<source>__<table>``,
   every cell failure, and every record the reader set aside whole (colonne "", no value),
   into ``raw.<source>__anomalies``, every file into ``raw.<source>__fichiers`` (for a
   workbook, what became of each sheet in ``motif``) and the reader's warnings into
   ``raw.<source>__avertissements``.
   The reader is :func:`sources.reading.read_chunks` unless the service module has its own.
   Files are read into ClearText (sources/transform.py) by batches of about 500,000 rows;
   a second thread types each batch into the warehouse while the next one is read. The
   tables are built under new names and swapped in when every file has been read: a load that
   fails leaves the previous raw tables as they were.
2. :func:`build_staging` applies the spec's row rules (their failures replace
   ``raw.<source>__anomalies_regles``: running it again changes nothing), writes the quarantine,
   de-duplicates on the natural key (the newest file wins, conflicts are
   logged), runs the source's staging SQL, writes the warnings and the load log, so that
   for every file: rows read = loaded + quarantined + duplicates + blank/total.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path

import duckdb
import pandas as pd

from sources.discovery import RawFile, discover
from sources.pseudonym import Pseudonymiser
from sources.reading import FileRejected, Reader, ReadStats, read_chunks
from sources.spec import SourceSpec
from sources.transform import PROVENANCE, ROW_ID, ClearBatch, ClearText, typed_name
from warehouse.journal import CHARGE, DOUBLON, IGNORE, REJETE
from warehouse.db import read_sql, rename_tables, replace_source_rows, sql_text, transaction
from warehouse.names import qualified_table

EMPTY = "fichier vide"
BATCH_ROWS = 500_000  # raw rows gathered in ClearText before they are typed and written
BUILDING = "_nouveau_"  # prefix of the raw tables while they load
WARNING_COLUMNS = ["type", "fichier_nom", "feuille", "ligne", "colonne", "message"]
ANOMALY_DDL = ("fichier_hash VARCHAR, feuille VARCHAR, ligne INTEGER, cellule VARCHAR, colonne VARCHAR,"
               " valeur_brute VARCHAR, motif VARCHAR")


def _raw_columns(spec: SourceSpec) -> list[tuple[str, str]]:
    columns = [
        ("fichier_hash", "VARCHAR"), ("fichier_nom", "VARCHAR"), ("fichier_modifie", "TIMESTAMP"),
        ("feuille", "VARCHAR"), ("ligne", "INTEGER"), ("cellule", "VARCHAR"),
    ]
    for column in spec.columns.values():
        if not column.personal:
            columns.append((typed_name(column), column.sql_type))
        if column.kind == "commune":
            columns.append(("commune_libelle", "VARCHAR"))
    if spec.age:
        columns.append(("age", "INTEGER"))
    columns += [(p.column, "VARCHAR") for p in spec.pseudonyms]
    return columns


def content_columns(spec: SourceSpec) -> list[str]:
    """The columns that say what a row means: not where it came from, nor how a free-text
    label was spelled (two rows differing only in "TOULOUSE" / "Toulouse" do not conflict)."""
    not_content = {*PROVENANCE, "commune_libelle"}
    return [name for name, _ in _raw_columns(spec) if name not in not_content]


def raw_table(spec: SourceSpec, what: str, prefix: str = "") -> str:
    """``raw.<prefix><source>__<what>``: a raw table of the source (``anomalies``, ``fichiers``...)."""
    return qualified_table("raw", f"{prefix}{spec.name}", what)


def raw_tables(spec: SourceSpec, prefix: str = "") -> dict[str, str]:
    """The raw tables of a source by what they hold (its rows, ``anomalies``, ``fichiers``,
    ``avertissements``): ``raw.<prefix><source>__<what>``."""
    return {what: raw_table(spec, what, prefix)
            for what in (spec.table, "anomalies", "fichiers", "avertissements")}


def _create_raw_tables(con: duckdb.DuckDBPyConnection, spec: SourceSpec, tables: dict[str, str]) -> None:
    columns = ", ".join(f"{name} {sql_type}" for name, sql_type in _raw_columns(spec))
    con.execute(f"CREATE OR REPLACE TABLE {tables[spec.table]} ({columns})")
    con.execute(f"CREATE OR REPLACE TABLE {tables['anomalies']} ({ANOMALY_DDL})")
    con.execute(
        f"CREATE OR REPLACE TABLE {tables['fichiers']} (fichier_nom VARCHAR, fichier_hash VARCHAR,"
        " modifie_le TIMESTAMP, statut VARCHAR, motif VARCHAR, lignes_vides_total BIGINT,"
        " lignes_ecartees BIGINT)"
    )
    con.execute(
        f"CREATE OR REPLACE TABLE {tables['avertissements']} (type VARCHAR, fichier_nom VARCHAR,"
        " feuille VARCHAR, ligne INTEGER, colonne VARCHAR, message VARCHAR)"
    )


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    con.register("_frame", frame)
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _frame")
    con.unregister("_frame")


class BatchWriter:
    """Types batches of ClearText into the raw tables in a second thread, one batch at a time,
    while the first thread reads the next files: DuckDB and numpy release the GIL, and the
    Python parts of both (scanning lines, parsing distinct values) fill the other core. The
    writer is the only user of the warehouse connection until it has finished."""

    def __init__(self, con: duckdb.DuckDBPyConnection, spec: SourceSpec, tables: dict[str, str]):
        self.con, self.spec, self.tables = con, spec, tables
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lot")
        self._pending: Future | None = None

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(self, kind, error, trace) -> None:
        try:
            if kind is None:
                self.wait()
            elif self._pending is not None:
                wait([self._pending])  # never leave it writing while the load is undone
        finally:
            self._pool.shutdown()

    def write(self, batch: ClearBatch | None) -> None:
        self.wait()
        if batch is not None:
            self._pending = self._pool.submit(self._write, batch)

    def wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def _write(self, batch: ClearBatch) -> None:
        try:
            self.con.execute(f"INSERT INTO {self.tables[self.spec.table]} BY NAME {batch.rows_sql()}")
            if anomalies := batch.anomalies_sql():
                self.con.execute(f"INSERT INTO {self.tables['anomalies']} BY NAME {anomalies}")
        finally:
            batch.drop(self.con)


def _file_row(
    file: RawFile, status: str, motif: str | None, stats: ReadStats | None = None
) -> dict:
    """The file's row of the load log; ``lignes_ecartees``: the records set aside whole, which
    count as read (and quarantined) though no raw row holds them."""
    stats = stats or ReadStats()
    return {
        "fichier_nom": file.name, "fichier_hash": file.sha256, "modifie_le": file.modified,
        "statut": status, "motif": motif, "lignes_vides_total": stats.blank_or_total,
        "lignes_ecartees": len(stats.rejected),
    }


def sheets_motif(stats: ReadStats) -> str | None:
    """What became of each sheet of a workbook, for the load log (None for delimited text)."""
    if not stats.sheets:
        return None
    return "feuilles : " + " ; ".join(f"« {name} » {status}" for name, status in stats.sheets.items())


def _set_aside_rows(file: RawFile, stats: ReadStats) -> list[dict]:
    """The reader's records set aside, as anomalies of the whole line: no column, no value."""
    return [{"fichier_hash": file.sha256, "feuille": sheet, "ligne": line, "cellule": "",
             "colonne": "", "valeur_brute": None, "motif": reason}
            for sheet, line, reason in stats.rejected]


def load_raw(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, raw_dir: Path, pseudonymiser: Pseudonymiser,
    reader: Reader = read_chunks,
) -> list[dict]:
    """Read every file of the source's folder; returns the file inventory."""
    building = raw_tables(spec, BUILDING)
    _create_raw_tables(con, spec, building)
    try:
        inventory = _load_files(con, spec, raw_dir, pseudonymiser, reader, building)
    except BaseException:
        for table in building.values():
            con.execute(f"DROP TABLE IF EXISTS {table}")
        raise
    rename_tables(con, {building[what]: table for what, table in raw_tables(spec).items()})
    return inventory


def _load_files(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, raw_dir: Path, pseudonymiser: Pseudonymiser,
    reader: Reader, tables: dict[str, str],
) -> list[dict]:
    inventory, warnings, set_aside = [], [], []
    with ClearText(con, spec, pseudonymiser) as clear, BatchWriter(con, spec, tables) as writer:
        for file in discover(raw_dir / spec.folder):
            if file.ignored:
                inventory.append(_file_row(file, IGNORE, file.ignored))
            elif file.size == 0:
                inventory.append(_file_row(file, REJETE, EMPTY))
            elif file.duplicate_of:
                inventory.append(_file_row(file, DOUBLON, f"identique à {file.duplicate_of}"))
            else:
                try:
                    stats = ReadStats()
                    clear.read(file, reader, stats)
                    inventory.append(_file_row(file, CHARGE, sheets_motif(stats), stats))
                    warnings += [{**warning, "fichier_nom": file.name} for warning in stats.warnings]
                    set_aside += _set_aside_rows(file, stats)
                except FileRejected as rejection:
                    inventory.append(_file_row(file, REJETE, str(rejection)))
            if clear.rows >= BATCH_ROWS:
                writer.write(clear.take())
        writer.write(clear.take())
    if warnings:
        _insert(con, tables["avertissements"], pd.DataFrame(warnings)[WARNING_COLUMNS])
    if set_aside:
        _insert(con, tables["anomalies"], pd.DataFrame(set_aside))
    if inventory:
        _insert(con, tables["fichiers"], pd.DataFrame(inventory))
    return inventory


def _write_rule_anomalies(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> None:
    labels = {name: column.label for name, column in spec.columns.items()}
    con.execute(f"CREATE OR REPLACE TABLE {raw_table(spec, 'anomalies_regles')} ({ANOMALY_DDL})")
    for rule in spec.rules:
        con.execute(
            f"INSERT INTO {raw_table(spec, 'anomalies_regles')} "
            f"SELECT {', '.join(ROW_ID)}, {sql_text(', '.join(labels[c] for c in rule.columns))}, "
            f"{rule.value}, {rule.reason} FROM {spec.raw_table} WHERE ({rule.valid}) IS NOT TRUE")


def _anomalies(spec: SourceSpec) -> str:
    """Every anomaly of the source: its failing cells and its rows failing a rule."""
    return (f"(SELECT * FROM {raw_table(spec, 'anomalies')} "
            f"UNION ALL SELECT * FROM {raw_table(spec, 'anomalies_regles')})")


def _rank_duplicates(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> None:
    """``_doublons``: the kept rows (not quarantined) whose natural key another kept row shares,
    ranked newest file first, with a fingerprint of their content; ``_classes``: every kept row
    with its rank (1 when its key is its own). Only the keys whose hash is shared by two rows
    are ranked (a collision only adds rows to rank): no sort of millions of rows."""
    key = ", ".join(spec.natural_key)
    row_id = ", ".join(ROW_ID)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _quarantaine AS "
                f"SELECT DISTINCT {row_id} FROM {_anomalies(spec)}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _cles_partagees AS SELECT hash({key}) AS cle "
                f"FROM {spec.raw_table} GROUP BY 1 HAVING count(*) > 1")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _doublons AS
        SELECT {row_id}, fichier_nom, {key}, hash({', '.join(content_columns(spec))}) AS empreinte,
               row_number() OVER (PARTITION BY {key}
                   ORDER BY fichier_modifie DESC, fichier_nom DESC, feuille DESC, ligne DESC,
                            cellule DESC) AS rang
        FROM (SELECT * FROM {spec.raw_table} WHERE hash({key}) IN (SELECT cle FROM _cles_partagees))
        ANTI JOIN _quarantaine USING ({row_id})""")
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW _classes AS
        SELECT r.*, d.empreinte, coalesce(d.rang, 1) AS rang
        FROM {spec.raw_table} r ANTI JOIN _quarantaine q USING ({row_id})
        LEFT JOIN _doublons d USING ({row_id})""")


def build_staging(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> None:
    with transaction(con):
        _write_rule_anomalies(con, spec)
        replace_source_rows(con, "qualite.quarantaine", spec.name, f"""
            SELECT '{spec.name}' AS source, r.fichier_nom, a.fichier_hash, a.feuille, a.ligne,
                   a.cellule,
                   string_agg(DISTINCT a.colonne, ', ' ORDER BY a.colonne) AS colonne,
                   string_agg(a.valeur_brute, ' | ' ORDER BY a.colonne, a.valeur_brute) AS valeur_brute,
                   string_agg(concat_ws(' : ', nullif(a.colonne, ''), a.motif), ' ; '
                              ORDER BY a.colonne, a.motif) AS motif,
                   count(*) AS nb_anomalies
            FROM {_anomalies(spec)} a
            JOIN (SELECT fichier_hash, fichier_nom FROM {raw_table(spec, 'fichiers')} WHERE statut = '{CHARGE}') r
                USING (fichier_hash)
            GROUP BY ALL""")
        _rank_duplicates(con, spec)
        con.execute(read_sql(spec.asset("stg")))
        _write_warnings(con, spec)
        replace_source_rows(con, "qualite.journal_chargement", spec.name, f"""
            WITH lus AS (SELECT fichier_nom, count(*) AS n FROM {spec.raw_table} GROUP BY ALL),
                 charges AS (SELECT fichier_nom, count(*) AS n FROM {spec.staging_table} GROUP BY ALL),
                 quarantaine AS (SELECT fichier_nom, count(*) AS n FROM qualite.quarantaine
                                 WHERE source = '{spec.name}' GROUP BY ALL),
                 doublons AS (SELECT fichier_nom, count(*) AS n FROM _doublons WHERE rang > 1 GROUP BY ALL)
            SELECT '{spec.name}' AS source, f.fichier_nom, f.fichier_hash, f.modifie_le, f.statut, f.motif,
                   coalesce(lus.n, 0) + f.lignes_vides_total + f.lignes_ecartees AS lignes_lues,
                   coalesce(charges.n, 0) AS lignes_chargees,
                   coalesce(quarantaine.n, 0) AS lignes_quarantaine,
                   coalesce(doublons.n, 0) AS lignes_doublons,
                   f.lignes_vides_total
            FROM {raw_table(spec, 'fichiers')} f
            LEFT JOIN lus USING (fichier_nom) LEFT JOIN charges USING (fichier_nom)
            LEFT JOIN quarantaine USING (fichier_nom) LEFT JOIN doublons USING (fichier_nom)""")


def _write_warnings(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> None:
    """Conflicts between duplicates, the reader's warnings and the spec's warning SQL."""
    key = " AND ".join(f"perdant.{c} = gagnant.{c}" for c in spec.natural_key)
    columns = ", ".join(WARNING_COLUMNS)
    parts = [
        f"""SELECT 'conflit' AS type, perdant.fichier_nom, perdant.feuille, perdant.ligne,
               nullif(perdant.cellule, '') AS colonne,
               'ligne en double avec des valeurs différentes : remplacée par ' || gagnant.fichier_nom
               || ' ligne ' || gagnant.ligne || ' (fichier le plus récent)' AS message
        FROM _doublons perdant JOIN _doublons gagnant ON {key} AND gagnant.rang = 1
        WHERE perdant.rang > 1 AND perdant.empreinte <> gagnant.empreinte""",
        f"SELECT {columns} FROM {raw_table(spec, 'avertissements')}",
    ]
    if spec.warnings_sql:
        parts.append(f"SELECT {columns} FROM ({read_sql(spec.warnings_sql).rstrip().rstrip(';')})")
    union = " UNION ALL ".join(f"SELECT {columns} FROM ({part})" for part in parts)
    replace_source_rows(con, "qualite.avertissements", spec.name,
                        f"SELECT '{spec.name}' AS source, * FROM ({union})")
