"""Dagster assets: thin wiring of the plain-Python and SQL work in sources/ and warehouse/."""

import dagster as dg

from assets.campaign import campagne
from assets.exports import EXPORT_ASSETS
from assets.feedback import FEEDBACK_ASSETS
from assets.indicators import INDICATOR_ASSETS
from assets.petite_enfance import REF_CHECKS
from assets.public import PUBLIC_ASSETS, catalogue
from assets.publication import publication_asset
from assets.quality import rapprochement
from assets.reference import reference
from assets.report import rapport
from assets.sources import SOURCE_ASSETS

_BUILT = [reference, *REF_CHECKS, *SOURCE_ASSETS, *INDICATOR_ASSETS, rapprochement, *PUBLIC_ASSETS,
          campagne, catalogue, *EXPORT_ASSETS, *FEEDBACK_ASSETS]
_KEYS = [key for d in _BUILT if isinstance(d, dg.AssetsDefinition) and not isinstance(
    d, dg.AssetChecksDefinition) for key in d.keys]

# The report reads the published warehouse: it comes after `publication`, never before it.
ALL_DEFINITIONS = [*_BUILT, publication_asset(_KEYS), rapport]
