"""The SQL assets built on staging and their tables, each declared once in
warehouse/indicateurs/<service>.yaml (docs/architecture.md, "Adding an indicator table").

One entry per asset ``ind_<service>__<name>`` (writing ``indicateurs.<service>_<name>``) or
``int_<service>__<name>`` (writing the intermediate ``staging.<service>__<name>``), in the order
they run. A table's entry gives its label, definition and source, its primary key (``cle``) and
each column: SQL type, ``nullable``, label, definition, unit, value checks (``min``, ``max``,
``min_exclu``, ``valeurs``, ``ref``, ``regex``, ``non_vide``) and secrecy class (``secret``:
``compte`` with the figures ``masque_aussi``, ``derive`` or ``libre`` with its ``motif``). A
column shared by several tables (``annee``, ``structure_id``...) takes what it does not say
from the shared entry of that name in warehouse/catalogue.yaml (``colonnes``), as PUDL's
fields.py does. From it are generated: the DDL (here), the pandera schema (schemas/declared.py),
the secrecy rules (warehouse/secrecy.py), the catalogue and DuckDB comments
(warehouse/catalogue.py), hence the fields of datapackage.json (warehouse/exports.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path


from warehouse import PACKAGE_DIR, read_yaml
from warehouse.names import parts, table_of

DECLARATIONS_DIR = PACKAGE_DIR / "indicateurs"
SHARED_COLUMNS_PATH = PACKAGE_DIR / "catalogue.yaml"
SECRECY_CLASSES = ("compte", "derive", "libre")
CHECK_KEYS = ("min", "max", "min_exclu", "valeurs", "ref", "regex", "non_vide")
TABLE_KEYS = {"asset", "libelle", "definition", "source", "cle", "colonnes", "vue", "secret", "controles"}
COLUMN_KEYS = {"type", "nullable", "libelle", "definition", "unite", "source", "secret", "masque_aussi", "motif",
               *CHECK_KEYS}
REFERENCE = re.compile(r"^(?P<table>\w+)\.(?P<column>\w+)(\[(?P<column_filter>\w+)=(?P<value>[^\]]*)\])?$")


class DeclarationError(ValueError):
    pass


@dataclass(frozen=True)
class Column:
    name: str
    type: str | None = None           # None in a view: its types are those of its SELECT
    nullable: bool = False
    libelle: str | None = None
    definition: str | None = None
    unite: str | None = None
    source: str | None = None
    checks: dict = field(default_factory=dict)
    secret: str | None = None         # compte, derive, libre; None for a key column
    masque_aussi: tuple[str, ...] = ()
    motif: str | None = None

    def ddl(self, key: list[str]) -> str:
        return f"{self.name} {self.type}" + ("" if self.nullable and self.name not in key else " NOT NULL")


@dataclass(frozen=True)
class Table:
    asset: str
    schema: str                       # indicateurs or staging
    name: str
    libelle: str | None = None
    definition: str | None = None
    source: str | None = None
    key: tuple[str, ...] = ()
    columns: tuple[Column, ...] = ()
    view: bool = False                # a view: no DDL, its columns are described only
    secret: dict = field(default_factory=dict)  # table rules: ventilation, partitions, libre
    controls: str | None = None       # module.Name of the schema adding cross-column checks

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    def ddl(self) -> str:
        """``CREATE OR REPLACE TABLE`` with explicit types, NOT NULL and the primary key."""
        lines = [column.ddl(list(self.key)) for column in self.columns]
        if self.key:
            lines.append(f"PRIMARY KEY ({', '.join(self.key)})")
        return f"CREATE OR REPLACE TABLE {self.qualified} (\n    " + ",\n    ".join(lines) + "\n)"


def table_name(asset: str) -> tuple[str, str]:
    """(schema, table) an asset writes: ind_a__b -> indicateurs.a_b, int_a__b -> staging.a__b."""
    try:
        layer = parts(asset)[0]
    except ValueError as error:
        raise DeclarationError(str(error)) from None
    if layer not in ("ind", "int"):
        raise DeclarationError(f"{asset} : un actif déclaré commence par ind_ ou int_")
    schema, _, name = table_of(asset).partition(".")
    return schema, name


@cache
def shared_columns(path: Path = SHARED_COLUMNS_PATH) -> dict[str, dict]:
    return read_yaml(path)["colonnes"]


def declared_column(name: str, own: dict, shared: dict[str, dict], key: list[str]) -> Column:
    entry = {**shared.get(name, {}), **(own or {})}
    if set(entry) - COLUMN_KEYS:
        raise DeclarationError(f"{name} : clés inconnues {sorted(set(entry) - COLUMN_KEYS)}")
    return Column(
        name=name, type=entry.get("type"), nullable=bool(entry.get("nullable", False)),
        libelle=entry.get("libelle"), definition=entry.get("definition"), unite=entry.get("unite"),
        source=entry.get("source"), checks={k: entry[k] for k in CHECK_KEYS if k in entry},
        secret=None if name in key else entry.get("secret"),
        masque_aussi=tuple(entry.get("masque_aussi", ())), motif=entry.get("motif"))


def declared_table(entry: dict, shared: dict[str, dict]) -> Table:
    schema, name = table_name(entry["asset"])
    key = list(entry.get("cle", []))
    try:
        if set(entry) - TABLE_KEYS:
            raise DeclarationError(f"clés inconnues {sorted(set(entry) - TABLE_KEYS)}")
        columns = tuple(declared_column(c, own, shared, key) for c, own in (entry.get("colonnes") or {}).items())
    except DeclarationError as error:
        raise DeclarationError(f"{schema}.{name} : {error}") from None
    table = Table(asset=entry["asset"], schema=schema, name=name, libelle=entry.get("libelle"),
                  definition=entry.get("definition"), source=entry.get("source"), key=tuple(key),
                  columns=columns, view=bool(entry.get("vue", False)), secret=entry.get("secret") or {},
                  controls=entry.get("controles"))
    check_declaration(table)
    return table


def check_declaration(table: Table) -> None:
    """A declaration that cannot be generated fails here, with the table's name."""
    names = [c.name for c in table.columns]
    problems = [f"clé {c} absente des colonnes" for c in table.key if c not in names]
    if not table.view:
        problems += [f"{c.name} : type manquant" for c in table.columns if not c.type]
    if table.schema == "indicateurs":
        problems += secrecy_problems(table)
    if problems:
        raise DeclarationError(f"{table.qualified} : " + " ; ".join(problems))


