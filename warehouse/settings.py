"""Configuration, read in one place and only when asked: command-line options, else environment
variables, else the defaults.

Nothing here is read at import time: each function reads the environment when it is called, so
that a test may set a variable (``monkeypatch.setenv``) and a long-lived process (``dagster
dev``) sees a changed variable. No other module of the project reads ``os.environ``
(tests/test_imports.py).

Every path is made absolute here, once, where it is read: a relative path given on the command
line or in the environment is relative to the folder the command was started from (DuckDB,
Great Expectations and the report would each read it from elsewhere otherwise).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from warehouse import DEFAULT_WAREHOUSE, PACKAGE_DIR

DEFAULT_SECRET_THRESHOLD = 5  # CAF open data: counts under 5 are not published
DEMO_RAW_DIR = PACKAGE_DIR.parent / "demo" / "raw"
DEFAULT_REF_DIR = PACKAGE_DIR / "ref"
REPORT_FOLDER = "rapport"  # beside the warehouse
EXPORT_FOLDER = "exports"  # beside the warehouse
KEY_VARIABLE = "OBSERVATOIRE_PSEUDO_KEY"
KEY_FILE_VARIABLE = "OBSERVATOIRE_KEY_FILE"

# The environment variables the project reads, with their defaults (shown by --help).
ENVIRONMENT = {
    "OBSERVATOIRE_RAW_DIR": "dossier de dépôt (défaut : les données de démonstration, demo/raw)",
    "OBSERVATOIRE_WAREHOUSE": "entrepôt publié (défaut : warehouse/observatoire.duckdb)",
    "OBSERVATOIRE_EXPORT_DIR": "dossier des exports (défaut : exports/ à côté de l'entrepôt)",
    "OBSERVATOIRE_REF_DIR": "données de référence (défaut : warehouse/ref)",
    "OBSERVATOIRE_SEUIL_SECRET": f"seuil du secret statistique (défaut : {DEFAULT_SECRET_THRESHOLD})",
    KEY_VARIABLE: "clé de pseudonymisation, 32 caractères au moins (défaut : le fichier de clé)",
    KEY_FILE_VARIABLE: "fichier de la clé (défaut : ~/.config/observatoire/cle-pseudonymisation)",
    "OBSERVATOIRE_LICENCE": "licence des tables publiées : etalab-2.0 (défaut), odbl-1.0 ou cc-by-4.0",
    "OBSERVATOIRE_PRODUCTEUR": "producteur nommé dans datapackage.json (défaut : le territoire, territoire.csv)",
}


def absolute(path: str | Path) -> Path:
    """A path as given (``~`` expanded), made absolute against the current folder."""
    return Path(os.path.abspath(Path(path).expanduser()))


def _variable(name: str) -> str | None:
    """An environment variable; unset or empty: None."""
    return os.environ.get(name) or None


def _chosen(option: str | Path | None, variable: str, default: Path) -> Path:
    return absolute(option or _variable(variable) or default)


def raw_dir(option: str | None = None) -> Path:
    return _chosen(option, "OBSERVATOIRE_RAW_DIR", DEMO_RAW_DIR)


def warehouse_path(option: str | None = None) -> Path:
    return _chosen(option, "OBSERVATOIRE_WAREHOUSE", DEFAULT_WAREHOUSE)


def ref_dir() -> Path:
    """The reference data: OBSERVATOIRE_REF_DIR (another copy of warehouse/ref, such as the
    benchmark's generated structures and communes), else the project's own."""
    return _chosen(None, "OBSERVATOIRE_REF_DIR", DEFAULT_REF_DIR)


def export_dir(warehouse: Path, option: str | None = None) -> Path:
    """The published export folder: OBSERVATOIRE_EXPORT_DIR, else ``exports`` beside the warehouse."""
    return _chosen(option, "OBSERVATOIRE_EXPORT_DIR", absolute(warehouse).parent / EXPORT_FOLDER)


def report_dir(warehouse: Path, option: str | None = None) -> Path:
    """Where the report goes: the option, else ``rapport`` beside the warehouse."""
    return absolute(option) if option else absolute(warehouse).parent / REPORT_FOLDER


def secret_threshold() -> int:
    """Counts of persons from 1 to this threshold minus one are masked (OBSERVATOIRE_SEUIL_SECRET)."""
    text = _variable("OBSERVATOIRE_SEUIL_SECRET") or str(DEFAULT_SECRET_THRESHOLD)
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"OBSERVATOIRE_SEUIL_SECRET doit être un nombre entier d'au moins 1 (reçu : {text!r}).")
    return int(text)


def pseudo_key() -> str | None:
    """The pseudonymisation key given in the environment, as given (even empty: it is refused
    then, never replaced by the key file); None when the variable is not set."""
    return os.environ.get(KEY_VARIABLE)


def key_file() -> Path:
    """The file holding the pseudonymisation key (OBSERVATOIRE_KEY_FILE, else the user's)."""
    return Path(_variable(KEY_FILE_VARIABLE) or Path.home() / ".config" / "observatoire"
                / "cle-pseudonymisation").expanduser()


def licence_name() -> str | None:
    """The licence of the published tables (OBSERVATOIRE_LICENCE), None for the default."""
    return _variable("OBSERVATOIRE_LICENCE")


def producer_name() -> str | None:
    """Who publishes the tables (OBSERVATOIRE_PRODUCTEUR), None for the territory."""
    return _variable("OBSERVATOIRE_PRODUCTEUR")


def with_ref_dir(folder: str | Path) -> dict[str, str]:
    """The environment of a child process whose reference folder is ``folder``."""
    return {**os.environ, "OBSERVATOIRE_REF_DIR": str(absolute(folder))}


@contextmanager
def exports_in(folder: Path) -> Iterator[None]:
    """For the time of a scratch run: its exports go to ``folder``, whatever the environment says."""
    previous = os.environ.get("OBSERVATOIRE_EXPORT_DIR")
    os.environ["OBSERVATOIRE_EXPORT_DIR"] = str(folder)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("OBSERVATOIRE_EXPORT_DIR", None)
        else:
            os.environ["OBSERVATOIRE_EXPORT_DIR"] = previous
