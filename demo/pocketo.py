"""Deterministic generator of messy Pocketo ALSH attendance exports, 2019-2023 (demo data).

`generate(raw_dir)` writes `raw_dir/pocketo/` and returns a `DemoTruth`: the figures the pipeline
must find, computed here from the generated records with simple logic of our own. Present hours
and opening days are calibrated to the published figures (bilan CTG) to the minute.
Usage: python -m demo.generate [RAW_DIR]   (default: demo/raw)
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
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import accumulate
from pathlib import Path

import openpyxl

from demo.files import freeze_workbook, stamp

# structure -> year -> (heures enfants, jours d'ouverture, places)
TARGETS = {
    "alsh_lalbenque": {2019: (30442, 97, 50), 2020: (24110, 82, 50), 2021: (31870, 95, 50),
                       2022: (36424, 97, 74), 2023: (38150, 97, 74)},
    "alsh_limogne": {2019: (7438, 60, 30), 2020: (6120, 52, 30), 2021: (10840, 72, 36),
                     2022: (17960, 94, 48), 2023: (21052, 94, 48)},
    "rdvj": {2019: (1625, 58, 24), 2020: (1790, 49, 24), 2021: (770, 26, 24),
             2022: (1715, 55, 24), 2023: (1980, 60, 24)},
}
YEARS = range(2019, 2024)
# structure -> (labels seen in exports, home commune, children in the pool, ages at the date)
STRUCTURES = {
    "alsh_lalbenque": (("ALSH Lalbenque", "Accueil de loisirs Lalbenque"), "46148", 330, (3, 11)),
    "alsh_limogne": (("ALSH Limogne", "ALSH Limogne-en-Quercy"), "46173", 170, (3, 11)),
    "rdvj": (("RDVJ", "Rendez-vous Jeunes", "ALSH 12-17 ans"), "46148", 70, (12, 17)),
}
NEIGHBOURS = {"46148": "46082 46140 46091 46329 46202 46010 46105 46023 46013 46109 46070".split(),
              "46173": "46328 46073 46179 46333 46247 46068 46081 46276 46020 46026 46027 46092".split()}
COMMUNE_ALIASES = {"46173": ["Limogne", "LIMOGNE EN QUERCY"], "46105": ["Flaujac-Pujols"],
                   "46026": ["Belmont St Foi"], "46276": ["St Martin Labouval"], "46328": ["Vaire"],
                   "46023": ["Belfort de Quercy"]}
FORCED = {  # children whose accents / spellings must show up in many files
    "alsh_lalbenque": [("Dupont-Martin", "Léa", "2013-05-14"), ("N’Diaye", "Noël", "2012-11-02"),
                       ("Lecœur", "Zoé", "2014-02-27")],
    "alsh_limogne": [("Lecœur", "Maëlle", "2013-09-08"), ("D’Amico", "Raphaël", "2014-06-19")],
    "rdvj": [("Noël", "Anaïs", "2007-03-30")],
}
NOMS = ("Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefèvre "
        "Michel Garcia David Bertrand Roux Vincent Fournier Girard André Mercier Lambert Bonnet Faure "
        "Rousseau Blanc Guérin Muller Henry Perrin Morin Mathieu Clément Gauthier Fontaine Chevalier "
        "Robin Masson Gérard Nguyen Boyer Joly Roche Meunier Marchand Dufour Brunet Fabre Rivière "
        "Prévost Delpech Cayrou Couderc Lagarrigue Vayssié Lafon Delmas Carrière Marty Cazals Lavergne "
        "Séguy Austruy Salgues Bessières Teulières Larroque Lacam").split() + [
        "Le Gall", "Da Silva", "N’Diaye", "D’Amico", "Lecœur", "Barrière-Lacoste", "Saint-Cyr"]
PRENOMS = ("Léa Zoé Chloé Emma Jade Louise Alice Lina Rose Anna Inès Maëlle Manon Camille Juliette Ambre "
           "Léna Agathe Noémie Anaïs Éloïse Clémence Margaux Célia Mathilde Lou Marie-Lou Anne-Sophie "
           "Noël Théo Hugo Lucas Nathan Louis Gabriel Raphaël Arthur Jules Léo Tom Maël Noé Timéo Loïc "
           "Mathis Enzo Sacha Baptiste Évan Aurélien Jean-Baptiste Paul Adrien Yanis Gaël Joël").split()
SCHOOL_HOLIDAYS = {  # zone C approximations, weekdays only are used
    2019: "01-02:01-04 02-25:03-08 04-23:05-03 07-08:08-30 10-21:10-31 12-23:12-31",
    2020: "01-02:01-03 02-10:02-21 04-06:04-17 07-06:08-31 10-19:10-30 12-21:12-31",
    2021: "02-15:02-26 04-12:04-23 07-07:08-31 10-25:11-05 12-20:12-31",
    2022: "02-21:03-04 04-25:05-06 07-08:08-31 10-24:11-04 12-19:12-30",
    2023: "02-20:03-03 04-24:05-05 07-10:08-31 10-23:11-03 12-26:12-29",
}
PUBLIC_HOLIDAYS = "01-01 05-01 05-08 07-14 08-15 11-01 11-11 12-25"  # + Easter Monday, Ascension, Pentecost
EASTER = {2019: "04-21", 2020: "04-12", 2021: "04-04", 2022: "04-17", 2023: "04-09"}
LOCKDOWN = (dt.date(2020, 3, 16), dt.date(2020, 5, 10))
LIMOGNE_WEDNESDAYS_FROM = dt.date(2021, 9, 1)
FLAT = {"J": 480, "M": 240, "A": 240}  # minutes counted when a time is missing
CLOCK = {  # unit -> arrival range, departure range (minutes after midnight)
    ("alsh", "J"): (450, 570, 990, 1110), ("alsh", "M"): (450, 540, 705, 735),
    ("alsh", "A"): (795, 840, 1020, 1110), ("rdvj", "J"): (540, 600, 1020, 1080),
    ("rdvj", "A"): (810, 870, 1020, 1080),
}
UNIT_LABELS = ({"J": "Journée", "M": "Matin", "A": "Après-midi"},
               {"J": "JOURNEE", "M": "MATIN", "A": "APRES-MIDI"},
               {"J": "journée", "M": "Demi-journée matin", "A": "Demi-journée après-midi"},
               {"J": "Journee", "M": "matin", "A": "apres-midi"})
ALIASES = {
    "structure": ["Structure", "Site", "Accueil", "Lieu d'accueil"],
    "date": ["Date", "Jour", "Date de présence"],
    "dossier": ["N° dossier", "No dossier", "Num dossier", "Dossier", "N° famille"],
    "nom": ["Nom", "Nom enfant"], "prenom": ["Prénom", "Prenom", "Prénom enfant"],
    "naissance": ["Date de naissance", "Né(e) le", "Naissance"],
    "commune": ["Commune", "Commune de résidence", "Ville"], "qf": ["QF", "Quotient familial", "Q.F."],
    "regime": ["Régime", "Regime", "Régime allocataire"],
    "unite": ["Unité", "Unite", "Unité de pointage", "Type de présence"],
    "arrivee": ["Arrivée", "Heure d'arrivée", "Arrivee"], "depart": ["Départ", "Heure de départ", "Depart"],
    "presence": ["Présence", "Statut"],
}
NOTES = ["PAI; allergie arachides", "Récupéré par sa grand-mère; autorisation signée"]


@dataclass(frozen=True)
class Child:
    idx: int
    nom: str
    prenom: str
    birth: dt.date
    dossier: str
    commune: str | None = None
    qf: float | None = None
    regime: str | None = None
    weight: float = 1.0


OLD = Child(-1, "Fabre", "Julien", dt.date(1990, 4, 12), "09999", "46148", 1200, "CAF")  # an adult
YOUNG = Child(-2, "Bessières", "Inès", dt.date(2022, 3, 2), "09998", "46173", 640, "MSA")  # a baby
# quarantine kinds: a raw cell, a time pair (17:05-08:30, 06:30-19:15 = 12 h 45), a person, a future date
BAD_CELLS = {"date": ("date", ""), "structure": ("structure", "ALSH Cahors"), "unit": ("unite", "Nuitée"),
             "time": ("depart", "25h70")}
BAD_TIMES = {"before": (1025, 510), "long": (390, 1155)}
BAD_PEOPLE = {"old": OLD, "young": YOUNG}
FUTURE = dt.date(2031, 7, 9)


@dataclass
class Row:
    sid: str
    day: dt.date
    child: Child
    unit: str
    arr: int | None = None
    dep: int | None = None
    presence: str = "Présent"
    raw: dict = field(default_factory=dict)  # raw cell text overriding the rendered value

    @property
    def minutes(self) -> int:
        if self.presence != "Présent":
            return 0
        if self.arr is None or self.dep is None:
            return FLAT[self.unit]
        return self.dep - self.arr


@dataclass(frozen=True)
class Spec:
    """One export file and every way it is messy."""
    path: str
    select: tuple  # ((structure, first day, last day), ...)
    mtime: str = "2024-01-08"
    enc: str = "utf-8"
    sep: str = ";"
    eol: str = "\n"
    quote: int = csv.QUOTE_MINIMAL
    date: str = "%d/%m/%Y"
    time: str = "colon"  # colon 08:30 | short 8:30 | h 08h30/8h | hms 08:30:00
    names: str = "natural"  # natural | upper | spaced
    blank: str | None = ""
    qf_sep: str | None = None
    label: int = 0
    units: int = 0
    pad: bool = False
    trailing: int = 0
    empty: tuple = ()  # fully empty lines slipped in (their exact text)
    final_eol: bool = True
    notes: bool = False
    names_first: bool = False
    bad: tuple = ()
    dups: int = 0  # earlier conflicting lines with the same key (the later line wins)
    copies: int = 0  # lines repeated verbatim
    partial: bool = False  # older partial re-export: all its rows lose to the newer file
    titles: tuple = ()  # xlsx only: title rows above the header ({year} is filled per sheet)
    cells: str = "text"  # xlsx: text | dates (real date cells) | dates+times (real date and time cells)
    total: str | None = None
    by_year: bool = False  # xlsx: one sheet per year

    def covers(self, row: Row) -> bool:
        return any(row.sid == s and a <= row.day <= b for s, a, b in self.select)


def _y(sid, year, first="01-01", last="12-31"):
    return sid, dt.date.fromisoformat(f"{year}-{first}"), dt.date.fromisoformat(f"{year}-{last}")


LAL, LIM, RDVJ = "alsh_lalbenque", "alsh_limogne", "rdvj"
SPECS = [
    Spec("2019/ALSH_Lalbenque_2019.xlsx", (_y(LAL, 2019),), titles=(
        "Pocketo - Liste des présences", "Accueil de loisirs Lalbenque - année {year}"),
        blank="-", total="Total général", bad=("date:31/02/2019", "unit")),
    Spec("2019/limogne-2019.csv", (_y(LIM, 2019),), sep=",", quote=csv.QUOTE_ALL, date="%Y-%m-%d",
         time="hms", units=3, names_first=True, label=1, bad=("date:2019-02-30", "before")),
    Spec("2019/rdvj 2019.csv", (_y(RDVJ, 2019),), enc="cp1252", eol="\r\n", date="%d/%m/%y", time="h",
         names="upper", blank="-", units=1, label=1, bad=("old", "time")),
    Spec("pocketo_lalbenque_2020.csv", (_y(LAL, 2020),), enc="cp1252", eol="\r\n", time="short",
         qf_sep="\u00a0", blank="NC", pad=True, trailing=2, bad=("structure", "long", "before")),
    Spec("Export Pocketo ALSH Limogne 2020.xlsx", (_y(LIM, 2020),), titles=(
        "Export Pocketo — ALSH Limogne {year}", "Période du 01/01/{year} au 31/12/{year}", ""),
        blank=None, cells="dates+times", total="Total", bad=("before", "future")),
    Spec("export_multi_2020-2021.csv", (_y(RDVJ, 2020), _y(RDVJ, 2021), _y(LIM, 2021)),
         enc="utf-8-sig", date="%d-%m-%Y", time="h", units=2, label=2, notes=True,
         bad=("structure+unit", "date:32/13/2021", "unit")),
    Spec("ALSH Lalbenque 2021.csv", (_y(LAL, 2021, last="11-30"),), enc="utf-8-sig", eol="\r\n",
         names="spaced", label=1, empty=("", "", ""), bad=("date:32/13/2021", "old")),
    Spec("export 2022.csv", (_y(LAL, 2021, first="12-01"),), date="%d/%m/%y", names="upper",
         units=1, bad=("long",)),
    Spec("2022/lalbenque_2022.txt", (_y(LAL, 2022),), sep="\t", date="%Y-%m-%d", blank="nr",
         units=3, dups=3, bad=("time", "future", "before")),
    Spec("2022/Limogne 2022.csv", (_y(LIM, 2022),), enc="cp1252", eol="\r\n", time="hms", qf_sep=" ",
         blank=" ", empty=(";" * 12,), copies=2,
         bad=("date:31/02/2022", "before", "long")),
    Spec("2022/RDVJ_2022-2023.xlsx", (_y(RDVJ, 2022), _y(RDVJ, 2023)), titles=(
        "Export Pocketo — Rendez-vous Jeunes {year}", "Édité le 08/01/2024"), blank=None, time="h",
        cells="dates", total="TOTAL", by_year=True, bad=("young", "structure")),
    Spec("2023/Pocketo_Lalbenque_2023_janv-juin.csv", (_y(LAL, 2023, last="06-30"),), mtime="2023-07-05",
         eol="\r\n", names="upper", partial=True),
    Spec("2023/Pocketo_Lalbenque_2023.csv", (_y(LAL, 2023),), mtime="2024-01-09", date="%Y-%m-%d",
         quote=csv.QUOTE_ALL, bad=("young", "young", "unit", "future")),
    Spec("2023/Limogne_2023.csv", (_y(LIM, 2023),), date="%d-%m-%Y", qf_sep="\u202f", blank="NC",
         label=1, final_eol=False, bad=("time", "before", "long")),
]
COPY = ("pocketo_lalbenque_2020.csv", "copie de pocketo_lalbenque_2020.csv")
JUNK = {"bilan ALSH 2022.pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n",
        "~$Export Pocketo ALSH Limogne 2020.xlsx": b"\x0bsecretariat" + b"\x00" * 40 + b"\x20" * 60,
        ".DS_Store": b"\x00\x00\x00\x01Bud1" + b"\x00" * 56}


@dataclass(frozen=True)
class DemoTruth:
    heures: dict  # (structure_id, annee) -> Decimal hours
    jours_ouverture: dict  # (structure_id, annee) -> int
    enfants_distincts: dict  # (structure_id, annee) -> int
    lignes_quarantaine: int
    lignes_doublons: int
    fichiers_ignores: int
    fichiers_doublons: int
    lignes_lues: int
    lignes_par_fichier: dict = field(default_factory=dict)  # relative path -> data rows


def strip_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def identity(c: Child) -> tuple:
    fold = lambda s: " ".join(re.sub(r"[-'’]", " ", strip_accents(s).upper()).split())  # noqa: E731
    return fold(c.nom), fold(c.prenom), c.birth


def age(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def opening_days(rng, sid: str, year: int) -> tuple[list, set]:
    """The year's opening days (school-holiday weekdays, and Wednesdays), and its school holidays."""
    hol = set()
    for span in SCHOOL_HOLIDAYS[year].split():
        a, b = (dt.date.fromisoformat(f"{year}-{x}") for x in span.split(":"))
        hol |= {a + dt.timedelta(n) for n in range((b - a).days + 1)}
    easter = dt.date.fromisoformat(f"{year}-{EASTER[year]}")
    closed = {easter + dt.timedelta(n) for n in (1, 39, 50)} | {dt.date.fromisoformat(f"{year}-{md}")
                                                                for md in PUBLIC_HOLIDAYS.split()}
    candidates = []
    for n in range(366 if year % 4 == 0 else 365):
        d = dt.date(year, 1, 1) + dt.timedelta(n)
        if d.weekday() > 4 or d in closed or LOCKDOWN[0] <= d <= LOCKDOWN[1]:
            continue
        wednesday = d.weekday() == 2 and (sid != LIM or d >= LIMOGNE_WEDNESDAYS_FROM)
        if d in hol or wednesday:
            candidates.append(d)
    return sorted(rng.sample(candidates, TARGETS[sid][year][1])), hol


