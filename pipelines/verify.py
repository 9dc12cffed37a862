"""``observatoire verifier``: what new files would change, without publishing anything.

The given files are put into a scratch copy of the drop folder (hard links, else copies, in a
private temporary folder), added to their source's folder or replacing the file of the same name
there; the source of a file is its folder when it sits in the drop folder, else the first source
whose reader accepts its header. A full refresh then builds a scratch warehouse (its exports
and report go into the scratch folder too), which is compared with the published warehouse,
opened read-only: per file, rows read, loaded, quarantined (first reasons), duplicates; then
every indicator cell that would change, and every reconciliation row whose status would change.
Exit code: 0 no quarantine, 1 some rows would be quarantined, 2 a file would be refused.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from sources.reading import FileRejected, ReadStats
from sources.spec import SourceSpec, load_spec, spec_names
from warehouse import settings
from warehouse.build import read_published
from warehouse.db import private_temp_directory
from warehouse.journal import DOUBLON, REJETE
from warehouse.tables import load_tables

FIRST_REASONS = 3
OK, QUARANTINE, REFUSED = 0, 1, 2


@dataclass
class FileOutcome:
    path: Path
    spec: SourceSpec | None
    name: str | None = None          # its name in the scratch drop folder, relative to the source folder
    log: dict | None = None          # its row of qualite.journal_chargement
    reasons: list[str] = field(default_factory=list)

    @property
    def source(self) -> str | None:
        return self.spec.name if self.spec else None

    @property
    def code(self) -> int:
        if self.spec is None or self.log is None or self.log["statut"] == REJETE:
            return REFUSED
        return QUARANTINE if self.log["lignes_quarantaine"] else OK


@dataclass
class Verification:
    files: list[FileOutcome]
    cells: list[str]                 # indicator cells that would change, in French
    reconciliation: list[str]        # reconciliation rows whose status would change
    errors: list[str] = field(default_factory=list)

    @property
    def code(self) -> int:
        return REFUSED if self.errors else max((f.code for f in self.files), default=OK)


def reader_accepts(spec: SourceSpec, path: Path) -> bool:
    from assets.sources import reader_of

    try:
        next(iter(reader_of(spec)(path, spec, ReadStats())), None)
    except FileRejected:
        return False
    except Exception:  # noqa: BLE001 - a reader that cannot read the file: not this source
        return False
    return True


def source_of(path: Path, raw_dir: Path) -> tuple[SourceSpec | None, Path | None]:
    """The file's source, and its path relative to the source folder when it sits in the drop folder."""
    specs = [load_spec(name) for name in spec_names()]
    try:
        relative = path.resolve().relative_to(raw_dir.resolve())
    except ValueError:
        relative = None
    if relative is not None:
        for spec in specs:
            if relative.parts and relative.parts[0] == spec.folder:
                return spec, Path(*relative.parts[1:])
    return next((spec for spec in specs if reader_accepts(spec, path)), None), None


def link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def place(path: Path, spec: SourceSpec, relative: Path | None, scratch_raw: Path) -> Path:
    """Put the file into its source folder of the scratch drop folder, replacing a file of the same
    name (anywhere in that folder) or at its own place when it came from the drop folder."""
    folder = scratch_raw / spec.folder
    if relative is None:
        same_name = sorted(p for p in folder.rglob(path.name) if p.is_file()) if folder.exists() else []
        relative = same_name[0].relative_to(folder) if same_name else Path(path.name)
    target = folder / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() or target.is_symlink():
        target.unlink()
    shutil.copy2(path, target)
    return relative




