"""The short French summary printed after a refresh, read from the warehouse itself."""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse import settings
from warehouse.db import table_exists

SECRECY_TYPES = {"primaire": "primaires", "derive": "dérivées", "secondaire": "secondaires"}


def _n(value: int | None) -> str:
    return f"{int(value or 0):,}".replace(",", "\u202f")


def _sources(con: duckdb.DuckDBPyConnection) -> list[str]:
    lines = []
    per_source = con.execute("""
        SELECT source,
               count(*) FILTER (WHERE statut = 'chargé'), count(*) FILTER (WHERE statut = 'ignoré'),
               count(*) FILTER (WHERE statut = 'rejeté'), count(*) FILTER (WHERE statut = 'doublon de fichier'),
               sum(lignes_lues), sum(lignes_chargees), sum(lignes_quarantaine), sum(lignes_doublons),
               sum(lignes_vides_total)
        FROM qualite.journal_chargement GROUP BY source ORDER BY source""").fetchall()
    if not per_source:
        lines.append("Aucun fichier trouvé dans le dossier de dépôt.")
    for source, read, skipped, rejected, copies, rows, loaded, quarantined, duplicates, blank in per_source:
        lines.append(
            f"{source} : {_n(read)} fichier(s) lu(s), {_n(skipped)} ignoré(s), {_n(rejected)} rejeté(s), "
            f"{_n(copies)} en double ; {_n(rows)} lignes lues : {_n(loaded)} chargées, "
            f"{_n(quarantined)} en quarantaine, {_n(duplicates)} doublons, {_n(blank)} vides ou totaux"
        )
    for source, name, motif in con.execute(
        "SELECT source, fichier_nom, motif FROM qualite.journal_chargement "
        "WHERE statut = 'rejeté' ORDER BY ALL"
    ).fetchall():
        lines.append(f"  ATTENTION fichier rejeté ({source}) : {name} — {motif}")
    return lines


def _reconciliation(con: duckdb.DuckDBPyConnection) -> list[str]:
    counts = dict(con.execute(
        "SELECT statut, count(*) FROM qualite.rapprochement GROUP BY statut").fetchall())
    lines = ["Rapprochement avec les chiffres publiés : " + ", ".join(
        f"{_n(counts.get(s, 0))} {s}" for s in ("ok", "écart", "sans donnée"))]
    for indicator, structure, year, expected, computed in con.execute(
        "SELECT indicateur, structure_id, annee, attendu, calcule FROM qualite.rapprochement "
        "WHERE statut = 'écart' ORDER BY ALL"
    ).fetchall():
        lines.append(f"  ATTENTION écart : {indicator} {structure or ''} {year} : "
                     f"publié {expected}, calculé {computed}")
    return lines


def _secrecy(con: duckdb.DuckDBPyConnection, published: bool) -> list[str]:
    """Masked cells of the public layer, and where the exports are when this build is published."""
    if not table_exists(con, "qualite", "secret_statistique"):
        return []
    counts = dict(con.execute("SELECT type, count(*) FROM qualite.secret_statistique GROUP BY type").fetchall())
    threshold = con.execute("SELECT max(seuil) FROM qualite.secret_statistique").fetchone()[0]
    path = Path(con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
                            ).fetchone()[0])
    exports = f" ; exports et rapport de qualité : {settings.export_dir(path)}" if published else ""
    line = (f"Secret statistique{f' (seuil {threshold})' if threshold else ''} : "
            f"{_n(sum(counts.values()))} cellule(s) masquée(s) dans public (" + ", ".join(
                f"{_n(counts.get(t, 0))} {label}" for t, label in SECRECY_TYPES.items()) +
            f") : voir qualite.secret_statistique{exports}.")
    if counts.get("non_classe"):
        line += (f"\n  ATTENTION {_n(counts['non_classe'])} cellule(s) de colonnes sans classe de secret, "
                 "non publiées : classez ces colonnes dans la déclaration de leur table "
                 "(warehouse/indicateurs/<service>.yaml, `secret` de chaque colonne).")
    return [line]


def summary(con: duckdb.DuckDBPyConnection, published: bool) -> str:
    """The summary of a build; ``published``: it is the published warehouse (the run's outcome
    says so), and its exports are where the settings say."""
    quarantined = con.execute("SELECT count(*) FROM qualite.quarantaine").fetchone()[0]
    lines = _sources(con) + _reconciliation(con) + _secrecy(con, published)
    if quarantined:
        lines.append(f"{_n(quarantined)} ligne(s) en quarantaine : voir qualite.quarantaine "
                     "(fichier, ligne, colonne, motif).")
    return "\n".join(lines)
