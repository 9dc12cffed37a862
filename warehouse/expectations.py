"""Great Expectations on the public tables, and its Data Docs as the readable quality report.

The expectations are plain data built from the warehouse and the secrecy rules (tested
without Great Expectations); :func:`validate_public` runs them and writes the Data Docs.

Importing Great Expectations costs about 4.5 s, more than the rest of a small refresh's checks.
When a refresh begins, its second process (warehouse/worker.py, assets/background.py)
imports Great Expectations on the other core while the sources load, and validates the public
tables (sent to it as data frames) when they are ready. Without that process (or if it died),
the validation runs in the calling process, with the same result.
"""

from __future__ import annotations

import atexit
import datetime as dt
import html
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from warehouse import worker
from warehouse.catalogue import schema_entries
from warehouse.db import Layout, schema_layout
from warehouse.exports import field_type
from warehouse.secrecy import TableRule

FIRST_YEAR = 2000
SITE = "rapport_qualite"


@dataclass(frozen=True)
class Expectation:
    kind: str          # the class name in great_expectations.expectations
    kwargs: dict
    description: str   # French, shown in the report


def all_column_labels(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """The French labels of the public tables' columns (the catalogue's), by table, to write the
    checks in words."""
    labels: dict[str, dict[str, str]] = {}
    for (table, column), entry in schema_entries(con, "public").items():
        if column is not None:
            labels.setdefault(table, {})[column] = entry.libelle
    return labels


def in_text(label: str) -> str:
    """A label inside a sentence: « Année » becomes « année », an acronym stays as it is."""
    return label[0].lower() + label[1:] if label[1:2].islower() else label


def enumeration(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} et {words[-1]}"


def key_expectations(key: list[str], labels: dict[str, str] | None = None) -> list[Expectation]:
    """One row per key (the key columns and ``secret`` are NOT NULL in their DDL)."""
    if not key:
        return []
    named = enumeration([in_text((labels or {}).get(column, column)) for column in key])
    if len(key) == 1:
        return [Expectation("ExpectColumnValuesToBeUnique", {"column": key[0]}, f"une seule ligne par {named}")]
    return [Expectation("ExpectCompoundColumnsToBeUnique", {"column_list": key},
                        f"une seule ligne par {named}")]


def range_expectations(columns: list[tuple[str, str]], measures: set[str], last_year: int,
                       labels: dict[str, str] | None = None) -> list[Expectation]:
    """Years and months in range; ``measures`` never negative."""
    found = []
    for name, sql_type in columns:
        if name == "annee":
            found.append(Expectation("ExpectColumnValuesToBeBetween",
                                     {"column": name, "min_value": FIRST_YEAR, "max_value": last_year},
                                     f"l'année est comprise entre {FIRST_YEAR} et {last_year}"))
        elif name == "mois":
            found.append(Expectation("ExpectColumnValuesToBeBetween",
                                     {"column": name, "min_value": 1, "max_value": 12},
                                     "le mois est compris entre 1 et 12"))
        elif name in measures:
            found.append(Expectation("ExpectColumnValuesToBeBetween", {"column": name, "min_value": 0},
                                     f"aucune valeur négative dans « {(labels or {}).get(name, name)} »"))
    return found


def secrecy_expectations(rule: TableRule, threshold: int, labels: dict[str, str] | None = None) -> list[Expectation]:
    """No count of persons from 1 to threshold - 1 is visible."""
    small = list(range(1, threshold))
    return [Expectation("ExpectColumnValuesToNotBeInSet", {"column": count, "value_set": small},
                        f"secret statistique : aucune valeur de 1 à {threshold - 1} visible dans "
                        f"« {(labels or {}).get(count, count)} »")
            for count in rule.comptes if small]


def table_expectations(table: str, layout: Layout, indicator: Layout | None, labels: dict[str, str],
                       rule: TableRule, threshold: int, last_year: int) -> list[Expectation]:
    """The expectations of one public table; ``indicator``: the layout of the indicator table it
    publishes, if it is one."""
    found = key_expectations(layout.key, labels)
    if indicator is not None:
        found.append(Expectation("ExpectTableColumnsToMatchOrderedList", {"column_list": indicator.names + ["secret"]},
                                 "les colonnes de la table d'indicateurs, dans l'ordre, puis secret"))
        measures = {*rule.comptes, *(d for figures in rule.comptes.values() for d in figures)}
        found += range_expectations(layout.columns, measures, last_year, labels)
        found += secrecy_expectations(rule, threshold, labels)
    else:  # the quality tables: their counts
        found += range_expectations(layout.columns, {n for n, t in layout.columns if field_type(t) == "integer"},
                                    last_year, labels)
    return found


def public_expectations(con: duckdb.DuckDBPyConnection, rules: dict[str, TableRule],
                        threshold: int) -> dict[str, list[Expectation]]:
    last_year = dt.date.today().year + 1
    indicators = schema_layout(con, "indicateurs")
    labels = all_column_labels(con)
    return {table: table_expectations(table, layout, indicators.get(table), labels.get(table, {}),
                                      rules.get(table, TableRule()), threshold, last_year)
            for table, layout in schema_layout(con, "public").items()}


def _context(docs_dir: Path):
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig, InMemoryStoreBackendDefaults, ProgressBarsConfig)

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False, progress_bars=ProgressBarsConfig(globally=False))
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.add_data_docs_site(SITE, {
        "class_name": "SiteBuilder",
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        # the validation pages only: a suite's page repeats its validation's without the results
        "site_section_builders": {"expectations": "0", "profiling": "0"},
    })
    return context


