"""pandera schemas of the staged and indicator tables, one module per service.

The frames validated here are already typed by our own parsing (see sources/transform.py):
pandera never coerces, it checks. :func:`validate_table` returns every failure, not a sample.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pandera.pandas as pa

from sources.referential import read_ref

CODE_COMMUNE = r"^(\d{5}|2[AB]\d{3}|HORS_CC|INCONNUE)$"


def integer(minimum: int | None = 0, maximum: int | None = None, nullable: bool = False) -> pa.Column:
    """An integer column, whatever width DuckDB hands back (int32, Int64...)."""
    checks = [pa.Check(lambda s: pd.api.types.is_integer_dtype(s), element_wise=False,
                       error="entier attendu")]
    if minimum is not None:
        checks.append(pa.Check.ge(minimum))
    if maximum is not None:
        checks.append(pa.Check.le(maximum))
    return pa.Column(checks=checks, nullable=nullable)


def year() -> pa.Column:
    return integer(2000, 2100)


def one_of_ref(table: str, column: str, **kwargs) -> pa.Column:
    return pa.Column(str, pa.Check.isin(sorted({row[column] for row in read_ref(table)})), **kwargs)


def code_commune() -> pa.Column:
    return pa.Column(str, pa.Check.str_matches(CODE_COMMUNE))


def provenance(cell: bool = False) -> dict[str, pa.Column]:
    """The columns that say where a staged row comes from (``cellule`` for counter cells)."""
    columns = {
        "fichier_hash": pa.Column(str, pa.Check.str_matches(r"^[0-9a-f]{64}$")),
        "fichier_nom": pa.Column(str),
        "feuille": pa.Column(str),
        "ligne": integer(1),
    }
    return {**columns, "cellule": pa.Column(str)} if cell else columns


def validate_table(con: duckdb.DuckDBPyConnection, table: str, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """All failures of ``table`` against ``schema`` (empty frame when it is valid)."""
    relation = con.sql(f"SELECT * FROM {table}")
    frame = relation.fetchdf()
    # DuckDB hands an empty VARCHAR column back as object: give text its one dtype.
    for name, sql_type in zip(relation.columns, relation.types):
        if str(sql_type) == "VARCHAR":
            frame[name] = frame[name].astype("str")
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        return errors.failure_cases
    return pd.DataFrame()
