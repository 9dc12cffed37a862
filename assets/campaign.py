"""``qualite__campagne``: the yearly collection campaign (warehouse/campaign.py)."""

import dagster as dg

from assets.public import STAGING_KEYS
from assets.resources import WarehouseResource
from warehouse.campaign import build_campaign


@dg.asset(name="qualite__campagne", deps=[*STAGING_KEYS, "ref__structures", "ref__structures_collecte"],
          group_name="qualite", kinds={"duckdb"},
          description="La campagne de collecte : pour chaque année, source et structure (et mois pour "
          "une source mensuelle), ce qui était attendu, ce qui est reçu, et le statut (reçu, partiel, "
          "manquant, inattendu) : qualite.campagne et public.campagne.")
def campagne(warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        counts = build_campaign(con)
    return dg.MaterializeResult(metadata={status: int(n) for status, n in counts.items()})
