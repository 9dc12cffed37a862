"""Imports go one way, and configuration is read in one place.

``pipelines`` → ``assets`` → ``schemas`` / ``sources`` / ``reporting`` → ``warehouse``: a package
imports only the packages below it (``demo`` writes drop folders from the sources' specs;
``schemas`` checks what ``sources`` load). Only warehouse/settings.py reads the environment.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ALLOWED = {  # package -> the project's packages it may import
    "warehouse": set(),
    "sources": {"warehouse"},
    "schemas": {"sources", "warehouse"},
    "reporting": {"warehouse"},
    "demo": {"sources", "warehouse"},
    "assets": {"schemas", "sources", "reporting", "warehouse"},
    "pipelines": {"assets", "schemas", "sources", "reporting", "warehouse", "demo"},
}
SETTINGS = REPO / "warehouse" / "settings.py"


def modules() -> list[Path]:
    return sorted(path for package in ALLOWED for path in (REPO / package).rglob("*.py"))


def imported(tree: ast.AST) -> set[str]:
    """The top-level packages a module imports (absolute imports, anywhere in the module)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def reads_environment(tree: ast.AST) -> bool:
    return any(isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv")
               for node in ast.walk(tree))


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(REPO)))
def test_a_module_imports_only_packages_below_its_own(path):
    package = path.relative_to(REPO).parts[0]
    upward = (imported(ast.parse(path.read_text(encoding="utf-8"))) & set(ALLOWED)) - ALLOWED[package] - {package}
    assert not upward, f"{path.relative_to(REPO)} imports {sorted(upward)}"


def test_only_the_settings_read_the_environment():
    readers = [str(p.relative_to(REPO)) for p in modules()
               if p != SETTINGS and reads_environment(ast.parse(p.read_text(encoding="utf-8")))]
    assert readers == []
