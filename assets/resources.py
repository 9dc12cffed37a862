"""The warehouse resource: one build file per run, published in one step at the end.

A run never writes the published warehouse. At start it takes the refresh lock (a second
refresh stops with a clear message), and prepares its own build file next to the published
one: empty for a full refresh, a copy of the published warehouse for a partial one (the
sensor's refresh of one source). Every asset of the run writes the build file; the
``publication`` asset, last in the graph, replaces the published file with it
(``os.replace``). A run that fails or is killed leaves the published warehouse as it was;
the failed build is kept beside it as ``.echec`` for inspection.
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


class WarehouseResource(dg.ConfigurableResource):
    path: str = Field(description="Entrepôt publié (fichier DuckDB).")
    raw_dir: str = Field(description="Dossier de dépôt des fichiers bruts.")
    depart: str = Field(default=FULL, description="'vide' : reconstruction complète ; 'copie' : "
                        "repart de l'entrepôt publié (actualisation d'une seule source).")

    _build: Path | None = PrivateAttr(default=None)
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
        self._build = published.with_name(f"{published.name}.construction-{context.run.run_id[:8]}")
        self._start = context.run.tags.get(START_TAG, self.depart) if context.run else self.depart
        if self._start == PARTIAL and published.exists():
            shutil.copyfile(published, self._build)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._build is not None and self._build.exists():  # not published: keep it to look at
            failed = failed_path(self.published_path)
            remove_database(failed)
            os.replace(self._build, failed)
            self._build.with_name(self._build.name + ".wal").unlink(missing_ok=True)
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
        """Move the finished build over the published warehouse, in one step."""
        build = self.build_path
        if self._start == PARTIAL:
            build = compact(build)
        os.replace(build, self.published_path)
        remove_database(self.build_path)
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
