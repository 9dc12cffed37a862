"""Statistical secrecy: every ``indicateurs.<t>`` copied into ``public.<t>`` with small counts masked.

The rules are data, in each table's declaration (warehouse/indicateurs/<service>.yaml: a column's
``secret`` class, the table's ``secret`` block; see :func:`table_rule`); this module applies
them in DuckDB, table by table:
the rows get a number (``_lignes``), each masked cell becomes a row of ``_masques`` (row, column,
type), in four steps: primary (a count of persons 1 <= n < threshold), secondary within a row
(``partitions``), derived (the figures computed from a masked count), secondary between the rows
of a breakdown (``ventilation``). ``public.<t>`` is then the table with those cells NULL and a
``secret`` flag, and each masked cell is logged in ``qualite.secret_statistique``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from warehouse.db import Layout, read_sql, schema_layout, schema_tables, transaction
from warehouse.reconciliation import INDICATOR, figure_rows
from warehouse.tables import Table, declared_indicators

PRIMARY, DERIVED, SECONDARY, UNCLASSIFIED = "primaire", "derive", "secondaire", "non_classe"

LOG_DDL = """
CREATE SCHEMA IF NOT EXISTS public;
CREATE TABLE IF NOT EXISTS qualite.secret_statistique (
    table_name VARCHAR NOT NULL,      -- the table of `public`
    cle VARCHAR NOT NULL,             -- the row's key, e.g. 'structure_id=alsh_nord, annee=2021'
    colonne VARCHAR NOT NULL,
    type VARCHAR NOT NULL,            -- primaire, derive, secondaire (non_classe: see mask_unclassified)
    seuil INTEGER NOT NULL            -- counts 1 <= n < seuil are masked
);
"""


@dataclass(frozen=True)
class Breakdown:
    total: str
    groupe: list[str]
    ordre: str
    additives: list[str]
    lignes: str = "TRUE"
    total_lignes: str = "TRUE"


@dataclass(frozen=True)
class TableRule:
    comptes: dict[str, list[str]] = field(default_factory=dict)
    partitions: list[dict] = field(default_factory=list)
    ventilation: Breakdown | None = None
    libres: dict[str, str] = field(default_factory=dict)
    libre: str | None = None

    def classifies(self, column: str) -> bool:
        derived = {d for figures in self.comptes.values() for d in figures}
        parts = {c for p in self.partitions for c in [p["total"], *p["parties"]]}
        return self.libre is not None or column in {*self.comptes, *derived, *parts, *self.libres}


def table_rule(table: Table) -> TableRule:
    """The secrecy of a declared table.

    A column's ``secret``: ``compte``, a count of persons or households (a cell with
    1 <= n < threshold is masked, 'primaire'), masked with the figures computed from its persons
    (``masque_aussi``, each declared ``derive``); ``libre``, published as it is, for the reason
    given (``motif``). The table's ``secret`` block: ``partitions`` (within a row, ``total`` = the
    sum of ``parties``: when exactly one part is masked, the smallest other part above 0 is masked
    too), ``ventilation`` (the table breaks down the table ``total``, its rows matching
    ``total_lignes``; within a ``groupe``, over the rows matching ``lignes``, when exactly one row
    has masked cells, the row with the next smallest ``ordre`` above 0 gets the same cells masked;
    ``additives``: the columns whose rows add up to the total's), ``libre`` (why no column of the
    table needs secrecy). The key columns are never masked.
    """
    breakdown = table.secret.get("ventilation")
    return TableRule(
        comptes={c.name: list(c.masque_aussi) for c in table.columns if c.secret == "compte"},
        partitions=list(table.secret.get("partitions", [])),
        ventilation=Breakdown(**breakdown) if breakdown else None,
        libres={c.name: c.motif for c in table.columns if c.secret == "libre"},
        libre=table.secret.get("libre"),
    )


def load_rules(folder: Path | None = None) -> dict[str, TableRule]:
    return {name: table_rule(table) for name, table in declared_indicators(folder).items()}


def key_text(key: list[str], alias: str = "") -> str:
    """SQL text of a row's key as the log writes it: 'structure_id=alsh_nord, annee=2021'."""
    return "concat_ws(', ', " + ", ".join(f"'{c}=' || {alias}{c}" for c in key) + ")" if key else "''"


# --- the four steps, each adding rows to _masques -------------------------------------------

def mask_primary(con: duckdb.DuckDBPyConnection, rule: TableRule, threshold: int) -> None:
    for count in rule.comptes:
        con.execute(f"INSERT INTO _masques SELECT _rid, '{count}', '{PRIMARY}' FROM _lignes "
                    f"WHERE {count} >= 1 AND {count} < {int(threshold)}")


