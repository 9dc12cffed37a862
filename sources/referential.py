"""Resolve free-text communes and structure labels through the project's reference data.

The reference folder is the settings' (warehouse/settings.py), read when a parser is asked
for: every cache below is keyed by that folder, never frozen at import time."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path

from sources.parsing import Parsed, fold, is_blank
from sources.typos import guess
from warehouse import settings
from warehouse.reference import read_ref

HORS_CC = "HORS_CC"
INCONNUE = "INCONNUE"
_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}


def commune_key(label: str) -> str:
    """The commune's name compared loosely: case, accents, punctuation, "St" for "Saint", and a
    postcode or department number around it ("46230 Lalbenque", "LALBENQUE (46)") ignored."""
    words = (word for word in fold(label).split() if not word.isdigit())
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


@cache
def _commune_index(ref_dir: Path) -> dict[str, str]:
    communes = read_ref("communes", ref_dir)
    members = {row["code_commune"] for row in communes if row["membre_cc"] == "true"}
    index = {commune_key(row["nom"]): row["code_commune"] for row in communes}
    index.update({commune_key(r["alias"]): r["code_commune"] for r in read_ref("communes_alias", ref_dir)})
    return {key: (code if code in members else HORS_CC) for key, code in index.items()}


@cache
def _member_names(ref_dir: Path) -> dict[str, str]:
    return {row["code_commune"]: row["nom"] for row in read_ref("communes", ref_dir)
            if row["membre_cc"] == "true"}


@lru_cache(maxsize=16384)
def _match(raw: str, ref_dir: Path) -> tuple[str, bool]:
    """(code, whether it was guessed from a one-letter typo of a known name)."""
    if is_blank(raw) or not re.search(r"[A-Za-zÀ-ÿ]", raw):
        return INCONNUE, False
    key, index = commune_key(raw), _commune_index(ref_dir)
    if key in index:
        return index[key], False
    guessed = guess(key, index)
    return (guessed, True) if guessed not in (None, HORS_CC) else (HORS_CC, False)


@cache
def commune_parser(ref_dir: Path) -> Callable[[str], Parsed]:
    """The commune resolver of a reference folder (see :func:`resolve_commune`)."""
    return lambda raw: (_match(raw, ref_dir)[0], None)


def resolve_commune(raw: str) -> Parsed:
    """INSEE code of a member commune, HORS_CC for any other place, INCONNUE if unreadable. A
    one-letter typo of one member commune's name is read as it (see :func:`typo_warning`)."""
    return commune_parser(settings.ref_dir())(raw)


def typo_warning(raw: str) -> str | None:
    """The warning for a commune read through a typo of its name, None for any other text."""
    ref_dir = settings.ref_dir()
    code, guessed = _match(raw, ref_dir)
    if not guessed:
        return None
    return f"commune « {raw.strip()} » lue comme {_member_names(ref_dir)[code]} (faute de frappe ?)"


COMMUNE_WARNING = "commune"  # the type of these warnings in qualite.avertissements


def write_commune_warnings(con, spec) -> None:
    """A warning in qualite.avertissements per file, sheet and commune read through a typo (its
    first line, how many rows), after the source's staging has written its own warnings: a typo
    repeated on thousands of rows is one warning, as for the food-aid orientations."""
    column = next((c for c in spec.columns.values() if c.kind == "commune"), None)
    if column is None:
        return
    labels = con.execute(f"SELECT DISTINCT commune_libelle FROM {spec.staging_table} "
                         "WHERE commune_libelle IS NOT NULL").fetchall()
    typos = [(label, message) for (label,) in labels if (message := typo_warning(label))]
    if not typos:
        return
    con.execute("CREATE OR REPLACE TEMP TABLE _communes_corrigees (libelle VARCHAR, message VARCHAR)")
    con.executemany("INSERT INTO _communes_corrigees VALUES (?, ?)", typos)
    con.execute(f"""
        INSERT INTO qualite.avertissements BY NAME
        SELECT '{spec.name}' AS source, '{COMMUNE_WARNING}' AS type, s.fichier_nom, s.feuille,
               min(s.ligne) AS ligne, ? AS colonne,
               c.message || ' : ' || count(*) || ' ligne(s) de ce fichier, première ligne '
               || min(s.ligne) AS message
        FROM {spec.staging_table} s JOIN _communes_corrigees c ON s.commune_libelle = c.libelle
        GROUP BY s.fichier_nom, s.feuille, c.message""", [column.label])


def structure_parser(source: str, ref_dir: Path | None = None) -> Callable[[str], Parsed]:
    """The structure resolver of a source (default folder: the settings', read now)."""
    return _structure_parser(source, ref_dir or settings.ref_dir())


@cache
def _structure_parser(source: str, ref_dir: Path) -> Callable[[str], Parsed]:
    aliases = {
        fold(row["alias"]): row["structure_id"]
        for row in read_ref("structures_alias", ref_dir)
        if row["source"] == source
    }
    aliases.update({fold(row["structure_id"]): row["structure_id"] for row in read_ref("structures", ref_dir)})

    @lru_cache(maxsize=4096)
    def parse(raw: str) -> Parsed:
        if is_blank(raw):
            return None, None
        found = aliases.get(fold(raw))
        return (found, None) if found else (None, f"structure inconnue : {raw.strip()}")

    return parse
