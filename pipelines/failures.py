"""A failed refresh told briefly, in French, on the terminal; its full trace in a log file."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # this module stays light: the command explains an early Ctrl+C with it
    from pipelines.refresh import RefreshOutcome

DISK_FULL = ("No space left on device", "[Errno 28]", "Disque plein")
REFUSED = ("Permission denied", "[Errno 13]", "[Errno 30]", "Read-only file system")
INTERRUPTED = ("DagsterExecutionInterruptedError", "KeyboardInterrupt", "Query interrupted")  # Dagster, Python, DuckDB
INTERRUPTION = ("Actualisation interrompue (Ctrl+C, ou arrêt demandé par le système) : relancez-la pour "
                "mettre l'entrepôt à jour.")


def explain(message: str) -> str:
    """One French line for the root cause of a failure: the messages of this project are French
    already; the operating system's and DuckDB's are recognised, the rest quoted briefly."""
    first = message.strip().splitlines()[0] if message.strip() else "erreur inconnue"
    if any(marker in message for marker in DISK_FULL) and not first.startswith("Disque plein"):
        return ("Disque plein : libérez de la place sur le disque de l'entrepôt, puis relancez "
                "l'actualisation.")
    if any(marker in message for marker in INTERRUPTED):
        return INTERRUPTION
    if any(marker in message for marker in REFUSED):
        return ("Écriture refusée : donnez le droit d'écriture sur le dossier de l'entrepôt à "
                "l'utilisateur qui lance l'actualisation, puis relancez.")
    return first if len(first) <= 400 else first[:400] + "…"


def log_path(folder: Path, now: dt.datetime) -> Path:
    return folder / f"observatoire-{now:%Y%m%d-%H%M%S}.log"


def write_log(outcome: RefreshOutcome, folder: Path, now: dt.datetime | None = None) -> Path:
    """The full traces of a failed refresh, beside the warehouse (else in the temporary folder
    when that folder cannot be written)."""
    now = now or dt.datetime.now()
    text = (f"Actualisation de {outcome.warehouse}, {now:%Y-%m-%d %H:%M:%S}\n"
            f"Étapes en échec : {', '.join(outcome.failed_steps) or 'aucune'}\n"
            f"Contrôles bloquants en échec : {', '.join(outcome.failed_checks) or 'aucun'}\n\n"
            + "\n\n".join(outcome.traces) + "\n")
    for candidate in (folder, Path(tempfile.gettempdir())):
        path = log_path(candidate, now)
        try:
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            continue
    raise OSError("aucun dossier où écrire le journal")


def failure_lines(outcome: RefreshOutcome) -> list[str]:
    """What stderr says: what happened and what to do, in one or two lines."""
    lines = list(dict.fromkeys(explain(e) for e in outcome.errors))
    lines += [f"Contrôle bloquant en échec : {check}." for check in outcome.failed_checks]
    if not outcome.published:
        kept = (f" La construction échouée est conservée pour examen : {outcome.kept_build}."
                if outcome.kept_build else "")
        lines.append(f"L'entrepôt publié ({outcome.warehouse}) n'a pas été modifié.{kept}")
    return lines
