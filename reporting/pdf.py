"""The report as PDF, printed by headless Chromium (Debian's `chromium` package).

Chromium may be missing (scripts/install-chromium.sh installs it): the PDF is then skipped
with a French warning, never an error, so a refresh still publishes the warehouse and the HTML.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

CHROMIUM = "chromium"
TIMEOUT_SECONDS = 120
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium() -> str | None:
    return shutil.which(CHROMIUM)


def chromium_command(arguments: list[str], profile: Profile) -> list[str]:
    """Chromium's command, under the idle scheduling policy when the system has ``chrt``: it prints
    in the background of a refresh, on the CPU the refresh leaves, and the refresh's own work
    never waits for it. (``nice`` would not do: Chromium raises its own processes' priority.)"""
    binary = chromium()
    if binary is None:
        raise FileNotFoundError(CHROMIUM)
    lowest = [chrt, "--idle", "0"] if (chrt := shutil.which("chrt")) else []
    return [*lowest, "env", f"TMPDIR={profile.name}", binary, *FLAGS, f"--user-data-dir={profile.data}",
            *arguments]


class Profile:
    """A temporary folder of Chromium's own, removed by :meth:`cleanup`: its profile (``data``)
    and its TMPDIR, where Chromium makes the folder of its singleton lock and leaves it when it is
    ended by a signal (every print ends so, with its helper processes), or when it is starved in
    the middle of its start at the idle priority. The path stays short: the lock is a Unix socket."""

    def __init__(self):
        self._folder = tempfile.TemporaryDirectory(prefix="observatoire-chromium-", ignore_cleanup_errors=True)
        self.name = self._folder.name
        self.data = str(Path(self.name) / "profil")

    def __enter__(self) -> Profile:
        return self

    def __exit__(self, *exc) -> None:
        self.cleanup()

    def cleanup(self) -> None:
        self._folder.cleanup()


def run_chromium(arguments: list[str], page: Path) -> subprocess.CompletedProcess:
    """Chromium headless on a local page, with a profile of its own removed afterwards (and its
    helper processes ended first, as :class:`PrintJob` does)."""
    with Profile() as profile:
        command = [*chromium_command(arguments, profile), page.resolve().as_uri()]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   process_group=0)
        try:
            out, err = process.communicate(timeout=TIMEOUT_SECONDS)
        finally:
            end_group(process)
        return subprocess.CompletedProcess(command, process.returncode, out, err)


def end_group(process: subprocess.Popen) -> None:
    """End a Chromium started in a session of its own, with every helper process of its group."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:  # none left
        pass
    process.wait()


def missing_chromium(html: Path) -> str:
    return (f"AVERTISSEMENT : Chromium n'est pas installé, le rapport PDF n'a pas été produit "
            f"(le rapport HTML est écrit : {html}). Installez-le avec "
            f"scripts/install-chromium.sh puis relancez « observatoire rapport ».")


class PrintJob:
    """Chromium printing a page to PDF in the background: :meth:`finish` waits for it and puts
    the PDF in place (or says in French why there is none); :meth:`cancel` stops it.

    Chromium starts helper processes (renderer, crash handler) that may outlive the one started
    here and still write into its profile: they share a process group of their own, ended as a
    whole before the profile is removed."""

    def __init__(self, html: Path, partial: Path):
        self.partial = partial
        partial.unlink(missing_ok=True)
        self._profile = Profile()
        self._stderr = tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace")  # never a full pipe
        self._process = subprocess.Popen(
            [*chromium_command([f"--print-to-pdf={self.partial}", "--no-pdf-header-footer"], self._profile),
             html.resolve().as_uri()],
            stdout=subprocess.DEVNULL, stderr=self._stderr, process_group=0)
        atexit.register(self.cancel)

    def finish(self, pdf: Path) -> str | None:
        try:
            self._process.wait(timeout=TIMEOUT_SECONDS)
            made = self.partial.exists() and self.partial.stat().st_size > 0
            failure = None if made else self._error_text()
        except subprocess.TimeoutExpired:
            failure = f"Chromium n'a pas fini en {TIMEOUT_SECONDS} s"
        finally:
            self.cancel()
        if failure is not None:
            self.partial.unlink(missing_ok=True)
            pdf.unlink(missing_ok=True)
            return (f"AVERTISSEMENT : l'impression du rapport PDF par Chromium a échoué, seul le rapport "
                    f"HTML est écrit ({pdf.with_suffix('.html')}). Détail : {failure}")
        put_in_place(self.partial, pdf)
        return None

    def _error_text(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().strip()[-500:]

    def cancel(self) -> None:
        end_group(self._process)
        self._stderr.close()
        self._profile.cleanup()
        atexit.unregister(self.cancel)


def print_pdf(html: Path, pdf: Path) -> str | None:
    """Print the HTML page to PDF; returns a French warning when no PDF could be made."""
    if chromium() is None:
        pdf.unlink(missing_ok=True)  # never leave last year's PDF beside this year's HTML
        return missing_chromium(html)
    return PrintJob(html, partial_path(pdf)).finish(pdf)


def partial_path(pdf: Path) -> Path:
    return pdf.with_name(pdf.name + ".partiel")


def put_in_place(partial: Path, pdf: Path) -> None:
    """The printed PDF becomes ``pdf`` in one step."""
    beside = partial_path(pdf)
    if partial != beside:  # printed elsewhere (a draft): copied beside first, then renamed
        shutil.copyfile(partial, beside)
        partial.unlink()
    beside.replace(pdf)
