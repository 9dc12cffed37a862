"""The build protocol: one build file per refresh, published in one recoverable step.

A refresh never writes the published warehouse. :meth:`Build.start` takes the refresh lock (a
second refresh stops with a French message), finishes or rolls back a publication that a crash
interrupted, sets aside a stale write-ahead log, removes the leftovers of killed runs and
prepares the build file next to the published one: empty for a full refresh, a copy of the
published warehouse for a partial one. :meth:`Build.publish` swaps the build and its export
folder in; :meth:`Build.abandon` keeps a failed build as ``.echec`` (or removes it when the disk
is full) and releases the lock.

The swap is journaled: before its first rename, ``<warehouse>.publication`` (JSON) lists what
moves where. A process killed in the middle leaves that journal; the next refresh, or any
command of the command line, completes the swap when the warehouse was already replaced and
rolls it back otherwise, so that the warehouse and its exports always belong to the same run.

Nothing here imports Dagster: the resource (assets/resources.py) only calls these methods.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import duckdb

from warehouse.db import STORAGE_VERSION, private_temp_directory

FULL, PARTIAL = "vide", "copie"
MIN_FREE_BYTES = 64 * 1024 * 1024  # below this, a failed build is removed rather than kept
STEPS = ("journal", "entrepot", "exports_precedent", "exports", "nettoyage")


class BuildError(Exception):
    """A refresh that cannot go on; its message is French, for the operator."""


class RefreshLocked(BuildError):
    pass


def warn(message: str) -> None:
    print(f"ATTENTION {message}", file=sys.stderr)


def no_step(name: str) -> None:
    """The default hook called before each step of the swap (tests inject a failure there)."""


def lock_path(published: Path) -> Path:
    return published.with_name(published.name + ".verrou")


def failed_path(published: Path) -> Path:
    return published.with_name(published.name + ".echec")


def journal_path(published: Path) -> Path:
    return published.with_name(published.name + ".publication")


def wal_path(database: Path) -> Path:
    return database.with_name(database.name + ".wal")


def previous_path(folder: Path) -> Path:
    return folder.with_name(folder.name + ".precedent")


def remove_database(path: Path) -> None:
    for candidate in (path, wal_path(path)):
        candidate.unlink(missing_ok=True)


def disk_full(error: BaseException | None) -> bool:
    return isinstance(error, OSError) and error.errno == errno.ENOSPC or "No space left on device" in str(error)


def set_aside_wal(published: Path, now: Callable[[], dt.datetime] = dt.datetime.now) -> Path | None:
    """Move the write-ahead log beside the published warehouse out of the way.

    The pipeline never opens the published file read-write: a ``.wal`` there was left by an
    analyst's read-write session, often against a file that a refresh has since replaced.
    DuckDB would replay it against the new file and refuse to open it ("WAL does not match
    database file"). It is kept, renamed, for whoever wants to look at it."""
    wal = wal_path(published)
    if not wal.exists():
        return None
    target = wal.with_name(f"{wal.name}.ecarte-{now():%Y%m%d-%H%M%S}")
    os.replace(wal, target)
    warn(f"un journal d'écriture orphelin ({wal.name}) laissé par une session en écriture sur "
         f"l'entrepôt publié a été mis de côté : {target}. Ouvrez l'entrepôt en lecture seule.")
    return target


@contextmanager
def read_published(published: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the published warehouse.

    A WAL that belongs to another file (an analyst wrote while a refresh replaced the file) is set
    aside instead of failing. When an analyst holds the file open read-write, DuckDB refuses even a
    read-only open: the file is then read from a private copy."""
    try:
        con = duckdb.connect(str(published), read_only=True)
    except duckdb.IOException as error:
        if "WAL" in str(error) and wal_path(published).exists():
            set_aside_wal(published)
            con = duckdb.connect(str(published), read_only=True)
        elif "lock" in str(error).lower():
            with _private_copy(published) as copy:
                with duckdb.connect(str(copy), read_only=True) as con:
                    yield con
            return
        else:
            raise
    with con:
        yield con


@contextmanager
def _private_copy(database: Path) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="copie-", dir=private_temp_directory()))
    try:
        copy = folder / database.name
        shutil.copyfile(database, copy)
        yield copy
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _take_lock(published: Path) -> IO:
    handle = lock_path(published).open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise RefreshLocked(
            f"Une autre actualisation de {published} est en cours : celle-ci s'arrête sans rien "
            "modifier. Relancez-la quand la première sera terminée.") from None
    return handle


def _write_journal(path: Path, entries: dict) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        json.dump(entries, handle, ensure_ascii=False, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def swap_folder(new: Path, target: Path, step: Callable[[str], None] = no_step) -> None:
    """Put a finished folder in place of the published one: two renames, never a half-written one."""
    previous = previous_path(target)
    if target.exists():
        shutil.rmtree(previous, ignore_errors=True)
        step("exports_precedent")
        os.replace(target, previous)
    step("exports")
    os.replace(new, target)
    step("nettoyage")
    shutil.rmtree(previous, ignore_errors=True)


def recover(published: Path) -> str | None:
    """Complete or roll back a swap that a crash interrupted (the caller holds the lock).

    Returns what was done ("terminee" or "annulee"), None when there was nothing to do."""
    journal = journal_path(published)
    if not journal.exists():
        return None
    try:
        entries = json.loads(journal.read_text(encoding="utf-8"))
    except ValueError:  # killed while writing the journal: no rename had started
        journal.unlink()
        return "annulee"
    build = Path(entries["construction"])
    new_exports = Path(entries["exports_construction"]) if entries["exports_construction"] else None
    exports = Path(entries["exports"])
    if build.exists():  # the warehouse was not replaced: nothing was published, undo nothing
        journal.unlink()
        warn(f"la publication interrompue de {published} est annulée : l'entrepôt et les exports "
             "publiés restent ceux de l'actualisation précédente.")
        return "annulee"
    if new_exports is not None and new_exports.exists():
        swap_folder(new_exports, exports)
    shutil.rmtree(previous_path(exports), ignore_errors=True)
    journal.unlink()
    warn(f"la publication interrompue de {published} a été terminée : les exports publiés sont "
         "ceux de l'entrepôt publié. Le rapport annuel n'a peut-être pas été réécrit : lancez "
         "« observatoire rapport ».")
    return "terminee"


def recover_if_idle(published: Path) -> str | None:
    """What every command does first: recover an interrupted swap unless a refresh is running
    (it holds the lock, and its own swap is not interrupted)."""
    if not journal_path(published).exists():
        return None
    try:
        lock = _take_lock(published)
    except (RefreshLocked, OSError):
        return None
    try:
        return recover(published)
    finally:
        lock.close()


def compact(path: Path) -> Path:
    """Rewrite a database into a new file: rows deleted from the copy leave no bytes behind.
    The new file keeps the storage version DuckDB 1.x reads (warehouse/db.py)."""
    target = path.with_name(path.name + ".compacte")
    remove_database(target)
    with duckdb.connect() as con:
        con.execute("ATTACH ? AS source (READ_ONLY)", [str(path)])
        con.execute(f"ATTACH ? AS cible (STORAGE_VERSION '{STORAGE_VERSION}')", [str(target)])
        con.execute("COPY FROM DATABASE source TO cible")
    return target


def explain_os_error(error: OSError, folder: Path) -> BuildError:
    """An operating system error while building, as a French message saying what to do."""
    if disk_full(error):
        return BuildError(f"Disque plein dans {folder} : libérez de la place, puis relancez "
                          "l'actualisation. L'entrepôt publié n'a pas été modifié.")
    if isinstance(error, PermissionError) or error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return BuildError(f"Écriture refusée dans {folder} : donnez le droit d'écriture sur ce dossier "
                          "à l'utilisateur qui lance l'actualisation. L'entrepôt publié n'a pas été modifié.")
    return BuildError(f"Erreur du système de fichiers dans {folder} : {error.strerror or error}. "
                      "L'entrepôt publié n'a pas été modifié.")


class Build:
    """One refresh's build of the warehouse and of its export folder."""

    def __init__(self, published: Path, exports: Path, run_id: str, start: str = FULL, *,
                 step: Callable[[str], None] = no_step,
                 copy: Callable[[Path, Path], object] = shutil.copyfile):
        self.published = Path(published)
        self.exports = Path(exports)
        self.mode = start
        self.path = self.published.with_name(f"{self.published.name}.construction-{run_id[:8]}")
        self.exports_path = self.exports.with_name(f"{self.exports.name}.construction-{run_id[:8]}")
        self.step = step
        self.copy = copy
        self.published_now = False
        self.kept: Path | None = None  # the failed build kept for inspection, by this run
        self.failure: OSError | None = None  # the file system error this build met, if any
        self._lock: IO | None = None

    def start(self) -> Build:
        folder = self.published.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self._lock = _take_lock(self.published)
        except OSError as error:
            raise explain_os_error(error, folder) from error
        try:
            recover(self.published)
            set_aside_wal(self.published)
            self._remove_leftovers()
            if self.mode == PARTIAL and self.published.exists():
                self.copy(self.published, self.path)
        except BaseException as error:
            self.abandon(error)
            if isinstance(error, OSError):
                raise explain_os_error(error, folder) from error
            raise
        return self

    def _remove_leftovers(self) -> None:
        """The builds of runs that were killed: we hold the lock, nobody else is building."""
        for leftover in self.published.parent.glob(f"{self.published.name}.construction-*"):
            leftover.unlink()
        journal_path(self.published).with_suffix(".publication.tmp").unlink(missing_ok=True)
        for leftover in self.exports.parent.glob(f"{self.exports.name}.construction-*"):
            shutil.rmtree(leftover)

    def publish(self) -> Path:
        """Swap the finished build in for the published warehouse, then its export folder."""
        journal = journal_path(self.published)
        try:
            build = compact(self.path) if self.mode == PARTIAL else self.path
            new_exports = self.exports_path if self.exports_path.exists() else None
            self.step("journal")
            _write_journal(journal, {
                "construction": str(build), "entrepot": str(self.published),
                "exports_construction": str(new_exports) if new_exports else None,
                "exports": str(self.exports), "etapes": list(STEPS)})
            set_aside_wal(self.published)
            self.step("entrepot")
            os.replace(build, self.published)
            self.published_now = True
            remove_database(self.path)
            if new_exports is not None:  # else the old exports stay (a partial run that did not build them)
                swap_folder(new_exports, self.exports, self.step)
            journal.unlink()
        except OSError as error:
            self.failure = error
            if self.published_now:  # the warehouse is in: its exports must follow
                recover(self.published)
                return self.published
            journal.unlink(missing_ok=True)  # nothing moved yet
            raise explain_os_error(error, self.published.parent) from error
        return self.published

    def abandon(self, error: BaseException | None = None) -> Path | None:
        """After a failure: keep the failed build as ``.echec`` for inspection, or remove it when
        the disk is full; release the lock. Returns the kept build, if any. A no-op after publish."""
        try:
            if self._lock is not None:
                recover(self.published)  # a swap this run started and could not finish
            if not self.published_now:
                self.kept = self._keep_or_remove(error)
        finally:
            if self._lock is not None:
                self._lock.close()  # closing the file releases the lock
                self._lock = None
        return self.kept

    def _keep_or_remove(self, error: BaseException | None) -> Path | None:
        remove_database(self.path.with_name(self.path.name + ".compacte"))
        if disk_full(error or self.failure) or self._low_on_space():
            self._remove()
            return None
        try:
            kept = self._keep() if self.path.exists() else None
            if self.exports_path.exists():
                failed = failed_path(self.exports)
                shutil.rmtree(failed, ignore_errors=True)
                os.replace(self.exports_path, failed)
        except OSError:  # it cannot even be renamed: remove it rather than leave it half-kept
            self._remove()
            return None
        return kept

    def _keep(self) -> Path:
        kept = failed_path(self.published)
        remove_database(kept)
        os.replace(self.path, kept)
        wal_path(self.path).unlink(missing_ok=True)
        return kept

    def _remove(self) -> None:
        remove_database(self.path)
        shutil.rmtree(self.exports_path, ignore_errors=True)

    def _low_on_space(self) -> bool:
        try:
            return shutil.disk_usage(self.published.parent).free < MIN_FREE_BYTES
        except OSError:
            return False
