"""The warehouse resource: the Dagster face of warehouse/build.py.

A run never writes the published warehouse. At start the resource begins a
:class:`warehouse.build.Build` (refresh lock, recovery of an interrupted publication, the run's
own build file: empty for a full refresh, a copy of the published warehouse for a partial one,
the sensor's refresh of one source). Every asset of the run writes the build file; the
``publication`` asset, last in the graph, swaps it and the run's export folder in. A run that
fails or is killed leaves the published warehouse and its exports as they were.
"""

from __future__ import annotations

import os  # noqa: F401  (tests patch resources.os.replace, the os module's own)
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import Field, PrivateAttr

from assets import background
from warehouse import settings
from warehouse.build import FULL, Build, BuildError
from warehouse.db import connect, quiet

START_TAG = "observatoire/depart"  # a run tag that overrides `depart` (set by the sensor)


class WarehouseResource(dg.ConfigurableResource):
    path: str = Field(description="Entrepôt publié (fichier DuckDB).")
    raw_dir: str = Field(description="Dossier de dépôt des fichiers bruts.")
    depart: str = Field(default=FULL, description="'vide' : reconstruction complète ; 'copie' : "
                        "repart de l'entrepôt publié (actualisation d'une seule source).")
    export_dir: str = Field(default="", description="Dossier des exports publiés (défaut : "
                            "OBSERVATOIRE_EXPORT_DIR, sinon exports/ à côté de l'entrepôt).")
    accepter_baisse: bool = Field(default=False, description="Publier même quand une source a perdu "
                                  "tous ses fichiers ou plus de la moitié de ses lignes chargées.")
    seuil_secret: int | None = Field(default=None, description="Seuil du secret statistique : les "
                                     "comptes de 1 à ce seuil moins un sont masqués (défaut : "
                                     "OBSERVATOIRE_SEUIL_SECRET, sinon 5).")

    _build: Build | None = PrivateAttr(default=None)
    _held: duckdb.DuckDBPyConnection | None = PrivateAttr(default=None)
    _pending: dict[str, object] = PrivateAttr(default_factory=dict)

    @property
    def published_path(self) -> Path:
        return Path(self.path)

    @property
    def build_path(self) -> Path:
        return self._build.path if self._build else self.published_path

    @property
    def pending(self) -> dict[str, object]:
        """Work a step started for a later step of the run to take, by name (the validation to
        wait for, the report being printed)."""
        return self._pending

    @property
    def raw_path(self) -> Path:
        return Path(self.raw_dir)

    @property
    def secret_threshold(self) -> int:
        """The secrecy threshold of this run: the field, else the settings (read when asked)."""
        return self.seuil_secret if self.seuil_secret is not None else settings.secret_threshold()

    @property
    def published_exports(self) -> Path:
        return settings.export_dir(self.published_path, self.export_dir or None)

    @property
    def exports_build_path(self) -> Path:
        """The export folder this run writes, published with the warehouse."""
        return self._build.exports_path if self._build else self.published_exports

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        start = context.run.tags.get(START_TAG, self.depart) if context.run else self.depart
        run_id = context.run.run_id if context.run else "hors-run"
        try:
            self._build = Build(self.published_path, self.published_exports, run_id, start).start()
        except BuildError as error:
            raise dg.Failure(str(error)) from error
        self._held = connect(self.build_path)
        background.start()  # the commune indexes, then Great Expectations, made on the other core

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self._release()
        if self._build is not None:
            self._build.abandon()

    def _release(self) -> None:
        """Close the run's own connection: the build file is then complete on disk."""
        if self._held is not None:
            self._held.close()
            self._held = None

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the build file. The run holds one open from its start: each step's is
        a cursor of it, which saves reopening the file and checkpointing it at every step."""
        con = quiet(self._held.cursor()) if self._held is not None else connect(self.build_path)
        try:
            yield con
        finally:
            con.close()

    def publish(self) -> Path:
        """Swap the finished build and its exports in for the published ones, in one step."""
        self._release()
        try:
            return self._build.publish()
        except BuildError as error:
            raise dg.Failure(str(error)) from error
