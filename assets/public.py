"""The public layer: ``public__*`` (statistical secrecy, warehouse/secrecy.py) and ``catalogue``.

``catalogue`` writes ref.catalogue but is not a ``ref__`` asset: those load warehouse/ref/ and
stay out of a one-source refresh, while the catalogue describes every run's tables, last.
"""

import dagster as dg

from assets.indicators import DECLARED, INDICATOR_KEYS
from assets.reference import REF_KEYS
from assets.resources import WarehouseResource
from assets.sources import SOURCES
from warehouse.catalogue import write_catalogue
from warehouse.secrecy import load_rules, publish_indicators, publish_load_log, publish_reconciliation

# The load log is written when each source's staging is built.
STAGING_KEYS = [dg.AssetKey(spec.asset("stg")) for spec in SOURCES]
SQL_ASSET_KEYS = [table.asset for table in DECLARED]


@dg.asset(name="public__indicateurs", deps=INDICATOR_KEYS, group_name="public", kinds={"duckdb"},
          description="Chaque table indicateurs.<t> copiée dans public.<t> avec le secret statistique "
          "(règles : la déclaration de chaque table, warehouse/indicateurs/*.yaml ; cellules masquées : "
          "qualite.secret_statistique).")
def public_indicators(warehouse: WarehouseResource) -> dg.MaterializeResult:
    threshold = warehouse.secret_threshold
    with warehouse.connect() as con:
        masked = publish_indicators(con, load_rules(), threshold)
    return dg.MaterializeResult(metadata={"seuil": threshold, "tables": len(masked),
                                          "cellules_masquees": sum(masked.values()),
                                          **{f"masquees_{t}": n for t, n in masked.items() if n}})


@dg.asset(name="public__rapprochement", deps=["qualite__rapprochement", "public__indicateurs"],
          group_name="public", kinds={"duckdb"},
          description="qualite.rapprochement sans les chiffres calculés qui porteraient sur une "
          "cellule masquée (public.rapprochement).")
def public_reconciliation(warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        masked = publish_reconciliation(con, warehouse.secret_threshold)
    return dg.MaterializeResult(metadata={"chiffres_masques": masked})


@dg.asset(name="public__qualite_chargement", deps=STAGING_KEYS, group_name="public", kinds={"duckdb"},
          description="Le journal de chargement par source, sans nom de fichier (public.qualite_chargement).")
def public_load_log(warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        sources = publish_load_log(con)
    return dg.MaterializeResult(metadata={"sources": sources})


PUBLIC_ASSETS = [public_indicators, public_reconciliation, public_load_log]
PUBLIC_KEYS = [key for asset in PUBLIC_ASSETS for key in asset.keys]


@dg.asset(name="catalogue", deps=[*REF_KEYS, *STAGING_KEYS, *SQL_ASSET_KEYS, *PUBLIC_KEYS,
                                  "qualite__rapprochement", "qualite__campagne"],
          group_name="publication", kinds={"duckdb"},
          description="ref.catalogue et les commentaires DuckDB de chaque table, vue et colonne de chaque "
          "schéma, depuis les déclarations des tables (warehouse/indicateurs/*.yaml) et "
          "warehouse/catalogue.yaml.")
def catalogue(warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        missing = write_catalogue(con)
        rows = con.execute("SELECT count(*) FROM ref.catalogue").fetchone()[0]
    return dg.MaterializeResult(metadata={
        "lignes": rows, "sans_description": len(missing),
        "a_decrire": dg.MetadataValue.text("\n".join(missing) or "aucune")})
