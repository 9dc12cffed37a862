"""Deterministic generator of messy France Services counters, 2019-2023 (demo data).

`generate(raw_dir)` writes `raw_dir/france_services/` and returns a `DemoTruth`: the counts the
pipeline must find there. The yearly demandes of France Services Lalbenque (MSAP until 2021) are
the published ones (bilan CTG 2019-2022: 554, 558, 612, 1,090), as are the 43 MaPrimeRénov'
(ANAH) appointments of 2022; France Services Limogne-en-Quercy (La Poste) counts from December
2021. The files follow sources.md §2, in both layouts, with the messiness of real ones:

- MSAP Lalbenque 2019.xlsx: full month names, an empty row before `Total`;
- Lalbenque 2020.xlsx: abbreviated months, April empty (COVID closure, 16 March - 26 April), the
  CAF row's total typed by hand and wrong;
- France Services Lalbenque 2021-2022.xlsx: one sheet per year, a title without year (the sheet
  name gives it), abbreviations without dot, `-` for 0, a wrong hand-typed month total (2022);
- Limogne/France Services Limogne-en-Quercy 2021-2022.csv: the long layout, Windows-1252, month
  as number, name or abbreviation, an operator not in the list ("Mission locale": quarantined);
- Limogne/export T1 2022.csv: an older partial export (Jan-Mar 2022), header aliases, one value
  since corrected: all its rows are duplicates of the newer file;
- Limogne/France Services Limogne 2023.xlsx: neither site nor year in the title ("édité le" a
  date): the file name gives them.
Usage: python -m demo.france_services [RAW_DIR]   (default: demo/raw)
"""
from __future__ import annotations

import csv
import io
import os
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

from demo.files import freeze_workbook, stamp

FOLDER = "france_services"
LAL, LIM = "fs_lalbenque", "fs_limogne"
# site -> year -> demandes of the year (Lalbenque: bilan CTG; Limogne: free demo figures)
TARGETS = {LAL: {2019: 554, 2020: 558, 2021: 612, 2022: 1090},
           LIM: {2021: 31, 2022: 486, 2023: 571}}
FIXED = {(LAL, 2022, "anah"): 43}  # 43 rendez-vous MaPrimeRénov' (bilan CTG, Axe 2-D1)
FIRST_MONTH = {(LIM, 2021): 12}  # Limogne labelled France Services in December 2021
CLOSED = {(LAL, 2020): {4: 0.0, 3: 0.5}}  # COVID: closed 16 March - 26 April 2020
SHARES = {"caf": 20, "assurance_maladie": 15, "assurance_retraite": 12, "msa": 8, "france_travail": 12,
          "dgfip": 14, "france_titres": 10, "justice": 2, "la_poste": 3, "anah": 4, "agirc_arrco": 3,
          "cheque_energie": 2, "autres": 6}
MSAP = ["caf", "assurance_maladie", "assurance_retraite", "msa", "france_travail", "france_titres",
        "dgfip", "autres"]
FRANCE_SERVICES = list(SHARES)
OPERATORS = {(LAL, 2019): MSAP, (LAL, 2020): MSAP, (LAL, 2021): FRANCE_SERVICES,
             (LAL, 2022): FRANCE_SERVICES, (LIM, 2021): [o for o in FRANCE_SERVICES if o != "anah"],
             (LIM, 2022): [o for o in FRANCE_SERVICES if o != "anah"], (LIM, 2023): FRANCE_SERVICES}
SEASON = [0.9, 1.0, 1.1, 1.25, 1.2, 1.0, 0.9, 0.55, 1.0, 1.1, 1.1, 0.9]  # tax returns in spring
MONTHS_FULL = ["Janvier", "Février", "Mars", "Avril", "Mai", "Juin", "Juillet", "Août", "Septembre",
               "Octobre", "Novembre", "Décembre"]
MONTHS_DOT = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
              "déc."]
MONTHS_SHORT = ["Janv", "Fév", "Mars", "Avr", "Mai", "Juin", "Juil", "Août", "Sept", "Oct", "Nov", "Déc"]
LABELS = {  # how each file spells the operators
    "2019": {"caf": "CAF", "assurance_maladie": "CPAM", "assurance_retraite": "CARSAT", "msa": "MSA",
             "france_travail": "Pôle emploi", "france_titres": "ANTS", "dgfip": "Finances publiques",
             "autres": "Autres"},
    "2020": {"caf": "Caf", "assurance_maladie": "CPAM", "assurance_retraite": "Carsat", "msa": "MSA",
             "france_travail": "Pôle Emploi", "france_titres": "ANTS", "dgfip": "Impôts",
             "autres": "Partenaires locaux"},
    "fs": {"caf": "CAF", "assurance_maladie": "Assurance Maladie", "assurance_retraite": "Assurance Retraite",
           "msa": "MSA", "france_travail": "Pôle emploi", "dgfip": "DGFiP", "france_titres": "ANTS",
           "justice": "Justice", "la_poste": "La Poste", "anah": "MaPrimeRénov'",
           "agirc_arrco": "Agirc-Arrco", "cheque_energie": "Chèque énergie", "autres": "Autres"},
    "limogne": {"caf": "CAF", "assurance_maladie": "CPAM", "assurance_retraite": "CNAV", "msa": "MSA",
                "france_travail": "Pôle emploi", "dgfip": "Impôts", "france_titres": "ANTS",
                "justice": "Justice", "la_poste": "La Poste", "anah": "France Rénov'",
                "agirc_arrco": "Agirc-Arrco", "cheque_energie": "Chèque énergie", "autres": "Autres"},
}
UNKNOWN = ("Mission locale", 2022, 3, 4)  # an operator outside the list: (label, year, month, count)


