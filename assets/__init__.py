"""Dagster assets: thin wiring of the plain-Python and SQL work in sources/ and warehouse/."""

from assets.indicators import INDICATOR_ASSETS
from assets.quality import rapprochement
from assets.reference import reference
from assets.sources import SOURCE_ASSETS

ALL_DEFINITIONS = [reference, *SOURCE_ASSETS, *INDICATOR_ASSETS, rapprochement]
