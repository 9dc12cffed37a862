"""``publication``: last asset of every run, it replaces the published warehouse in one step.

It runs only when every asset of the run succeeded and no blocking check failed upstream.
"""

import dagster as dg

from assets.resources import WarehouseResource


def publication_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(name="publication", deps=upstream, group_name="publication", kinds={"duckdb"},
              description="Remplace l'entrepôt publié par celui construit pendant l'exécution.")
    def publication(warehouse: WarehouseResource) -> dg.MaterializeResult:
        path = warehouse.publish()
        return dg.MaterializeResult(metadata={"entrepot": str(path)})

    return publication
