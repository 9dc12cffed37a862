"""The basic pandera schema of a declared table (warehouse/indicateurs/<service>.yaml): its
columns and types, no NULL where the DDL says NOT NULL, one row per key, and each column's
value checks (``min``, ``max``, ``min_exclu``, ``valeurs``, ``ref``, ``regex``, ``non_vide``).

Cross-column rules are written by hand in schemas/<service>.py and passed as ``checks``: the
declaration names that schema (``controles``) and the blocking check validates it.
"""

from __future__ import annotations

import pandera.pandas as pa

from schemas import integer
from warehouse.reference import read_ref
from warehouse.tables import Column, Table, declared_table_of, reference_values

INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT")
NUMBER_TYPES = ("DECIMAL", "DOUBLE", "FLOAT", "REAL")


def value_checks(column: Column) -> list[pa.Check]:
    checks, found = [], column.checks
    if "min" in found:
        checks.append(pa.Check.ge(found["min"]))
    if "min_exclu" in found:
        checks.append(pa.Check.gt(found["min_exclu"]))
    if "max" in found:
        checks.append(pa.Check.le(found["max"]))
    allowed = [*(reference_values(found["ref"], read_ref) if "ref" in found else []), *found.get("valeurs", [])]
    if allowed:
        checks.append(pa.Check.isin(sorted(set(allowed)),
                                    error=f"{column.name} : valeur attendue parmi {sorted(set(allowed))}"))
    if "regex" in found:
        checks.append(pa.Check.str_matches(found["regex"], error=f"{column.name} : format {found['regex']} attendu"))
    if found.get("non_vide"):
        checks.append(pa.Check.str_length(min_value=1, error=f"{column.name} : texte obligatoire"))
    return checks


def pandera_column(column: Column) -> pa.Column:
    sql_type = (column.type or "").upper()
    if sql_type.startswith(INTEGER_TYPES):
        others = Column(column.name, checks={k: v for k, v in column.checks.items() if k not in ("min", "max")})
        base = integer(column.checks.get("min"), column.checks.get("max"))
        return pa.Column(checks=[*base.checks, *value_checks(others)], nullable=column.nullable)
    dtype = {"BOOLEAN": bool, "DATE": "datetime64[us]"}.get(sql_type, float if sql_type.startswith(NUMBER_TYPES)
                                                          else str)
    return pa.Column(dtype, value_checks(column), nullable=column.nullable)


def table_schema(table: Table, checks: list[pa.Check] | None = None) -> pa.DataFrameSchema:
    """The pandera schema of a declared table, with the hand-written cross-column ``checks``."""
    return pa.DataFrameSchema(
        {column.name: pandera_column(column) for column in table.columns},
        checks=checks or None,
        unique=list(table.key) or None,
        strict=True,
        name=table.qualified,
    )


def declared_schema(name: str, checks: list[pa.Check] | None = None) -> pa.DataFrameSchema:
    """``declared_schema("indicateurs.alsh_annuel")``: the schema of a declared table."""
    return table_schema(declared_table_of(name), checks)
