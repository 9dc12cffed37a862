"""The yearly report: figures of the `public` layer laid out along the CTG's axes, as HTML."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

import duckdb
import jinja2
from markupsafe import Markup

from reporting import data
from reporting.campaign import MISSING_MONTH, campaign_annex, missing_notes
from reporting.charts import Line, bar_chart, ctg_bars
from reporting.numbers import (ABSENT, MISSING, RUPTURE, Cell, Evolution, Format, cell, evolution,
                               french)
from warehouse import read_yaml, settings
from warehouse.territory import territory

PACKAGE_DIR = Path(__file__).parent


def config() -> dict:
    """The territory's own report configuration (rapport.yaml of its reference folder, written by
    `observatoire territoire init`) when it has one, else the project's."""
    return _config(next(p for p in (settings.ref_dir() / "rapport.yaml", PACKAGE_DIR / "rapport.yaml")
                        if p.exists()))


@cache
def _config(path: Path) -> dict:
    return read_yaml(path)

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre"]


class UnknownYear(Exception):
    pass


def column_format(column: str) -> Format:
    return Format(**config()["formats"].get(column, {}))


def french_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


@dataclass
class SeriesRow:
    label: str
    cells: list[str]
    since_reference: Evolution
    over_one_year: Evolution


@dataclass
class Indicator:
    id: str
    titre: str
    texte: str
    unite: str
    last_year: int | None
    years: list[int] = field(default_factory=list)
    since_reference: bool = False  # the reference year is in the series and before the last
    chart: Markup = Markup("")
    rows: list[SeriesRow] = field(default_factory=list)
    detail_headers: list[str] = field(default_factory=list)
    detail_rows: list[tuple[str, list[str]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # footnotes of the notes


@dataclass
class Tile:
    libelle: str
    valeur: str
    annee: int
    evolution: Evolution
    note: str = ""


@dataclass
class Context:
    """What every part of the report needs: the connection, the years, the labels."""

    con: duckdb.DuckDBPyConnection
    year: int
    labels: data.Labels
    reference: int = field(default_factory=lambda: config()["annee_reference"])
    minimum_base: int = field(default_factory=lambda: config()["base_minimale"])

    @property
    def years(self) -> list[int]:
        return list(range(min(self.reference, self.year), self.year + 1))


def series_label(ctx: Context, spec: dict, code: str) -> str:
    return spec.get("series_libelle") or ctx.labels.code(code)


def ordered_codes(spec: dict, found: dict) -> list[str]:
    wanted = (spec.get("filtre") or {}).get(spec.get("series"), [])
    order = [str(c) for c in (wanted if isinstance(wanted, list) else [wanted])]
    return [c for c in order if c in found] + sorted(c for c in found if c not in order)


def indicator(ctx: Context, spec: dict) -> tuple[Indicator, Tile | None]:
    table, measure, fmt = spec["table"], spec["mesure"], column_format(spec["mesure"])
    found = data.series(ctx.con, table, measure, spec.get("series"), spec.get("filtre"),
                        ctx.years[0], ctx.year)
    codes = ordered_codes(spec, found)
    with_data = sorted({y for c in codes for y, v in found[c].items() if v.known or v.masked})
    view = Indicator(spec["id"], spec["titre"], spec["texte"], spec["unite"],
                     with_data[-1] if with_data else None)
    if not with_data:
        view.notes.append(f"Aucune donnée de {ctx.years[0]} à {ctx.year}.")
        return view, None
    view.years = [y for y in ctx.years if y >= with_data[0]]
    view.since_reference = view.years[0] == ctx.reference < view.last_year
    changes = Changes(ctx, spec)
    lines = [Line(series_label(ctx, spec, c), found[c]) for c in codes]
    view.chart = Markup(bar_chart(f"{spec['titre']} ({spec['unite']})", view.years, lines, fmt))
    last = view.last_year
    view.rows = [SeriesRow(line.label, [fmt(line.cells.get(y, ABSENT)) for y in view.years],
                           changes(line.cells, ctx.reference, last), changes(line.cells, last - 1, last))
                 for line in lines]
    add_detail(ctx, spec, view, codes)
    view.notes += missing_notes(ctx.con, table, view.years, (spec.get("filtre") or {}).get("structure_id"))
    if last < ctx.year:
        view.notes.append(f"Pas encore de donnée pour {ctx.year} : la dernière année connue est {last}.")
    if spec.get("note"):
        view.notes.append(spec["note"])
    return view, tile(ctx, spec, lines, last, changes)


@dataclass
class Changes:
    """The evolution rules of one indicator: its mode, the minimum base, its break in series."""

    ctx: Context
    spec: dict

    def __call__(self, cells: dict[int, Cell], base: int, last: int) -> Evolution:
        rupture = self.spec.get("rupture")
        if rupture and base < rupture <= last:
            return Evolution(RUPTURE)
        return evolution(cells.get(base, ABSENT), cells.get(last, ABSENT),
                         self.spec.get("evolution", "pourcentage"), self.ctx.minimum_base, (base, last))


def add_detail(ctx: Context, spec: dict, view: Indicator, codes: list[str]) -> None:
    columns = [spec["mesure"], *spec.get("detail", [])]
    note_column = spec.get("note_colonne")
    rows = data.row_of_year(ctx.con, spec["table"], columns + ([note_column] if note_column else []),
                            spec.get("series"), spec.get("filtre"), view.last_year)
    headers = spec.get("entetes", {})
    view.detail_headers = [headers.get(c) or ctx.labels.column(spec["table"], c) for c in columns]
    for code in codes:
        if code not in rows:
            continue
        view.detail_rows.append((series_label(ctx, spec, code),
                                 [column_format(c)(rows[code][c]) for c in columns]))
        if note_column and rows[code][note_column]:
            add_note(ctx, view, spec["notes_valeurs"].get(rows[code][note_column]))


def add_note(ctx: Context, view: Indicator, note: dict | None) -> None:
    """A note said in words, its sources (the ref files it comes from) as footnotes."""
    if not note:
        return
    found = [f"{source['libelle']} : {text}" for source in note.get("sources", [])
             for text in data.reference_sources(ctx.con, source["table"], source["annees"], view.last_year)]
    view.sources += [text for text in found if text not in view.sources]
    calls = ",".join(str(view.sources.index(text) + 1) for text in dict.fromkeys(found))
    view.notes.append(Markup.escape(" ".join(note["texte"].split()))
                      + (Markup('<sup class="renvoi">{}</sup>').format(calls) if calls else ""))


def tile(ctx: Context, spec: dict, lines: list[Line], last: int, changes: Changes) -> Tile | None:
    key = spec.get("chiffre_cle")
    if not key:
        return None
    current = [line for line in lines if last in line.cells]
    missing = [line.label for line in lines if last not in line.cells]
    sums = {year: total([line.cells.get(year, ABSENT) for line in current])
            for year in (ctx.reference, last)}
    lacking = [line.label for line in lines if ctx.reference not in line.cells]
    change = Evolution(MISSING, reason=f"pas de donnée en {ctx.reference} pour {', '.join(lacking)}") \
        if lacking else changes(sums, ctx.reference, last)
    note = f"Pas de donnée en {last} pour {', '.join(missing)} : non compté." if missing else ""
    return Tile(key["libelle"], column_format(spec["mesure"])(sums[last]), last, change, note)


def total(cells: list[Cell]) -> Cell:
    """The sum of cells: masked when one is masked, absent when one is absent."""
    if any(c.masked for c in cells):
        return Cell(None, masked=True)
    if not cells or not all(c.known for c in cells):
        return ABSENT
    return Cell(sum((c.value for c in cells), Decimal(0)))


def axes(ctx: Context, follow_up_year: int | None) -> tuple[list[dict], list[Tile]]:
    convention, titles = data.ctg_axes(ctx.con)
    actions = data.ctg_actions(ctx.con, follow_up_year) if follow_up_year else []
    views, tiles = [], []
    for spec in config()["axes"]:
        indicators = []
        for indicator_spec in spec["indicateurs"]:
            view, key = indicator(ctx, indicator_spec)
            indicators.append(view)
            tiles += [key] if key else []
        views.append({"code": spec["axe"], "titre": titles.get(spec["axe"], spec["theme"]),
                      "theme": spec["theme"], "convention": convention,
                      "sans_indicateur": spec.get("sans_indicateur", ""), "indicateurs": indicators,
                      "actions": [a for a in actions if a["axe"] == spec["axe"]]})
    return views, tiles


def ctg_synthesis(ctx: Context, year: int | None, titles: dict[str, str]) -> dict:
    if year is None:
        return {}
    rows = data.ctg_synthesis(ctx.con, year)
    bars = [{"nom": "Ensemble" if r["axe"] == "ensemble" else f"Axe {r['axe']}",
             "total": r["nb_actions"] or 0,
             "comptes": [("realise", r["nb_realisees"]), ("partiel", r["nb_partielles"]),
                         ("non_realise", r["nb_non_realisees"])]} for r in rows]
    for row in rows:
        row["titre"] = titles.get(row["axe"], row["libelle_axe"])
        row["part"] = column_format("part_realisees")(cell(row["part_realisees"], row["secret"]))
    return {"annee": year, "lignes": rows, "graphique": Markup(ctg_bars(bars))}


def commune_table(ctx: Context) -> dict:
    """One row per member commune (then the codes outside them), one column per YAML entry.

    With `absente_vaut_zero`, a member commune without a row in a table that has rows that year
    had nobody: it shows 0.
    """
    columns, values = [], []
    for spec in config()["communes"]:
        year = data.latest_year(ctx.con, spec["table"], spec.get("filtre"), ctx.year)
        columns.append(spec["entete"] + (f" ({year})" if year and year != ctx.year else ""))
        found = {} if year is None else data.by_commune(
            ctx.con, spec["table"], spec["colonne"], spec["commune"], spec.get("filtre"), year)
        nobody = Cell(Decimal(0)) if year is not None and spec.get("absente_vaut_zero") else ABSENT
        values.append((found, nobody, column_format(spec["colonne"])))
    communes = data.member_communes(ctx.con, ctx.year)
    known = {code for code, _, _ in communes}
    others = sorted({code for found, _, _ in values for code in found if code not in known})
    rows = [(name, french(Decimal(population)) if population else MISSING,
             [fmt(found.get(code, nobody)) for found, nobody, fmt in values])
            for code, name, population in communes]
    rows += [(ctx.labels.code(code), "", [fmt(found.get(code, ABSENT)) for found, _, fmt in values])
             for code in others]
    return {"colonnes": columns, "lignes": rows, "note": config()["communes_note"]}


INDICATOR_NAME = re.compile(r"^(?P<table>\w+)\.(?P<column>\w+)(\[(?P<filter>[^\]]*)\])?$")


def reconciliation(ctx: Context) -> list[dict]:
    rows = data.reconciliation(ctx.con)
    for row in rows:
        match = INDICATOR_NAME.match(row["indicateur"] or "")
        name = row["indicateur"]
        if match:
            name = (f"{ctx.labels.column(match['table'], None)} : "
                    f"{ctx.labels.column(match['table'], match['column']).lower()}")
            if match["filter"]:
                column, _, value = match["filter"].partition("=")
                name += f" ({ctx.labels.column(match['table'], column).lower()} {value})"
        row["libelle"] = name
        row["structure"] = ctx.labels.code(row["structure_id"]) if row["structure_id"] else "—"
        for column in ("attendu", "calcule", "ecart"):
            row[column] = Format(decimales=0)(cell(row[column], row.get("secret", False)))
    return rows


def loading_quality(ctx: Context) -> list[dict]:
    rows = data.loading_quality(ctx.con)
    for row in rows:
        row["nom"] = config()["sources"].get(row["source"], row["source"])
        for column, value in list(row.items()):
            if isinstance(value, int):
                row[column] = french(Decimal(value))
    return rows


def definitions(ctx: Context) -> list[tuple[str, str, str]]:
    used = [(s["table"], c) for axis in config()["axes"] for s in axis["indicateurs"]
            for c in [s["mesure"], *s.get("detail", [])]]
    used += [(s["table"], s["colonne"]) for s in config()["communes"]]
    found = [ctx.labels.definition(table, column) for table, column in used]
    return [entry for entry in dict.fromkeys(found) if entry[1]]


def report_year(con: duckdb.DuckDBPyConnection, year: int | None) -> int:
    years = data.years_with_data(con)
    if not years:
        raise UnknownYear("La couche publique de l'entrepôt ne contient aucune année.")
    if year is None:
        return years[-1]
    if year not in years:
        raise UnknownYear(f"Aucune donnée pour {year} dans l'entrepôt : années disponibles "
                          f"{', '.join(map(str, years))}.")
    return year


@cache
def _environment() -> jinja2.Environment:
    """One per process: the template is compiled once for the draft and the final page."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(PACKAGE_DIR / "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render(con: duckdb.DuckDBPyConnection, year: int | None, secrecy_threshold: int,
           today: dt.date | None = None, draft: bool = False) -> tuple[int, str]:
    """The report's HTML for a year (default: the latest year with data); a ``draft`` reads the
    columns' labels from the declarations (data.labels)."""
    data.check_public_layer(con)
    year = report_year(con, year)
    place = territory(con)
    ctx = Context(con, year, data.labels(con, {place.code: place.nom, **config()["libelles"]}, draft))
    follow_up_year = data.ctg_follow_up_year(con, year)
    axis_views, tiles = axes(ctx, follow_up_year)
    page = _environment().get_template("rapport.html").render(
        annee=year, territoire=place, annee_reference=ctx.reference, base_minimale=ctx.minimum_base,
        seuil_secret=secrecy_threshold, genere_le=french_date(today or dt.date.today()),
        style=Markup((PACKAGE_DIR / "templates" / "style.css").read_text(encoding="utf-8")),
        essentiel=tiles, axes=axis_views, annees=ctx.years,
        ctg=ctg_synthesis(ctx, follow_up_year, {a["code"]: a["titre"] for a in axis_views}),
        communes=commune_table(ctx), rapprochement=reconciliation(ctx),
        qualite=loading_quality(ctx), definitions=definitions(ctx),
        campagne=campaign_annex(con, year), mois_absent=MISSING_MONTH)
    return year, page


def write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partiel")
    partial.write_bytes(content)
    os.replace(partial, path)
