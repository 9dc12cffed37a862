"""A source's reader spec, kept as data in ``sources/specs/<source>.yaml``.

The spec says which columns the raw export has (with their header aliases,
their type and whether they are personal), how persons are pseudonymised, the
natural key, and the row rules that send a row to quarantine. Adding a source
is writing one of these files, a pandera schema and the indicator SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from sources.parsing import NUMBER_DIGITS, NUMBER_SCALE, header_key
from warehouse import read_yaml
from warehouse.names import asset_name, table_of

SPEC_DIR = Path(__file__).parent / "specs"


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    label: str  # the column's name in the contract, for messages
    kind: str  # nombre, entier, date, heure, texte, libelle, identifiant, structure, commune, or
    # a category of the spec
    aliases: tuple[str, ...]
    required: bool = False
    personal: bool = False
    past: bool = False  # a date that cannot be in the future (`passe: true`)
    sql_type: str = "VARCHAR"


@dataclass(frozen=True)
class Pseudonym:
    column: str  # the key column written to the warehouse
    parts: tuple[str, ...]  # the columns whose normalised values are hashed


@dataclass(frozen=True)
class Rule:
    columns: tuple[str, ...]
    valid: str  # SQL, true when the row is fine (NULL counts as a failure)
    reason: str  # SQL text expression, the French reason
    value: str  # SQL text expression, the value shown (NULL for a personal column)


@dataclass(frozen=True, eq=False)  # hashed by identity: load_spec caches one per source
class SourceSpec:
    name: str
    folder: str
    table: str
    columns: dict[str, ColumnSpec]
    categories: dict[str, dict[str, str]]
    pseudonyms: tuple[Pseudonym, ...]
    age: tuple[str, str] | None  # (birth date column, event date column)
    natural_key: tuple[str, ...]
    rules: tuple[Rule, ...]
    schema: str  # "<module>.<name>" in schemas/
    warnings_sql: str | None  # warehouse/sql/<name>.sql: a SELECT of warnings on kept rows
    alias_index: dict[str, str] = field(repr=False, default_factory=dict)

    @property
    def required(self) -> list[str]:
        return [name for name, column in self.columns.items() if column.required]

    @property
    def personal(self) -> set[str]:
        return {name for name, column in self.columns.items() if column.personal}

    def asset(self, layer: str) -> str:
        """The source's asset of a layer (``raw`` or ``stg``): ``<layer>_<source>__<table>``."""
        return asset_name(layer, self.name, self.table)

    @property
    def raw_table(self) -> str:
        return table_of(self.asset("raw"))

    @property
    def staging_table(self) -> str:
        return table_of(self.asset("stg"))


SQL_TYPES = {"nombre": f"DECIMAL({NUMBER_DIGITS}, {NUMBER_SCALE})", "entier": "BIGINT", "date": "DATE",
             "heure": "TIME"}
# The years the warehouse accepts (schemas.year()): a date column is quarantined outside them, on
# its own column. Personal dates (birth dates) never reach the raw tables: the age rule bounds them.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _column(name: str, raw: dict) -> ColumnSpec:
    label = raw.get("libelle", name)
    aliases = tuple([label, *raw.get("alias", [])])
    return ColumnSpec(
        name=name,
        label=label,
        kind=raw["type"],
        aliases=aliases,
        required=raw.get("obligatoire", False),
        personal=raw.get("personnel", False),
        past=raw.get("passe", False),
        sql_type=SQL_TYPES.get(raw["type"], "VARCHAR"),
    )


def _not_in_future(column: str) -> Rule:
    shown = f"strftime({column}, '%d/%m/%Y')"
    return Rule((column,), f"{column} IS NULL OR {column} <= current_date",
                f"'date dans le futur : ' || {shown}", shown)


def _within_years(column: str) -> Rule:
    """A date outside the accepted years (01/01/1900, 2202 typed for 2022): quarantined on its
    own column rather than failing the staging table's year check."""
    shown = f"strftime({column}, '%d/%m/%Y')"
    return Rule((column,), f"{column} IS NULL OR year({column}) BETWEEN {FIRST_YEAR} AND {LAST_YEAR}",
                f"'date hors des années {FIRST_YEAR} à {LAST_YEAR} : ' || {shown}", shown)


def spec_names() -> list[str]:
    """Every source with a spec file, in a stable order."""
    return sorted(path.stem for path in SPEC_DIR.glob("*.yaml"))


@cache
def load_spec(name: str) -> SourceSpec:
    raw = read_yaml(SPEC_DIR / f"{name}.yaml")
    columns = {col: _column(col, body) for col, body in raw["colonnes"].items()}
    alias_index = {
        header_key(alias): column.name for column in columns.values() for alias in column.aliases
    }
    age = raw.get("age")
    rules = [Rule(tuple(r["colonnes"]), r["valide"], r["motif"], r.get("valeur", "NULL"))
             for r in raw.get("regles", [])]
    rules += [_not_in_future(column.name) for column in columns.values() if column.past]
    rules += [_within_years(column.name) for column in columns.values()
              if column.kind == "date" and not column.personal]
    return SourceSpec(
        name=raw["source"],
        folder=raw["dossier"],
        table=raw["table"],
        columns=columns,
        categories=raw.get("categories", {}),
        pseudonyms=tuple(
            Pseudonym(key, tuple(parts)) for key, parts in raw.get("pseudonymes", {}).items()
        ),
        age=(age["naissance"], age["evenement"]) if age else None,
        natural_key=tuple(raw["cle_naturelle"]),
        rules=tuple(rules),
        schema=raw["schema"],
        warnings_sql=raw.get("avertissements"),
        alias_index=alias_index,
    )
