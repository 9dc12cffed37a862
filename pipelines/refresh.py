"""One refresh of the warehouse, in-process: every asset, then ``publication``.

The run builds its own file and publishes it only when every step succeeded and every
blocking check passed (see assets/resources.py); otherwise the published warehouse is
untouched and the failed build is kept beside it (``.echec``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from assets import ALL_DEFINITIONS
from assets.resources import WarehouseResource, failed_path

QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


@dataclass
class RefreshOutcome:
    published: bool
    build_path: Path  # the published warehouse, or the failed build kept for inspection
    failed_steps: list[str]
    failed_checks: list[str]
    errors: list[str]


def refresh(raw_dir: Path, warehouse: Path) -> RefreshOutcome:
    result = dg.materialize(
        ALL_DEFINITIONS,
        resources={"warehouse": WarehouseResource(path=str(warehouse), raw_dir=str(raw_dir))},
        instance=dg.DagsterInstance.ephemeral(),
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
    published = dg.AssetKey("publication") in materialized
    return RefreshOutcome(
        published=published,
        build_path=warehouse if published else failed_path(warehouse),
        failed_steps=[e.step_key for e in result.get_step_failure_events()],
        failed_checks=failed_checks,
        errors=[_message(e) for e in failures],
    )


def _message(event: dg.DagsterEvent) -> str:
    """The root cause of a failure, as its exception said it."""
    error = getattr(event.event_specific_data, "error", None)
    if error is None:
        return event.message or ""
    while error.cause is not None:
        error = error.cause
    return error.message.strip()
