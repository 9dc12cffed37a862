"""Deterministic generator of messy food-aid distribution logs, 2022-2023 (demo data).

The five structures of the territory fill the CTG coordinator's common template (sources.md §3),
each its own way: workbooks with title rows and Total rows, cp1252 CSV with decimal commas,
a weight typed "1 020,5" with a non-breaking space, a few rows to quarantine, an older partial
re-export overlapping the full one. Households come in tens per structure; the Restos du Cœur
distribute weekly during the winter campaign (21 November - 14 March) and fortnightly, to fewer
households, between campaigns; the épicerie sociale (from September 2022) serves households
oriented by a social worker, once a month.

`generate(raw_dir)` writes `raw_dir/aide_alimentaire/` and returns a `DemoTruth` computed from
the generated passages with simple logic of our own.
Usage: python -m demo.aide_alimentaire [RAW_DIR]   (default: demo/raw)
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import re
import shutil
import sys
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

import openpyxl

from demo.files import freeze_workbook, stamp

YEARS = (2022, 2023)
PUBLIC_HOLIDAYS = "01-01 05-01 05-08 07-14 08-15 11-01 11-11 12-25"
COMPOSITIONS = ("Personne seule", "Couple sans enfant", "Couple avec enfant(s)", "Famille monoparentale",
                "Autre")
OUTSIDE = ("Fontanes", "Cieurac", "Cahors", "Pern-Lhospitalet")  # communes outside the CC
COMMUNE_ALIASES = {"46173": ["Limogne", "LIMOGNE EN QUERCY"], "46105": ["Flaujac-Pujols", "Flaujac"],
                   "46026": ["Belmont St Foi"], "46328": ["Vaire"], "46023": ["Belfort de Quercy"]}
SOCIAL_WORKERS = {"Travailleur social": 3, "Assistante sociale": 2, "Assistante sociale du Département": 1}
# One household per structure oriented by someone outside the contract's list of orienters.
UNLISTED_ORIENTERS = {"restos_lalbenque": "Voisine", "restos_limogne": "Gendarmerie",
                      "secours_populaire_lalbenque": "Pharmacie"}


@dataclass(frozen=True)
class Site:
    """A structure: how it is written, where its households live, when it distributes."""
    labels: tuple
    home: str
    neighbours: tuple
    households: int  # size of the pool over the two years
    weekday: int  # 0 = Monday
    winter: str  # distribution rule during the Restos campaign (or all year): see on_rule
    summer: str
    opening: dt.date
    campaign: bool  # between campaigns, only the households kept on come
    children: tuple  # weights of 0, 1, 2, 3, 4 children
    orienters: dict  # label -> weight
    kg: tuple  # (base, per person) kilograms of a passage
    numbering: str  # format of the household number


NEAR_LALBENQUE = ("46082", "46091", "46140", "46202", "46010", "46105", "46023", "46013", "46329")
NEAR_LIMOGNE = ("46328", "46073", "46179", "46333", "46247", "46068", "46081", "46276", "46020", "46026")
RESTOS_ORIENTERS = {"Spontané": 30, "Travailleur social": 25, "Assistante sociale": 10, "CAF": 8, "MSA": 8,
                    "CIAS": 8, "Bouche à oreille": 6, "Mairie": 3}
SITES = {
    "restos_lalbenque": Site(("Restos du Cœur Lalbenque", "Restos du Coeur Lalbenque"), "46148",
                             NEAR_LALBENQUE, 64, 1, "weekly", "even_weeks", dt.date(2021, 1, 1), True,
                             (35, 20, 22, 15, 8), RESTOS_ORIENTERS, (3.0, 4.0), "{}"),
    "restos_limogne": Site(("Restos du Cœur Limogne", "RESTOS DU COEUR LIMOGNE-EN-QUERCY"), "46173",
                           NEAR_LIMOGNE, 38, 3, "weekly", "even_weeks", dt.date(2021, 1, 1), True,
                           (35, 22, 22, 13, 8), RESTOS_ORIENTERS, (3.0, 4.0), "{}"),
    "restos_concots": Site(("Restos du Cœur car itinérant (Concots)", "Car itinérant Concots"), "46073",
                           NEAR_LIMOGNE + ("46202",), 22, 2, "even_weeks", "first", dt.date(2022, 11, 21),
                           True, (40, 20, 20, 12, 8), RESTOS_ORIENTERS, (3.0, 3.5), "CI-{:02d}"),
    "secours_populaire_lalbenque": Site(
        ("Secours populaire Lalbenque", "SPF Lalbenque"), "46148", NEAR_LALBENQUE, 34, 4, "first_third",
        "first_third", dt.date(2021, 1, 1), False, (60, 18, 14, 8, 0),
        {"Spontané": 30, "Travailleur social": 25, "CCAS": 10, "CAF": 10, "Secours catholique": 5},
        (2.5, 3.0), "{}"),
    "epicerie_rertr": Site(("Épicerie sociale RERTR", "Epicerie sociale itinérante RERTR"), "46148",
                           NEAR_LALBENQUE + ("46173",), 20, 0, "second", "second", dt.date(2022, 9, 1),
                           False, (55, 20, 15, 10, 0), SOCIAL_WORKERS, (6.0, 2.5),
                           "E{:03d}"),
}
ALIASES = {
    "date": ("Date", "Date de distribution", "Date passage"),
    "structure": ("Structure", "Association", "Lieu de distribution"),
    "foyer": ("N° foyer", "N° bénéficiaire", "No foyer"),
    "commune": ("Commune", "Commune de résidence", "Commune"),
    "composition": ("Composition familiale", "Type de foyer", "Composition"),
    "adultes": ("Nb adultes", "Adultes", "Nb adultes"),
    "enfants": ("Nb enfants", "Enfants", "Nb enfants"),
    "orientation": ("Orienté par", "Orienteur", "Orientation"),
    "poids": ("Poids (kg)", "Kg", "Poids"),
}


@dataclass
class Household:
    sid: str
    number: str
    adults: int
    children: int
    commune: str  # INSEE code, or the name of a place outside the CC
    start: dt.date
    end: dt.date
    between_campaigns: bool
    orienter: str
    change: tuple | None = None  # (day, "birth" | "separation" | "move", new commune)


@dataclass
class Passage:
    sid: str
    day: dt.date
    number: str
    adults: int
    children: int
    commune: str | None  # None: left blank in the file
    orienter: str
    kg: Decimal | None
    raw: dict = field(default_factory=dict)  # raw cell text overriding the rendered value


@dataclass(frozen=True)
class FileSpec:
    """One log file and every way it is messy."""
    path: str
    select: tuple  # ((structure, first day, last day), ...)
    mtime: str = "2024-01-15"
    enc: str = "utf-8"
    sep: str = ";"
    eol: str = "\r\n"
    date: str = "%d/%m/%Y"
    decimal: str = ","
    thousands: str = "\u00a0"
    aliases: int = 0
    label: int = 0
    case: str = "natural"  # natural | upper | lower: how compositions are typed
    titles: tuple = ()  # xlsx only: title rows above the header ({year} is filled per sheet)
    by_year: bool = False  # xlsx: one sheet per year
    lists_sheet: bool = False  # xlsx: the template's drop-down lists on a second sheet
    total: str | None = None
    bad: tuple = ()
    copies: int = 0  # lines typed twice
    empty: int = 0  # fully empty lines slipped in
    partial: bool = False  # older partial re-export: its rows lose to the newer file
    corrections: int = 0  # partial only: rows whose values were corrected since

    def covers(self, passage: Passage) -> bool:
        return any(passage.sid == s and a <= passage.day <= b for s, a, b in self.select)


def _y(sid: str, first: str, last: str) -> tuple:
    return sid, dt.date.fromisoformat(first), dt.date.fromisoformat(last)


RL, RM, RC, SP, EP = SITES
FILES = [
    FileSpec("Restos du Coeur Lalbenque/Passages 2022.xlsx", (_y(RL, "2022-01-01", "2022-12-31"),),
             mtime="2023-01-09", titles=("Restos du Cœur — Centre de Lalbenque", "Passages {year}", ""),
             total="Total", bad=("adultes0",)),
    FileSpec("Restos du Coeur Lalbenque/Passages 2023.xlsx", (_y(RL, "2023-01-01", "2023-12-31"),),
             titles=("Restos du Cœur — Centre de Lalbenque", "Passages {year}"), label=1, total="Total",
             lists_sheet=True, case="upper"),
    FileSpec("restos_limogne_2022-2023.csv", (_y(RM, "2022-01-01", "2023-12-31"),), mtime="2024-01-12",
             enc="cp1252", date="%d/%m/%y", aliases=1, label=1, case="lower", bad=("date",), copies=2,
             empty=1),
    FileSpec("Restos Concots car itinérant.xlsx", (_y(RC, "2022-01-01", "2023-12-31"),),
             titles=("Car itinérant des Restos du Cœur — arrêt de Concots", "Année {year}"),
             by_year=True, total="TOTAL", bad=("structure",)),
    FileSpec("secours_populaire/SPF Lalbenque 2022.csv", (_y(SP, "2022-01-01", "2022-12-31"),),
             mtime="2023-01-20", enc="utf-8-sig", sep=",", eol="\n", date="%Y-%m-%d", aliases=2),
    FileSpec("secours_populaire/SPF Lalbenque 2023 janv-juin.csv", (_y(SP, "2023-01-01", "2023-06-30"),),
             mtime="2023-07-03", enc="cp1252", partial=True, corrections=3),
    FileSpec("secours_populaire/SPF Lalbenque 2023.csv", (_y(SP, "2023-01-01", "2023-12-31"),),
             enc="cp1252", label=1, bad=("adultes_blank", "poids")),
    FileSpec("epicerie_rertr/RERTR épicerie sociale 2022-2023.xlsx",
             (_y(EP, "2022-01-01", "2023-12-31"),),
             titles=("Épicerie sociale itinérante RERTR",
                     "Livraisons à la Maison communautaire de Lalbenque"),
             aliases=2, total="TOTAL", bad=("foyer_blank",)),
]
ODD_WEIGHT = (SP, dt.date(2023, 3, 17), Decimal("1020.5"))  # a day's total typed on one passage
BAD_CELLS = {"adultes0": ("adultes", "0"), "date": ("date", "31/11/22"),
             "structure": ("structure", "Restos du Cœur Cahors"), "adultes_blank": ("adultes", ""),
             "poids": ("poids", "env. 12"), "foyer_blank": ("foyer", "")}
JUNK = {"Outil de recueil - notice.pdf": b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n",
        "Restos du Coeur Lalbenque/~$Passages 2023.xlsx": b"\x0bbenevole" + b"\x00" * 40,
        ".DS_Store": b"\x00\x00\x00\x01Bud1" + b"\x00" * 56}


@dataclass(frozen=True)
class DemoTruth:
    annuel: dict  # (structure_id, annee) -> (foyers, personnes, adultes, enfants, passages, poids_kg)
    par_commune: dict  # (structure_id, annee, code_commune) -> (foyers, personnes)
    mensuel: dict  # (structure_id, annee, mois) -> (passages, foyers)
    lignes_par_fichier: dict  # file name -> data rows written (not counting blank or Total lines)
    lignes_quarantaine: int
    lignes_doublons: int
    conflits: int
    fichiers_ignores: int
    passages_orientation_hors_liste: int


def read_communes() -> dict:
    path = Path(__file__).resolve().parent.parent / "warehouse" / "ref" / "communes.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return {r["code_commune"]: r["nom"] for r in csv.DictReader(f) if r["membre_cc"] == "true"}


def in_campaign(day: dt.date) -> bool:
    return (day.month, day.day) >= (11, 21) or (day.month, day.day) <= (3, 14)


def on_rule(day: dt.date, rule: str) -> bool:
    return {"weekly": True, "even_weeks": day.isocalendar().week % 2 == 0, "first": day.day <= 7,
            "first_third": day.day <= 7 or 15 <= day.day <= 21, "second": 8 <= day.day <= 14}[rule]


def distribution_days(site: Site, year: int) -> list:
    closed = {dt.date.fromisoformat(f"{year}-{md}") for md in PUBLIC_HOLIDAYS.split()}
    days = []
    for n in range(366 if year % 4 == 0 else 365):
        day = dt.date(year, 1, 1) + dt.timedelta(n)
        rule = site.winter if in_campaign(day) else site.summer
        if day.weekday() == site.weekday and day >= site.opening and day not in closed and on_rule(day, rule):
            days.append(day)
    return days


def new_household(rng, sid: str, k: int, communes: dict) -> Household:
    site = SITES[sid]
    first = max(site.opening, dt.date(2021, 3, 1))
    opens_in_period = site.opening.year >= YEARS[0]
    start = first if opens_in_period and rng.random() < 0.4 else (
        first + dt.timedelta(rng.randrange((dt.date(2023, 11, 30) - first).days)))
    end = start + dt.timedelta(rng.randint(60, 540))
    children = rng.choices(range(5), site.children)[0]
    adults = rng.choices((1, 2, 3), (55, 40, 5))[0]
    codes = list(communes)
    weights = [40 if c == site.home else 8 if c in site.neighbours else 1 for c in codes]
    commune = rng.choice(OUTSIDE) if rng.random() < 0.05 else rng.choices(codes, weights)[0]
    orienter = rng.choices(list(site.orienters), list(site.orienters.values()))[0]
    household = Household(sid, site.numbering.format(k), adults, children, commune, start, end,
                          rng.random() < 0.45, orienter)
    if (end - start).days > 120 and rng.random() < 0.25:
        day = start + dt.timedelta(rng.randint(40, (end - start).days - 40))
        kind = rng.choices(("birth", "separation", "move"), (5, 2, 3))[0]
        if kind == "separation" and adults < 2:
            kind = "birth"
        household.change = (day, kind, rng.choices(codes, weights)[0])
    return household


def state_on(h: Household, day: dt.date) -> tuple:
    """(adults, children, commune) of the household on that day."""
    adults, children, commune = h.adults, h.children, h.commune
    if h.change and day >= h.change[0]:
        kind = h.change[1]
        adults -= kind == "separation"
        children += kind == "birth"
        commune = h.change[2] if kind == "move" else commune
    return adults, children, commune


def passages_of(rng, sid: str, households: list) -> list:
    site, passages = SITES[sid], []
    for year in YEARS:
        for day in distribution_days(site, year):
            for h in households:
                comes = h.start <= day <= h.end and (
                    not site.campaign or in_campaign(day) or h.between_campaigns)
                if comes and rng.random() < 0.85:
                    adults, children, commune = state_on(h, day)
                    base, per_person = site.kg
                    kg = Decimal(str(round(max(2.0, base + per_person * (adults + children)
                                               + rng.gauss(0, 1.5)), 1)))
                    passages.append(Passage(sid, day, h.number, adults, children,
                                            None if rng.random() < 0.03 else commune, h.orienter,
                                            None if rng.random() < 0.02 else kg))
    return passages


def bad_passage(kind: str, sid: str, day: dt.date, n: int) -> Passage:
    """A passage to quarantine, on a distribution day, for a number no other row uses."""
    field_name, text = BAD_CELLS[kind]
    return Passage(sid, day, str(900 + n), 1, 0, SITES[sid].home, "CIAS", Decimal("7.5"),
                   raw={field_name: text})


def assemble(rng, spec: FileSpec, passages: list) -> tuple[list, int, int]:
    """The file's rows in order (None is an empty line), its duplicates and its conflicts."""
    lines = sorted(passages, key=lambda p: (p.day, p.number))
    conflicts = 0
    if spec.partial:  # values since corrected in the full export
        for k in rng.sample(range(len(lines)), spec.corrections):
            p = lines[k]
            lines[k] = replace(p, children=p.children + 1) if k % 2 else replace(p, kg=(p.kg or 0) + 5)
            conflicts += 1
    for k in sorted(rng.sample(range(len(lines)), spec.copies), reverse=True):
        lines.insert(k + 1, lines[k])
    for n, kind in enumerate(spec.bad):
        day = rng.choice(passages).day
        lines.insert(rng.randrange(len(lines) + 1), bad_passage(kind, spec.select[0][0], day, n))
    for _ in range(spec.empty):
        lines.insert(rng.randrange(1, len(lines)), None)
    return lines, (len(passages) if spec.partial else 0) + spec.copies, conflicts


