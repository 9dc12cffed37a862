"""``exports``: the public tables as files (warehouse/exports.py), and their Great Expectations check.

The folder is written beside the published one; ``publication`` swaps it in with the warehouse.
``exports`` runs as soon as the public layer is complete, before ``catalogue``: the files are
described, the checks worded and the report's draft labelled from the catalogue's entries
(warehouse/catalogue.py, ``schema_entries``). The check's validation starts with ``exports`` (in
the worker process of warehouse/expectations.py, while the files, then the catalogue, are
written) and the check waits for its result. Once the files are written, the report's PDF starts
printing (reporting.draft_report), for ``rapport`` to take after publication.
The check is blocking: a public table that fails it (a count under the threshold left visible,
a duplicated key...) stops the publication of both. Its Data Docs, the readable quality report,
are written into the folder (``qualite/index.html``), with a French summary readable offline
(``qualite/resume.html``).
"""

import dagster as dg

from assets.order import LAST, TO_WORKER
from assets.public import PUBLIC_KEYS
from assets.resources import WarehouseResource
from reporting import draft_report
from warehouse.exports import build_exports
from warehouse.expectations import submit_validation
from warehouse.secrecy import load_rules

REPORT = "qualite"
CHECK = "great_expectations"
DRAFT = "rapport"


@dg.asset(name="exports", deps=PUBLIC_KEYS, group_name="publication", kinds={"parquet", "csv"},
          op_tags=TO_WORKER,
          description="Chaque table public.<t> en Parquet, en CSV (UTF-8, virgule) et en CSV pour "
          "Excel (Windows-1252, point-virgule, virgule décimale), avec datapackage.json.")
def exports(warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect() as con:  # each writer replaces its own files: retours' stay
        warehouse.pending[CHECK] = _submit(con, warehouse)
        warehouse.pending[DRAFT] = draft_report(con, warehouse.secret_threshold)  # printed meanwhile
        tables = build_exports(con, warehouse.exports_build_path, warehouse.secret_threshold)
    return dg.MaterializeResult(metadata={"tables": len(tables), "dossier_publie": str(warehouse.published_exports)})


def _submit(con, warehouse: WarehouseResource):
    return submit_validation(con, load_rules(), warehouse.secret_threshold, warehouse.exports_build_path / REPORT)


@dg.asset_check(asset="exports", name=CHECK, blocking=True, op_tags=LAST,
                description="Great Expectations sur les tables publiques : clés uniques, comptes positifs, "
                "années plausibles, aucun compte sous le seuil du secret visible. Rapport : qualite/resume.html.")
def public_expectations(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    wait = warehouse.pending.pop(CHECK, None)
    if wait is None:  # the check run alone, without ``exports``
        with warehouse.connect() as con:
            wait = _submit(con, warehouse)
    failures = wait()
    return dg.AssetCheckResult(
        passed=not failures,
        metadata={"echecs": len(failures), "detail": dg.MetadataValue.text("\n".join(failures) or "aucun"),
                  "rapport": str(warehouse.published_exports / REPORT / "resume.html")},
        description="Les tables publiques passent les attentes Great Expectations.")


EXPORT_ASSETS = [exports, public_expectations]
