"""pandera schemas of the staged and indicator tables, one module per service.

The frames validated here are already typed by our own parsing (see sources/transform.py):
pandera never coerces, it checks. :func:`validate_table` returns every failure, not a sample.
A large table whose checks each judge one value at a time is not loaded whole into pandas:
pandera checks each column's distinct values, and DuckDB finds the rows holding the failing
ones (see :func:`validate_by_values`); the failures are the same.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pandera.pandas as pa

from sources.spec import FIRST_YEAR, LAST_YEAR
from warehouse.reference import read_ref

CODE_COMMUNE = r"^(\d{5}|2[AB]\d{3}|HORS_CC|INCONNUE)$"
INTEGER_CHECK = "entier"  # checks the column's dtype, the same for its distinct values
# Checks that pass an interval of values (of an ordered type): a column whose checks are all of
# these passes them everywhere when it passes them at its least and greatest values.
INTERVAL_CHECKS = frozenset({
    "greater_than", "greater_than_or_equal_to", "less_than", "less_than_or_equal_to", "in_range",
    INTEGER_CHECK,
})
# Checks whose verdict on a value does not depend on the other values of the column.
VALUE_CHECKS = INTERVAL_CHECKS | {
    "isin", "notin", "str_matches", "str_contains", "str_startswith", "str_endswith", "str_length",
    "equal_to", "not_equal_to",
}
BY_VALUES_FROM_ROWS = 100_000
FAILURE_COLUMNS = ["schema_context", "column", "check", "check_number", "failure_case", "index"]
FAILURES_SHOWN = 5  # offending rows named in a failed check's description, then "et N autres"


def integer(minimum: int | None = 0, maximum: int | None = None, nullable: bool = False) -> pa.Column:
    """An integer column, whatever width DuckDB hands back (int32, Int64...)."""
    checks = [pa.Check(lambda s: pd.api.types.is_integer_dtype(s), element_wise=False,
                       error="entier attendu", name=INTEGER_CHECK)]
    if minimum is not None:
        checks.append(pa.Check.ge(minimum))
    if maximum is not None:
        checks.append(pa.Check.le(maximum))
    return pa.Column(checks=checks, nullable=nullable)


def year() -> pa.Column:
    return integer(FIRST_YEAR, LAST_YEAR)


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


def validate_table(
    con: duckdb.DuckDBPyConnection, table: str, schema: pa.DataFrameSchema,
    by_values_from_rows: int = BY_VALUES_FROM_ROWS,
) -> pd.DataFrame:
    """All failures of ``table`` against ``schema`` (empty frame when it is valid); a failure's
    ``index`` is its row's ``rowid``."""
    (rows,), = con.execute(f"SELECT count(*) FROM {table}").fetchall()
    if rows >= by_values_from_rows and judges_values_alone(schema):
        return validate_by_values(con, table, schema)
    frame = _frame(con, f"SELECT rowid AS _rang, * FROM {table}").set_index("_rang").rename_axis(None)
    return _failures(schema, frame)


def _frame(con: duckdb.DuckDBPyConnection, query: str) -> pd.DataFrame:
    relation = con.sql(query)
    frame = relation.fetchdf()
    # DuckDB hands an empty VARCHAR column back as object: give text its one dtype.
    for name, sql_type in zip(relation.columns, relation.types):
        if str(sql_type) == "VARCHAR":
            frame[name] = frame[name].astype("str")
    return frame


