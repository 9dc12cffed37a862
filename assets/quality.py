"""``qualite__rapprochement``: the warehouse against the figures published elsewhere."""

import dagster as dg

from assets.indicators import INDICATOR_KEYS
from assets.resources import WarehouseResource
from warehouse.names import ref_asset
from warehouse.reconciliation import reconcile


@dg.asset(name="qualite__rapprochement", deps=INDICATOR_KEYS + [ref_asset("chiffres_publies")],
          group_name="qualite", kinds={"duckdb"},
          description="Comparaison des indicateurs avec ref.chiffres_publies (qualite.rapprochement). "
          "Un écart est signalé, il ne bloque jamais la publication.")
def rapprochement(warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        result = reconcile(con)
    counts = result["statut"].value_counts().to_dict()
    return dg.MaterializeResult(metadata={str(k): int(v) for k, v in counts.items()})
