"""Type a chunk of raw text cells and replace personal columns by keys.

Every cell goes through its column's parser; every failure is kept with its
line and column (a coercion failure never hides another one). Personal
columns (names, birth dates, file numbers) are turned into keyed hashes and an
age here, in Python, so they never reach DuckDB in clear; their raw value is
never copied into an anomaly either.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import pandas as pd

from sources.parsing import PARSERS, Parsed, category_parser, is_blank, parse_series, parse_text
from sources.pseudonym import Pseudonymiser
from sources.referential import resolve_commune, structure_parser
from sources.spec import ColumnSpec, SourceSpec

# Where a raw row comes from. `cellule` is "" for row-based files; a reader that turns one line
# into several raw rows (one per month cell of a counter workbook) names the cell ("D").
PROVENANCE = ["fichier_hash", "fichier_nom", "fichier_modifie", "feuille", "ligne", "cellule"]
ROW_ID = ["fichier_hash", "feuille", "ligne", "cellule"]
ANOMALY_COLUMNS = [*ROW_ID, "colonne", "valeur_brute", "motif"]
MISSING = "valeur manquante"

# Typed columns whose name differs from the raw column's.
RENAMED = {"structure": "structure_id", "commune": "code_commune"}


@cache
def parser_for(spec: SourceSpec, column: str) -> Callable[[str], Parsed]:
    kind = spec.columns[column].kind
    if kind in PARSERS:
        return PARSERS[kind]
    if kind == "structure":
        return structure_parser(spec.name)
    if kind == "commune":
        return resolve_commune
    return category_parser(spec.categories[kind])


def typed_name(column: ColumnSpec) -> str:
    return RENAMED.get(column.kind, column.name)


def _anomalies(raw: pd.DataFrame, column: ColumnSpec, reasons: pd.Series) -> pd.DataFrame:
    missing = raw[column.name].map(is_blank) if column.required else False
    reasons = reasons.where(reasons.notna() | ~missing, MISSING)
    failed = reasons.notna()
    if not failed.any():
        return pd.DataFrame(columns=ANOMALY_COLUMNS)
    rows = raw.loc[failed, ROW_ID].copy()
    rows["colonne"] = column.label
    if column.personal:
        rows["valeur_brute"] = None
        rows["motif"] = reasons[failed].str.split(" : ").str[0]
    else:
        rows["valeur_brute"] = raw.loc[failed, column.name].str.strip()
        rows["motif"] = reasons[failed]
    return rows[ANOMALY_COLUMNS]


def _ages(birth: pd.Series, event: pd.Series) -> pd.Series:
    born = pd.to_datetime(birth, format="%Y-%m-%d", errors="coerce")
    at = pd.to_datetime(event, format="%Y-%m-%d", errors="coerce")
    before_birthday = (at.dt.month < born.dt.month) | (
        (at.dt.month == born.dt.month) & (at.dt.day < born.dt.day)
    )
    return (at.dt.year - born.dt.year - before_birthday.astype("Int64")).astype("Int64")


def type_chunk(
    raw: pd.DataFrame, spec: SourceSpec, pseudonymiser: Pseudonymiser
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The typed, pseudonymised chunk and its anomalies (one row per failing cell)."""
    typed = raw[PROVENANCE].copy()
    anomalies = []
    for column in spec.columns.values():
        values, reasons = parse_series(raw[column.name], parser_for(spec, column.name))
        typed[typed_name(column)] = values
        anomalies.append(_anomalies(raw, column, reasons))
        if column.kind == "commune":
            typed["commune_libelle"] = parse_series(raw[column.name], parse_text)[0]
    if spec.age:
        birth, event = spec.age
        typed["age"] = _ages(typed[birth], typed[event])
    for pseudonym in spec.pseudonyms:
        parts = zip(*(typed[part].fillna("") for part in pseudonym.parts))
        typed[pseudonym.column] = [pseudonymiser.hash_parts(tuple(p)) for p in parts]
    typed = typed.drop(columns=sorted(spec.personal))
    found = [a for a in anomalies if not a.empty]
    return typed, (pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=ANOMALY_COLUMNS))
