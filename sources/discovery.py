"""Find a source's files in the drop folder, hash them, spot byte-identical copies."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

TABLE_SUFFIXES = frozenset({".csv", ".txt", ".xlsx"})


@dataclass(frozen=True)
class RawFile:
    path: Path
    name: str  # relative to the source folder, as the user knows it
    sha256: str
    modified: dt.datetime
    is_table: bool
    duplicate_of: str | None = None  # name of the first file with the same bytes

    @property
    def should_read(self) -> bool:
        return self.is_table and self.duplicate_of is None


def _is_table(path: Path) -> bool:
    hidden = path.name.startswith((".", "~$")) or any(p.startswith(".") for p in path.parts[:-1])
    return not hidden and path.suffix.lower() in TABLE_SUFFIXES


def sha256_of(path: Path) -> str:
    """The file's SHA-256, read by blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def discover(folder: Path) -> list[RawFile]:
    """Every file under ``folder`` (any depth), sorted by name; empty if it is missing.

    Of byte-identical tables, the oldest (then the first by name) is read, the others are copies.
    """
    if not folder.is_dir():
        return []
    paths = [p for p in folder.rglob("*") if p.is_file()]
    modified = {p: dt.datetime.fromtimestamp(p.stat().st_mtime) for p in paths}
    first_by_hash: dict[str, str] = {}
    found: list[RawFile] = []
    for path in sorted(paths, key=lambda p: (modified[p], p)):
        name = path.relative_to(folder).as_posix()
        sha = sha256_of(path)
        is_table = _is_table(path.relative_to(folder))
        duplicate_of = first_by_hash.setdefault(sha, name) if is_table else None
        found.append(RawFile(path, name, sha, modified[path], is_table,
                             duplicate_of if duplicate_of != name else None))
    return sorted(found, key=lambda f: f.name)
