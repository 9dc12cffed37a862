"""What every demo generator needs to write files that are the same bytes for the same seed."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path


def stamp(day: str) -> float:
    """A fixed modification time (09:00 UTC on ``day``), for os.utime."""
    return dt.datetime.fromisoformat(f"{day}T09:00:00+00:00").timestamp()


def freeze_workbook(path: Path, day: str) -> None:
    """Rewrite a saved .xlsx with fixed timestamps inside (zip entries and document properties)."""
    when = dt.datetime.fromisoformat(f"{day}T09:00:00")
    with zipfile.ZipFile(path) as archive:
        parts = [(info.filename, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                              rb"\g<1>" + f"{day}T09:00:00Z".encode(), data)
            archive.writestr(zipfile.ZipInfo(name, when.timetuple()[:6]), data, zipfile.ZIP_DEFLATED)
