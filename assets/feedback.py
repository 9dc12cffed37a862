"""``retours``: the feedback workbooks of each service (warehouse/feedback.py), written into the
build's export folder beside the files of ``exports`` (which replaces only its own), so they are
published with it. It needs only the load's quality tables and the campaign, and runs while the
worker validates the exports (assets/order.py)."""

import dagster as dg

from assets.order import WHILE_VALIDATING
from assets.resources import WarehouseResource
from warehouse.feedback import FOLDER, write_feedback


@dg.asset(name="retours", deps=["qualite__campagne"], group_name="publication", kinds={"excel"},
          op_tags=WHILE_VALIDATING,
          description="Un classeur par source et par année (exports/retours/<source>-<année>.xlsx) : le "
          "statut de la campagne de collecte, puis, fichier par fichier, les lignes refusées avec ce qu'il "
          "faut corriger, et les avertissements. Aucune valeur personnelle.")
def retours(warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        written = write_feedback(con, warehouse.exports_build_path)
    return dg.MaterializeResult(metadata={
        "classeurs": len(written), "dossier_publie": str(warehouse.published_exports / FOLDER)})
