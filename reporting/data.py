"""Reads the report's figures: only the `public` schema (secrecy applied) and `ref` labels."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from reporting.numbers import Cell, cell
from warehouse.catalogue import schema_entries
from warehouse.db import schema_tables, table_exists


class NoPublicLayer(Exception):
    pass


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def where(filters: dict, extra: str = "TRUE") -> tuple[str, list]:
    """SQL conditions and parameters of a YAML filter (column -> value or list of values)."""
    clauses, params = [extra], []
    for column, wanted in (filters or {}).items():
        values = wanted if isinstance(wanted, list) else [wanted]
        clauses.append(f"{quoted(column)} IN ({', '.join('?' for _ in values)})")
        params.extend(str(v) for v in values)
    return " AND ".join(clauses), params


def check_public_layer(con: duckdb.DuckDBPyConnection) -> None:
    if not schema_tables(con, "public"):
        raise NoPublicLayer("L'entrepôt n'a pas de couche publique (schéma public) : lancez d'abord "
                            "« observatoire refresh ».")


def applied_threshold(con: duckdb.DuckDBPyConnection) -> int | None:
    """The secrecy threshold the warehouse's public layer was built with, as its log says."""
    if not table_exists(con, "qualite", "secret_statistique"):
        return None
    return con.execute("SELECT max(seuil) FROM qualite.secret_statistique").fetchone()[0]


def years_with_data(con: duckdb.DuckDBPyConnection) -> list[int]:
    tables = con.execute("SELECT table_name FROM information_schema.columns "
                         "WHERE table_schema = 'public' AND column_name = 'annee'").fetchall()
    years: set[int] = set()
    for (table,) in tables:
        years.update(y for (y,) in con.execute(
            f"SELECT DISTINCT annee FROM public.{quoted(table)} WHERE annee IS NOT NULL").fetchall())
    return sorted(years)


@dataclass
class Labels:
    """French names of codes (structures, communes, others from the YAML) and of columns."""

    codes: dict[str, str]
    columns: dict[tuple[str, str], tuple[str, str, str]] = field(default_factory=dict)

    def code(self, code) -> str:
        return self.codes.get(str(code), str(code))

    def column(self, table: str, column: str | None) -> str:
        """The label of a public column; with no column, the table's."""
        return self.columns.get((table, column), (column or table, "", ""))[0]

    def definition(self, table: str, column: str) -> tuple[str, str, str]:
        """(label, definition, unit) of a public column."""
        return self.columns.get((table, column), (column, "", ""))


def labels(con: duckdb.DuckDBPyConnection, extra: dict[str, str], declared: bool = False) -> Labels:
    """The codes' names and the public columns' labels: those of ref.catalogue, or, ``declared``,
    those the catalogue will write there (a build's draft, rendered before the catalogue step)."""
    codes = dict(con.execute("SELECT structure_id, libelle FROM ref.structures").fetchall())
    codes.update(con.execute("SELECT code_commune, nom FROM ref.communes").fetchall())
    codes.update({str(k): v for k, v in extra.items()})
    rows = ([(table, column, e.libelle, e.definition, e.unite) for (table, column), e in
             schema_entries(con, "public").items()] if declared else con.execute(
        "SELECT table_name, column_name, libelle, definition, unite FROM ref.catalogue "
        "WHERE schema_name = 'public'").fetchall())
    return Labels(codes, {(table, column): (libelle, definition or "", unite or "")
                          for table, column, libelle, definition, unite in rows})


def series(con: duckdb.DuckDBPyConnection, table: str, measure: str, by: str | None,
           filters: dict, first: int, last: int) -> dict[str, dict[int, Cell]]:
    """{series code: {year: cell}} of one measure, years first..last."""
    key = quoted(by) if by else "''"
    condition, params = where(filters, "annee BETWEEN ? AND ?")
    rows = con.execute(
        f"SELECT {key}, annee, {quoted(measure)}, secret FROM public.{quoted(table)} "
        f"WHERE {condition} ORDER BY 1, 2", [first, last, *params]).fetchall()
    found: dict[str, dict[int, Cell]] = {}
    for code, year, value, secret in rows:
        found.setdefault(str(code), {})[year] = cell(value, secret)
    return found


def row_of_year(con: duckdb.DuckDBPyConnection, table: str, columns: list[str], by: str | None,
                filters: dict, year: int) -> dict[str, dict[str, Cell | str]]:
    """{series code: {column: cell}} of one year; text columns stay text."""
    key = quoted(by) if by else "''"
    condition, params = where(filters, "annee = ?")
    selected = ", ".join(quoted(c) for c in columns)
    rows = con.execute(f"SELECT {key}, {selected}, secret FROM public.{quoted(table)} "
                       f"WHERE {condition}", [year, *params]).fetchall()
    return {str(row[0]): {c: v if isinstance(v, str) else cell(v, row[-1])
                          for c, v in zip(columns, row[1:-1])} for row in rows}


