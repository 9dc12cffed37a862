"""One refresh of the warehouse, in-process: every asset, then ``publication``.

The run builds its own file and publishes it only when every step succeeded and every
blocking check passed (warehouse/build.py); otherwise the published warehouse is untouched and
the failed build is kept beside it (``.echec``), unless the disk was full.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from assets import ALL_DEFINITIONS
from assets.resources import WarehouseResource
from pipelines.instance import ephemeral_instance
from warehouse.build import failed_path

# The terminal shows the French lines of pipelines/failures.py; the traces go to the log file.
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


@dataclass
class RefreshOutcome:
    published: bool
    warehouse: Path
    kept_build: Path | None  # the failed build this run kept for inspection, if any
    failed_steps: list[str]
    failed_checks: list[str]
    errors: list[str]  # the root cause of each failure, as its exception said it
    traces: list[str] = field(default_factory=list)  # the full traces, for the log file

    @property
    def build_path(self) -> Path | None:
        """The warehouse this run built: the published one, or the failed build kept."""
        return self.warehouse if self.published else self.kept_build


def refresh(raw_dir: Path, warehouse: Path, accept_drop: bool = False) -> RefreshOutcome:
    started = time.time_ns()
    result = dg.materialize(
        ALL_DEFINITIONS,
        resources={"warehouse": WarehouseResource(path=str(warehouse), raw_dir=str(raw_dir),
                                                  accepter_baisse=accept_drop)},
        instance=ephemeral_instance(),
        raise_on_error=False,
        run_config=QUIET,
    )
    failures = result.get_step_failure_events() + [
        e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE]
    failed_checks = [
        f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        + (f" — {evaluation.description}" if evaluation.description else "")  # the rows refused
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    ]
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    return RefreshOutcome(
        published=dg.AssetKey("publication") in materialized,
        warehouse=warehouse,
        kept_build=_made_since(failed_path(warehouse), started),
        failed_steps=[e.step_key for e in result.get_step_failure_events()],
        failed_checks=failed_checks,
        errors=[_message(e) for e in failures if not _is_check_failure(e)],
        traces=[_trace(e) for e in failures],
    )


def _made_since(path: Path, started_ns: int) -> Path | None:
    """The path, when it exists and was written by this run (a build is written from its start)."""
    try:
        return path if path.stat().st_mtime_ns >= started_ns else None
    except FileNotFoundError:
        return None


# Exceptions whose message is written for the operator, in French: told as they are.
FRENCH_ERRORS = {"Failure", "BuildError", "RefreshLocked", "PseudonymKeyError"}


def _cause(event: dg.DagsterEvent):
    """The first error of the chain written for the operator, else the root cause."""
    error = getattr(event.event_specific_data, "error", None)
    while error is not None and error.cause is not None and error.cls_name not in FRENCH_ERRORS:
        error = error.cause
    return error


def _is_check_failure(event: dg.DagsterEvent) -> bool:
    """A step stopped by a failed blocking check: told by ``failed_checks``, in French."""
    error = getattr(event.event_specific_data, "error", None)
    return error is not None and error.cls_name == "DagsterAssetCheckFailedError"


def _message(event: dg.DagsterEvent) -> str:
    """The cause of a failure, as its exception said it (without the exception's class name)."""
    error = _cause(event)
    if error is None:
        return event.message or ""
    return re.sub(r"^[\w.]+: ", "", error.message.strip())


def _trace(event: dg.DagsterEvent) -> str:
    error = getattr(event.event_specific_data, "error", None)
    heading = f"[{event.step_key or 'exécution'}] {event.message or ''}"
    return heading if error is None else f"{heading}\n{error.to_string()}"
