"""Deterministic generator of messy "Aide à la pratique sportive" records, 2017-2022 (demo data).

`generate(raw_dir)` writes `raw_dir/aide_sport/` and returns a `DemoTruth`: the figures the
pipeline must find, computed here from the generated aids with simple logic of our own. Persons
aided and euros granted each year are calibrated to the bilan CTG 2019-2022 (58 ... 251 persons,
3,510 ... 8,650 €). Every ordinary aid follows the rule in force (sources.md §4): the CC grants
min(rate × licence cost, cap) rounded down to 5 €, and trims it (by a lower licence cost) so that
the year's budget is the published one; the 2022 rule opens the aid to QF >= 800 at 20 €, hence
three times as many persons and a lower average aid.

Messiness: cp1252 and UTF-8 BOM, `;` `,` and tab, "20,00 €" amounts, dd/mm/yy and ISO dates,
workbooks with title rows, one sheet per year and a Total row, header aliases, the same aid typed
twice with the club (and the name) spelled two ways, rows to quarantine (aid above the licence
cost, unreadable amount or date, missing amount) and rows kept with a warning (aid above the cap,
an aid while not eligible, a second aid in the year, a blank QF).
Usage: python -m demo.aide_sport [RAW_DIR]   (default: demo/raw)
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import shutil
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import ROUND_CEILING, Decimal
from pathlib import Path

import openpyxl

from demo.files import freeze_workbook, stamp

TARGETS = {2017: (58, 3510), 2018: (83, 4665), 2019: (77, 4420), 2020: (78, 4295), 2021: (78, 3705),
           2022: (251, 8650)}  # year -> (persons aided, euros granted), bilan CTG 2019-2022
# The rule in force (sources.md §4): first year -> per QF band (upper bound excluded): rate, cap;
# rate 0 = not eligible.
RULES = {2017: ((500, Decimal("0.7"), 90), (800, Decimal("0.5"), 70), (None, Decimal(0), 0)),
         2022: ((500, Decimal("0.7"), 80), (800, Decimal("0.5"), 60), (None, Decimal(1), 20))}
BANDS = ("0-499", "500-799", "800+")
STEP, MIN_AID = 5, 10  # aids are whole multiples of 5 €, at least 10 € once trimmed
# club -> (discipline, licence cost range, for adults too)
CLUBS = {
    "Judo Club Limogne-en-Quercy": ("Judo", (140, 190), False),
    "Union Sportive Lalbenque Football": ("Football", (80, 130), False),
    "Tennis Club du Causse": ("Tennis", (120, 220), True),
    "Rugby Club Lalbenque-Fontanes": ("Rugby", (100, 160), False),
    "Gym Volontaire Lalbenque": ("Gymnastique", (90, 140), True),
    "Danse et Rythmes Cremps": ("Danse", (150, 260), False),
    "Basket Causse Quercy": ("Basket-ball", (100, 150), False),
    "Cahors Natation": ("Natation", (130, 190), False),
    "Pétanque Limognaise": ("Pétanque", (40, 60), True),
    "Vélo Club des Causses": ("Cyclisme", (60, 110), True),
    "Escalade Quercy Verticale": ("Escalade", (120, 180), False),
    "Écuries de Bach": ("Équitation", (250, 420), False),
    "Karaté Do Lalbenque": ("Karaté", (130, 180), False),
    "Randonnée Causse de Limogne": ("Randonnée", (25, 45), True),
}
SURNAMES = ("Delpech Cayrou Couderc Lagarrigue Vayssié Lafon Delmas Carrière Marty Cazals Lavergne Séguy "
            "Austruy Salgues Bessières Teulières Larroque Lacam Bouscarel Calmon Cantagrel Lacombe "
            "Lapeyre Mouly Pélissié Rességuier Souladié Tourniac Valéry Vidal Andrieu Baldy Bru Castel "
            "Daures Fabié Gisbert Issaly Jouclas Lherm Maury Nouvel Pradines Rouquié Sabatié Théron "
            "Vialard Astruc Bonnefous Cabanès Lecœur D’Alméida Barrière-Lacoste Saint-Géry").split()
FIRST_NAMES = {
    "F": "Léa Zoé Chloé Emma Jade Louise Alice Lina Inès Maëlle Manon Camille Ambre Léna Agathe Noémie "
         "Anaïs Éloïse Margaux Célia Lou Marie-Lou Anne-Sophie Sandrine Nathalie Céline".split(),
    "M": "Théo Hugo Lucas Nathan Louis Gabriel Raphaël Arthur Jules Léo Maël Noé Timéo Loïc Mathis Enzo "
         "Sacha Baptiste Évan Jean-Baptiste Adrien Yanis Gaël Joël Stéphane Frédéric Olivier".split(),
}
HOME = {"46148": 12, "46173": 8, "46105": 5, "46202": 4, "46023": 4, "46073": 3, "46010": 3, "46082": 3,
        "46140": 3, "46328": 3, "46329": 3}  # commune weights (others 1)
OUTSIDE = {"Fontanes": 0.01, "Cieurac": 0.005}  # labels of communes outside the CC, probability
COMMUNE_ALIASES = {"46173": ["Limogne", "LIMOGNE EN QUERCY"], "46105": ["Flaujac-Pujols"],
                   "46026": ["Belmont St Foi"], "46328": ["Vaire"], "46023": ["Belfort de Quercy"]}
HEADERS = (  # the contract's headers, then aliases (sources.md §4)
    ("N° dossier", "Nom", "Prénom", "Date de naissance", "Sexe", "Commune", "QF", "Club", "Discipline",
     "Coût licence", "Montant aide", "Date d'attribution"),
    ("Dossier", "Nom", "Prénom", "Né(e) le", "Sexe", "Commune", "Quotient familial", "Association sportive",
     "Sport", "Coût cotisation", "Aide accordée", "Date de l'aide"),
    ("No dossier", "Nom", "Prenom", "Date de naissance", "Sexe", "Commune", "Q.F.", "Club", "Sport",
     "Cout licence", "Montant", "Date"),
)
AMOUNT_INDEX, DATE_COLUMNS = 10, (4, 12)  # "Montant aide" (0-based); the two dates (1-based cells)
SEXES = ({"F": "F", "M": "M"}, {"F": "Féminin", "M": "Masculin"}, {"F": "f", "M": "m"})


@dataclass(frozen=True)
class Person:
    idx: int
    dossier: str
    nom: str
    prenom: str
    sexe: str
    birth: dt.date
    commune: str | None  # label written in the file, None when blank
    code: str  # INSEE code, HORS_CC or INCONNUE
    qf: int

    def age(self, day: dt.date) -> int:
        return day.year - self.birth.year - ((day.month, day.day) < (self.birth.month, self.birth.day))


@dataclass
class Aid:
    person: Person
    day: dt.date
    club: str
    cost: int
    amount: int
    fixed: bool = False  # a warning case: amount kept as written, never trimmed
    warning: str | None = None  # the warning type the pipeline must raise on it
    raw: dict = field(default_factory=dict)  # raw cell text overriding the rendered value


@dataclass(frozen=True)
class Spec:
    """One file and how it is messy."""
    path: str
    years: tuple
    first_day: str = "01-01"  # the aids of these days of the years sit in this file
    last_day: str = "12-31"
    mtime: str = "2023-01-05"
    enc: str = "utf-8"
    sep: str = ";"
    eol: str = "\r\n"
    date: str = "%d/%m/%Y"
    euros: str = "text"  # text "20,00 €" | plain "20" | cells (numbers in a workbook)
    date_cells: bool = False  # workbook: real date cells
    headers: int = 0
    sexes: int = 0
    upper: bool = False  # names typed in capitals, without accents
    qf_sep: str = ""
    titles: tuple = ()  # workbook title rows ({year} filled per sheet)
    total: bool = False
    empty_after: int | None = None  # an empty line after this data row


SPECS = [
    Spec("APS 2017.csv", (2017,), mtime="2018-01-15", enc="cp1252"),
    Spec("Aide pratique sportive 2018-2019.xlsx", (2018, 2019), mtime="2020-01-10", euros="cells",
         date_cells=True, headers=1, sexes=1, total=True,
         titles=("Communauté de communes du Pays de Lalbenque-Limogne",
                 "Aide à la pratique sportive — année {year}", "")),
    Spec("aides_sport_2020.csv", (2020,), mtime="2021-01-12", enc="utf-8-sig", sep=",", eol="\n",
         date="%Y-%m-%d", headers=2, qf_sep="\u00a0", empty_after=30),
    Spec("2021/APS_2021.txt", (2021,), mtime="2022-01-11", sep="\t", date="%d/%m/%y", euros="plain",
         sexes=2, upper=True),
    Spec("2022/Aide_sport_2022.xlsx", (2022,), last_day="11-15", mtime="2023-01-05", headers=1,
         date_cells=True, titles=("Aide à la pratique sportive {year}",
                                  "Saisie des coupons — CC du Pays de Lalbenque-Limogne")),
    Spec("2022/saisie complémentaire 2022.csv", (2022,), first_day="11-16", mtime="2023-01-20",
         enc="cp1252", headers=2, qf_sep=" "),
]
WORKBOOK_2022 = next(spec for spec in SPECS if spec.path == "2022/Aide_sport_2022.xlsx")
JUNK = {"Règlement aide pratique sportive 2022.pdf": b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"}


@dataclass(frozen=True)
class DemoTruth:
    beneficiaires: dict  # annee -> persons aided
    montant_total: dict  # annee -> Decimal euros
    aides: dict  # annee -> aids kept
    par_commune: dict  # (annee, code_commune) -> (persons, Decimal euros)
    par_tranche_qf: dict  # (annee, tranche_qf) -> (persons, Decimal euros)
    par_age: dict  # (annee, age at the person's latest aid) -> (persons, Decimal euros)
    avertissements: set  # (type, file, sheet, line) of the warnings on kept rows
    quarantaine: set  # (file, sheet, line)
    doublons: set  # (file, sheet, line) of the copies that lose to the other spelling
    lignes_par_fichier: dict  # file -> data rows written (the Total row and empty lines excluded)


def rule(year: int, qf: int | None) -> tuple[Decimal, int] | None:
    """(rate, cap) of the rule in force for a QF, None when the QF is not given."""
    if qf is None:
        return None
    bands = RULES[max(y for y in RULES if y <= year)]
    return next((rate, cap) for upper, rate, cap in bands if upper is None or qf < upper)


def band(qf: int | None) -> str:
    return "NR" if qf is None else BANDS[0 if qf < 500 else 1 if qf < 800 else 2]


def granted(year: int, qf: int, cost: int) -> int:
    """The CC's practice: min(rate × cost, cap), rounded down to 5 €."""
    rate, cap = rule(year, qf)
    allowed = min(rate * cost, Decimal(cap))
    return int(allowed // STEP * STEP)


def cost_for(year: int, qf: int, amount: int, cost: int) -> int:
    """A licence cost (close to ``cost``) whose rounded aid is exactly ``amount``."""
    rate, cap = rule(year, qf)
    if amount == cap // STEP * STEP and rate * cost >= cap:
        return cost
    return int((amount / rate).to_integral_value(rounding=ROUND_CEILING))


def read_communes() -> dict:
    path = Path(__file__).resolve().parent.parent / "warehouse" / "ref" / "communes.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return {r["code_commune"]: r["nom"] for r in csv.DictReader(f) if r["membre_cc"] == "true"}


def residence(rng, communes: dict) -> tuple[str | None, str]:
    draw = rng.random()
    for label, probability in OUTSIDE.items():
        if draw < probability:
            return label, "HORS_CC"
        draw -= probability
    if draw < 0.01:
        return None, "INCONNUE"
    codes = list(communes)
    code = rng.choices(codes, [HOME.get(c, 1) for c in codes])[0]
    labels = [communes[code]] + COMMUNE_ALIASES.get(code, [])
    return rng.choice(labels), code


def build_pool(rng, communes: dict, families: int = 330) -> list[Person]:
    """Families (one N° dossier, commune and QF) of one or two parents and their children."""
    pool, seen = [], set()
    for n in range(families):
        nom, (label, code) = rng.choice(SURNAMES), residence(rng, communes)
        qf = int(min(2200, max(180, rng.lognormvariate(6.55, 0.45))))
        parent = dt.date(rng.randint(1968, 1990), rng.randint(1, 12), rng.randint(1, 28))
        members = [parent] + [dt.date(rng.randint(2002, 2017), rng.randint(1, 12), rng.randint(1, 28))
                              for _ in range(rng.choices([1, 2, 3], [40, 45, 15])[0])]
        for birth in members:
            sexe = rng.choice("FM")
            person = Person(len(pool), f"APS-{1000 + n}", nom, rng.choice(FIRST_NAMES[sexe]), sexe, birth,
                            label, code, qf)
            if (nom, person.prenom, birth) not in seen:
                seen.add((nom, person.prenom, birth))
                pool.append(person)
    return pool


def attribution_day(rng, year: int) -> dt.date:
    """Most coupons at the start of the season (September to November), a few in spring."""
    month = rng.choices([1, 2, 3, 4, 9, 10, 11, 12], [4, 3, 3, 2, 30, 30, 18, 6])[0]
    return dt.date(year, month, rng.randint(1, 28))


def new_aid(rng, person: Person, year: int, day: dt.date | None = None) -> Aid:
    adult = person.age(dt.date(year, 9, 1)) >= 18
    club = rng.choice([c for c, (_, _, adults) in CLUBS.items() if adults or not adult])
    cost = rng.randint(*CLUBS[club][1])
    return Aid(person, day or attribution_day(rng, year), club, cost, granted(year, person.qf, cost))


def can_be_aided(person: Person, year: int) -> bool:
    age = person.age(dt.date(year, 9, 1))
    return (4 <= age <= 17 or age >= 25) and rule(year, person.qf)[0] > 0


def trim(rng, year: int, aids: list[Aid], target: int) -> None:
    """Lower (or raise) ordinary aids by 5 € through their licence cost until the year's total is
    the target; every amount stays min(rate × cost, cap) rounded down to 5 €."""
    movable = [a for a in aids if not a.fixed and rule(year, a.person.qf)[0] < 1]
    gap = target - sum(a.amount for a in aids)
    for _ in range(100_000):
        if not gap:
            return
        aid = rng.choice(movable)
        cap = rule(year, aid.person.qf)[1] // STEP * STEP
        amount = aid.amount + (STEP if gap > 0 else -STEP)
        if MIN_AID <= amount <= cap:
            aid.cost = cost_for(year, aid.person.qf, amount, aid.cost)
            aid.amount = amount
            assert granted(year, aid.person.qf, aid.cost) == amount
            gap += -STEP if gap > 0 else STEP
    raise RuntimeError(f"{year}: the aids cannot add up to {target} €")


def warning_cases(rng, year: int, chosen: list[Person], pool: list[Person]) -> list[Aid]:
    """The year's aids kept with a warning (fixed amounts; they count in the published figures)."""
    def person_in(low: int, high: int) -> Person:
        return next(p for p in rng.sample(chosen, len(chosen)) if low <= p.qf < high)

    if year == 2018:  # not eligible under the 2017-2021 rule, aided all the same
        rich = next(p for p in pool
                    if p.qf >= 800 and p not in chosen and 6 <= p.age(dt.date(2018, 9, 1)) <= 17)
        chosen.append(rich)
        return [Aid(rich, dt.date(2018, 10, 3), "Basket Causse Quercy", 120, 30, True, "plafond")]
    if year == 2019:  # two clubs in the same year: a second aid
        twice = person_in(0, 800)
        return [replace(new_aid(rng, twice, 2019, dt.date(2019, 12, 4)), warning="deuxième aide")]
    if year == 2020:  # above the 90 € cap
        return [Aid(person_in(0, 500), dt.date(2020, 9, 23), "Écuries de Bach", 320, 100, True, "plafond")]
    if year == 2021:  # QF left blank: the cap cannot be checked
        return [Aid(person_in(0, 800), dt.date(2021, 10, 6), "Tennis Club du Causse", 150, 50, True,
                    "plafond non vérifiable", {"qf": ""})]
    if year == 2022:  # above the flat 20 €, and a new season's aid after a January one
        return [Aid(person_in(800, 10_000), dt.date(2022, 9, 14), "Judo Club Limogne-en-Quercy", 160, 40,
                    True, "plafond"),
                replace(new_aid(rng, person_in(0, 800), 2022, dt.date(2022, 9, 7)), warning="deuxième aide")]
    return []


def draw_persons(rng, year: int, pool: list[Person], n: int) -> list[Person]:
    """n persons who can be aided that year, children four times as likely as adults (weighted
    sampling without replacement: the n largest random keys u ** (1 / weight))."""
    eligible = [p for p in pool if can_be_aided(p, year)]
    weight = {p.idx: 1 if p.age(dt.date(year, 9, 1)) >= 18 else 4 for p in eligible}
    keys = {p.idx: rng.random() ** (1 / weight[p.idx]) for p in eligible}
    return sorted(eligible, key=lambda p: keys[p.idx])[-n:]


def year_aids(rng, year: int, pool: list[Person]) -> list[Aid]:
    persons, target = TARGETS[year]
    chosen = draw_persons(rng, year, pool, persons - (year == 2018))
    extra = warning_cases(rng, year, chosen, pool)
    seconds = {a.person for a in extra if a.warning == "deuxième aide"}
    aids = [new_aid(rng, p, year, dt.date(year, 1, 20) if p in seconds else None) for p in chosen
            if p not in {a.person for a in extra} or p in seconds]
    aids += extra
    trim(rng, year, aids, target)
    assert len({a.person for a in aids}) == persons and sum(a.amount for a in aids) == target
    return aids


def bad_aid(rng, pool: list[Person], year: int, kind: str) -> Aid:
    """A row to quarantine."""
    aid = new_aid(rng, rng.choice([p for p in pool if can_be_aided(p, year)]), year)
    if kind == "above cost":
        aid.cost, aid.amount = 75, 90
    elif kind == "amount":
        aid.raw["amount"] = "4O,00 €"
    elif kind == "date":
        aid.raw["day"] = f"{year}-09-31"
    else:
        aid.raw["amount"] = ""
    return aid


def name_text(text: str, upper: bool) -> str:
    if not upper:
        return text
    plain = text.replace("œ", "oe").replace("’", "'")
    plain = "".join(c for c in unicodedata.normalize("NFKD", plain) if c.isascii())
    return plain.upper().replace("-", " ")


def euros_text(value: int, spec: Spec):
    if spec.euros == "cells":
        return value
    return str(value) if spec.euros == "plain" else f"{value},00 €"


def qf_text(qf: int, spec: Spec):
    if spec.titles:
        return qf
    return f"{qf:,}".replace(",", spec.qf_sep) if qf >= 1000 else str(qf)


def render(aid: Aid, spec: Spec) -> list:
    p, cells = aid.person, spec.date_cells
    values = {
        "dossier": p.dossier, "nom": name_text(p.nom, spec.upper), "prenom": name_text(p.prenom, spec.upper),
        "birth": p.birth if cells else p.birth.strftime(spec.date), "sexe": SEXES[spec.sexes][p.sexe],
        "commune": p.commune or "", "qf": qf_text(p.qf, spec), "club": aid.club,
        "discipline": CLUBS[aid.club][0], "cost": euros_text(aid.cost, spec),
        "amount": euros_text(aid.amount, spec), "day": aid.day if cells else aid.day.strftime(spec.date),
    }
    values.update(aid.raw)
    return list(values.values())


def write_delimited(path: Path, spec: Spec, rows: list) -> None:
    buf = io.StringIO()
    out = csv.writer(buf, delimiter=spec.sep, lineterminator=spec.eol)
    out.writerow(HEADERS[spec.headers])
    for cells in rows:
        buf.write(spec.eol) if cells is None else out.writerow(cells)
    path.write_bytes(buf.getvalue().encode(spec.enc))


def write_workbook(path: Path, spec: Spec, sheets: dict) -> None:
    """sheets: name -> (year, rows); title rows, the header, the rows, an optional Total row."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, (year, rows) in sheets.items():
        ws = wb.create_sheet(name)
        for title in spec.titles:
            ws.append([title.format(year=year)] if title else [])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
        ws.append(list(HEADERS[spec.headers]))
        for cells in rows:
            ws.append(cells)
            for column in DATE_COLUMNS if spec.date_cells else ():
                ws.cell(ws.max_row, column).number_format = "DD/MM/YYYY"
        if spec.total:
            amounts = [r[AMOUNT_INDEX] for r in rows if isinstance(r[AMOUNT_INDEX], int)]
            ws.append(["Total"] + [None] * (AMOUNT_INDEX - 1) + [sum(amounts)])
    wb.save(path)
    freeze_workbook(path, "2023-01-05")


def in_file(spec: Spec, aid: Aid) -> bool:
    first = dt.date.fromisoformat(f"{spec.years[0]}-{spec.first_day}")
    return first <= aid.day <= dt.date.fromisoformat(f"{spec.years[-1]}-{spec.last_day}")


@dataclass
class Placed:
    """Where each written row sits: (file, sheet, line) per aid."""
    lines: dict = field(default_factory=dict)  # id(aid) -> (file, sheet, line)
    per_file: dict = field(default_factory=lambda: defaultdict(int))


def layout(rng, spec: Spec, aids: list, bad: dict, dup: dict) -> dict:
    """sheet -> (year, rows in order: Aid, or None for an empty line)."""
    sheets = {}
    for year in spec.years:
        rows = sorted((a for a in aids if a.day.year == year and in_file(spec, a)),
                      key=lambda a: (a.day, a.person.idx))
        for extra in bad.get((spec.path, year), []) + dup.get((spec.path, year), []):
            rows.insert(rng.randrange(1, len(rows)), extra)
        if spec.empty_after is not None:
            rows.insert(spec.empty_after, None)
        sheets[str(year) if len(spec.years) > 1 else "Feuil1"] = (year, rows)
    return sheets


def place(spec: Spec, sheets: dict, placed: Placed) -> None:
    first = len(spec.titles) + 2
    for name, (_, rows) in sheets.items():
        sheet = name if spec.titles else ""
        for line, aid in enumerate(rows, start=first):
            if aid is not None:
                placed.lines[id(aid)] = (spec.path, sheet, line)
                placed.per_file[spec.path] += 1


def twin(aid: Aid, club: str, **raw) -> Aid:
    """The same aid typed again, the club (and maybe the name) spelled otherwise."""
    return replace(aid, raw={"club": club, **raw})


def ordinary(aid: Aid, year: int, club: str) -> bool:
    """An aid of that year and club that carries no warning (safe to type twice)."""
    return aid.day.year == year and aid.club == club and not aid.fixed and not aid.warning


def generate(raw_dir: Path, seed: int = 2017) -> DemoTruth:
    """Write raw_dir/aide_sport/ (replacing it) and return the truth the pipeline must find there."""
    rng = random.Random(seed)
    pool = build_pool(rng, read_communes())
    aids = [a for year in TARGETS for a in year_aids(rng, year, pool)]
    bad = {("Aide pratique sportive 2018-2019.xlsx", 2019): [bad_aid(rng, pool, 2019, "above cost")],
           ("aides_sport_2020.csv", 2020): [bad_aid(rng, pool, 2020, "date")],
           ("2021/APS_2021.txt", 2021): [bad_aid(rng, pool, 2021, "amount")],
           ("2022/Aide_sport_2022.xlsx", 2022): [bad_aid(rng, pool, 2022, "missing")]}
    tennis = next(a for a in aids if ordinary(a, 2018, "Tennis Club du Causse"))
    judo = next(a for a in aids  # in the workbook, typed again in the complementary file
                if ordinary(a, 2022, "Judo Club Limogne-en-Quercy") and in_file(WORKBOOK_2022, a))
    copies = {("Aide pratique sportive 2018-2019.xlsx", 2018): [twin(tennis, "TENNIS-CLUB DU CAUSSE")],
              ("2022/saisie complémentaire 2022.csv", 2022): [twin(judo, "JUDO CLUB LIMOGNE EN QUERCY",
                                                                    nom=name_text(judo.person.nom, True))]}
    out = Path(raw_dir) / "aide_sport"
    shutil.rmtree(out, ignore_errors=True)
    placed = Placed()
    for spec in SPECS:
        sheets = layout(rng, spec, aids, bad, copies)
        place(spec, sheets, placed)
        path = out / spec.path
        path.parent.mkdir(parents=True, exist_ok=True)
        if spec.titles:
            write_workbook(path, spec, {name: (year, [render(a, spec) for a in rows])
                                        for name, (year, rows) in sheets.items()})
        else:
            write_delimited(path, spec, [None if a is None else render(a, spec)
                                         for _, rows in sheets.values() for a in rows])
        os.utime(path, (stamp(spec.mtime),) * 2)
    for name, data in JUNK.items():
        (out / name).write_bytes(data)
        os.utime(out / name, (stamp("2023-01-06"),) * 2)
    # Same workbook sheet: the lower line loses; two files: the older file (the workbook) loses.
    (tennis_twin,), _ = copies.values()
    losers = {min(placed.lines[id(tennis)], placed.lines[id(tennis_twin)]), placed.lines[id(judo)]}
    return truth(aids, placed, bad, losers)


def truth(aids: list, placed: Placed, bad: dict, losers: set) -> DemoTruth:
    by_person = defaultdict(list)
    for aid in aids:
        by_person[aid.day.year, aid.person.idx].append(aid)
    beneficiaires, montant, nb_aides = defaultdict(int), defaultdict(Decimal), defaultdict(int)
    communes, bands, ages = (defaultdict(lambda: (0, Decimal(0))) for _ in range(3))
    for (year, _), mine in by_person.items():
        latest = max(mine, key=lambda a: a.day)
        total = Decimal(sum(a.amount for a in mine))
        beneficiaires[year] += 1
        montant[year] += total
        nb_aides[year] += len(mine)
        with_qf = [a for a in mine if "qf" not in a.raw]  # the band: the latest aid with a QF
        qf = max(with_qf, key=lambda a: a.day).person.qf if with_qf else None
        for table, key in ((communes, latest.person.code), (bands, band(qf)),
                           (ages, latest.person.age(latest.day))):
            n, euros = table[year, key]
            table[year, key] = (n + 1, euros + total)
    for year, (persons, target) in TARGETS.items():
        assert (beneficiaires[year], montant[year]) == (persons, target), year
    warnings = {(a.warning, *placed.lines[id(a)]) for a in aids if a.warning}
    quarantined = {placed.lines[id(a)] for rows in bad.values() for a in rows}
    return DemoTruth(dict(beneficiaires), dict(montant), dict(nb_aides), dict(communes), dict(bands),
                     dict(ages), warnings, quarantined, losers, dict(placed.per_file))


def main(argv: list) -> None:
    raw_dir = Path(argv[1]) if len(argv) > 1 else Path(__file__).parent / "raw"
    t = generate(raw_dir)
    for year in TARGETS:
        print(year, t.beneficiaires[year], "bénéficiaires", t.aides[year], "aides", t.montant_total[year],
              "€")
    print(f"avertissements {sorted(t.avertissements)}\nquarantaine {sorted(t.quarantaine)}\n"
          f"doublons {sorted(t.doublons)} -> {raw_dir}")


if __name__ == "__main__":
    main(sys.argv)