def _failures(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        return errors.failure_cases
    return pd.DataFrame()


def judges_values_alone(schema: pa.DataFrameSchema) -> bool:
    """Whether each check of ``schema`` judges a value alone (no check over the whole frame, no
    coercion): checking a column's distinct values is then checking its rows."""
    return not schema.checks and not schema.coerce and all(
        not column.unique and not column.regex and all(c.name in VALUE_CHECKS for c in column.checks)
        for column in schema.columns.values())


def validate_by_values(con: duckdb.DuckDBPyConnection, table: str, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """The failures :func:`validate_table` finds, without loading ``table`` into pandas:
    pandera checks the columns and their types on an empty frame, each column's checks on its
    distinct values, and the uniqueness on the rows whose key hash is shared; every failing
    value is then traced back to each row holding it (``index`` is the row's position)."""
    empty = _frame(con, f"SELECT * FROM {table} LIMIT 0")
    found = [_failures(schema.update_columns({name: {"checks": []} for name in schema.columns}), empty)]
    for name in (n for n in schema.columns if n in empty.columns):
        found.append(_column_failures(con, table, name, schema.columns[name], _ordered(empty[name])))
    if schema.unique and set(schema.unique) <= set(empty.columns):
        found.append(_unique_failures(con, table, schema))
    return _concat(found)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Failure frames end to end, in pandera's column order, values as pandera gave them."""
    frames = [frame[FAILURE_COLUMNS].astype(object) for frame in frames if not frame.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _ordered(values: pd.Series) -> bool:
    """Numbers, booleans and dates: their least and greatest values come cheaper than their
    distinct values (text is the other way round: DuckDB lists a dictionary-compressed column's
    few distinct values faster than it compares its strings)."""
    return pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values)


def _column_failures(con: duckdb.DuckDBPyConnection, table: str, name: str, column: pa.Column,
                     ordered: bool) -> pd.DataFrame:
    schema = pa.DataFrameSchema({name: column}).update_columns({name: {"dtype": None}})
    if ordered and _passes_at_ends(con, table, name, schema):
        return pd.DataFrame()
    con.execute(f"CREATE OR REPLACE TEMP TABLE _valeurs AS SELECT {name} AS valeur, "
                f"CAST(row_number() OVER () - 1 AS BIGINT) AS k FROM (SELECT DISTINCT {name} FROM {table})")
    values = _frame(con, f"SELECT valeur AS {name} FROM _valeurs ORDER BY k")
    failures = _failures(schema, values)
    if failures.empty:
        return failures
    by_value, overall = failures[failures["index"].notna()], failures[failures["index"].isna()]
    con.register("_en_echec", pd.DataFrame({"k": by_value["index"].astype("int64").unique()}))
    rows = con.execute(f"""
        SELECT v.k, t.rowid AS ligne_table FROM {table} t
        JOIN (SELECT * FROM _valeurs SEMI JOIN _en_echec USING (k)) v ON t.{name} IS NOT DISTINCT FROM v.valeur
        """).fetchdf()
    con.unregister("_en_echec")
    traced = by_value.astype({"index": "int64"}).merge(rows, left_on="index", right_on="k")
    traced["index"] = traced.pop("ligne_table")
    return _concat([overall, traced.drop(columns="k")])


def _passes_at_ends(con: duckdb.DuckDBPyConnection, table: str, name: str, schema: pa.DataFrameSchema) -> bool:
    """Whether a column with no check but :data:`INTERVAL_CHECKS` (a minimum, a maximum, an
    integer type; none at all) passes them at its least and greatest values, and at NULL when
    it holds one: then every value passes, and its distinct values are never listed (a row
    number, a count of seconds: as many values as rows)."""
    if any(check.name not in INTERVAL_CHECKS for check in schema.columns[name].checks):
        return False
    ends = _frame(con, f"""
        WITH ends AS (SELECT min({name}) AS least, max({name}) AS greatest, bool_or({name} IS NULL) AS nulls
                      FROM {table})
        SELECT least AS {name} FROM ends WHERE least IS NOT NULL
        UNION ALL SELECT greatest FROM ends WHERE greatest IS NOT NULL
        UNION ALL SELECT NULL FROM ends WHERE nulls""")
    return _failures(schema, ends).empty


def _unique_failures(con: duckdb.DuckDBPyConnection, table: str, schema: pa.DataFrameSchema) -> pd.DataFrame:
    key = ", ".join(schema.unique)
    candidates = _frame(con, f"""
        SELECT rowid AS _rang, {key} FROM {table}
        WHERE hash({key}) IN (SELECT hash({key}) FROM {table} GROUP BY 1 HAVING count(*) > 1)""")
    candidates = candidates.set_index("_rang").rename_axis(None)
    only_key = pa.DataFrameSchema({name: pa.Column(nullable=True) for name in schema.unique},
                                  unique=schema.unique, report_duplicates=schema.report_duplicates)
    return _failures(only_key, candidates)


def describe_failures(con: duckdb.DuckDBPyConnection, table: str, failures: pd.DataFrame,
                      shown: int = FAILURES_SHOWN) -> str:
    """The first failures of :func:`validate_table` in plain French, each with the file, line
    and column of its row when the table keeps them: ``2 valeurs refusées : a.csv ligne 12,
    colonne annee : 1905 (greater_than_or_equal_to(2000)) ; …``, then ``et N autres``. A
    failure's ``index`` is its row's ``rowid``."""
    if failures.empty:
        return ""
    first = failures.sort_values("index", kind="stable", na_position="last").head(shown)
    places = _places(con, table, [int(i) for i in first["index"].dropna()])
    texts = [_failure_text(row, places) for row in first.itertuples(index=False)]
    more = len(failures) - len(texts)
    plural = "s" if len(failures) > 1 else ""
    others = f" ; et {more} autres" if more else ""
    return f"{len(failures)} valeur{plural} refusée{plural} : " + " ; ".join(texts) + others


def _places(con: duckdb.DuckDBPyConnection, table: str, rowids: list[int]) -> dict[int, str]:
    """Where each row comes from (``a.csv ligne 12``, ``feuille « 2023 »``, ``cellule D``), by rowid."""
    columns = {c[0] for c in con.execute(f"SELECT * FROM {table} LIMIT 0").description}
    if not rowids or not {"fichier_nom", "ligne"} <= columns:
        return {}
    sheet = "feuille" if "feuille" in columns else "''"
    cell = "cellule" if "cellule" in columns else "''"
    rows = con.execute(f"SELECT rowid, fichier_nom, {sheet}, ligne, {cell} FROM {table} "
                       f"WHERE rowid IN ({', '.join(map(str, rowids))})")
    return {rowid: _place(*where) for rowid, *where in rows.fetchall()}


def _place(file: str, sheet: str, line: int, cell: str) -> str:
    """``a.xlsx, feuille « 2023 » ligne 12 cellule D`` (no sheet for a CSV, no cell for a row)."""
    sheet_text = f", feuille « {sheet} »" if sheet else ""
    cell_text = f" cellule {cell}" if cell else ""
    return f"{file}{sheet_text} ligne {line}{cell_text}"


def _failure_text(failure, places: dict[int, str]) -> str:
    where = places.get(int(failure.index)) if pd.notna(failure.index) else None
    column = f"colonne {failure.column}" if isinstance(failure.column, str) else "table"
    text = f"{column} : {failure.failure_case} ({failure.check})"
    return f"{where}, {text}" if where else text
