"""The report as PDF, printed by headless Chromium (Debian's `chromium` package).

Chromium may be missing (scripts/install-chromium.sh installs it): the PDF is then skipped
with a French warning, never an error, so a refresh still publishes the warehouse and the HTML.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM = "chromium"
TIMEOUT_SECONDS = 120
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium() -> str | None:
    return shutil.which(CHROMIUM)


def run_chromium(arguments: list[str], page: Path) -> subprocess.CompletedProcess:
    """Chromium headless on a local page, with a profile of its own removed afterwards."""
    binary = chromium()
    if binary is None:
        raise FileNotFoundError(CHROMIUM)
    with tempfile.TemporaryDirectory(prefix="observatoire-chromium-") as profile:
        return subprocess.run([binary, *FLAGS, f"--user-data-dir={profile}", *arguments,
                               page.resolve().as_uri()],
                              capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)


def print_pdf(html: Path, pdf: Path) -> str | None:
    """Print the HTML page to PDF; returns a French warning when no PDF could be made."""
    if chromium() is None:
        pdf.unlink(missing_ok=True)  # never leave last year's PDF beside this year's HTML
        return (f"AVERTISSEMENT : Chromium n'est pas installé, le rapport PDF n'a pas été produit "
                f"(le rapport HTML est écrit : {html}). Installez-le avec "
                f"scripts/install-chromium.sh puis relancez « observatoire rapport ».")
    partial = pdf.with_name(pdf.name + ".partiel")
    partial.unlink(missing_ok=True)
    try:
        done = run_chromium([f"--print-to-pdf={partial}", "--no-pdf-header-footer"], html)
        failure = None if partial.exists() and partial.stat().st_size else done.stderr.strip()[-500:]
    except subprocess.TimeoutExpired:
        failure = f"Chromium n'a pas fini en {TIMEOUT_SECONDS} s"
    if failure is not None:
        partial.unlink(missing_ok=True)
        pdf.unlink(missing_ok=True)
        return (f"AVERTISSEMENT : l'impression du rapport PDF par Chromium a échoué, seul le rapport "
                f"HTML est écrit ({html}). Détail : {failure}")
    partial.replace(pdf)
    return None