def build_pools(rng, communes: dict) -> dict:
    """Children per structure, in families sharing a N° dossier, a commune, a QF and a régime."""
    pools, seen = {}, set()
    for n_sid, (sid, (_, home, size, (lo, hi))) in enumerate(STRUCTURES.items()):
        near = NEIGHBOURS.get(home, []) + (NEIGHBOURS["46173"] + ["46173"] if sid == RDVJ else [])
        codes = list(communes)
        weights = [40 if c == home else 6 if c in near else 1 for c in codes]
        first = dt.date(2019 - hi - 1, 6, 1)
        span = (dt.date(2023 - lo, 8, 31) - first).days
        pool, families = [], [[(nom, prenom, dt.date.fromisoformat(b))] for nom, prenom, b in FORCED[sid]]
        while len(pool) < size:
            if families:
                members, weight = families.pop(0), 6.0
            else:
                nom, eldest = rng.choice(NOMS), first + dt.timedelta(rng.randrange(span))
                gaps = [k * rng.randint(400, 1100) for k in range(rng.choices([1, 2, 3], [55, 35, 10])[0])]
                members = [(nom, rng.choice(PRENOMS), eldest + dt.timedelta(gap)) for gap in gaps]
                weight = None
            dossier = f"{n_sid}{1000 + len(pool):04d}"
            commune = None if rng.random() < 0.04 else rng.choices(codes, weights)[0]
            qf = None if rng.random() < 0.1 else int(min(2500, max(300, rng.lognormvariate(6.75, 0.45))))
            qf = qf + 0.5 if qf and rng.random() < 0.1 else qf
            regime = rng.choices(["CAF", "MSA", "Autre", None], [75, 18, 4, 3])[0]
            for nom, prenom, birth in members:
                child = Child(len(seen), nom, prenom, birth, dossier, commune, qf, regime,
                              weight or rng.lognormvariate(0, 0.8))
                in_range = age(birth, dt.date(2023, 12, 31)) >= lo and age(birth, dt.date(2019, 1, 1)) <= hi
                if in_range and identity(child) not in seen:
                    seen.add(identity(child))
                    pool.append(child)
        pools[sid] = pool
    return pools


