"""The observatoire's yearly report, built only from the `public` layer of the warehouse.

``write_report`` writes ``rapport-<année>.html`` (self-contained: inline CSS and SVG, no script,
opens offline) and prints it to ``rapport-<année>.pdf`` with headless Chromium when installed.

Printing takes Chromium about two seconds. A refresh saves them with :func:`draft_report`: as
soon as the public layer of its build is complete, the page is rendered and Chromium starts
printing it in the background; ``write_report``, after publication, renders the page again from
the published warehouse and takes the draft's PDF only when the two pages are the same text.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from reporting.browser import BrowserPrintJob, start_printing
from reporting.build import render, write_atomically
from reporting.data import applied_threshold
from reporting.pdf import PrintJob, chromium, print_pdf
from warehouse.db import private_temp_directory


@dataclass
class ReportFiles:
    year: int
    html: Path
    pdf: Path | None
    warning: str | None


@dataclass
class Draft:
    """A page rendered ahead of publication, which Chromium is printing."""
    page: str
    job: PrintJob | BrowserPrintJob


def draft_report(con: duckdb.DuckDBPyConnection, default_threshold: int) -> Draft | None:
    """Render the latest year's report from ``con`` and start printing it (none without Chromium)."""
    if chromium() is None:
        return None
    _, page = render(con, None, applied_threshold(con) or default_threshold, None, draft=True)
    html = Path(tempfile.mkdtemp(prefix="rapport-", dir=private_temp_directory())) / "rapport.html"
    html.write_text(page, encoding="utf-8")
    return Draft(page, start_printing(html, html.with_suffix(".pdf")))


def write_report(con: duckdb.DuckDBPyConnection, out_dir: Path, default_threshold: int,
                 year: int | None = None, today: dt.date | None = None,
                 draft: Draft | None = None) -> ReportFiles:
    """Write the report of a year (default: the latest with data) into out_dir.

    The secrecy threshold stated is the one logged when the public layer was built, else
    ``default_threshold`` (the setting in force). The PDF is the draft's when its page is this one.
    """
    threshold = applied_threshold(con) or default_threshold
    year, page = render(con, year, threshold, today)
    html = Path(out_dir) / f"rapport-{year}.html"
    pdf = html.with_suffix(".pdf")
    write_atomically(html, page.encode("utf-8"))
    if draft is not None and draft.page == page:
        warning = draft.job.finish(pdf)
    else:
        if draft is not None:
            draft.job.cancel()
        warning = print_pdf(html, pdf)
    return ReportFiles(year, html, None if warning else pdf, warning)
