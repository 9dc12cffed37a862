"""Invariants of a run, as plain functions over a DuckDB connection (tested directly)."""

from __future__ import annotations

import duckdb
import pandas as pd


def unaccounted_files(con: duckdb.DuckDBPyConnection, source: str) -> pd.DataFrame:
    """Files whose rows read differ from loaded + quarantined + duplicates + blank/total."""
    return con.execute(
        """
        SELECT fichier_nom, lignes_lues, lignes_chargees, lignes_quarantaine, lignes_doublons,
               lignes_vides_total
        FROM qualite.journal_chargement
        WHERE source = ? AND lignes_lues
              <> lignes_chargees + lignes_quarantaine + lignes_doublons + lignes_vides_total
        """,
        [source],
    ).fetchdf()


def staged_rows_without_log(con: duckdb.DuckDBPyConnection, source: str, staging_table: str) -> int:
    """Staged rows whose file is missing from the load log (must be 0)."""
    return con.execute(
        f"""
        SELECT count(*) FROM {staging_table} s
        ANTI JOIN (SELECT fichier_nom FROM qualite.journal_chargement WHERE source = ?) j
            USING (fichier_nom)
        """,
        [source],
    ).fetchone()[0]
