"""The Dagster instance of one refresh: ephemeral, its event log kept in memory until read.

Dagster's ephemeral instance writes every event of a run into an in-memory SQLite database,
through SQLAlchemy, one transaction each (≈ 400 events, 1.5 ms each), and before every asset
step reads back the last materialization of the step's inputs (≈ 60 queries, 5 ms each): about
0.9 s of a 10 s demo refresh, for a log nobody reads (the refresh reads the events Dagster
returns). Here the events are kept in a list, and the last materialization of each asset in a
dictionary, which is all a run asks of its log; the first other read writes the waiting events
into SQLite, in order, and lets Dagster's own query answer it.

The storage classes are Dagster's internals (``dagster._core``), pinned by ``dagster==1.13.*``:
tests/test_instance.py runs the same assets on Dagster's own ephemeral instance and on this one
and compares what each recorded, so that an upgrade that changes them fails there first.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import contextmanager

import dagster as dg
from dagster._core.event_api import EventLogRecord
from dagster._core.events.log import EventLogEntry
from dagster._core.instance import InstanceType
from dagster._core.launcher.sync_in_memory_run_launcher import SyncInMemoryRunLauncher
from dagster._core.run_coordinator import DefaultRunCoordinator
from dagster._core.storage.event_log import InMemoryEventLogStorage, SqlEventLogStorage
from dagster._core.storage.event_log.base import AssetEntry, AssetRecord
from dagster._core.storage.noop_compute_log_manager import NoOpComputeLogManager
from dagster._core.storage.root import TemporaryLocalArtifactStorage
from dagster._core.storage.runs import InMemoryRunStorage


class _DeferredWrites(SqlEventLogStorage):
    """Between ``InMemoryEventLogStorage`` and SQL in the method order: the write is deferred,
    Dagster's own bookkeeping around it (storage ids, watchers) runs unchanged."""

    def store_event(self, event: EventLogEntry) -> None:
        self._waiting.append(event)


class MemoryEventLog(InMemoryEventLogStorage, _DeferredWrites):
    def __init__(self) -> None:
        self._waiting: list[EventLogEntry] = []
        self._writing = False
        self._asset_ids: dict[dg.AssetKey, int] = {}  # numbered by first event, as SQLite does
        self._materialized: dict[dg.AssetKey, EventLogRecord] = {}  # the last of each asset
        super().__init__()

    def store_event(self, event: EventLogEntry) -> None:
        super().store_event(event)  # counts it (self._storage_id) and tells the watchers
        if not event.is_dagster_event or (key := event.dagster_event.asset_key) is None:
            return
        self._asset_ids.setdefault(key, len(self._asset_ids) + 1)
        if event.dagster_event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            self._materialized[key] = EventLogRecord(self._storage_id, event)

    def get_asset_records(self, asset_keys: Sequence[dg.AssetKey] | None = None
                          ) -> Sequence[AssetRecord]:
        """What a step asks of its inputs, when this run materialized every one of them."""
        if asset_keys is None or any(key not in self._materialized for key in asset_keys):
            return super().get_asset_records(asset_keys)
        return [AssetRecord(storage_id=self._asset_ids[key], asset_entry=AssetEntry(
            asset_key=key, last_materialization_record=self._materialized[key],
            last_run_id=self._materialized[key].event_log_entry.run_id)) for key in asset_keys]

    @contextmanager
    def _connect(self):
        """Every SQL read or write of the log: the waiting events are written first."""
        if self._waiting and not self._writing:
            self._write_waiting()
        with super()._connect() as connection:
            yield connection

    def _write_waiting(self) -> None:
        self._writing = True
        waiting, self._waiting = self._waiting, []
        try:
            for event in waiting:
                SqlEventLogStorage.store_event(self, event)
        finally:
            self._writing = False


def ephemeral_instance() -> dg.DagsterInstance:
    """``DagsterInstance.ephemeral()``, with the event log above."""
    return dg.DagsterInstance(
        instance_type=InstanceType.EPHEMERAL,
        local_artifact_storage=TemporaryLocalArtifactStorage(),
        run_storage=InMemoryRunStorage(),
        event_storage=MemoryEventLog(),
        compute_log_manager=NoOpComputeLogManager(),
        run_coordinator=DefaultRunCoordinator(),
        run_launcher=SyncInMemoryRunLauncher(),
    )