def composition(p: Passage) -> str:
    if p.adults >= 3:
        return COMPOSITIONS[4]
    if p.children == 0:
        return COMPOSITIONS[0] if p.adults == 1 else COMPOSITIONS[1]
    return COMPOSITIONS[3] if p.adults == 1 else COMPOSITIONS[2]


def number_text(value: Decimal, spec: FileSpec) -> str:
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", spec.decimal).replace("\x00", spec.thousands)


def commune_label(p: Passage, communes: dict) -> str:
    if p.commune is None:
        return ""
    if p.commune not in communes:
        return p.commune
    options = [communes[p.commune]] + COMMUNE_ALIASES.get(p.commune, [])
    return options[(p.day.toordinal() + int(re.sub(r"\D", "", p.number))) % len(options)]


def render(p: Passage, spec: FileSpec, communes: dict) -> list:
    workbook = bool(spec.titles)
    number = int(p.number) if workbook and p.number.isdigit() else p.number
    kg = "" if p.kg is None else (float(p.kg) if workbook else number_text(p.kg, spec))
    label = composition(p)
    values = {
        "date": p.day if workbook else p.day.strftime(spec.date),
        "structure": SITES[p.sid].labels[spec.label], "foyer": number,
        "commune": commune_label(p, communes),
        "composition": {"upper": label.upper(), "lower": label.lower()}.get(spec.case, label),
        "adultes": p.adults if workbook else str(p.adults),
        "enfants": (p.children if workbook else str(p.children)) if p.children else "",
        "orientation": p.orienter, "poids": kg,
    }
    values.update(p.raw)
    return [values[k] for k in ALIASES]


