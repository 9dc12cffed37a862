"""Find a source's files in the drop folder, hash them, spot byte-identical copies."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from warehouse.db import file_sha256

TABLE_SUFFIXES = frozenset({".csv", ".txt", ".xlsx"})
NOT_A_TABLE = "pas un fichier de données"


@dataclass(frozen=True)
class RawFile:
    path: Path
    name: str  # relative to the source folder, as the user knows it (see display_name)
    sha256: str  # "" for a link that is not followed
    modified: dt.datetime
    is_table: bool
    duplicate_of: str | None = None  # name of the first file with the same bytes
    ignored: str | None = None  # why the file is not read (not a table, a link not followed)
    size: int = 0


def display_name(relative: Path) -> str:
    """A file's name as every table and message shows it: valid UTF-8, whatever bytes the name
    has on disk (a name written in Windows-1252 on a share, ``caf\\xe9_2022.csv``, shows its
    undecodable bytes as ``\\xe9``)."""
    return os.fsencode(relative.as_posix()).decode("utf-8", "backslashreplace")


def _is_table(path: Path) -> bool:
    hidden = path.name.startswith((".", "~$")) or any(p.startswith(".") for p in path.parts[:-1])
    return not hidden and path.suffix.lower() in TABLE_SUFFIXES


def _entries(folder: Path) -> Iterator[Path]:
    """Every file and every link under ``folder``; links to folders are listed, not entered."""
    for root, folders, files in os.walk(folder):  # does not follow links to folders
        yield from (Path(root, name) for name in folders if Path(root, name).is_symlink())
        yield from (Path(root, name) for name in files)


def link_problem(path: Path, folder: Path) -> str | None:
    """Why a link is not followed: it leads nowhere, to a folder, or out of the source's
    folder (the drop folder is what the observatoire was given to read, nothing else)."""
    if not path.is_symlink():
        return None
    target = path.resolve()
    if not target.exists():
        return "lien vers un fichier absent"
    if target.is_dir():
        return "lien vers un dossier : non suivi"
    if not target.is_relative_to(folder.resolve()):
        return "lien vers un fichier hors du dossier : non suivi"
    return None


def discover(folder: Path) -> list[RawFile]:
    """Every file under ``folder`` (any depth), sorted by name; empty if it is missing.

    Of byte-identical tables, the oldest (then the first by name) is read, the others are copies.
    Links leading nowhere, to a folder or out of ``folder`` are listed as ignored, never opened.
    """
    if not folder.is_dir():
        return []
    found: list[RawFile] = []
    paths = []
    for path in _entries(folder):
        name = display_name(path.relative_to(folder))
        if problem := link_problem(path, folder):
            modified = dt.datetime.fromtimestamp(path.lstat().st_mtime)
            found.append(RawFile(path, name, "", modified, False, ignored=problem))
        else:
            paths.append(path)
    modified = {p: dt.datetime.fromtimestamp(p.stat().st_mtime) for p in paths}
    first_by_hash: dict[str, str] = {}
    for path in sorted(paths, key=lambda p: (modified[p], p)):
        name = display_name(path.relative_to(folder))
        sha = file_sha256(path)
        is_table = _is_table(path.relative_to(folder))
        duplicate_of = first_by_hash.setdefault(sha, name) if is_table else None
        found.append(RawFile(path, name, sha, modified[path], is_table,
                             duplicate_of if duplicate_of != name else None,
                             None if is_table else NOT_A_TABLE, path.stat().st_size))
    return sorted(found, key=lambda f: f.name)
