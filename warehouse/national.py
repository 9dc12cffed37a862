"""The national commune reference shipped in warehouse/national/ (Etalab's découpage
administratif, see its README): its files, their version, and the rows of one EPCI."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv

from warehouse import PACKAGE_DIR

NATIONAL_DIR = PACKAGE_DIR / "national"
NATIONAL_VERSION = (NATIONAL_DIR / "VERSION").read_text(encoding="utf-8").strip()
# the vintage of the populations of the extract (inferred: @etalab/decoupage-administratif 6.0.0
# carries the figures this project's communes_population.csv labels 2023)
NATIONAL_POPULATION_YEAR = 2023
# file of warehouse/national/ -> the ref table it fills (warehouse/sql/ref/national.sql)
NATIONAL_TABLES = {"communes": "communes_france", "codes_postaux": "codes_postaux",
                   "communes_fusionnees": "communes_fusionnees", "epci": "epci", "epci_membres": "epci_membres",
                   "departements_voisins": "departements_voisins"}


def read_national(name: str, national_dir: Path = NATIONAL_DIR) -> list[dict[str, str]]:
    """The rows of one file, every value a text (codes keep their leading zeros); read by Arrow's
    CSV reader, ten times faster than the csv module on these 35,000 communes."""
    path = national_dir / f"{name}.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8", newline="") as text:
        header = next(csv.reader(text))
    table = pa_csv.read_csv(path, convert_options=pa_csv.ConvertOptions(
        column_types={column: pa.string() for column in header}))
    return table.to_pylist()


def epci_members(siren: str) -> list[dict[str, str]]:
    """The member communes of an EPCI (code_commune, population_municipale), [] if unknown."""
    return [row for row in read_national("epci_membres") if row["epci_siren"] == siren]


def epci(siren: str) -> dict[str, str] | None:
    return next((row for row in read_national("epci") if row["epci_siren"] == siren), None)