def header(spec: FileSpec) -> list:
    return [names[spec.aliases] for names in ALIASES.values()]


def write_delimited(path: Path, spec: FileSpec, lines: list, communes: dict) -> None:
    buf = io.StringIO()
    out = csv.writer(buf, delimiter=spec.sep, lineterminator=spec.eol)
    out.writerow(header(spec))
    for p in lines:
        out.writerow([""] * len(ALIASES) if p is None else render(p, spec, communes))
    path.write_bytes(buf.getvalue().encode(spec.enc))


def write_workbook(path: Path, spec: FileSpec, lines: list, communes: dict) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    years = sorted({p.day.year for p in lines}) if spec.by_year else [spec.select[0][1].year]
    for year in years:
        ws = wb.create_sheet(str(year))
        for title in spec.titles:
            ws.append([title.format(year=year)] if title else [])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(ALIASES))
        ws.append(header(spec))
        mine = [p for p in lines if not spec.by_year or p.day.year == year]
        for p in mine:
            ws.append(render(p, spec, communes))
            ws.cell(ws.max_row, 1).number_format = "DD/MM/YYYY"
        if spec.total:
            total_kg = sum(p.kg for p in mine if p.kg is not None and not p.raw)
            ws.append([spec.total] + [None] * (len(ALIASES) - 2) + [float(total_kg)])
    if spec.lists_sheet:
        lists = wb.create_sheet("Listes")
        for composition_label, orienter in zip(COMPOSITIONS, RESTOS_ORIENTERS):
            lists.append([composition_label, orienter])
    wb.save(path)
    freeze_workbook(path, "2024-01-15")