def mask_partitions(con: duckdb.DuckDBPyConnection, rule: TableRule) -> None:
    """Within a row, a lone masked part of a total is joined by the smallest other part."""
    for partition in rule.partitions:
        parts = ", ".join(partition["parties"])
        con.execute(f"""
            INSERT INTO _masques
            WITH parts AS (
                SELECT _rid, colonne, valeur,
                       (_rid, colonne) IN (SELECT (_rid, colonne) FROM _masques) AS masque
                FROM (UNPIVOT (SELECT _rid, {parts} FROM _lignes) ON {parts}
                      INTO NAME colonne VALUE valeur)
            ), comptes AS (
                SELECT *, count(*) FILTER (WHERE masque) OVER (PARTITION BY _rid) AS nb_masques FROM parts
            )
            SELECT _rid, colonne, '{SECONDARY}' FROM comptes
            WHERE nb_masques = 1 AND NOT masque AND valeur > 0
            QUALIFY row_number() OVER (PARTITION BY _rid ORDER BY valeur, colonne) = 1""")


def mask_derived(con: duckdb.DuckDBPyConnection, rule: TableRule) -> None:
    for count, figures in rule.comptes.items():
        for figure in figures:
            con.execute(f"""
                INSERT INTO _masques SELECT DISTINCT m._rid, '{figure}', '{DERIVED}' FROM _masques m
                WHERE m.colonne = '{count}' AND NOT EXISTS (
                    SELECT 1 FROM _masques x WHERE x._rid = m._rid AND x.colonne = '{figure}')""")


def mask_breakdown(con: duckdb.DuckDBPyConnection, breakdown: Breakdown) -> None:
    """In a group with exactly one masked row, mask the same cells of the next smallest row."""
    group = ", ".join(breakdown.groupe)
    con.execute(f"""
        INSERT INTO _masques
        WITH lignes AS (
            SELECT _rid, {group}, {breakdown.ordre} AS ordre,
                   _rid IN (SELECT _rid FROM _masques) AS masquee
            FROM _lignes WHERE {breakdown.lignes}
        ), groupes AS (
            SELECT *, count(*) FILTER (WHERE masquee) OVER (PARTITION BY {group}) AS nb_masquees
            FROM lignes
        ), seule AS (
            SELECT _rid AS seule_rid, {group} FROM groupes WHERE nb_masquees = 1 AND masquee
        ), voisine AS (
            SELECT _rid, {group} FROM groupes WHERE nb_masquees = 1 AND NOT masquee AND ordre > 0
            QUALIFY row_number() OVER (PARTITION BY {group} ORDER BY ordre, _rid) = 1
        )
        SELECT v._rid, m.colonne, '{SECONDARY}'
        FROM voisine v JOIN seule s USING ({group}) JOIN _masques m ON m._rid = s.seule_rid""")


def mask_unclassified(con: duckdb.DuckDBPyConnection, rule: TableRule, columns: list[str]) -> None:
    """A column its table's declaration does not classify is not published (fail closed)."""
    for column in columns:
        if not rule.classifies(column):
            con.execute(f"INSERT INTO _masques SELECT _rid, '{column}', '{UNCLASSIFIED}' FROM _lignes")


def compute_masks(con: duckdb.DuckDBPyConnection, source: str, key: list[str], measures: list[str],
                  rule: TableRule, threshold: int) -> None:
    """Fill the temporary tables ``_lignes`` (the rows of ``source``) and ``_masques``."""
    order = ", ".join(key) if key else "ALL"
    con.execute(f"CREATE OR REPLACE TEMP TABLE _lignes AS "
                f"SELECT row_number() OVER (ORDER BY {order}) AS _rid, * FROM {source}")
    con.execute("CREATE OR REPLACE TEMP TABLE _masques (_rid BIGINT, colonne VARCHAR, type VARCHAR)")
    mask_primary(con, rule, threshold)
    mask_partitions(con, rule)
    mask_derived(con, rule)
    if rule.ventilation:
        mask_breakdown(con, rule.ventilation)
    mask_unclassified(con, rule, measures)


# --- writing public.<t> and the log ---------------------------------------------------------

def create_public_table(con: duckdb.DuckDBPyConnection, table: str, columns: list[tuple[str, str]],
                        key: list[str]) -> None:
    """Same columns, types and order as the indicator table; measures nullable; ``secret`` last."""
    lines = [f"{name} {sql_type}{' NOT NULL' if name in key else ''}" for name, sql_type in columns]
    lines.append("secret BOOLEAN NOT NULL")
    if key:
        lines.append(f"PRIMARY KEY ({', '.join(key)})")
    con.execute(f"CREATE OR REPLACE TABLE public.{table} (\n    " + ",\n    ".join(lines) + "\n)")