@dataclass(frozen=True)
class Workbook:
    """One counter workbook: its sheets (name, site, year, title rows) and how it is messy."""
    path: str
    sheets: tuple  # ((sheet name, site, year, (title rows...)), ...)
    labels: str
    months: list
    zero: object = None  # how a 0 is written
    blank_row: bool = False  # an empty row before the Total row
    total_label: str = "Total"
    wrong_row_total: tuple = ()  # (year, operator): its Total cell typed 2 too high
    wrong_month_total: tuple = ()  # (year, month): its Total-row cell typed 10 too low
    mtime: str = "2024-01-08"


WORKBOOKS = [
    Workbook("MSAP Lalbenque 2019.xlsx", (("Feuil1", LAL, 2019, (
        "MSAP de Lalbenque", "Fréquentation 2019 - nombre de demandes par opérateur", "")),),
        "2019", MONTHS_FULL, blank_row=True, mtime="2020-01-15"),
    Workbook("Lalbenque 2020.xlsx", (("Fréquentation", LAL, 2020, (
        "Maison de services au public de Lalbenque - Fréquentation 2020",)),),
        "2020", MONTHS_DOT, total_label="TOTAL", wrong_row_total=(2020, "caf"), mtime="2021-01-12"),
    Workbook("France Services Lalbenque 2021-2022.xlsx", tuple(
        (str(year), LAL, year, ("France Services de Lalbenque", "Fréquentation mensuelle (demandes)"))
        for year in (2021, 2022)), "fs", MONTHS_SHORT, zero="-", total_label="Total général",
        wrong_month_total=(2022, 3), mtime="2023-01-10"),
    Workbook("Limogne/France Services Limogne 2023.xlsx", (("Feuil1", LIM, 2023, (
        "Espace France Services - suivi de fréquentation", "Édité le 05/01/2024")),),
        "limogne", MONTHS_DOT, mtime="2024-01-05"),
]
LONG = "Limogne/France Services Limogne-en-Quercy 2021-2022.csv"
PARTIAL = "Limogne/export T1 2022.csv"
CORRECTED = (2022, 2, "caf")  # the older partial export still has the uncorrected value (+3)


@dataclass(frozen=True)
class DemoTruth:
    annuel: dict  # (structure_id, annee) -> demandes
    mensuel: dict  # (structure_id, annee, mois, operateur_id) -> demandes
    lignes_lues: dict  # file -> rows read (month cells of a workbook's table, lines of a CSV)
    lignes_vides_total: dict  # file -> rows counted as blank or total
    lignes_quarantaine: int
    lignes_doublons: int
    totaux_faux: list  # (file, sheet, cell) of each wrong hand-typed total
    conflits: int  # keys whose values differ between overlapping files


def split(total: int, weights: list) -> list:
    """Whole numbers proportional to weights, adding up to total (largest remainder)."""
    exact = [total * w / sum(weights) for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(range(len(exact)), key=lambda k: (parts[k] - exact[k], k))
    for k in order[: total - sum(parts)]:
        parts[k] += 1
    return parts


def counts(rng: random.Random) -> dict:
    """(site, year, month, operator) -> demandes, adding up to each year's target."""
    result = {}
    for site, years in TARGETS.items():
        for year, total in years.items():
            operators = OPERATORS[site, year]
            fixed = {o: FIXED[site, year, o] for o in operators if (site, year, o) in FIXED}
            free = [o for o in operators if o not in fixed]
            shares = split(total - sum(fixed.values()), [SHARES[o] * rng.uniform(0.7, 1.3) for o in free])
            first, closed = FIRST_MONTH.get((site, year), 1), CLOSED.get((site, year), {})
            months = range(first, 13)
            for operator, share in [*zip(free, shares), *fixed.items()]:
                weights = [SEASON[m - 1] * closed.get(m, 1.0) * rng.uniform(0.6, 1.4) for m in months]
                for month, n in zip(months, split(share, weights)):
                    result[site, year, month, operator] = n
    return result


def write_workbook(path: Path, book: Workbook, data: dict) -> tuple[int, int, list]:
    """Returns the month cells read, those blank or total, and the (sheet, cell) of wrong totals."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    read = blank = 0
    wrong = []
    for name, site, year, titles in book.sheets:
        ws = wb.create_sheet(name)
        for title in titles:
            ws.append([title] if title else [])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=14)
        ws.append(["Opérateur", *book.months, "Total"])
        operators = OPERATORS[site, year]
        first_row = len(titles) + 2
        for row, operator in enumerate(operators, start=first_row):
            cells = [data[site, year, m, operator] for m in range(1, 13)]
            typo = 2 if book.wrong_row_total == (year, operator) else 0
            wrong += [(name, f"N{row}")] if typo else []
            ws.append([LABELS[book.labels][operator], *(c or book.zero for c in cells), sum(cells) + typo])
        if book.blank_row:
            ws.append([])
        total_row = first_row + len(operators) + book.blank_row
        columns = [sum(data[site, year, m, o] for o in operators) for m in range(1, 13)]
        if book.wrong_month_total and book.wrong_month_total[0] == year:
            month = book.wrong_month_total[1]
            columns[month - 1] -= 10
            wrong.append((name, f"{get_column_letter(month + 1)}{total_row}"))
        grand_total = sum(data[site, year, m, o] for m in range(1, 13) for o in operators)
        ws.append([book.total_label, *columns, grand_total])
        read += 12 * (len(operators) + 1 + book.blank_row)
        blank += 12 * (1 + book.blank_row)
    save(wb, path)
    return read, blank, wrong


def save(wb: openpyxl.Workbook, path: Path) -> None:
    """Save with fixed timestamps inside: the same seed gives the same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    freeze_workbook(path, "2024-01-08")


def month_label(month: int) -> str:
    """The long file writes the month three ways."""
    return [str(month), MONTHS_FULL[month - 1].lower(), MONTHS_DOT[month - 1]][month % 3]


def write_long(path: Path, lines: list, header: list, encoding: str, eol: str) -> None:
    buf = io.StringIO()
    out = csv.writer(buf, delimiter=";", lineterminator=eol)
    out.writerow(header)
    out.writerows(lines)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode(encoding))


