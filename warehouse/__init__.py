"""The warehouse: reference data, SQL of the indicator tables, DuckDB helpers, settings."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).parent
SQL_DIR = PACKAGE_DIR / "sql"
DEFAULT_WAREHOUSE = PACKAGE_DIR / "observatoire.duckdb"


def read_yaml(path: Path) -> object:
    """A YAML data file of the project, parsed by libyaml when PyYAML was built with it (about
    ten times faster than its pure-Python parser: the declarations are read at every start)."""
    import yaml

    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