def generate(raw_dir: Path, seed: int = 46260) -> DemoTruth:
    """Write raw_dir/aide_alimentaire/ (replacing it) and return the truth the pipeline must find."""
    rng = random.Random(seed)
    communes = read_communes()
    passages = []
    for sid, site in SITES.items():
        households = [new_household(rng, sid, k, communes) for k in range(1, site.households + 1)]
        mine = passages_of(rng, sid, households)
        if sid in UNLISTED_ORIENTERS:
            unlisted = mine[len(mine) // 2].number
            for p in mine:
                p.orienter = UNLISTED_ORIENTERS[sid] if p.number == unlisted else p.orienter
        passages += mine
    odd = next(p for p in passages if (p.sid, p.day) == ODD_WEIGHT[:2] and p.kg is not None)
    odd.kg = ODD_WEIGHT[2]
    out = Path(raw_dir) / "aide_alimentaire"
    shutil.rmtree(out, ignore_errors=True)
    per_file, duplicates, conflicts, placed = {}, 0, 0, 0
    for spec in FILES:
        mine = [p for p in passages if spec.covers(p)]
        placed += 0 if spec.partial else len(mine)
        lines, dup, conflict = assemble(rng, spec, mine)
        path = out / spec.path
        path.parent.mkdir(parents=True, exist_ok=True)
        (write_workbook if spec.titles else write_delimited)(path, spec, lines, communes)
        os.utime(path, (stamp(spec.mtime),) * 2)
        per_file[spec.path] = sum(p is not None for p in lines)
        duplicates, conflicts = duplicates + dup, conflicts + conflict
    assert placed == len(passages), "every passage must sit in exactly one full export"
    for name, data in JUNK.items():
        (out / name).write_bytes(data)
        os.utime(out / name, (stamp("2024-01-16"),) * 2)
    return truth(passages, communes, per_file, duplicates, conflicts)


def household_years(passages: list, communes: dict) -> dict:
    """(structure, year, number) -> (persons, adults, children, commune code, passages, kg)."""
    grouped = defaultdict(list)
    for p in passages:
        grouped[p.sid, p.day.year, p.number].append(p)
    result = {}
    for key, mine in grouped.items():
        largest = max(mine, key=lambda p: (p.adults + p.children, p.day))
        given = [p for p in mine if p.commune is not None]
        latest = max(given, key=lambda p: p.day).commune if given else "INCONNUE"
        code = latest if latest in communes or latest == "INCONNUE" else "HORS_CC"
        weights = [p.kg for p in mine if p.kg is not None]
        result[key] = (largest.adults + largest.children, largest.adults, largest.children, code,
                       len(mine), sum(weights) if weights else None)
    return result


def truth(passages: list, communes: dict, per_file: dict, duplicates: int, conflicts: int) -> DemoTruth:
    annuel, par_commune, months = defaultdict(lambda: [0] * 5 + [None]), defaultdict(lambda: [0, 0]), {}
    for (sid, year, _), (persons, adults, children, code, count, kg) in household_years(
            passages, communes).items():
        row = annuel[sid, year]
        row[:5] = [row[0] + 1, row[1] + persons, row[2] + adults, row[3] + children, row[4] + count]
        row[5] = row[5] if kg is None else (row[5] or 0) + kg
        par_commune[sid, year, code][0] += 1
        par_commune[sid, year, code][1] += persons
    for p in passages:
        months.setdefault((p.sid, p.day.year, p.day.month), []).append(p.number)
    mensuel = {key: (len(numbers), len(set(numbers))) for key, numbers in months.items()}
    bad = sum(len(spec.bad) for spec in FILES)
    return DemoTruth(
        {k: tuple(v) for k, v in annuel.items()}, {k: tuple(v) for k, v in par_commune.items()}, mensuel,
        per_file, bad, duplicates, conflicts, len(JUNK),
        sum(p.orienter in UNLISTED_ORIENTERS.values() for p in passages))


def main(argv: list) -> None:
    raw_dir = Path(argv[1]) if len(argv) > 1 else Path(__file__).parent / "raw"
    t = generate(raw_dir)
    for (sid, year), (foyers, personnes, adultes, enfants, passages, kg) in sorted(t.annuel.items()):
        print(sid, year, f"{foyers} foyers, {personnes} personnes ({adultes} adultes, {enfants} enfants), "
                         f"{passages} passages, {kg} kg")
    print(f"lues {sum(t.lignes_par_fichier.values())}, quarantaine {t.lignes_quarantaine}, doublons {t.lignes_doublons}, "
          f"conflits {t.conflits} -> {raw_dir}")


if __name__ == "__main__":
    main(sys.argv)
