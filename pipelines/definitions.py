"""What ``dagster dev`` shows: every asset and check, one job, run in-process
(DuckDB allows one writer: the assets of a run take turns on the same file)."""

import dagster as dg

from assets import ALL_DEFINITIONS
from assets.resources import WarehouseResource
from pipelines import settings

actualisation = dg.define_asset_job(
    "actualisation", selection=dg.AssetSelection.all(),
    description="Reconstruit tout l'entrepôt depuis le dossier de dépôt.",
)

defs = dg.Definitions(
    assets=[d for d in ALL_DEFINITIONS if not isinstance(d, dg.AssetChecksDefinition)],
    asset_checks=[d for d in ALL_DEFINITIONS if isinstance(d, dg.AssetChecksDefinition)],
    jobs=[actualisation],
    resources={"warehouse": WarehouseResource(
        path=str(settings.warehouse_path()), raw_dir=str(settings.raw_dir()))},
    executor=dg.in_process_executor,
)
