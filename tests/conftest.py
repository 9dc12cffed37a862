"""Shared fixtures: a fixed pseudonymisation key, and writers of real CSV and Excel files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

POCKETO_HEADER = ["Structure", "Date", "N° dossier", "Nom", "Prénom", "Date de naissance", "Commune",
                  "QF", "Régime", "Unité", "Arrivée", "Départ", "Présence"]


# A pseudonymisation key must have at least 32 characters (sources/pseudonym.py).
TEST_KEY = "cle-de-test-assez-longue-pour-etre-acceptee"


@pytest.fixture(autouse=True)
def pseudo_key(monkeypatch):
    monkeypatch.setenv("OBSERVATOIRE_PSEUDO_KEY", TEST_KEY)


def is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def write_csv(path: Path, rows: list[list[str]], sep: str = ";", encoding: str = "cp1252",
              newline: str = "\r\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = newline.join(sep.join(row) for row in rows) + newline
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """A real workbook; each sheet's rows written from row 1."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def presence(structure="ALSH Lalbenque", date="09/03/2022", dossier="F1", nom="Dupont",
             prenom="Léa", naissance="05/06/2015", commune="Lalbenque", qf="600", regime="CAF",
             unite="Journée", arrivee="08:30", depart="17:00", statut="Présent") -> list[str]:
    return [structure, date, dossier, nom, prenom, naissance, commune, qf, regime, unite, arrivee,
            depart, statut]


DAY = dt.date(2022, 3, 9)


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """The demo drop folder, generated once, and one refresh of it (in-process materialize).

    Yields (truths, outcome, warehouse path); open the warehouse read-only to assert on it
    (when a blocking check failed, the path is the failed build's, kept for inspection).
    """
    from demo import generate_all
    from pipelines.refresh import refresh

    base = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OBSERVATOIRE_PSEUDO_KEY", TEST_KEY)
        truths = generate_all(base / "raw")
        outcome = refresh(base / "raw", base / "observatoire.duckdb")
    yield truths, outcome, outcome.build_path
