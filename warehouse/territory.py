"""The territory the warehouse was built for (ref.territoire, from territoire.csv of the reference
folder): its code and names, read by the report and the datapackage."""

from __future__ import annotations

import re
from typing import NamedTuple

import duckdb

from sources.parsing import fold


class Territory(NamedTuple):
    code: str
    nom: str
    titre: str

    @property
    def slug(self) -> str:
        """The name in lower case ASCII words joined by hyphens (for file and package names)."""
        return re.sub(r" ", "-", fold(self.nom))


UNNAMED = Territory("", "territoire non renseigné (territoire.csv)", "Observatoire social")


def territory(con: duckdb.DuckDBPyConnection) -> Territory:
    """The territory of ref.territoire; UNNAMED when a reference folder has no territoire.csv."""
    try:
        row = con.execute("SELECT code_territoire, nom, titre FROM ref.territoire LIMIT 1").fetchone()
    except duckdb.CatalogException:
        row = None
    return Territory(*row) if row else UNNAMED
