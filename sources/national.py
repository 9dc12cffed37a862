"""The national commune reference (warehouse/national/, Etalab's découpage administratif) as
in-memory indexes, built once per process: every name a commune is known by (current communes,
communes déléguées and associées) to the current INSEE codes it may mean, postcodes and
départements of the current communes, and the neighbours of each département."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from warehouse.national import read_national


@dataclass(frozen=True)
class National:
    names: dict[str, frozenset[str]]  # commune_key(name) -> current INSEE codes
    codes: dict[str, str]  # any INSEE code, current or merged -> the current commune's code
    postcodes: dict[str, frozenset[str]]  # current INSEE code -> its postcodes
    departements: dict[str, str]  # current INSEE code -> département
    noms: dict[str, str]  # current INSEE code -> name
    postcode_set: frozenset[str]  # every postcode
    voisins: dict[str, frozenset[str]]  # département -> the départements sharing a border with it


def _frozen(mapping: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    return {key: frozenset(values) for key, values in mapping.items()}


@cache
def national(key: Callable[[str], str]) -> National:
    """The indexes, names compared through ``key`` (referential.commune_key)."""
    names, postcodes, voisins = defaultdict(set), defaultdict(set), defaultdict(set)
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
    for row in read_national("departements_voisins"):
        voisins[row["departement"]].add(row["departement_voisin"])
    every_postcode = frozenset().union(*postcodes.values())
    return National(_frozen(names), codes, _frozen(postcodes), departements, noms, every_postcode,
                    _frozen(voisins))
