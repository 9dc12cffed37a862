"""Before publishing: a source that lost its files, or most of its rows, is a mistake until the
operator says otherwise.

A wrong drop folder, a folder emptied by a sync tool or a half-copied export would otherwise
publish a warehouse with whole services missing. :func:`drops` compares the load log
(``qualite.journal_chargement``) of the build with the published one, source by source.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.db import table_exists

ACCEPT_OPTION = "--accepter-baisse"


def missing_drop_folder(folder: Path) -> str | None:
    """Why a drop folder cannot be read at all (French, no final stop); None when it exists."""
    return None if folder.is_dir() else f"Le dossier de dépôt {folder} n'existe pas"


def drop_folder_problem(folder: Path) -> str | None:
    """Why the sensor must not refresh from a drop folder: missing, or holding no file."""
    if problem := missing_drop_folder(folder):
        return problem
    if not any(path.is_file() for path in folder.rglob("*")):
        return f"Le dossier de dépôt {folder} ne contient aucun fichier"
    return None


@dataclass(frozen=True)
class Loaded:
    files: int  # files read (loaded or rejected; not the ignored ones)
    rows: int   # rows loaded


def _n(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def loaded_counts(con: duckdb.DuckDBPyConnection) -> dict[str, Loaded]:
    """Files and loaded rows per source, from the load log of a warehouse (none: no log)."""
    if not table_exists(con, "qualite", "journal_chargement"):
        return {}
    return {source: Loaded(files, int(rows or 0)) for source, files, rows in con.execute(
        "SELECT source, count(*) FILTER (WHERE statut <> 'ignoré'), sum(lignes_chargees) "
        "FROM qualite.journal_chargement GROUP BY source ORDER BY source").fetchall()}


def drops(before: dict[str, Loaded], after: dict[str, Loaded]) -> list[str]:
    """One French line per source that had files and now has none, or whose loaded rows fell by
    more than half."""
    found = []
    for source, old in sorted(before.items()):
        new = after.get(source, Loaded(0, 0))
        if old.files and not new.files:
            found.append(f"la source {source} n'a plus aucun fichier (entrepôt publié : {_n(old.files)} "
                         f"fichier(s), {_n(old.rows)} lignes chargées ; cette actualisation : 0 fichier).")
        elif new.rows * 2 < old.rows:
            found.append(f"les lignes chargées de la source {source} passent de {_n(old.rows)} "
                         f"(entrepôt publié) à {_n(new.rows)} (cette actualisation), une baisse de plus "
                         "de moitié.")
    return found


def drop_message(problems: list[str], published: Path) -> str:
    return ("Publication bloquée : " + " ".join(problems) + f" L'entrepôt publié ({published}) n'a pas été "
            f"modifié. Vérifiez le dossier de dépôt ; si la baisse est voulue, relancez avec {ACCEPT_OPTION}.")
