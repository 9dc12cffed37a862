"""Compare the warehouse with the figures published elsewhere (``ref.chiffres_publies``).

An ``indicateur`` reads ``<table>.<measure>`` or ``<table>.<measure>[<column>=<value>]``: the
measure of ``indicateurs.<table>`` summed over the rows of that year (and structure, and filter).
A gap is information, never a failure: the published figure may be the wrong one.
"""

from __future__ import annotations

import re
from decimal import Decimal

import duckdb
import pandas as pd

from warehouse.db import table_exists, transaction

INDICATOR = re.compile(r"^(?P<table>\w+)\.(?P<measure>\w+)(?:\[(?P<column>\w+)=(?P<value>[^\]]+)\])?$")
OK, GAP, NO_DATA = "ok", "écart", "sans donnée"


def figure_rows(match: re.Match, structure_id: str | None, year: int) -> tuple[list[str], list]:
    """The conditions (and their parameters) selecting the rows of an indicator table that a
    published figure is compared with: its year, its structure when it names one, and the
    breakdown value of ``table.measure[column=value]``."""
    conditions, params = ["annee = ?"], [year]
    if structure_id:
        conditions.append("structure_id = ?")
        params.append(structure_id)
    if match["column"]:
        conditions.append(f"{match['column']} = ?")
        params.append(match["value"])
    return conditions, params


def computed_value(
    con: duckdb.DuckDBPyConnection, indicator: str, structure_id: str | None, year: int
) -> Decimal | None:
    """The warehouse's value for a published figure, None when it has no row for it."""
    match = INDICATOR.match(indicator)
    if not match or not table_exists(con, "indicateurs", match["table"]):
        return None
    conditions, params = figure_rows(match, structure_id, year)
    count, total = con.execute(
        f"SELECT count(*), sum({match['measure']}) FROM indicateurs.{match['table']} "
        f"WHERE {' AND '.join(conditions)}",
        params,
    ).fetchone()
    return None if count == 0 else Decimal(total or 0)


COLUMNS = ["source", "indicateur", "structure_id", "annee", "attendu", "calcule", "ecart",
           "tolerance", "statut", "note"]


def reconcile(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Write and return ``qualite.rapprochement``, one row per published figure."""
    published = con.execute(
        "SELECT source, indicateur, structure_id, annee, valeur, tolerance, note "
        "FROM ref.chiffres_publies ORDER BY indicateur, structure_id, annee"
    ).fetchall()  # fetchall keeps DECIMAL as Decimal (a data frame would make floats)
    rows = []
    for source, indicator, structure, year, expected, tolerance, note in published:
        computed = computed_value(con, indicator, structure, year)
        gap = None if computed is None else computed - expected
        status = NO_DATA if gap is None else (OK if abs(gap) <= tolerance else GAP)
        rows.append([source, indicator, structure, year, expected, computed, gap, tolerance, status, note])
    result = pd.DataFrame(rows, columns=COLUMNS)
    with transaction(con):
        con.execute("DELETE FROM qualite.rapprochement")
        # Decimals travel as text so that DuckDB casts them exactly into DECIMAL columns.
        con.register("_rapprochement", result.map(lambda v: str(v) if isinstance(v, Decimal) else v))
        con.execute("INSERT INTO qualite.rapprochement BY NAME SELECT * FROM _rapprochement")
        con.unregister("_rapprochement")
    return result