def long_lines(data: dict, site_label: str, keys: list, changed: tuple = ()) -> list:
    labels = LABELS["limogne"]
    return [[site_label, year, month_label(month), labels[operator],
             data[LIM, year, month, operator] + (3 if (year, month, operator) == changed else 0)]
            for year, month, operator in keys]


def generate(raw_dir: Path, seed: int = 46090) -> DemoTruth:
    """Write raw_dir/france_services/ (replacing it) and return the truth the pipeline must find."""
    rng = random.Random(seed)
    data = counts(rng)
    out = Path(raw_dir) / FOLDER
    shutil.rmtree(out, ignore_errors=True)
    read, blank, wrong = {}, {}, []
    for book in WORKBOOKS:
        read[book.path], blank[book.path], cells = write_workbook(out / book.path, book, data)
        wrong += [(book.path, sheet, cell) for sheet, cell in cells]
        os.utime(out / book.path, (stamp(book.mtime),) * 2)
    order = {operator: k for k, operator in enumerate(FRANCE_SERVICES)}
    keys = sorted(((y, m, o) for (s, y, m, o) in data if s == LIM and y in (2021, 2022)),
                  key=lambda k: (k[0], k[1], order[k[2]]))
    lines = long_lines(data, "France Services Limogne-en-Quercy", keys)
    label, year, month, n = UNKNOWN
    lines.insert(len(lines) // 2, ["France Services Limogne-en-Quercy", year, month_label(month), label, n])
    write_long(out / LONG, lines, ["Site", "Année", "Mois", "Opérateur", "Demandes"], "cp1252", "\r\n")
    early = [k for k in keys if k[0] == 2022 and k[1] <= 3]
    write_long(out / PARTIAL, long_lines(data, "Limogne", early, CORRECTED),
               ["Structure", "Annee", "Mois", "Partenaire", "Nombre de demandes"], "utf-8-sig", "\n")
    os.utime(out / LONG, (stamp("2023-01-16"),) * 2)
    os.utime(out / PARTIAL, (stamp("2022-04-04"),) * 2)
    read.update({LONG: len(lines), PARTIAL: len(early)})
    blank.update({LONG: 0, PARTIAL: 0})
    return truth(data, read, blank, wrong, duplicates=len(early))


def truth(data: dict, read: dict, blank: dict, wrong: list, duplicates: int) -> DemoTruth:
    annuel = {}
    for (site, year, _, _), n in data.items():
        annuel[site, year] = annuel.get((site, year), 0) + n
    for site, years in TARGETS.items():
        for year, total in years.items():
            assert annuel[site, year] == total, (site, year)
    assert sum(n for (s, y, _, o), n in data.items() if (s, y, o) == (LAL, 2022, "anah")) == 43
    return DemoTruth(annuel, dict(data), read, blank, lignes_quarantaine=1, lignes_doublons=duplicates,
                     totaux_faux=wrong, conflits=1)


def main(argv: list) -> None:
    raw_dir = Path(argv[1]) if len(argv) > 1 else Path(__file__).parent / "raw"
    t = generate(raw_dir)
    for (site, year), n in sorted(t.annuel.items()):
        print(site, year, n, "demandes")
    print(f"lues {sum(t.lignes_lues.values())}, quarantaine {t.lignes_quarantaine}, doublons "
          f"{t.lignes_doublons}, totaux faux {t.totaux_faux} -> {raw_dir}")


if __name__ == "__main__":
    main(sys.argv)
