"""SQL assets built on staging, declared in warehouse/indicateurs/<service>.yaml.

``ind_<service>__<name>`` runs warehouse/sql/ind_<service>__<name>.sql into
``indicateurs.<service>_<name>``; ``int_<service>__<name>`` writes the intermediate
``staging.<service>__<name>``. Each SQL file replaces its table and inserts by name in one
transaction; a table with a schema gets a blocking pandera check.
"""

from __future__ import annotations

import importlib

import dagster as dg
import yaml

from assets.resources import WarehouseResource
from assets.sources import schema_result
from warehouse import PACKAGE_DIR
from warehouse.db import read_sql, transaction

CATALOGUE = [
    entry
    for path in sorted((PACKAGE_DIR / "indicateurs").glob("*.yaml"))
    for entry in yaml.safe_load(path.read_text(encoding="utf-8"))
]


def table_of(asset_name: str) -> str:
    layer, name = asset_name.split("_", 1)
    service, table = name.split("__", 1)
    return f"indicateurs.{service}_{table}" if layer == "ind" else f"staging.{service}__{table}"


def run_sql_asset(con, asset_name: str) -> int:
    with transaction(con):
        con.execute(read_sql(asset_name))
    return con.execute(f"SELECT count(*) FROM {table_of(asset_name)}").fetchone()[0]


def _schema(reference: str):
    module, name = reference.rsplit(".", 1)
    return getattr(importlib.import_module(f"schemas.{module}"), name)


def sql_assets(entry: dict) -> list:
    name, table = entry["asset"], table_of(entry["asset"])
    service = name.split("_", 1)[1].split("__")[0]

    @dg.asset(name=name, deps=entry["depend_de"], group_name=service, kinds={"duckdb", "sql"},
              description=f"{table}, calculée par warehouse/sql/{name}.sql.")
    def sql_asset(warehouse: WarehouseResource) -> dg.MaterializeResult:
        with warehouse.connect() as con:
            rows = run_sql_asset(con, name)
        return dg.MaterializeResult(metadata={"table": table, "lignes": rows})

    if "schema" not in entry:
        return [sql_asset]

    @dg.asset_check(asset=name, name="schema_pandera", blocking=True,
                    description=f"Schéma pandera {entry['schema']} sur {table}.")
    def schema_check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            return schema_result(con, table, _schema(entry["schema"]))

    return [sql_asset, schema_check]


INDICATOR_ASSETS = [definition for entry in CATALOGUE for definition in sql_assets(entry)]
INDICATOR_KEYS = [entry["asset"] for entry in CATALOGUE if entry["asset"].startswith("ind_")]
