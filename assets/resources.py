"""The one resource every asset uses: where the raw files are and which DuckDB file to build."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from warehouse.db import connect


class WarehouseResource(dg.ConfigurableResource):
    path: str
    raw_dir: str

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = connect(self.path)
        try:
            yield con
        finally:
            con.close()

    @property
    def raw_path(self) -> Path:
        return Path(self.raw_dir)
