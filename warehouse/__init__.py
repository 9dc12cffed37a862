"""The warehouse: reference data, SQL of the indicator tables, DuckDB helpers."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).parent
REF_DIR = PACKAGE_DIR / "ref"
SQL_DIR = PACKAGE_DIR / "sql"
DEFAULT_WAREHOUSE = PACKAGE_DIR / "observatoire.duckdb"
