"""One refresh: build a new warehouse file with every asset, publish it only if sound.

The new warehouse is built beside the published one and moved over it in one step
(``os.replace``): an analyst's open connection keeps reading the old file, and a run that
fails leaves the published warehouse as it was (the failed build is kept for inspection).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from assets import ALL_DEFINITIONS
from assets.resources import WarehouseResource


@dataclass
class RefreshOutcome:
    published: bool
    build_path: Path
    failed_steps: list[str]
    failed_checks: list[str]


def _remove(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + ".wal")):
        candidate.unlink(missing_ok=True)


def refresh(raw_dir: Path, warehouse: Path) -> RefreshOutcome:
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    build = warehouse.with_name(warehouse.name + ".construction")
    _remove(build)
    result = dg.materialize(
        ALL_DEFINITIONS,
        resources={"warehouse": WarehouseResource(path=str(build), raw_dir=str(raw_dir))},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
    )
    failed_steps = [event.step_key for event in result.get_step_failure_events()]
    failed_checks = [
        f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    ]
    published = result.success and not failed_checks
    if published:
        os.replace(build, warehouse)
    else:
        failed = warehouse.with_name(warehouse.name + ".echec")
        _remove(failed)
        if build.exists():
            os.replace(build, failed)
        build = failed
    return RefreshOutcome(published, warehouse if published else build, failed_steps, failed_checks)