def secrecy_problems(table: Table) -> list[str]:
    """Every measure of an indicator table has a secrecy class (unless the whole table is
    ``libre``), and a derived figure is masked with a count."""
    if "libre" in table.secret:
        return []
    measures = [c for c in table.columns if c.name not in table.key]
    derived = {d for c in measures if c.secret == "compte" for d in c.masque_aussi}
    problems = [f"{c.name} : secret attendu parmi {', '.join(SECRECY_CLASSES)}"
                for c in measures if c.secret not in SECRECY_CLASSES]
    problems += [f"{c.name} : dérivé d'aucun compte (masque_aussi)"
                 for c in measures if c.secret == "derive" and c.name not in derived]
    problems += [f"{c.name} : motif manquant" for c in measures if c.secret == "libre" and not c.motif]
    names = {c.name for c in table.columns}
    problems += [f"masque_aussi : {d} n'est pas une colonne" for d in sorted(derived - names)]
    return problems


def load_tables(folder: Path | None = None) -> tuple[Table, ...]:
    """Every declared asset, file by file (sorted), in the order of each file; ``folder``
    defaults to DECLARATIONS_DIR as it is when called."""
    return _load_tables(folder or DECLARATIONS_DIR)


@cache
def _load_tables(folder: Path) -> tuple[Table, ...]:
    shared = shared_columns()
    return tuple(declared_table(entry, shared)
                 for path in sorted(folder.glob("*.yaml"))
                 for entry in read_yaml(path))


def declared_indicators(folder: Path | None = None) -> dict[str, Table]:
    """The declared tables of ``indicateurs``, by table name."""
    return {t.name: t for t in load_tables(folder) if t.schema == "indicateurs"}


def declared_table_of(name: str, folder: Path | None = None) -> Table:
    """A declared table by name: ``alsh_annuel`` or ``indicateurs.alsh_annuel``."""
    schema, _, table = name.rpartition(".")
    for declared in load_tables(folder):
        if declared.name == table and schema in ("", declared.schema):
            return declared
    raise DeclarationError(f"{name} : aucune déclaration dans {folder or DECLARATIONS_DIR}")


def reference_values(reference: str, read_ref) -> list[str]:
    """The values of ``ref: table.column`` or ``table.column[other=value]`` in warehouse/ref/."""
    match = REFERENCE.match(reference)
    if not match:
        raise DeclarationError(f"ref {reference!r} : table.colonne ou table.colonne[colonne=valeur] attendu")
    rows = read_ref(match["table"])
    if match["column_filter"]:
        rows = [r for r in rows if r[match["column_filter"]] == match["value"]]
    return sorted({r[match["column"]] for r in rows})
