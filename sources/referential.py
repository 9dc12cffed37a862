"""Resolve free-text communes and structure labels through the project's reference data.

The reference folder is the settings' (warehouse/settings.py), read when a parser is asked
for: every cache below is keyed by that folder, never frozen at import time."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from sources.national import National, national
from sources.parsing import Parsed, fold, is_blank
from sources.typos import guess
from warehouse import settings, worker
from warehouse.reference import read_ref

HORS_CC = "HORS_CC"
INCONNUE = "INCONNUE"
_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}


def commune_key(label: str) -> str:
    """The commune's name compared loosely: case, accents, punctuation, "St" for "Saint", and a
    postcode or department number around it ("31000 Toulouse", "TOULOUSE (31)") ignored."""
    words = (word for word in fold(label).split() if not word.isdigit())
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


@dataclass(frozen=True)
class Territory:
    names: dict[str, str]  # the territory's own spellings (communes.csv, communes_alias.csv) -> code
    members: frozenset[str]
    departements: frozenset[str]
    neighbours: frozenset[str]  # the départements next to the territory's, not its own
    outside: frozenset[str]  # labels saying "a commune outside the territory" (communes_hors_territoire.csv)


@cache
def _territory(ref_dir: Path) -> Territory:
    communes = read_ref("communes", ref_dir)
    names = {commune_key(row["nom"]): row["code_commune"] for row in communes}
    names.update({commune_key(r["alias"]): r["code_commune"] for r in read_ref("communes_alias", ref_dir)})
    members = frozenset(row["code_commune"] for row in communes if row["membre_cc"] == "true")
    nat = _national()
    departements = frozenset(nat.departements.get(code, code[:2]) for code in members)
    neighbours = frozenset().union(*(nat.voisins.get(dep, frozenset()) for dep in departements))
    return Territory(names, members, departements, neighbours - departements,
                     frozenset(commune_key(label) for label in outside_labels(ref_dir)))


def outside_labels(ref_dir: Path) -> list[str]:
    """The labels a file writes for a commune outside the territory ("Autre commune", "Hors CC"),
    the one the entry templates offer first; none in a folder written before that file existed."""
    if not (ref_dir / "communes_hors_territoire.csv").exists():
        return []
    return [row["libelle"] for row in read_ref("communes_hors_territoire", ref_dir)]


_from_worker: Callable[[], National] | None = None


def prepare_in_worker() -> None:
    """Have the refresh's worker process (warehouse/worker.py) build the national indexes while
    this one starts; :func:`_national` takes them from it (or builds them here if it died)."""
    global _from_worker
    if _national.cache_info().currsize == 0:
        _from_worker = worker.submit(build_national)


def prepare() -> None:
    """The national indexes ready now (once per process): a refresh calls it in a thread of its
    own while DuckDB loads the reference tables, which leaves Python free."""
    _national()


def build_national() -> National:
    return national(commune_key)


@cache
def _national() -> National:
    return _from_worker() if _from_worker is not None else build_national()


def _hints(raw: str) -> tuple[set[str], set[str]]:
    """The postcodes and départements written around a name ("31000 Toulouse", "Toulouse (31)")."""
    numbers = [word for word in fold(raw).split() if word.isdigit()]
    return {n for n in numbers if len(n) == 5}, {n for n in numbers if len(n) in (2, 3)}


def _narrow(candidates: frozenset[str], raw: str, ref_dir: Path) -> frozenset[str]:
    """The candidates matching the postcode, then the département written with the name, then
    the territory's members, then its départements, then the départements next to them, each
    step only when it keeps one at least (several kept: still a homonym)."""
    nat, territory = _national(), _territory(ref_dir)
    postcodes, departements = _hints(raw)
    tests = (lambda code: bool(nat.postcodes.get(code, frozenset()) & postcodes) if postcodes else None,
             lambda code: nat.departements.get(code) in departements if departements else None,
             lambda code: code in territory.members,
             lambda code: nat.departements.get(code) in territory.departements,
             lambda code: nat.departements.get(code) in territory.neighbours)
    for test in tests:
        if len(candidates) <= 1:
            break
        kept = frozenset(code for code in candidates if test(code))
        candidates = kept or candidates
    return candidates


TYPO, HOMONYM = "faute de frappe", "commune homonyme"


@lru_cache(maxsize=16384)
def _match(raw: str, ref_dir: Path) -> tuple[str, str | None]:
    """(current INSEE code, HORS_CC for a label saying only "outside the territory", or INCONNUE;
    TYPO when guessed from a one-letter typo of one of the
    territory's names, HOMONYM when the name stays ambiguous)."""
    text = raw.strip() if isinstance(raw, str) else ""
    if re.fullmatch(r"\d{5}|2[AB]\d{3}", text):  # an INSEE code, unless it is also a postcode
        return (INCONNUE if text in _national().postcode_set else _national().codes.get(text, INCONNUE)), None
    if is_blank(raw) or not re.search(r"[A-Za-zÀ-ÿ]", raw):
        return INCONNUE, None
    key, territory = commune_key(raw), _territory(ref_dir)
    if key in territory.outside:
        return HORS_CC, None
    candidates = _national().names.get(key, frozenset())
    if key in territory.names:
        candidates = candidates | {territory.names[key]}
    candidates = _narrow(candidates, raw, ref_dir)
    if len(candidates) == 1:
        return next(iter(candidates)), None
    if candidates:
        return INCONNUE, HOMONYM
    guessed = guess(key, {k: code for k, code in territory.names.items() if code in territory.members})
    return (guessed, TYPO) if guessed else (INCONNUE, None)


@cache
def commune_parser(ref_dir: Path) -> Callable[[str], Parsed]:
    """The commune resolver of a reference folder (see :func:`resolve_commune`)."""
    return lambda raw: (_match(raw, ref_dir)[0], None)


def resolve_commune(raw: str) -> Parsed:
    """The current INSEE code of the French commune written (a name in any case, with or
    without accents, "St" for "Saint", with its postcode or département; an INSEE code; a
    commune déléguée or associée, read as its commune nouvelle), HORS_CC for a label of
    communes_hors_territoire.csv ("Autre commune"), INCONNUE if unreadable, unknown or
    ambiguous. A one-letter typo of one member commune's name is read as it (see
    :func:`typo_warning`)."""
    return commune_parser(settings.ref_dir())(raw)


def typo_warning(raw: str) -> str | None:
    """The warning for a commune read through a typo of its name, or left INCONNUE as a
    homonym; None for any other text."""
    code, flag = _match(raw, settings.ref_dir())
    if flag == TYPO:
        return f"commune « {raw.strip()} » lue comme {_national().noms[code]} (faute de frappe ?)"
    if flag == HOMONYM:
        return (f"commune « {raw.strip()} » non rattachée : {HOMONYM} (plusieurs communes de "
                "France portent ce nom ; précisez le code postal ou le département)")
    return None


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
