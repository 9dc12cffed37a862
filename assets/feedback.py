"""``retours``: the feedback workbooks of each service (warehouse/feedback.py), written into the
build's export folder beside the files of ``exports`` (which replaces only its own), so they are
published with it.

It needs only the load's quality tables and the campaign: it reads the workbooks' rows as soon
as those are final and hands the writing to the refresh's worker process (warehouse/worker.py),
idle at that moment (assets/order.py). Its blocking check waits for the workbooks: the warehouse
is published only with all of them written.
"""

import dagster as dg

from assets.order import LAST, TO_WORKER
from assets.resources import WarehouseResource
from warehouse import worker
from warehouse.feedback import FOLDER, plan_feedback, write_workbooks

CHECK = "classeurs_ecrits"


@dg.asset(name="retours", deps=["qualite__campagne"], group_name="publication", kinds={"excel"},
          op_tags=TO_WORKER,
          description="Un classeur par source et par année (exports/retours/<source>-<année>.xlsx) : le "
          "statut de la campagne de collecte, puis, fichier par fichier, les lignes refusées avec ce qu'il "
          "faut corriger, et les avertissements. Aucune valeur personnelle.")
def retours(warehouse: WarehouseResource) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={
        "classeurs": _submit(warehouse), "dossier_publie": str(warehouse.published_exports / FOLDER)})


def _submit(warehouse: WarehouseResource) -> int:
    """Start writing the workbooks in the worker; how many there will be."""
    with warehouse.connect() as con:
        plans = plan_feedback(con, warehouse.exports_build_path)
    warehouse.pending[CHECK] = worker.submit(write_workbooks, plans)
    return len(plans)


@dg.asset_check(asset="retours", name=CHECK, blocking=True, op_tags=LAST,
                description="Les classeurs de retour aux services sont tous écrits dans le dossier des exports.")
def feedback_written(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    if CHECK not in warehouse.pending:  # the check run alone, without ``retours``
        _submit(warehouse)
    written = warehouse.pending.pop(CHECK)()
    missing = [path.name for path in written if not path.exists()]
    return dg.AssetCheckResult(passed=not missing, metadata={"classeurs": len(written)},
                               description=f"Classeurs manquants : {', '.join(missing)}" if missing
                               else "Tous les classeurs de retour sont écrits.")


FEEDBACK_ASSETS = [retours, feedback_written]
