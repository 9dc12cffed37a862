"""The national commune reference (warehouse/national/, Etalab's découpage administratif) as
in-memory indexes, built once per process: every name a commune is known by (current communes,
communes déléguées and associées) to the current INSEE codes it may mean, postcodes and
départements of the current communes."""

from __future__ import annotations

import csv
import gzip
import io
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from warehouse import PACKAGE_DIR

NATIONAL_DIR = PACKAGE_DIR / "national"
NATIONAL_VERSION = (NATIONAL_DIR / "VERSION").read_text(encoding="utf-8").strip()
# the vintage of the populations of the extract (inferred: @etalab/decoupage-administratif 6.0.0
# carries the figures this project's communes_population.csv labels 2023)
NATIONAL_POPULATION_YEAR = 2023
# file of warehouse/national/ -> the ref table it fills (warehouse/sql/ref/national.sql)
NATIONAL_TABLES = {"communes": "communes_france", "codes_postaux": "codes_postaux",
                   "communes_fusionnees": "communes_fusionnees", "epci": "epci", "epci_membres": "epci_membres"}


def read_national(name: str, national_dir: Path = NATIONAL_DIR) -> Iterator[dict[str, str]]:
    with gzip.open(national_dir / f"{name}.csv.gz", "rb") as raw:
        yield from csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))


@dataclass(frozen=True)
class National:
    names: dict[str, frozenset[str]]  # commune_key(name) -> current INSEE codes
    codes: dict[str, str]  # any INSEE code, current or merged -> the current commune's code
    postcodes: dict[str, frozenset[str]]  # current INSEE code -> its postcodes
    departements: dict[str, str]  # current INSEE code -> département
    noms: dict[str, str]  # current INSEE code -> name
    postcode_set: frozenset[str]  # every postcode


def _frozen(mapping: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    return {key: frozenset(values) for key, values in mapping.items()}


@cache
def national(key: Callable[[str], str]) -> National:
    """The indexes, names compared through ``key`` (referential.commune_key)."""
    names, postcodes = defaultdict(set), defaultdict(set)
    codes, departements, noms = {}, {}, {}
    for row in read_national("communes"):
        code = row["code_commune"]
        names[key(row["nom"])].add(code)
        codes[code], departements[code], noms[code] = code, row["departement"], row["nom"]
    for row in read_national("communes_fusionnees"):
        names[key(row["nom"])].add(row["code_commune"])
        codes.setdefault(row["code_ancien"], row["code_commune"])
    for row in read_national("codes_postaux"):
        postcodes[row["code_commune"]].add(row["code_postal"])
    every_postcode = frozenset().union(*postcodes.values())
    return National(_frozen(names), codes, _frozen(postcodes), departements, noms, every_postcode)


def epci_members(siren: str) -> list[dict[str, str]]:
    """The member communes of an EPCI (code_commune, population_municipale), [] if unknown."""
    return [row for row in read_national("epci_membres") if row["epci_siren"] == siren]


def epci(siren: str) -> dict[str, str] | None:
    return next((row for row in read_national("epci") if row["epci_siren"] == siren), None)
