"""Where things are: command-line options, else environment variables, else the defaults."""

from __future__ import annotations

import os
from pathlib import Path

from warehouse import DEFAULT_WAREHOUSE

DEFAULT_SECRET_THRESHOLD = 5  # CAF open data: counts under 5 are not published

DEMO_RAW_DIR = Path(__file__).resolve().parents[1] / "demo" / "raw"


def raw_dir(option: str | None = None) -> Path:
    return Path(option or os.environ.get("OBSERVATOIRE_RAW_DIR") or DEMO_RAW_DIR)


def warehouse_path(option: str | None = None) -> Path:
    return Path(option or os.environ.get("OBSERVATOIRE_WAREHOUSE") or DEFAULT_WAREHOUSE)


def export_dir(warehouse: Path, option: str | None = None) -> Path:
    """The published export folder: OBSERVATOIRE_EXPORT_DIR, else ``exports`` beside the warehouse."""
    return Path(option or os.environ.get("OBSERVATOIRE_EXPORT_DIR") or Path(warehouse).parent / "exports")


def secret_threshold() -> int:
    """Counts of persons from 1 to this threshold minus one are masked (OBSERVATOIRE_SEUIL_SECRET)."""
    text = os.environ.get("OBSERVATOIRE_SEUIL_SECRET") or str(DEFAULT_SECRET_THRESHOLD)
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"OBSERVATOIRE_SEUIL_SECRET doit être un nombre entier d'au moins 1 (reçu : {text!r}).")
    return int(text)
