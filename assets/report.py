"""``rapport``: the observatoire's yearly report (HTML and PDF), written beside the warehouse.

It runs after ``publication`` and reads only the `public` layer of the published warehouse
(statistical secrecy applied): the report always matches the published figures, and a report
that fails never holds back the warehouse. Its PDF is the one ``exports`` started printing from
the build, when that page is the same as the one rendered here. Without Chromium the HTML is
still written and the PDF is skipped with a French warning.
"""

import sys

import dagster as dg
import duckdb

from assets.exports import DRAFT
from assets.resources import WarehouseResource
from reporting import write_report
from warehouse.settings import report_dir


@dg.asset(name="rapport", deps=["publication"], group_name="publication",
          kinds={"html", "pdf"},
          description="Rapport annuel de l'observatoire (HTML autonome et PDF) à partir de la couche "
          "publique, écrit dans le dossier rapport/ à côté de l'entrepôt publié.")
def rapport(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    with duckdb.connect(str(warehouse.published_path), read_only=True) as con:
        files = write_report(con, report_dir(warehouse.published_path), warehouse.secret_threshold,
                             draft=warehouse.pending.pop(DRAFT, None))
    if files.warning:
        context.log.warning(files.warning)
        print(files.warning, file=sys.stderr)  # a refresh from the command line shows it too
    return dg.MaterializeResult(metadata={
        "annee": files.year, "html": str(files.html),
        "pdf": str(files.pdf) if files.pdf else "non produit (voir l'avertissement)"})