def frames(con: duckdb.DuckDBPyConnection, tables: list[str]) -> dict[str, pd.DataFrame]:
    present = {f"{s}.{t}" for s, t in con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database()").fetchall()}
    return {table: con.execute(f"SELECT * FROM {table}").df() for table in tables if table in present}


def shown(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def changed_cells(table: str, key: list[str], before: pd.DataFrame | None, after: pd.DataFrame | None) -> list[str]:
    """``table [key] column : before → after`` for every cell that differs (a new or gone row too)."""
    empty = (after if before is None else before).iloc[0:0]
    before = empty if before is None else before
    after = empty if after is None else after
    merged = before.merge(after, on=key, how="outer", suffixes=("_avant", "_apres"), indicator=True)
    measures = [c for c in before.columns if c not in key]
    lines = []
    for _, row in merged.sort_values(key).iterrows():
        where = ", ".join(f"{k}={shown(row[k])}" for k in key)
        for column in measures:
            old = row[f"{column}_avant"] if row["_merge"] != "right_only" else None
            new = row[f"{column}_apres"] if row["_merge"] != "left_only" else None
            if shown(old) != shown(new):
                lines.append(f"{table} [{where}] {column} : {shown(old)} → {shown(new)}")
    return lines


RECONCILIATION_KEY = ["source", "indicateur", "structure_id", "annee"]


def compare(published: duckdb.DuckDBPyConnection, scratch: duckdb.DuckDBPyConnection) -> tuple[list[str], list[str]]:
    declared = {t.qualified: list(t.key) for t in load_tables() if t.schema == "indicateurs" and not t.view}
    before, after = frames(published, list(declared)), frames(scratch, list(declared))
    cells = [line for table, key in declared.items() if table in before or table in after
             for line in changed_cells(table, key, before.get(table), after.get(table))]
    statuses = [frames(con, ["qualite.rapprochement"]).get("qualite.rapprochement") for con in (published, scratch)]
    reconciliation = []
    if statuses[0] is not None and statuses[1] is not None:
        pair = [frame[[*RECONCILIATION_KEY, "statut"]].fillna({"structure_id": ""}) for frame in statuses]
        reconciliation = [line for line in changed_cells("qualite.rapprochement", RECONCILIATION_KEY, *pair)]
    return cells, reconciliation


def file_outcome(con: duckdb.DuckDBPyConnection, outcome: FileOutcome) -> None:
    """The file's row of the scratch load log and its first quarantine reasons."""
    cursor = con.execute("SELECT * FROM qualite.journal_chargement WHERE source = ? AND fichier_nom = ?",
                         [outcome.source, outcome.name])
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    outcome.log = dict(zip(names, row)) if row else None
    outcome.reasons = [f"ligne {line} : {reason}" for line, reason in con.execute(
        "SELECT ligne, motif FROM qualite.quarantaine WHERE source = ? AND fichier_nom = ? "
        "ORDER BY feuille NULLS FIRST, ligne LIMIT ?", [outcome.source, outcome.name, FIRST_REASONS]).fetchall()]


def verify(files: list[Path], raw_dir: Path, warehouse: Path) -> Verification:
    from pipelines.refresh import refresh

    folder = Path(tempfile.mkdtemp(prefix="verification-", dir=private_temp_directory()))
    try:
        scratch_raw = folder / "depot"
        if raw_dir.exists():
            shutil.copytree(raw_dir, scratch_raw, symlinks=True, copy_function=link_or_copy)
        scratch_raw.mkdir(exist_ok=True)
        outcomes = []
        for path in files:
            spec, relative = source_of(path, raw_dir)
            outcome = FileOutcome(path, spec)
            if spec is not None:
                outcome.name = place(path, spec, relative, scratch_raw).as_posix()
            outcomes.append(outcome)
        if any(outcome.spec is None for outcome in outcomes):  # refused: no build needed
            return Verification(outcomes, [], [])
        with settings.exports_in(folder / "exports"):
            result = refresh(scratch_raw, folder / "verification.duckdb", accept_drop=True)
        if result.build_path is None or not result.build_path.exists():
            return Verification(outcomes, [], [], errors=result.errors or ["la construction d'essai a échoué"])
        with duckdb.connect(str(result.build_path), read_only=True) as scratch:
            for outcome in outcomes:
                file_outcome(scratch, outcome)
            if warehouse.exists():
                with read_published(warehouse) as published:
                    cells, reconciliation = compare(published, scratch)
            else:
                cells, reconciliation = [], []
        errors = [] if result.published else result.errors + result.failed_checks
        return Verification(outcomes, cells, reconciliation, errors)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def report_lines(verification: Verification) -> list[str]:
    """What ``observatoire verifier`` prints, in French."""
    lines = []
    for f in verification.files:
        if f.source is None:
            lines.append(f"{f.path} : source inconnue (aucun en-tête reconnu) — le fichier serait refusé.")
            continue
        log = f.log
        if log is None or log["statut"] == REJETE:
            lines.append(f"{f.path} ({f.source}) : fichier refusé — {log['motif'] if log else 'non lu'}")
            continue
        if log["statut"] == DOUBLON:
            lines.append(f"{f.path} ({f.source}) : {log['motif']} — il ne changerait rien.")
            continue
        lines.append(f"{f.path} ({f.source}, {f.name}) : {log['lignes_lues']} ligne(s) lue(s), "
                     f"{log['lignes_chargees']} chargée(s), {log['lignes_quarantaine']} en quarantaine, "
                     f"{log['lignes_doublons']} en double")
        lines += [f"  {reason}" for reason in f.reasons]
    lines.append(f"\nCellules d'indicateurs qui changeraient : {len(verification.cells)}")
    lines += [f"  {line}" for line in verification.cells]
    lines.append(f"\nRapprochements dont le statut changerait : {len(verification.reconciliation)}")
    lines += [f"  {line}" for line in verification.reconciliation]
    lines += [f"\nErreur de la construction d'essai : {error}" for error in verification.errors]
    lines.append("\nRien n'a été publié : l'entrepôt, les exports et le rapport publiés sont inchangés.")
    return lines
