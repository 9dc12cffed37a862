"""Asset names and table names, one from the other: PUDL's ``{layer}_{source}__{name}``.

| layer | asset | table |
|---|---|---|
| ``ref`` | ``ref__communes`` | ``ref.communes`` |
| ``raw`` | ``raw_pocketo__presences`` | ``raw.pocketo__presences`` |
| ``stg`` | ``stg_pocketo__presences`` | ``staging.pocketo__presences`` |
| ``int`` | ``int_alsh__enfants_annee`` | ``staging.alsh__enfants_annee`` |
| ``ind`` | ``ind_alsh__annuel`` | ``indicateurs.alsh_annuel`` |

A SQL asset's file is named like the asset (warehouse/sql/<asset>.sql).
"""

from __future__ import annotations

SCHEMAS = {"ref": "ref", "raw": "raw", "stg": "staging", "int": "staging", "ind": "indicateurs"}
REF = "ref"


def asset_name(layer: str, source: str | None, table: str) -> str:
    """The asset writing a table of a layer (``source`` is None for ``ref``)."""
    if layer not in SCHEMAS:
        raise ValueError(f"couche inconnue : {layer} (attendu : {', '.join(SCHEMAS)})")
    return f"{REF}__{table}" if layer == REF else f"{layer}_{source}__{table}"


def ref_asset(table: str) -> str:
    """The asset of a reference table, named ``<t>`` or ``ref.<t>``."""
    return asset_name(REF, None, table.removeprefix(f"{REF}."))


def parts(asset: str) -> tuple[str, str | None, str]:
    """(layer, source or None, table) of an asset name."""
    if asset.startswith(f"{REF}__"):
        return REF, None, asset.removeprefix(f"{REF}__")
    layer, _, rest = asset.partition("_")
    source, _, table = rest.partition("__")
    if layer not in SCHEMAS or not source or not table:
        raise ValueError(f"{asset} : un nom d'actif s'écrit <couche>_<source>__<table> "
                         f"(couches : {', '.join(SCHEMAS)})")
    return layer, source, table


def table_of(asset: str) -> str:
    """The qualified table an asset writes."""
    layer, source, table = parts(asset)
    if layer == REF:
        return f"{REF}.{table}"
    return f"{SCHEMAS[layer]}.{source}{'_' if layer == 'ind' else '__'}{table}"


def qualified_table(layer: str, source: str | None, table: str) -> str:
    """The qualified table of a layer's table, as its asset writes it."""
    return table_of(asset_name(layer, source, table))
