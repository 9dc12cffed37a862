"""The report's annex on the year's collection campaign, from ``public.campagne``.

One line per source and structure: its status and, for a monthly source, one cell per month:
the rows received, or "—" for a month expected and missing (never a zero)."""

from __future__ import annotations

import duckdb

from reporting.numbers import french
from warehouse.campaign import RECU, describe, month_names, sources, year_rows

MISSING_MONTH = "—"


def has_campaign(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                       "AND schema_name = 'public' AND table_name = 'campagne'").fetchone()[0] > 0


def month_cells(con: duckdb.DuckDBPyConnection, year: int, row: dict) -> list[str]:
    """12 cells for a monthly source: rows received, "—" when expected and missing, "" otherwise."""
    found = {mois: (attendu, lignes) for mois, attendu, lignes in con.execute(
        "SELECT mois, attendu, lignes FROM public.campagne WHERE annee = ? AND source = ? "
        "AND structure_id IS NOT DISTINCT FROM ? AND mois IS NOT NULL",
        [year, row["source"], row["structure_id"]]).fetchall()}
    cells = []
    for month in range(1, 13):
        expected, lines = found.get(month, (False, 0))
        cells.append(french(lines) if lines else MISSING_MONTH if expected else "")
    return cells


def campaign_annex(con: duckdb.DuckDBPyConnection, year: int) -> list[dict]:
    """The annex's lines for the year (empty when the warehouse has no campaign table)."""
    if not has_campaign(con):
        return []
    lines = []
    for row in year_rows(con, year, schema="public"):
        monthly = sources().get(row["source"], {}).get("mensuel", False)
        lines.append({
            "service": sources().get(row["source"], {}).get("libelle", row["source"]),
            "structure": row["structure_libelle"] or "registre intercommunal",
            "statut": row["statut"], "ok": row["statut"] == RECU,
            "mois_manquants": month_names(row["mois_manquants"]),
            "detail": describe(row),
            "mois": month_cells(con, year, row) if monthly else None,
        })
    return lines


def source_of_table(table: str) -> str | None:
    from warehouse.campaign import config

    return next((source for prefix, source in config().get("tables", {}).items() if table.startswith(prefix)), None)


def missing_notes(con: duckdb.DuckDBPyConnection, table: str, years: list[int],
                  structures: list[str] | str | None) -> list[str]:
    """Notes under an indicator: each structure (of its filter, else of its source) and year shown
    whose collection is partial or missing (never counted, neither as zero nor estimated)."""
    structures = [structures] if isinstance(structures, str) else structures
    source = source_of_table(table)
    if source is None or not years or not has_campaign(con):
        return []
    rows = con.execute("""
        SELECT c.annee, coalesce(s.libelle, 'registre intercommunal'), c.statut, c.mois_manquants
        FROM public.campagne c LEFT JOIN ref.structures s USING (structure_id)
        WHERE c.source = ? AND c.mois IS NULL AND c.statut IN ('partiel', 'manquant')
          AND c.annee BETWEEN ? AND ? AND (? OR list_contains(?, c.structure_id))
        ORDER BY c.annee, 2""", [source, min(years), max(years), structures is None, structures or []]).fetchall()
    return [f"Collecte incomplète (annexe C) : {name}, {year}, "
            + (f"mois manquants : {month_names(months)} — non comptés, ni zéro ni estimation."
               if status == "partiel" else "aucun fichier reçu.")
            for year, name, status, months in rows]
