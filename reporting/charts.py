"""Charts as inline SVG, drawn in Python: the report opens offline, with no script."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from reporting.numbers import MASKED, Cell, french

PALETTE = ["#1f5f8b", "#e07b39", "#3c9d5d", "#8e5ea2", "#c23b4e"]
CTG_COLOURS = {"realise": "#3c9d5d", "partiel": "#e8b339", "non_realise": "#c9574f"}
WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 16, 30
LEGEND_ROW = 20


@dataclass
class Line:
    """One series of a chart: its label and its cell per year."""

    label: str
    cells: dict[int, Cell]


def nice_step(top: float, ticks: int = 5) -> float:
    raw = top / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def axis_top(values: list[Decimal]) -> tuple[float, float]:
    highest = float(max(values, default=0)) or 1.0
    step = nice_step(highest)
    return step * math.ceil(highest / step), step


def text(x: float, y: float, content: str, **attributes) -> str:
    extra = "".join(f' {k.rstrip("_").replace("_", "-")}="{v}"' for k, v in attributes.items())
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(content)}</text>'


def legend(lines: list[Line]) -> tuple[list[str], int]:
    """Legend rows above the plot; returns the SVG elements and the height used."""
    if len(lines) < 2:
        return [], 0
    parts, x, y = [], LEFT, TOP
    for index, line in enumerate(lines):
        width = 22 + 7.4 * len(line.label)
        if x + width > WIDTH - RIGHT and x > LEFT:
            x, y = LEFT, y + LEGEND_ROW
        parts.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" rx="2" '
                     f'fill="{PALETTE[index % len(PALETTE)]}"/>')
        parts.append(text(x + 17, y, line.label, class_="legende"))
        x += width + 14
    return parts, y - TOP + LEGEND_ROW + 6


def bar_chart(title: str, years: list[int], lines: list[Line], fmt) -> str:
    """Grouped bars, one group per year, one bar per series; masked cells written "s"."""
    values = [c.value for line in lines for c in line.cells.values() if c.known]
    top, step = axis_top(values)
    parts, legend_height = legend(lines)
    plot_top, plot_bottom = TOP + legend_height + 6, HEIGHT - BOTTOM
    plot_width = WIDTH - LEFT - RIGHT

    def y_of(value: float) -> float:
        return plot_bottom - (plot_bottom - plot_top) * value / top

    for tick in range(int(round(top / step)) + 1):
        value = tick * step
        y = y_of(value)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'class="{"axe" if tick == 0 else "grille"}"/>')
        parts.append(text(LEFT - 6, y + 4, french(Decimal(str(value)), 0 if step >= 1 else 1),
                          class_="graduation", text_anchor="end"))
    group = plot_width / max(len(years), 1)
    bar = min(group * 0.78 / max(len(lines), 1), 56)
    for position, year in enumerate(years):
        start = LEFT + group * position + (group - bar * len(lines)) / 2
        parts.append(text(LEFT + group * (position + 0.5), plot_bottom + 18, str(year),
                          class_="annee", text_anchor="middle"))
        for index, line in enumerate(lines):
            parts.extend(_bar(line.cells.get(year), start + bar * index, bar, y_of, plot_bottom,
                              PALETTE[index % len(PALETTE)], fmt))
    label = escape(title)
    return (f'<svg class="graphique" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{label}</title>{"".join(parts)}</svg>')


def _bar(figure: Cell | None, x: float, width: float, y_of, bottom: float, colour: str, fmt) -> list[str]:
    centre = x + width / 2
    if figure is None or not (figure.known or figure.masked):
        return []
    if figure.masked:
        return [text(centre, bottom - 5, MASKED, class_="secret", text_anchor="middle")]
    top = y_of(float(figure.value))
    size = "valeur petite" if width < 34 else "valeur"
    return [f'<rect x="{x + 1:.1f}" y="{top:.1f}" width="{width - 2:.1f}" '
            f'height="{max(bottom - top, 0.5):.1f}" fill="{colour}"/>',
            text(centre, top - 4, fmt(figure), class_=size, text_anchor="middle")]


def ctg_bars(rows: list[dict]) -> str:
    """One horizontal bar per axis: its actions done, partly done, not done."""
    row_height, label_width, bar_width = 30, 150, WIDTH - 150 - RIGHT
    height = TOP + row_height * len(rows) + 28
    parts = []
    for index, row in enumerate(rows):
        y = TOP + row_height * index
        parts.append(text(0, y + 17, row["nom"], class_="legende"))
        x = label_width
        for code, count in row["comptes"]:
            if not count:
                continue
            width = bar_width * count / max(row["total"], 1)
            parts.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{width:.1f}" height="22" '
                         f'fill="{CTG_COLOURS[code]}"/>')
            parts.append(text(x + width / 2, y + 18, str(count), class_="dans-barre",
                              text_anchor="middle"))
            x += width
    y = TOP + row_height * len(rows) + 12
    x = label_width
    for code, name in (("realise", "Réalisée"), ("partiel", "Partiellement réalisée"),
                       ("non_realise", "Non réalisée")):
        parts.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" rx="2" fill="{CTG_COLOURS[code]}"/>')
        parts.append(text(x + 17, y, name, class_="legende"))
        x += 40 + 7.4 * len(name)
    return (f'<svg class="graphique" viewBox="0 0 {WIDTH} {height}" role="img" '
            f'aria-label="Réalisation des actions de la CTG par axe" xmlns="http://www.w3.org/2000/svg">'
            f'<title>Réalisation des actions de la CTG par axe</title>{"".join(parts)}</svg>')
