"""The warehouse resource: one build file per run, published in one step at the end.

A run never writes the published warehouse. At start it takes the refresh lock (a second
refresh stops with a clear message), and prepares its own build file next to the published
one: empty for a full refresh, a copy of the published warehouse for a partial one (the
sensor's refresh of one source). Every asset of the run writes the build file; the
``publication`` asset, last in the graph, replaces the published file with it
(``os.replace``). A run that fails or is killed leaves the published warehouse as it was;
the failed build is kept beside it as ``.echec`` for inspection.

The export folder (Parquet, CSV, datapackage.json, quality report) follows the same path: the
``exports`` asset writes a new folder beside the published one, and ``publish`` swaps it in
right after the warehouse, so that readers never see a half-written folder.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import dagster as dg
import duckdb
from pydantic import Field, PrivateAttr

from pipelines import settings
from warehouse.db import connect

FULL, PARTIAL = "vide", "copie"
START_TAG = "observatoire/depart"  # a run tag that overrides `depart` (set by the sensor)


class RefreshLocked(dg.Failure):
    pass


def remove_database(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + ".wal")):
        candidate.unlink(missing_ok=True)


def lock_path(published: Path) -> Path:
    return published.with_name(published.name + ".verrou")


def failed_path(published: Path) -> Path:
    return published.with_name(published.name + ".echec")


def swap_folder(new: Path, target: Path) -> None:
    """Put a finished folder in place of the published one: two renames, never a half-written one."""
    previous = target.with_name(target.name + ".precedent")
    shutil.rmtree(previous, ignore_errors=True)
    if target.exists():
        os.replace(target, previous)
    os.replace(new, target)
    shutil.rmtree(previous, ignore_errors=True)


class WarehouseResource(dg.ConfigurableResource):
    path: str = Field(description="Entrepôt publié (fichier DuckDB).")
    raw_dir: str = Field(description="Dossier de dépôt des fichiers bruts.")
    depart: str = Field(default=FULL, description="'vide' : reconstruction complète ; 'copie' : "
                        "repart de l'entrepôt publié (actualisation d'une seule source).")
    export_dir: str = Field(default="", description="Dossier des exports publiés (défaut : "
                            "OBSERVATOIRE_EXPORT_DIR, sinon exports/ à côté de l'entrepôt).")

    _build: Path | None = PrivateAttr(default=None)
    _build_exports: Path | None = PrivateAttr(default=None)
    _start: str = PrivateAttr(default=FULL)
    _lock: IO | None = PrivateAttr(default=None)

    @property
    def published_path(self) -> Path:
        return Path(self.path)

    @property
    def build_path(self) -> Path:
        return self._build or self.published_path

    @property
    def raw_path(self) -> Path:
        return Path(self.raw_dir)

    @property
    def published_exports(self) -> Path:
        return settings.export_dir(self.published_path, self.export_dir or None)

    @property
    def exports_build_path(self) -> Path:
        """The export folder this run writes, published with the warehouse."""
        return self._build_exports or self.published_exports

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        published = self.published_path
        published.parent.mkdir(parents=True, exist_ok=True)
        self._lock = lock_path(published).open("w")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            self._lock = None
            raise RefreshLocked(
                f"Une autre actualisation de {published} est en cours : celle-ci s'arrête sans rien "
                "modifier. Relancez-la quand la première sera terminée.")
        for leftover in published.parent.glob(f"{published.name}.construction-*"):
            leftover.unlink()  # a run killed before: we hold the lock, nobody else is building
        exports = self.published_exports
        for leftover in exports.parent.glob(f"{exports.name}.construction-*"):
            shutil.rmtree(leftover)
        self._build = published.with_name(f"{published.name}.construction-{context.run.run_id[:8]}")
        self._build_exports = exports.with_name(f"{exports.name}.construction-{context.run.run_id[:8]}")
        self._start = context.run.tags.get(START_TAG, self.depart) if context.run else self.depart
        if self._start == PARTIAL and published.exists():
            shutil.copyfile(published, self._build)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._build is not None and self._build.exists():  # not published: keep it to look at
            failed = failed_path(self.published_path)
            remove_database(failed)
            os.replace(self._build, failed)
            self._build.with_name(self._build.name + ".wal").unlink(missing_ok=True)
        if self._build_exports is not None and self._build_exports.exists():  # not published either
            failed = failed_path(self.published_exports)
            shutil.rmtree(failed, ignore_errors=True)
            os.replace(self._build_exports, failed)
        if self._lock is not None:
            self._lock.close()  # closing the file releases the lock

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = connect(self.build_path)
        try:
            yield con
        finally:
            con.close()

    def publish(self) -> Path:
        """Move the finished build over the published warehouse, in one step, then the exports."""
        build = self.build_path
        if self._start == PARTIAL:
            build = compact(build)
        os.replace(build, self.published_path)
        remove_database(self.build_path)
        if self._build_exports is not None and self._build_exports.exists():  # else: the old ones stay
            swap_folder(self._build_exports, self.published_exports)
        return self.published_path


def compact(path: Path) -> Path:
    """Rewrite a database into a new file: rows deleted from the copy leave no bytes behind."""
    target = path.with_name(path.name + ".compacte")
    remove_database(target)
    with duckdb.connect() as con:
        con.execute("ATTACH ? AS source (READ_ONLY)", [str(path)])
        con.execute("ATTACH ? AS cible", [str(target)])
        con.execute("COPY FROM DATABASE source TO cible")
    return target
