"""What ``dagster dev`` shows: every asset and check, the refresh job, its schedule and sensor.

Runs execute in-process: DuckDB allows one writer, so the assets of a run take turns on the
run's build file.
"""

import dagster as dg

from assets import ALL_DEFINITIONS
from assets.resources import WarehouseResource
from pipelines.automation import actualisation, actualisation_annuelle, depot_sensor
from warehouse import settings

defs = dg.Definitions(
    assets=[d for d in ALL_DEFINITIONS if not isinstance(d, dg.AssetChecksDefinition)],
    asset_checks=[d for d in ALL_DEFINITIONS if isinstance(d, dg.AssetChecksDefinition)],
    jobs=[actualisation],
    schedules=[actualisation_annuelle],
    sensors=[depot_sensor],
    resources={"warehouse": WarehouseResource(
        path=str(settings.warehouse_path()), raw_dir=str(settings.raw_dir()))},
    executor=dg.in_process_executor,
)
