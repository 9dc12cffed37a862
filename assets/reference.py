"""``ref__<table>``: every reference CSV of warehouse/ref/ as a table of the ``ref`` schema."""

from concurrent.futures import ThreadPoolExecutor

import dagster as dg

from assets.order import FIRST
from assets.resources import WarehouseResource
from sources import referential
from warehouse.names import ref_asset
from warehouse.reference import load_reference, ref_tables

REF_KEYS = [dg.AssetKey(ref_asset(table)) for table in ref_tables()]


@dg.multi_asset(
    specs=[dg.AssetSpec(key, group_name="ref", kinds={"duckdb"}) for key in REF_KEYS],
    description="Données de référence de l'observatoire (communes, structures, tranches de QF, "
    "chiffres publiés...), chargées depuis warehouse/ref/.",
    op_tags=FIRST,
)
def reference(warehouse: WarehouseResource):
    with ThreadPoolExecutor(1) as thread:  # the sources' commune indexes, ready (from the worker) while DuckDB loads
        indexes = thread.submit(referential.prepare)
        with warehouse.connect() as con:
            counts = load_reference(con)
        indexes.result()
    for table, count in counts.items():
        yield dg.MaterializeResult(asset_key=ref_asset(table), metadata={"lignes": count})
