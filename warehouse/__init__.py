"""The warehouse: reference data, SQL of the indicator tables, DuckDB helpers, settings."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).parent
SQL_DIR = PACKAGE_DIR / "sql"
DEFAULT_WAREHOUSE = PACKAGE_DIR / "observatoire.duckdb"