REFERENCE_YEARS = {  # how a ref table's rows in force in a year are found
    "annee": "annee = $annee",
    "millesime": "annee = (SELECT max(annee) FROM ref.{table} WHERE annee <= $annee)",
    "periode": "annee_debut <= $annee AND (annee_fin IS NULL OR $annee <= annee_fin)",
}


def reference_sources(con: duckdb.DuckDBPyConnection, table: str, years: str, year: int) -> list[str]:
    """The distinct `source` texts of a ref table's rows in force in ``year``."""
    has_source = con.execute("SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'ref' AND table_name = ? "
                             "AND column_name = 'source'", [table]).fetchone()[0]
    if not has_source:
        return []
    condition = REFERENCE_YEARS[years].format(table=quoted(table))
    return [source for (source,) in con.execute(
        f"SELECT DISTINCT source FROM ref.{quoted(table)} WHERE {condition} AND source IS NOT NULL "
        "ORDER BY source", {"annee": year}).fetchall()]


def latest_year(con: duckdb.DuckDBPyConnection, table: str, filters: dict, year: int) -> int | None:
    condition, params = where(filters, "annee <= ?")
    return con.execute(f"SELECT max(annee) FROM public.{quoted(table)} WHERE {condition}",
                       [year, *params]).fetchone()[0]


def by_commune(con: duckdb.DuckDBPyConnection, table: str, column: str, commune: str,
               filters: dict, year: int) -> dict[str, Cell]:
    condition, params = where(filters, "annee = ?")
    rows = con.execute(f"SELECT {quoted(commune)}, {quoted(column)}, secret FROM public.{quoted(table)} "
                       f"WHERE {condition}", [year, *params]).fetchall()
    return {str(code): cell(value, secret) for code, value, secret in rows}


def member_communes(con: duckdb.DuckDBPyConnection, year: int) -> list[tuple[str, str, int | None]]:
    """(code, name, municipal population of the latest vintage up to the year) of the CC's communes."""
    return con.execute("""
        SELECT c.code_commune, c.nom,
               (SELECT p.population_municipale FROM ref.communes_population p
                WHERE p.code_commune = c.code_commune AND p.annee <= ?
                ORDER BY p.annee DESC LIMIT 1)
        FROM ref.communes c WHERE c.membre_cc ORDER BY c.nom""", [year]).fetchall()


def ctg_axes(con: duckdb.DuckDBPyConnection) -> tuple[str, dict[str, str]]:
    """The latest CTG convention and its axes' titles."""
    convention = con.execute("SELECT max(convention) FROM ref.ctg_axes").fetchone()[0]
    return convention, dict(con.execute(
        "SELECT axe, libelle FROM ref.ctg_axes WHERE convention = ? ORDER BY axe",
        [convention]).fetchall())


def ctg_follow_up_year(con: duckdb.DuckDBPyConnection, year: int) -> int | None:
    return con.execute("SELECT max(annee) FROM public.ctg_suivi WHERE annee <= ?", [year]).fetchone()[0]


def ctg_actions(con: duckdb.DuckDBPyConnection, year: int) -> list[dict]:
    return records(con, """
        SELECT s.axe, s.code_action, s.libelle, s.remarque, s.periode,
               coalesce(r.libelle, s.realisation) AS realisation, s.realisation AS realisation_code,
               o.libelle AS objectif
        FROM public.ctg_suivi s
        LEFT JOIN ref.ctg_nomenclature r ON r.variable = 'realisation' AND r.code = s.realisation
        LEFT JOIN ref.ctg_nomenclature o ON o.variable = 'objectif' AND o.code = s.objectif
        WHERE s.annee = ? ORDER BY s.axe, s.code_action""", [year])


def ctg_synthesis(con: duckdb.DuckDBPyConnection, year: int) -> list[dict]:
    return records(con, """
        SELECT * FROM public.ctg_synthese WHERE annee = ?
        ORDER BY axe = 'ensemble', axe""", [year])


def reconciliation(con: duckdb.DuckDBPyConnection) -> list[dict]:
    return records(con, "SELECT * FROM public.rapprochement ORDER BY indicateur, structure_id, annee")


def loading_quality(con: duckdb.DuckDBPyConnection) -> list[dict]:
    return records(con, "SELECT * FROM public.qualite_chargement ORDER BY source")


def records(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]
