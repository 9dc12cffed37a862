"""INSEE's own census file dropped as is in the reference folder: the under-3 count per commune.

The file is INSEE's "Bases infracommunales – Évolution et structure de la population",
``base-ic-evol-struct-pop-AAAA.csv`` (semicolon-separated, UTF-8 or Windows-1252) or its
``.xlsx`` form (sheet ``IRIS``, title rows above the header). One row per IRIS: ``COM`` is the
INSEE code of the commune and ``P{yy}_POP0002`` the people aged 0 to 2 at the census of 20yy
(weighted by INSEE, hence decimal values). The under-3 count of a member commune for 20yy is the
sum over its IRIS, rounded. These rows fill ``ref.population_moins_3_ans`` after the hand-written
``population_moins_3_ans.csv``, whose row for the same commune and year wins.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
from python_calamine import CalamineWorkbook

FILE_PREFIX = "base-ic-evol-struct-pop-"
SUFFIXES = (".csv", ".xlsx")
COMMUNE_COLUMN = "COM"
UNDER_3_COLUMN = re.compile(r"^P(\d{2})_POP0002$")
XLSX_SHEET = "IRIS"
HEADER_SEARCH_ROWS = 20
NATURE = "recensement"
SOURCE_PREFIX = "INSEE, "


def is_population_file(path: Path) -> bool:
    """A file of INSEE's "Évolution et structure de la population" base, by its name."""
    return path.name.lower().startswith(FILE_PREFIX) and path.suffix.lower() in SUFFIXES


def population_files(ref_dir: Path) -> list[Path]:
    return sorted(path for path in ref_dir.iterdir() if path.is_file() and is_population_file(path))


def _encoding(path: Path) -> str:
    """UTF-8 when the file decodes as such, else Windows-1252 (read as Latin-1 by DuckDB: the codes
    and counts the observatoire reads are ASCII either way)."""
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return "latin-1"
    return "utf-8"


def _csv_header(path: Path, encoding: str) -> list[str]:
    with path.open(encoding="utf-8-sig" if encoding == "utf-8" else encoding) as handle:
        first_line = handle.readline()
    return [name.strip().strip('"') for name in first_line.rstrip("\r\n").split(";")]


def _under_3_columns(path: Path, header: list[str]) -> dict[str, int]:
    """The census columns of the 0-2 year-olds and their year; a French error when the file lacks
    the commune column or any such column."""
    if COMMUNE_COLUMN not in header:
        raise ValueError(f"Fichier INSEE {path.name} : colonne {COMMUNE_COLUMN} (code INSEE de la "
                         "commune) introuvable ; attendu le fichier « Évolution et structure de la "
                         "population » des bases infracommunales, tel que l'INSEE le publie.")
    columns = {name: 2000 + int(match[1]) for name in header if (match := UNDER_3_COLUMN.match(name))}
    if not columns:
        raise ValueError(f"Fichier INSEE {path.name} : colonne P??_POP0002 (population de 0 à 2 ans, "
                         "par exemple P20_POP0002 pour le recensement de 2020) introuvable.")
    return columns


def _create_iris_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE OR REPLACE TEMP TABLE _insee_iris "
                "(code_commune VARCHAR, annee INTEGER, enfants DECIMAL(18, 6))")


def _read_csv(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    encoding = _encoding(path)
    for column, year in _under_3_columns(path, _csv_header(path, encoding)).items():
        con.execute(
            f"INSERT INTO _insee_iris SELECT trim(\"{COMMUNE_COLUMN}\"), ?, "
            f"TRY_CAST(replace(trim(\"{column}\"), ',', '.') AS DECIMAL(18, 6)) "
            "FROM read_csv(?, header = true, all_varchar = true, delim = ';', quote = '\"', "
            "encoding = ?)",
            [year, path.as_posix(), encoding],
        )


def _cell_text(value) -> str:
    """A cell as text: a code read as a number (31555.0) written back as the code."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value) -> float | None:
    if isinstance(value, (int, float)):
        return value
    text = str(value).strip().replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def _xlsx_rows(path: Path) -> tuple[list[str], list[list]]:
    """The header (the first row holding IRIS and COM) and the rows below it, of sheet IRIS."""
    workbook = CalamineWorkbook.from_path(str(path))
    if XLSX_SHEET not in workbook.sheet_names:
        raise ValueError(f"Fichier INSEE {path.name} : feuille {XLSX_SHEET} introuvable.")
    rows = workbook.get_sheet_by_name(XLSX_SHEET).to_python()
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        header = [_cell_text(cell) for cell in row]
        if "IRIS" in header and COMMUNE_COLUMN in header:
            return header, rows[index + 1:]
    return [], []


def _read_xlsx(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    header, rows = _xlsx_rows(path)
    columns = _under_3_columns(path, header)
    commune = header.index(COMMUNE_COLUMN)
    values = [(_cell_text(row[commune]), year, _number(row[header.index(column)]))
              for column, year in columns.items() for row in rows if _cell_text(row[commune])]
    if values:
        con.executemany("INSERT INTO _insee_iris VALUES (?, ?, ?)", values)


def _insert_communes(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """The member communes' sums into ref.population_moins_3_ans, except the commune-years that
    already have a row (written by hand, or from a file read before)."""
    con.execute(
        "INSERT INTO ref.population_moins_3_ans BY NAME "
        "SELECT i.code_commune, i.annee, CAST(round(sum(i.enfants)) AS INTEGER) AS enfants_moins_3_ans, "
        "? AS nature_chiffre, ? AS source "
        "FROM _insee_iris i JOIN ref.communes c ON c.code_commune = i.code_commune AND c.membre_cc "
        "WHERE NOT EXISTS (SELECT 1 FROM ref.population_moins_3_ans p "
        "                  WHERE p.code_commune = i.code_commune AND p.annee = i.annee) "
        "GROUP BY i.code_commune, i.annee",
        [NATURE, SOURCE_PREFIX + path.name],
    )


def load_under_3_population(con: duckdb.DuckDBPyConnection, ref_dir: Path) -> None:
    """Every INSEE population file of the reference folder into ref.population_moins_3_ans (to be
    called once the reference CSV files are loaded)."""
    for path in population_files(ref_dir):
        _create_iris_table(con)
        if path.suffix.lower() == ".csv":
            _read_csv(con, path)
        else:
            _read_xlsx(con, path)
        _insert_communes(con, path)
    con.execute("DROP TABLE IF EXISTS _insee_iris")