@dataclass(frozen=True)
class Outcome:
    table: str
    description: str
    passed: bool
    values: object  # the unexpected values (a sample) or the observed value

    def failure(self) -> str:
        return f"public.{self.table} : {self.description} (valeurs : {self.values})"


def plain(values: object) -> object:
    """numpy scalars as Python values, for a readable message."""
    if isinstance(values, list):
        return [v.item() if hasattr(v, "item") else v for v in values]
    return values


def _warm_up(folder: Path) -> None:
    """Validate a one-row frame: Great Expectations imported, and the modules it imports on
    first use (expectations, renderers of the Data Docs) loaded before the real validation."""
    run_expectations({"essai": [Expectation("ExpectColumnValuesToBeBetween", {"column": "annee", "min_value": 0},
                                            "échauffement")]},
                     {"essai": pd.DataFrame({"annee": [2022]})}, 5, folder)


def warm_up_in_worker() -> None:
    """Have the worker process (warehouse/worker.py) import Great Expectations now. Its Data Docs
    go into a folder this process removes when it ends: a worker stopped in the middle of its
    warm-up (a refresh interrupted) removes nothing."""
    folder = tempfile.mkdtemp(prefix="observatoire-gx-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    worker.submit(_warm_up, Path(folder))


def submit_validation(con: duckdb.DuckDBPyConnection, rules: dict[str, TableRule], threshold: int,
                      docs_dir: Path) -> Callable[[], list[str]]:
    """Start validating every public table as it is now; the returned function waits for the
    failures, in French. The worker validates while the caller goes on; without a worker, the
    validation runs when waited for. Either writes the Data Docs and a summary into ``docs_dir``."""
    expectations = public_expectations(con, rules, threshold)  # every table of public
    frames = {table: con.sql(f"SELECT * FROM public.{table}").df() for table in expectations}
    return worker.submit(run_expectations, expectations, frames, threshold, docs_dir)


def validate_public(con: duckdb.DuckDBPyConnection, rules: dict[str, TableRule], threshold: int,
                    docs_dir: Path) -> list[str]:
    """Validate every public table and wait for the failures (see :func:`submit_validation`)."""
    return submit_validation(con, rules, threshold, docs_dir)()


def run_expectations(expectations: dict[str, list[Expectation]], frames: dict[str, pd.DataFrame],
                     threshold: int, docs_dir: Path) -> list[str]:
    """Run each table's expectations on its frame with Great Expectations; the failures. The Data
    Docs and the summary replace what ``docs_dir`` held."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    shutil.rmtree(docs_dir, ignore_errors=True)  # no page left from an earlier validation
    context = _context(docs_dir)
    source = context.data_sources.add_pandas("public")
    outcomes = []
    for table, table_expectations in expectations.items():
        batch = source.add_dataframe_asset(table).add_batch_definition_whole_dataframe(table)
        suite = context.suites.add(gx.ExpectationSuite(name=table, expectations=[
            getattr(gxe, e.kind)(**e.kwargs, description=e.description) for e in table_expectations]))
        definition = context.validation_definitions.add(gx.ValidationDefinition(name=table, data=batch, suite=suite))
        result = definition.run(batch_parameters={"dataframe": frames[table]}, result_format="BASIC")
        outcomes += [Outcome(table, r.expectation_config.description, r.success, plain(
                             r.result.get("partial_unexpected_list", r.result.get("observed_value"))))
                     for r in result.results]
    context.build_data_docs(site_names=[SITE])
    write_summary(outcomes, docs_dir, threshold)
    return [o.failure() for o in outcomes if not o.passed]


SUMMARY_STYLE = ("body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse;"
                 "margin-bottom:1.5em}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}"
                 ".ok{color:#1a7f37}.echec{color:#b42318;font-weight:bold}")


def write_summary(outcomes: list[Outcome], docs_dir: Path, threshold: int) -> Path:
    """``resume.html``: the results in French, readable offline (the Data Docs load their styles
    and their index from the internet), with a link to each table's Data Docs page."""
    failed = sum(not o.passed for o in outcomes)
    parts = [f"<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>Rapport de qualité des "
             f"tables publiques</title><style>{SUMMARY_STYLE}</style></head><body>",
             "<h1>Rapport de qualité des tables publiques</h1>",
             f"<p>{len(outcomes)} contrôles, <span class='{'echec' if failed else 'ok'}'>{failed} en échec"
             f"</span>. Le secret statistique veut qu'aucun compte de personnes de 1 à {threshold - 1} ne "
             "soit visible. Détail de chaque contrôle (Great Expectations, mise en page chargée depuis "
             "internet) : <a href='index.html'>index.html</a>.</p>",
             *(f"<p class='echec'>{html.escape(o.failure())}</p>" for o in outcomes if not o.passed)]
    for table in dict.fromkeys(o.table for o in outcomes):
        pages = sorted((docs_dir / "validations" / table).rglob("*.html"))
        link = f" (<a href='{pages[-1].relative_to(docs_dir).as_posix()}'>détail</a>)" if pages else ""
        rows = "".join(
            f"<tr><td>{html.escape(o.description)}</td><td class='{'ok' if o.passed else 'echec'}'>"
            f"{'conforme' if o.passed else 'ÉCHEC : ' + html.escape(str(o.values))}</td></tr>"
            for o in outcomes if o.table == table)
        parts.append(f"<h2>public.{table}{link}</h2><table><tr><th>contrôle</th><th>résultat</th></tr>"
                     f"{rows}</table>")
    path = docs_dir / "resume.html"
    path.write_text("".join(parts) + "</body></html>\n", encoding="utf-8")
    return path
