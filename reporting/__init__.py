"""The observatoire's yearly report, built only from the `public` layer of the warehouse.

``write_report`` writes ``rapport-<année>.html`` (self-contained: inline CSS and SVG, no script,
opens offline) and prints it to ``rapport-<année>.pdf`` with headless Chromium when installed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from reporting.build import render, write_atomically
from reporting.data import applied_threshold
from reporting.pdf import print_pdf

@dataclass
class ReportFiles:
    year: int
    html: Path
    pdf: Path | None
    warning: str | None


def write_report(con: duckdb.DuckDBPyConnection, out_dir: Path, default_threshold: int,
                 year: int | None = None, today: dt.date | None = None) -> ReportFiles:
    """Write the report of a year (default: the latest with data) into out_dir.

    The secrecy threshold stated is the one logged when the public layer was built, else
    ``default_threshold`` (the setting in force).
    """
    threshold = applied_threshold(con) or default_threshold
    year, page = render(con, year, threshold, today)
    html = Path(out_dir) / f"rapport-{year}.html"
    pdf = html.with_suffix(".pdf")
    write_atomically(html, page.encode("utf-8"))
    warning = print_pdf(html, pdf)
    return ReportFiles(year, html, None if warning else pdf, warning)
