"""Where things are: command-line options, else environment variables, else the defaults.

Every path is made absolute here, once, where it is read: a relative path given on the command
line or in the environment is relative to the folder the command was started from (DuckDB,
Great Expectations and the report would each read it from elsewhere otherwise).
"""

from __future__ import annotations

import os
from pathlib import Path

from warehouse import DEFAULT_WAREHOUSE

DEFAULT_SECRET_THRESHOLD = 5  # CAF open data: counts under 5 are not published

DEMO_RAW_DIR = Path(__file__).resolve().parents[1] / "demo" / "raw"

# The environment variables the command line reads, with their defaults (shown by --help).
ENVIRONMENT = {
    "OBSERVATOIRE_RAW_DIR": "dossier de dépôt (défaut : les données de démonstration, demo/raw)",
    "OBSERVATOIRE_WAREHOUSE": "entrepôt publié (défaut : warehouse/observatoire.duckdb)",
    "OBSERVATOIRE_EXPORT_DIR": "dossier des exports (défaut : exports/ à côté de l'entrepôt)",
    "OBSERVATOIRE_REF_DIR": "données de référence (défaut : warehouse/ref)",
    "OBSERVATOIRE_SEUIL_SECRET": f"seuil du secret statistique (défaut : {DEFAULT_SECRET_THRESHOLD})",
    "OBSERVATOIRE_PSEUDO_KEY": "clé de pseudonymisation, 32 caractères au moins (défaut : le fichier "
                               "de clé)",
    "OBSERVATOIRE_KEY_FILE": "fichier de la clé (défaut : ~/.config/observatoire/cle-pseudonymisation)",
}


def absolute(path: str | Path) -> Path:
    """A path as given (``~`` expanded), made absolute against the current folder."""
    return Path(os.path.abspath(Path(path).expanduser()))


def _chosen(option: str | Path | None, variable: str, default: Path) -> Path:
    return absolute(option or os.environ.get(variable) or default)


def raw_dir(option: str | None = None) -> Path:
    return _chosen(option, "OBSERVATOIRE_RAW_DIR", DEMO_RAW_DIR)


def missing_drop_folder(folder: Path) -> str | None:
    """Why a drop folder cannot be read at all (French, no final stop); None when it exists."""
    return None if folder.is_dir() else f"Le dossier de dépôt {folder} n'existe pas"


def drop_folder_problem(folder: Path) -> str | None:
    """Why the sensor must not refresh from a drop folder: missing, or holding no file."""
    if problem := missing_drop_folder(folder):
        return problem
    if not any(path.is_file() for path in folder.rglob("*")):
        return f"Le dossier de dépôt {folder} ne contient aucun fichier"
    return None


def warehouse_path(option: str | None = None) -> Path:
    return _chosen(option, "OBSERVATOIRE_WAREHOUSE", DEFAULT_WAREHOUSE)


def export_dir(warehouse: Path, option: str | None = None) -> Path:
    """The published export folder: OBSERVATOIRE_EXPORT_DIR, else ``exports`` beside the warehouse."""
    return _chosen(option, "OBSERVATOIRE_EXPORT_DIR", absolute(warehouse).parent / "exports")


def report_dir(warehouse: Path, option: str | None = None) -> Path:
    """Where the report goes: the option, else ``rapport`` beside the warehouse."""
    from reporting import report_dir as beside

    return absolute(option) if option else beside(absolute(warehouse))


def secret_threshold() -> int:
    """Counts of persons from 1 to this threshold minus one are masked (OBSERVATOIRE_SEUIL_SECRET)."""
    text = os.environ.get("OBSERVATOIRE_SEUIL_SECRET") or str(DEFAULT_SECRET_THRESHOLD)
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"OBSERVATOIRE_SEUIL_SECRET doit être un nombre entier d'au moins 1 (reçu : {text!r}).")
    return int(text)
