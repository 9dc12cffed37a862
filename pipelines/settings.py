"""Where things are: command-line options, else environment variables, else the defaults."""

from __future__ import annotations

import os
from pathlib import Path

from warehouse import DEFAULT_WAREHOUSE

DEMO_RAW_DIR = Path(__file__).resolve().parents[1] / "demo" / "raw"


def raw_dir(option: str | None = None) -> Path:
    return Path(option or os.environ.get("OBSERVATOIRE_RAW_DIR") or DEMO_RAW_DIR)


def warehouse_path(option: str | None = None) -> Path:
    return Path(option or os.environ.get("OBSERVATOIRE_WAREHOUSE") or DEFAULT_WAREHOUSE)
