"""Assets of a raw source: ``raw_<source>__<table>`` then ``stg_<source>__<table>``.

One factory serves every source with a spec in sources/specs/: the work is in
sources/loading.py (with the reader of the service module sources/<source>.py when it has
its own ``read_chunks``); the checks are the row accounting and the source's pandera
schema, both blocking.
"""

from __future__ import annotations

import importlib
import re

import dagster as dg

from assets.resources import WarehouseResource
from schemas import describe_failures, validate_table
from sources import reading
from sources.loading import build_staging, load_raw
from sources.pseudonym import Pseudonymiser, load_key
from sources.referential import write_commune_warnings
from sources.spec import SourceSpec, load_spec, spec_names
from warehouse.checks import staged_rows_without_log, unaccounted_files
from warehouse.db import read_sql
from warehouse.names import ref_asset

SOURCES = [load_spec(name) for name in spec_names()]


def ref_keys_read_by(spec: SourceSpec) -> list[dg.AssetKey]:
    """The ref assets the source's SQL reads (staging, warnings, row rules): a broken ref table
    blocks only what uses it."""
    sql = [read_sql(spec.asset("stg"))]
    sql += [read_sql(spec.warnings_sql)] if spec.warnings_sql else []
    sql += [f"{rule.valid} {rule.reason} {rule.value}" for rule in spec.rules]
    tables = sorted(set(re.findall(r"\bref\.(\w+)", " ".join(sql))))
    return [dg.AssetKey(ref_asset(table)) for table in tables]


def reader_of(spec: SourceSpec) -> reading.Reader:
    service = importlib.import_module(f"sources.{spec.name}")
    return getattr(service, "read_chunks", reading.read_chunks)


def schema_of(spec: SourceSpec):
    module, name = spec.schema.rsplit(".", 1)
    return getattr(importlib.import_module(f"schemas.{module}"), name)


SCHEMA_CHECK, ACCOUNTING_CHECK = "schema_pandera", "comptage_des_lignes"


def check_result(failures, description: str, offending: str = "", check_name: str | None = None
                 ) -> dg.AssetCheckResult:
    """``offending``: the failing rows in French (file, line, column), which then replace the
    description: the run's summary and the command line print it. ``check_name``: needed when
    the asset computes its checks itself (``check_specs``)."""
    metadata = {"echecs": len(failures),
                "detail": dg.MetadataValue.text(failures.to_string() if len(failures) else "aucun")}
    if offending:
        metadata["lignes_refusees"] = dg.MetadataValue.text(offending)
    return dg.AssetCheckResult(passed=len(failures) == 0, metadata=metadata, check_name=check_name,
                               description=offending or description)


def schema_result(con, table: str, schema) -> dg.AssetCheckResult:
    """The blocking pandera check of ``table``, naming its first offending rows when it fails."""
    failures = validate_table(con, table, schema)
    return check_result(failures, f"{table} respecte son schéma.",
                        describe_failures(con, table, failures), SCHEMA_CHECK)


def source_assets(spec: SourceSpec) -> list:
    raw_name, stg_name = spec.asset("raw"), spec.asset("stg")

    @dg.asset(name=raw_name, group_name=spec.name, kinds={"duckdb"},
              description=f"Fichiers bruts de {spec.folder}/ lus, typés et pseudonymisés.")
    def raw_asset(warehouse: WarehouseResource) -> dg.MaterializeResult:
        with warehouse.connect() as con:
            inventory = load_raw(con, spec, warehouse.raw_path, Pseudonymiser(load_key()),
                                 reader_of(spec))
        statuses = [row["statut"] for row in inventory]
        return dg.MaterializeResult(metadata={s: statuses.count(s) for s in sorted(set(statuses))})

    @dg.asset(name=stg_name, deps=[raw_name, *ref_keys_read_by(spec)], group_name=spec.name, kinds={"duckdb"},
              description=f"Lignes validées et dédoublonnées de {spec.folder}/ ({spec.staging_table}).",
              check_specs=[
                  dg.AssetCheckSpec(ACCOUNTING_CHECK, asset=stg_name, blocking=True,
                                    description="Lues = chargées + quarantaine + doublons + vides/total, par fichier."),
                  dg.AssetCheckSpec(SCHEMA_CHECK, asset=stg_name, blocking=True,
                                    description=f"Schéma pandera {spec.schema} sur {spec.staging_table}.")])
    def staging_asset(warehouse: WarehouseResource):
        """The staging table, then its two blocking checks, in the same step."""
        with warehouse.connect() as con:
            build_staging(con, spec)
            write_commune_warnings(con, spec)
            totals = con.execute(
                "SELECT sum(lignes_lues), sum(lignes_chargees), sum(lignes_quarantaine), "
                "sum(lignes_doublons) FROM qualite.journal_chargement WHERE source = ?", [spec.name]
            ).fetchone()
            names = ["lignes_lues", "lignes_chargees", "lignes_quarantaine", "lignes_doublons"]
            yield dg.MaterializeResult(metadata={n: int(v or 0) for n, v in zip(names, totals)})
            yield accounting_result(con, spec)
            yield schema_result(con, spec.staging_table, schema_of(spec))

    return [raw_asset, staging_asset]


def accounting_result(con, spec: SourceSpec) -> dg.AssetCheckResult:
    """Every row read is loaded, quarantined or a duplicate, file by file, and every staged row
    has its file in the load log."""
    failures = unaccounted_files(con, spec.name)
    orphans = staged_rows_without_log(con, spec.name, spec.staging_table)
    result = check_result(failures, "Chaque ligne lue est chargée, en quarantaine ou en doublon.")
    return dg.AssetCheckResult(check_name=ACCOUNTING_CHECK, passed=result.passed and orphans == 0,
                               metadata={**result.metadata, "lignes_sans_journal": orphans},
                               description=result.description)


SOURCE_ASSETS = [definition for spec in SOURCES for definition in source_assets(spec)]
