"""``publication``: last asset of every run, it replaces the published warehouse in one step.

It runs only when every asset of the run succeeded and no blocking check failed upstream. It
refuses to publish when a source lost its files or more than half of its loaded rows compared
with the published warehouse (warehouse/guard.py), unless the run accepts the drop.
"""

import dagster as dg

from assets.resources import WarehouseResource
from warehouse.build import read_published
from warehouse.guard import drop_message, drops, loaded_counts


def check_drops(warehouse: WarehouseResource) -> None:
    if warehouse.accepter_baisse or not warehouse.published_path.exists():
        return
    with read_published(warehouse.published_path) as con:
        before = loaded_counts(con)
    with warehouse.connect() as con:
        after = loaded_counts(con)
    if problems := drops(before, after):
        raise dg.Failure(drop_message(problems, warehouse.published_path))


def publication_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(name="publication", deps=upstream, group_name="publication", kinds={"duckdb"},
              description="Remplace l'entrepôt publié par celui construit pendant l'exécution.")
    def publication(warehouse: WarehouseResource) -> dg.MaterializeResult:
        check_drops(warehouse)
        path = warehouse.publish()
        return dg.MaterializeResult(metadata={"entrepot": str(path)})

    return publication
