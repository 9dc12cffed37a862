"""SQL assets built on staging, declared in warehouse/indicateurs/<service>.yaml (warehouse/tables.py).

``ind_<service>__<name>`` creates ``indicateurs.<service>_<name>`` from its declaration and runs
warehouse/sql/ind_<service>__<name>.sql (``INSERT ... BY NAME``) into it, in one transaction;
``int_<service>__<name>`` writes the intermediate ``staging.<service>__<name>`` the same way (or
its SQL creates a view). An asset depends on the tables its SQL reads and on the reference tables
its value checks use; a table gets a blocking pandera check: the schema generated from its
declaration, or the one of schemas/<module>.py adding cross-column checks (``controles``).
"""

from __future__ import annotations

import importlib
import re

import dagster as dg
import pandera.pandas as pa

from assets.resources import WarehouseResource
from assets.sources import SCHEMA_CHECK, SOURCES, schema_result
from schemas.declared import table_schema
from warehouse.db import read_sql, transaction
from warehouse.names import REF, parts, qualified_table, ref_asset
from warehouse.tables import REFERENCE, DeclarationError, Table, load_tables

DECLARED = load_tables()
SQL_COMMENT = re.compile(r"--[^\n]*")
TABLE_NAME = re.compile(r"\b(ref|staging|indicateurs)\.(\w+)")


def declared_of(asset_name: str, tables: tuple[Table, ...] = DECLARED) -> Table:
    for table in tables:
        if table.asset == asset_name:
            return table
    raise DeclarationError(f"{asset_name} : aucune déclaration dans warehouse/indicateurs/")


def run_sql_asset(con, asset_name: str, tables: tuple[Table, ...] = DECLARED) -> int:
    """Create the declared table (unless the SQL writes a view) and fill it, in one transaction."""
    table = declared_of(asset_name, tables)
    with transaction(con):
        if not table.view:
            con.execute(table.ddl())
        con.execute(read_sql(asset_name))
    return con.execute(f"SELECT count(*) FROM {table.qualified}").fetchone()[0]


def producers(tables: tuple[Table, ...] = DECLARED) -> dict[str, str]:
    """The asset writing each table that SQL assets may read (besides ref.<t>: ref__<t>)."""
    found = {spec.staging_table: spec.asset("stg") for spec in SOURCES}
    return found | {table.qualified: table.asset for table in tables}


def tables_read_by(sql: str) -> set[str]:
    """The tables a SQL text names (comments left out)."""
    return {f"{schema}.{name}" for schema, name in TABLE_NAME.findall(SQL_COMMENT.sub("", sql))}


def checked_refs(table: Table) -> set[str]:
    """The reference tables whose values a column must take (``ref:`` checks of its pandera check)."""
    if table.schema != "indicateurs":
        return set()
    return {qualified_table(REF, None, REFERENCE.match(c.checks["ref"])["table"])
            for c in table.columns if "ref" in c.checks}


def dependencies(table: Table, tables: tuple[Table, ...] = DECLARED) -> list[str]:
    """The assets an SQL asset reads: what its SQL names, and the ref tables its checks use."""
    written = producers(tables)
    read = (tables_read_by(read_sql(table.asset)) | checked_refs(table)) - {table.qualified}
    unknown = sorted(name for name in read if not name.startswith(f"{REF}.") and name not in written)
    if unknown:
        raise DeclarationError(f"{table.asset} lit {unknown}, qu'aucun actif n'écrit")
    return sorted(ref_asset(name) if name.startswith(f"{REF}.") else written[name] for name in read)


def schema_of(table: Table) -> pa.DataFrameSchema:
    if table.controls is None:
        return table_schema(table)
    module, name = table.controls.rsplit(".", 1)
    return getattr(importlib.import_module(f"schemas.{module}"), name)


def sql_assets(table: Table, tables: tuple[Table, ...] = DECLARED) -> list:
    name, target = table.asset, table.qualified
    service = parts(name)[1]
    checked = table.schema == "indicateurs"
    specs = [dg.AssetCheckSpec(SCHEMA_CHECK, asset=name, blocking=True,
                               description=f"Schéma pandera de {target} ({table.controls or 'sa déclaration'}).")]

    @dg.asset(name=name, deps=dependencies(table, tables), group_name=service, kinds={"duckdb", "sql"},
              description=f"{target}, calculée par warehouse/sql/{name}.sql.", check_specs=specs if checked else None)
    def sql_asset(warehouse: WarehouseResource):
        """The table, then (indicators) its blocking pandera check, in the same step."""
        with warehouse.connect() as con:
            rows = run_sql_asset(con, name, tables)
            yield dg.MaterializeResult(metadata={"table": target, "lignes": rows})
            if checked:
                yield schema_result(con, target, schema_of(table))

    return [sql_asset]


INDICATOR_ASSETS = [definition for table in DECLARED for definition in sql_assets(table)]
INDICATOR_KEYS = [table.asset for table in DECLARED if table.schema == "indicateurs"]
