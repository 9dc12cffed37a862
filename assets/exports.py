"""``exports``: the public tables as files (warehouse/exports.py), and their Great Expectations check.

The folder is written beside the published one; ``publication`` swaps it in with the warehouse.
The check is blocking: a public table that fails it (a count under the threshold left visible,
a duplicated key...) stops the publication of both. Its Data Docs, the readable quality report,
are written into the folder (``qualite/index.html``), with a French summary readable offline
(``qualite/resume.html``).
"""

import shutil

import dagster as dg

from assets.public import PUBLIC_KEYS, catalogue
from assets.resources import WarehouseResource
from warehouse.exports import build_exports
from warehouse.expectations import validate_public
from warehouse.secrecy import load_rules

REPORT = "qualite"


@dg.asset(name="exports", deps=[*PUBLIC_KEYS, *catalogue.keys], group_name="publication",
          kinds={"parquet", "csv"},
          description="Chaque table public.<t> en Parquet, en CSV (UTF-8, virgule) et en CSV pour "
          "Excel (Windows-1252, point-virgule, virgule décimale), avec datapackage.json.")
def exports(warehouse: WarehouseResource) -> dg.MaterializeResult:
    folder = warehouse.exports_build_path
    shutil.rmtree(folder, ignore_errors=True)
    with warehouse.connect() as con:
        tables = build_exports(con, folder, warehouse.secret_threshold)
    return dg.MaterializeResult(metadata={"tables": len(tables), "dossier_publie": str(warehouse.published_exports)})


@dg.asset_check(asset="exports", name="great_expectations", blocking=True,
                description="Great Expectations sur les tables publiques : clés uniques, comptes positifs, "
                "années plausibles, aucun compte sous le seuil du secret visible. Rapport : qualite/resume.html.")
def public_expectations(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    report = warehouse.exports_build_path / REPORT
    with warehouse.connect() as con:
        failures = validate_public(con, load_rules(), warehouse.secret_threshold, report)
    return dg.AssetCheckResult(
        passed=not failures,
        metadata={"echecs": len(failures), "detail": dg.MetadataValue.text("\n".join(failures) or "aucun"),
                  "rapport": str(warehouse.published_exports / REPORT / "resume.html")},
        description="Les tables publiques passent les attentes Great Expectations.")


EXPORT_ASSETS = [exports, public_expectations]