def new_row(rng, sid: str, day: dt.date, child: Child, hol: set) -> Row:
    kind, school_wednesday = ("rdvj" if sid == RDVJ else "alsh"), day.weekday() == 2 and day not in hol
    if kind == "rdvj":
        unit = "A" if school_wednesday else rng.choices("JA", [40, 60])[0]
    else:
        unit = rng.choices("JMA", [60, 10, 30] if school_wednesday else [80, 10, 10])[0]
    a0, a1, d0, d1 = CLOCK[kind, unit]
    arr, dep, missing = clock(rng, a0, a1), clock(rng, d0, d1), rng.random()
    if missing < 0.15:  # forgotten check-in or check-out: the flat hours apply
        arr, dep = (None, dep) if missing < 0.05 else (arr, None) if missing < 0.135 else (None, None)
    return Row(sid, day, child, unit, arr, dep)


def clock(rng, lo: int, hi: int) -> int:
    t = rng.randint(lo, hi)
    return t - t % 15 if rng.random() < 0.35 else t


def attendance(rng, sid: str, year: int, pool: list, taken: dict) -> list:
    """Présent rows whose hours add up exactly to the target, then a few absences."""
    heures, _, places = TARGETS[sid][year]
    days, hol = opening_days(rng, sid, year)
    lo, hi = STRUCTURES[sid][3]
    eligible = {}
    for d in days:
        kids = [c for c in pool if lo <= age(c.birth, d) <= hi]
        eligible[d] = kids, list(accumulate(c.weight for c in kids))
    day_cum = list(accumulate(0.6 if d.weekday() == 2 and d not in hol else 1.15 if d.month in (7, 8)
                              else 1.0 for d in days))

    def draw(d):
        kids, cum = eligible[d]
        for _ in range(50):
            child = rng.choices(kids, cum_weights=cum)[0]
            if child.idx not in taken[sid, d] and len(taken[sid, d]) < places:
                taken[sid, d].add(child.idx)
                return child
        return None

    rows, total, target = [], 0, heures * 60
    for d in days + rng.choices(days, cum_weights=day_cum, k=target // 40):  # every opening day first
        child = draw(d)
        row = child and new_row(rng, sid, d, child, hol)
        if row and total + row.minutes > target:
            taken[sid, d].discard(child.idx)
            break
        if row:
            rows.append(row)
            total += row.minutes
    else:
        raise RuntimeError(f"{sid} {year}: too few places to reach {heures} h")
    stretch(rng, rows, target - total)
    absents = []
    for d in rng.choices(days, k=len(rows) // 25):
        child = draw(d)
        if child:
            unit = new_row(rng, sid, d, child, hol).unit
            status = rng.choice(("Absent", "Absent", "Absent excusé"))
            absents.append(Row(sid, d, child, unit, presence=status))
    return rows + absents


def stretch(rng, rows: list, residual: int) -> None:
    """Later departures on a few rows so that the total is exact to the minute (<= 19:00, <= 12 h)."""
    timed = [r for r in rows if r.arr is not None and r.dep is not None]
    rng.shuffle(timed)
    while residual:
        row = timed.pop()
        step = max(0, min(residual, 30, 19 * 60 - row.dep, 12 * 60 - row.minutes))
        row.dep += step
        residual -= step


def bad_row(rng, kind: str, sid: str, days: list, pool: list, taken: dict) -> Row:
    """A row to quarantine; 'a+b' has two problems, 'date:TEXT' an unreadable date."""
    lo, hi = STRUCTURES[sid][3]
    while True:
        d, child = rng.choice(days), rng.choice(pool)
        if lo <= age(child.birth, d) <= hi and child.idx not in taken[sid, d]:
            break
    taken[sid, d].add(child.idx)
    row = Row(sid, d, child, "J", 480, 1050)
    for problem in kind.split("+"):
        name, _, text = problem.partition(":")
        row.raw.update({BAD_CELLS[name][0]: text or BAD_CELLS[name][1]} if name in BAD_CELLS else {})
        row.arr, row.dep = BAD_TIMES.get(name, (row.arr, row.dep))
        row.child = BAD_PEOPLE.get(name, row.child)
        row.day = FUTURE if name == "future" else row.day
    return row


def assemble(rng, spec: Spec, rows: list, pools: dict, taken: dict) -> tuple[list, int]:
    """The file's rows in order (a str is an empty line) and how many of them are duplicates."""
    rank = {sid: k for k, sid in enumerate(STRUCTURES)}
    lines = sorted(rows, key=lambda r: (r.day, rank[r.sid], identity(r.child)))
    timed = [k for k, r in enumerate(lines) if r.presence == "Présent" and r.arr and r.dep]
    if spec.partial:  # the older export: same keys, a handful of values since corrected
        for k, change in zip(rng.sample(timed, 5), (-25, -40, None, "Absent", "Absent")):
            r = lines[k]
            lines[k] = (replace(r, arr=None, dep=None, presence=change) if change == "Absent"
                        else replace(r, dep=change and r.dep + change))
    picks = rng.sample(timed, spec.dups + spec.copies)
    for n, k in sorted(enumerate(picks), key=lambda p: -p[1]):  # from the bottom: indexes stay valid
        r = lines[k]
        if n < spec.dups:  # a first check-out line, then the right one
            lines.insert(k, replace(r, dep=None if n % 2 else r.dep - 15))
        else:  # the same line twice
            lines.insert(k + 1, r)
    sid = spec.select[0][0]
    days = sorted({r.day for r in rows if r.sid == sid})
    for kind in spec.bad:
        lines.insert(rng.randrange(len(lines) + 1), bad_row(rng, kind, sid, days, pools[sid], taken))
    for text in spec.empty:
        lines.insert(rng.randrange(1, len(lines)), text)
    return lines, (len(rows) if spec.partial else 0) + spec.dups + spec.copies


def style(text: str, names: str) -> str:
    if names == "upper":
        return strip_accents(text).upper().replace("-", " ").replace("’", "'")
    return text.replace("-", "  ") if names == "spaced" else text


def columns(spec: Spec) -> list:
    keys = list(ALIASES)
    return ["nom", "prenom"] + [k for k in keys if k not in ("nom", "prenom")] if spec.names_first else keys


def header(spec: Spec, n: int) -> list:
    head = [ALIASES[k][(n + j) % len(ALIASES[k])] for j, k in enumerate(columns(spec))]
    head += ["Observations"] if spec.notes else []
    return [f"{h} " if spec.pad else h for h in head] + [""] * spec.trailing


def render(row: Row, spec: Spec, n: int, communes: dict, rng) -> list:
    c, blank = row.child, spec.blank

    def date(d):
        return d if "dates" in spec.cells else d.strftime(spec.date)

    def time(m):
        if m is None:
            return blank
        h, mm = divmod(m, 60)
        if "times" in spec.cells:
            return dt.time(h, mm)
        return {"colon": f"{h:02d}:{mm:02d}", "short": f"{h}:{mm:02d}", "hms": f"{h:02d}:{mm:02d}:00",
                "h": f"{h}h" if mm == 0 else f"{h:02d}h{mm:02d}"}[spec.time]

    labels = STRUCTURES[row.sid][0]
    values = {"structure": labels[spec.label % len(labels)], "date": date(row.day), "dossier": c.dossier,
              "nom": style(c.nom, spec.names), "prenom": style(c.prenom, spec.names),
              "naissance": date(c.birth), "commune": commune_label(c, n, communes, spec),
              "qf": qf_text(c.qf, spec), "regime": c.regime or blank,
              "unite": UNIT_LABELS[spec.units][row.unit], "arrivee": time(row.arr), "depart": time(row.dep),
              "presence": row.presence}
    values.update(row.raw)
    cells = [values[k] for k in columns(spec)]
    cells += [rng.choice(NOTES) if rng.random() < 0.02 else ""] if spec.notes else []
    cells = [f" {v} " if spec.pad and isinstance(v, str) and v.strip() else v for v in cells]
    return cells + [""] * spec.trailing


def commune_label(c: Child, n: int, communes: dict, spec: Spec):
    if c.commune is None:
        return spec.blank
    options = [communes[c.commune]] + COMMUNE_ALIASES.get(c.commune, [])
    return style(options[(c.idx + n) % len(options)], "upper" if spec.names == "upper" else "natural")


def qf_text(q, spec: Spec):
    if q is None or spec.titles:  # blank, or a number cell in a workbook
        return spec.blank if q is None else q
    whole = f"{int(q):,}".replace(",", spec.qf_sep or "")
    return whole + (",5" if q != int(q) else "")


def write_delimited(path: Path, spec: Spec, head: list, table: list) -> None:
    buf = io.StringIO()
    out = csv.writer(buf, delimiter=spec.sep, quoting=spec.quote, lineterminator=spec.eol)
    out.writerow(head)
    for cells in table:
        buf.write(cells + spec.eol) if isinstance(cells, str) else out.writerow(cells)
    text = buf.getvalue()
    path.write_bytes((text if spec.final_eol else text[: -len(spec.eol)]).encode(spec.enc))


def write_xlsx(path: Path, spec: Spec, head: list, sheets: list) -> None:
    """sheets: (sheet name, year, table); title rows, a merged title cell, an optional Total row."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, year, table in sheets:
        ws = wb.create_sheet(name)
        for title in spec.titles:
            ws.append([title.format(year=year)] if title else [])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(head))
        ws.append(head)
        for cells in table:
            ws.append(cells)
        if spec.total:
            ws.append([spec.total] + [None] * (len(head) - 2) + [len(table)])
    wb.save(path)
    freeze_workbook(path, "2024-01-08")


def write_file(path: Path, spec: Spec, n: int, lines: list, communes: dict, rng) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    head = header(spec, n)
    if not spec.titles:
        write_delimited(path, spec, head, [r if isinstance(r, str) else render(r, spec, n, communes, rng)
                                            for r in lines])
        return
    years = sorted({r.day.year for r in lines}) if spec.by_year else [spec.select[0][1].year]
    sheets = [(str(y) if spec.by_year else "Feuil1", y,
               [render(r, spec, n, communes, rng) for r in lines if not spec.by_year or r.day.year == y])
              for y in years]
    write_xlsx(path, spec, head, sheets)


def read_communes() -> dict:
    path = Path(__file__).resolve().parent.parent / "warehouse" / "ref" / "communes.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return {r["code_commune"]: r["nom"] for r in csv.DictReader(f)}


def generate(raw_dir: Path, seed: int = 46230) -> DemoTruth:
    """Write raw_dir/pocketo/ (replacing it) and return the truth the pipeline must find there."""
    rng = random.Random(seed)
    communes = read_communes()
    pools = build_pools(rng, communes)
    taken = defaultdict(set)  # (structure, day) -> children already on a row that day
    records = [r for sid in STRUCTURES for y in YEARS for r in attendance(rng, sid, y, pools[sid], taken)]
    out = Path(raw_dir) / "pocketo"
    shutil.rmtree(out, ignore_errors=True)
    per_file, doublons, placed = {}, 0, 0
    for n, spec in enumerate(SPECS):
        rows = [r for r in records if spec.covers(r)]
        placed += 0 if spec.partial else len(rows)
        lines, dup = assemble(rng, spec, rows, pools, taken)
        write_file(out / spec.path, spec, n, lines, communes, rng)
        os.utime(out / spec.path, (stamp(spec.mtime),) * 2)
        per_file[spec.path], doublons = sum(isinstance(r, Row) for r in lines), doublons + dup
    assert placed == len(records), "every record must sit in exactly one export"
    shutil.copyfile(out / COPY[0], out / COPY[1])
    os.utime(out / COPY[1], (stamp("2024-02-01"),) * 2)
    for name, data in JUNK.items():
        (out / name).write_bytes(data)
        os.utime(out / name, (stamp("2024-01-10"),) * 2)
    return truth(records, per_file, doublons)


def truth(records: list, per_file: dict, doublons: int) -> DemoTruth:
    heures, jours, enfants = {}, {}, {}
    for sid in STRUCTURES:
        for year in YEARS:
            mine = [r for r in records if r.sid == sid and r.day.year == year and r.presence == "Présent"]
            assert all(0 < r.minutes <= 720 for r in mine)
            heures[sid, year] = Decimal(sum(r.minutes for r in mine)) / 60
            jours[sid, year] = len({r.day for r in mine})
            enfants[sid, year] = len({r.child.idx for r in mine})
            assert (heures[sid, year], jours[sid, year]) == TARGETS[sid][year][:2], (sid, year)
    return DemoTruth(heures, jours, enfants, sum(len(s.bad) for s in SPECS), doublons, len(JUNK), 1,
                     sum(per_file.values()), per_file)


def main(argv: list) -> None:
    raw_dir = Path(argv[1]) if len(argv) > 1 else Path(__file__).parent / "raw"
    t = generate(raw_dir)
    for key in t.heures:
        print(*key, t.heures[key], "h", t.jours_ouverture[key], "jours", t.enfants_distincts[key], "enfants")
    print(f"lues {t.lignes_lues}, quarantaine {t.lignes_quarantaine}, doublons {t.lignes_doublons}, "
          f"fichiers ignorés {t.fichiers_ignores}, fichiers en double {t.fichiers_doublons} -> {raw_dir}")


if __name__ == "__main__":
    main(sys.argv)
