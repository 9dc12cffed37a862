"""The territory the warehouse was built for (ref.territoire, from territoire.csv of the reference
folder): its code and names, read by the report and the datapackage."""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

import duckdb



class Territory(NamedTuple):
    code: str
    nom: str
    titre: str

    @property
    def slug(self) -> str:
        """The name in lower case ASCII words joined by hyphens (for file and package names)."""
        ascii_only = unicodedata.normalize("NFKD", self.nom).encode("ascii", "ignore").decode()
        return re.sub(r"[^0-9a-z]+", "-", ascii_only.lower()).strip("-")


UNNAMED = Territory("", "territoire non renseigné", "Observatoire social")


def territory(con: duckdb.DuckDBPyConnection) -> Territory:
    """The territory of ref.territoire; UNNAMED when a reference folder has no territoire.csv."""
    try:
        row = con.execute("SELECT code_territoire, nom, titre FROM ref.territoire LIMIT 1").fetchone()
    except duckdb.CatalogException:
        row = None
    return Territory(*row) if row else UNNAMED