def insert_masked_rows(con: duckdb.DuckDBPyConnection, table: str, columns: list[str], key: list[str]) -> None:
    cells = [c if c in key else f"CASE WHEN list_contains(m.colonnes, '{c}') THEN NULL ELSE l.{c} END AS {c}"
             for c in columns]
    con.execute(f"""
        INSERT INTO public.{table} BY NAME
        SELECT {', '.join(cells)}, m._rid IS NOT NULL AS secret
        FROM _lignes l
        LEFT JOIN (SELECT _rid, list(colonne) AS colonnes FROM _masques GROUP BY _rid) m USING (_rid)""")


def log_masks(con: duckdb.DuckDBPyConnection, table: str, key: list[str], threshold: int) -> int:
    con.execute("DELETE FROM qualite.secret_statistique WHERE table_name = ?", [table])
    con.execute(f"""
        INSERT INTO qualite.secret_statistique BY NAME
        SELECT ? AS table_name, {key_text(key, 'l.')} AS cle, m.colonne, m.type, ? AS seuil
        FROM _masques m JOIN _lignes l USING (_rid)""", [table, threshold])
    return con.execute("SELECT count(*) FROM _masques").fetchone()[0]


def publish_table(con: duckdb.DuckDBPyConnection, table: str, layout: Layout, rule: TableRule,
                  threshold: int) -> int:
    """Write ``public.<table>`` from ``indicateurs.<table>`` (of that ``layout``); returns the number
    of masked cells."""
    columns, names, key = layout.columns, layout.names, layout.key
    compute_masks(con, f"indicateurs.{table}", key, [c for c in names if c not in key], rule, threshold)
    create_public_table(con, table, columns, key)
    insert_masked_rows(con, table, names, key)
    masked = log_masks(con, table, key, threshold)
    con.execute("DROP TABLE _lignes; DROP TABLE _masques")
    return masked


def publish_indicators(con: duckdb.DuckDBPyConnection, rules: dict[str, TableRule],
                       threshold: int) -> dict[str, int]:
    """Every table of ``indicateurs`` into ``public``, in one transaction; masked cells per table."""
    con.execute(LOG_DDL)
    with transaction(con):
        return {table: publish_table(con, table, layout, rules.get(table, TableRule()), threshold)
                for table, layout in schema_layout(con, "indicateurs").items()}


# --- the quality tables of public -----------------------------------------------------------

def masked_in_public(con: duckdb.DuckDBPyConnection, indicator: str, structure_id: str | None,
                     year: int) -> bool:
    """Whether the public cells a published figure is compared with include a masked one."""
    match = INDICATOR.match(indicator)
    if not match or match["table"] not in schema_tables(con, "indicateurs"):
        return False
    conditions, params = figure_rows(match, structure_id, year)
    conditions += [f"{match['measure']} IS NULL", "secret"]
    return con.execute(f"SELECT count(*) > 0 FROM public.{match['table']} WHERE {' AND '.join(conditions)}",
                       params).fetchone()[0]


def publish_reconciliation(con: duckdb.DuckDBPyConnection, threshold: int) -> int:
    """``public.rapprochement``: the computed value and gap hidden where the public cells are."""
    con.execute(LOG_DDL)
    with transaction(con):
        con.execute(read_sql("public__rapprochement"))
        figures = con.execute("SELECT indicateur, structure_id, annee FROM public.rapprochement").fetchall()
        masked = [figure for figure in figures if masked_in_public(con, *figure)]
        con.execute("DELETE FROM qualite.secret_statistique WHERE table_name = 'rapprochement'")
        for indicator, structure_id, year in masked:
            con.execute("UPDATE public.rapprochement SET calcule = NULL, ecart = NULL, secret = TRUE "
                        "WHERE indicateur = ? AND structure_id IS NOT DISTINCT FROM ? AND annee = ?",
                        [indicator, structure_id, year])
            cle = f"indicateur={indicator}, structure_id={structure_id or ''}, annee={year}"
            con.executemany("INSERT INTO qualite.secret_statistique (table_name, cle, colonne, type, seuil) "
                            "VALUES ('rapprochement', ?, ?, ?, ?)",
                            [[cle, column, DERIVED, threshold] for column in ("calcule", "ecart")])
    return len(masked)


def publish_load_log(con: duckdb.DuckDBPyConnection) -> int:
    """``public.qualite_chargement``: the load log per source, without file names."""
    con.execute(LOG_DDL)
    with transaction(con):
        con.execute(read_sql("public__qualite_chargement"))
    return con.execute("SELECT count(*) FROM public.qualite_chargement").fetchone()[0]
