"""``retours``: the feedback workbooks of each service (warehouse/feedback.py), written into the
build's export folder after ``exports`` (which empties it), so they are published with it."""

import dagster as dg

from assets.resources import WarehouseResource
from warehouse.feedback import FOLDER, write_feedback


@dg.asset(name="retours", deps=["exports", "qualite__campagne"], group_name="publication", kinds={"excel"},
          description="Un classeur par source et par année (exports/retours/<source>-<année>.xlsx) : le "
          "statut de la campagne de collecte, puis, fichier par fichier, les lignes refusées avec ce qu'il "
          "faut corriger, et les avertissements. Aucune valeur personnelle.")
def retours(warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        written = write_feedback(con, warehouse.exports_build_path)
    return dg.MaterializeResult(metadata={
        "classeurs": len(written), "dossier_publie": str(warehouse.published_exports / FOLDER)})
