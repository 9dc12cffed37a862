"""Resolve free-text communes and structure labels through the project's reference data."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path

from sources.parsing import Parsed, fold, is_blank
from warehouse import REF_DIR

HORS_CC = "HORS_CC"
INCONNUE = "INCONNUE"
_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}


def read_ref(name: str, ref_dir: Path = REF_DIR) -> list[dict[str, str]]:
    with (ref_dir / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def commune_key(label: str) -> str:
    words = fold(label).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


@cache
def _commune_index() -> dict[str, str]:
    communes = read_ref("communes")
    members = {row["code_commune"] for row in communes if row["membre_cc"] == "true"}
    index = {commune_key(row["nom"]): row["code_commune"] for row in communes}
    index.update({commune_key(r["alias"]): r["code_commune"] for r in read_ref("communes_alias")})
    return {key: (code if code in members else HORS_CC) for key, code in index.items()}


@lru_cache(maxsize=16384)
def resolve_commune(raw: str) -> Parsed:
    """INSEE code of a member commune, HORS_CC for any other place, INCONNUE if unreadable."""
    if is_blank(raw) or not re.search(r"[A-Za-zÀ-ÿ]", raw):
        return INCONNUE, None
    return _commune_index().get(commune_key(raw), HORS_CC), None


@cache
def structure_parser(source: str) -> Callable[[str], Parsed]:
    aliases = {
        fold(row["alias"]): row["structure_id"]
        for row in read_ref("structures_alias")
        if row["source"] == source
    }
    aliases.update({fold(row["structure_id"]): row["structure_id"] for row in read_ref("structures")})

    @lru_cache(maxsize=4096)
    def parse(raw: str) -> Parsed:
        if is_blank(raw):
            return None, None
        found = aliases.get(fold(raw))
        return (found, None) if found else (None, f"structure inconnue : {raw.strip()}")

    return parse
