"""Deterministic demo data: one generator per source, ``demo/<source>.py``."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

from sources.spec import spec_names


def generate_all(raw_dir: Path) -> dict[str, object]:
    """Write every source's demo files under ``raw_dir``; returns each generator's truth."""
    truths = {}
    for name in spec_names():
        if importlib.util.find_spec(f"demo.{name}") is not None:
            truths[name] = importlib.import_module(f"demo.{name}").generate(raw_dir)
    return truths
