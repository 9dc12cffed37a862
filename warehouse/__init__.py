"""The warehouse: reference data, SQL of the indicator tables, DuckDB helpers."""

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).parent
# OBSERVATOIRE_REF_DIR points at another copy of warehouse/ref (the benchmark's generated
# structures and communes); unset, the project's own reference data. A relative path is relative to
# the folder the command started from, made absolute here where it is read.
REF_DIR = Path(os.path.abspath(os.environ.get("OBSERVATOIRE_REF_DIR") or PACKAGE_DIR / "ref"))
SQL_DIR = PACKAGE_DIR / "sql"
DEFAULT_WAREHOUSE = PACKAGE_DIR / "observatoire.duckdb"
