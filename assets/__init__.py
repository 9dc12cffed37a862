"""Dagster assets: thin wiring of the plain-Python and SQL work in sources/ and warehouse/."""

import dagster as dg

from assets.indicators import INDICATOR_ASSETS
from assets.petite_enfance import REF_CHECKS
from assets.publication import publication_asset
from assets.quality import rapprochement
from assets.reference import reference
from assets.sources import SOURCE_ASSETS

_BUILT = [reference, *REF_CHECKS, *SOURCE_ASSETS, *INDICATOR_ASSETS, rapprochement]
_KEYS = [key for d in _BUILT if isinstance(d, dg.AssetsDefinition) and not isinstance(
    d, dg.AssetChecksDefinition) for key in d.keys]

ALL_DEFINITIONS = [*_BUILT, publication_asset(_KEYS)]
