"""Blocking pandera checks on the reference inputs of the childcare coverage rate and of the CTG
follow-up: files the observatoire edits by hand each year (docs/petite_enfance_ctg.md), checked
before the indicators read them. The table of a check is the name of its schema.
"""

from __future__ import annotations

import dagster as dg
import pandera.pandas as pa

from assets.resources import WarehouseResource
from assets.sources import check_result
from schemas import ctg, petite_enfance, validate_table
from warehouse.names import ref_asset

REF_SCHEMAS = [
    petite_enfance.RefPetiteEnfanceNomenclature,
    petite_enfance.RefPetiteEnfanceOffre,
    petite_enfance.RefPopulationMoins3Ans,
    petite_enfance.RefPetiteEnfancePartMoins3Ans,
    ctg.RefCtgNomenclature,
    ctg.RefCtgAxes,
    ctg.RefCtgActions,
    ctg.RefCtgSuivi,
]


def ref_check(schema: pa.DataFrameSchema) -> dg.AssetChecksDefinition:
    table = schema.name
    name = table.removeprefix("ref.")

    @dg.asset_check(asset=ref_asset(table), name="schema_pandera", blocking=True,
                    description=f"Format de warehouse/ref/{name}.csv (docs/petite_enfance_ctg.md).")
    def schema_check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            failures = validate_table(con, table, schema)
        return check_result(failures, f"warehouse/ref/{name}.csv : {table} respecte son format "
                            "(en cas d'échec, la ligne du fichier est l'index du détail + 2).")

    return schema_check


REF_CHECKS = [ref_check(schema) for schema in REF_SCHEMAS]
