"""Write millions of Pocketo attendance rows as messy exports (sources.md §1), deterministically.

    python -m benchmarks.generate_scale OUT_DIR --rows 1000000 [--seed 7] [--structures 300]

writes ``OUT_DIR/raw/pocketo/`` (the drop folder) and ``OUT_DIR/ref/`` (a copy of warehouse/ref
with the generated communes and structures: run the pipeline with
``OBSERVATOIRE_REF_DIR=OUT_DIR/ref``). Rows are drawn with numpy and written by DuckDB's COPY,
one statement per file; only the small workbooks go through openpyxl. Like the demo generators
it does not use the pipeline's code: it writes files the way export tools do (cp1252, UTF-8 with
and without BOM, ``;`` ``,`` and tab, CRLF and LF, French numbers, several date and time
formats, header aliases, a title line, blank and total lines, quoted fields with a newline).
"""

from __future__ import annotations

import argparse
import codecs
import csv
import datetime as dt
import multiprocessing
import os
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import openpyxl
import pyarrow as pa

from demo.pocketo import NOMS, PRENOMS
from warehouse.settings import DEFAULT_REF_DIR

REF_DIR = DEFAULT_REF_DIR  # the project's own reference data, copied and extended
FIRST_DAY, LAST_DAY = dt.date(2019, 1, 1), dt.date(2023, 12, 31)
BIRTH_FIRST, BIRTH_DAYS = dt.date(2012, 1, 1), 1461  # born 2012-2015: 3 to 11 years old on every day
ROWS_PER_CHILD = 25
ROWS_PER_FILE = 250_000
WORKBOOK_ROWS = 2_000  # at most, per workbook (openpyxl writes about 2,000 rows a second)
NOTES_ROWS = 20_000  # at most, in the file whose "Remarques" column holds quoted newlines
MTIME = dt.datetime(2024, 1, 8, 9, 0)
CC_SIREN = "244600532"  # the generated communes join the CC (its indicators sum over members)

COMMUNE_ROOTS = ("Aurival Bramefan Cazerolles Escayrac Floirac Gramazie Lunegarde Marcilhac Orniac "
                 "Peyrilles Quissac Rampoux Sénaillac Teyssieu Ussel Varaire Bélmontet Cénac Frayssinhes "
                 "Gigouzac Lherm Mayrinhac Nadaillac Padirac Rocamadour Sabadel Thédirac Uzech "
                 "Vidaillac Calamane").split()
COMMUNE_PREFIXES = ("", "Saint-", "Sainte-", "Le ", "La ", "Les ")
COMMUNE_SUFFIXES = ("", "-du-Causse", "-en-Quercy", "-sur-Lot", "-d’Olt", "-de-Bouriane", "-le-Haut")
OUTSIDE = ["Toulouse", "Montauban", "Paris", "Brive-la-Gaillarde"]  # places outside the territory
HEADERS = {  # one alias set per style, in the order of the columns
    0: ["Structure", "Date", "N° dossier", "Nom", "Prénom", "Date de naissance", "Commune", "QF",
        "Régime", "Unité", "Arrivée", "Départ", "Présence"],
    1: ["Site", "Jour", "No dossier", "Nom enfant", "Prénom enfant", "Né(e) le", "Ville",
        "Quotient familial", "Regime", "Unite", "Heure d'arrivée", "Heure de départ", "Statut"],
    2: ["Accueil", "Date de présence", "Num dossier", "NOM", "Prenom", "Naissance",
        "Commune de résidence", "Q.F.", "Régime allocataire", "Type de présence", "Arrivee",
        "Depart", "Présence"],
}
UNITS = ({0: "Journée", 1: "Matin", 2: "Après-midi"}, {0: "JOURNEE", 1: "MATIN", 2: "APRES-MIDI"},
         {0: "journée", 1: "Demi-journée matin", 2: "Demi-journée après-midi"})
PRESENCES = ({0: "Présent", 1: "Absent", 2: "Absent excusé"}, {0: "PRESENT", 1: "ABSENT", 2: "EXCUSE"})
REGIMES = ({0: "CAF", 1: "MSA", 2: "Autre", 3: ""}, {0: "caf", 1: "msa", 2: "autres", 3: "NC"})
# unit -> arrival and departure ranges (minutes after midnight)
CLOCK = np.array([[450, 570, 990, 1110], [450, 540, 705, 735], [795, 840, 1020, 1110]])
BAD_KINDS = {1: "date illisible", 2: "structure inconnue", 3: "unité inconnue", 4: "départ avant l'arrivée"}
BAD_SHARE = 0.002  # of the rows, each kind


@dataclass(frozen=True)
class Style:
    """How one export tool writes its files."""
    encoding: str  # cp1252, utf-8, utf-8-sig
    sep: str
    newline: str
    date: str  # strftime format
    time: str  # "hm" 08:30, "hms" 08:30:00, "h" 8h30
    qf: str  # "comma" 1234,5, "dot" 1234.5, "spaced" 1 234,50 (non-breaking space)
    header: int  # HEADERS key
    units: int
    presences: int
    regimes: int
    upper_names: bool
    padded_dossier: bool
    suffix: str = ".csv"


STYLES = [
    Style("cp1252", ";", "\r\n", "%d/%m/%Y", "hm", "comma", 0, 0, 0, 0, False, True),
    Style("utf-8", ",", "\n", "%Y-%m-%d", "hms", "dot", 1, 1, 1, 1, True, False),
    Style("utf-8-sig", ";", "\r\n", "%d/%m/%y", "h", "spaced", 2, 2, 0, 0, False, False),
    Style("utf-8", "\t", "\n", "%d-%m-%Y", "hm", "comma", 0, 0, 1, 1, True, True, ".txt"),
]


@dataclass
class ScaleSet:
    """What was written, to check the pipeline's row accounting against."""
    raw_dir: Path
    ref_dir: Path
    rows: int  # data rows in all the files read (the re-export's rows included)
    quarantined: int  # rows with one deliberate defect
    duplicates: int  # older copies of the re-exported rows
    blank_or_total: int
    files: list[str] = field(default_factory=list)


def weekdays() -> list[dt.date]:
    days = (FIRST_DAY + dt.timedelta(n) for n in range((LAST_DAY - FIRST_DAY).days + 1))
    return [d for d in days if d.weekday() < 5]


def largest_prime_at_most(n: int) -> int:
    return next(p for p in range(n, 1, -1) if all(p % d for d in range(2, int(p ** 0.5) + 1)))


def commune_names(count: int) -> list[str]:
    names = [f"{prefix}{root}{suffix}" for suffix in COMMUNE_SUFFIXES for prefix in COMMUNE_PREFIXES
             for root in COMMUNE_ROOTS]
    if count > len(names):
        raise ValueError(f"at most {len(names)} communes")
    return names[:count]


def draw_rows(rng: np.random.Generator, unique_rows: int, structures: int, communes: int,
              children: int | None = None, bad_share: float = BAD_SHARE) -> dict:
    """Integer codes of every row: each child's rows fall on distinct days (natural key unique);
    a few rows carry one defect each (``bad``, see BAD_KINDS). By default each child has
    ROWS_PER_CHILD consecutive rows; given ``children``, row i is child i % children's."""
    index = np.arange(unique_rows, dtype=np.int64)
    if children is None:
        children = -(-unique_rows // ROWS_PER_CHILD)
        child, nth = index // ROWS_PER_CHILD, index % ROWS_PER_CHILD
    else:
        child, nth = index % children, index // children
    days = largest_prime_at_most(len(weekdays()))  # a prime: every step visits distinct days
    if nth.max(initial=0) >= days:
        raise ValueError(f"at most {days} rows per child")
    start, step = rng.integers(0, days, children), rng.integers(1, days, children)
    bad = np.zeros(unique_rows, dtype=np.int64)
    for kind in BAD_KINDS:
        bad[rng.choice(unique_rows, int(unique_rows * bad_share), replace=False)] = kind
    unit = rng.choice(3, unique_rows, p=[0.6, 0.2, 0.2])
    clock = CLOCK[unit]
    no_times = (rng.random(unique_rows) < 0.08) & (bad != 4)
    families = children // 2 + 1
    family = child // 2
    family_qf = np.where(rng.random(families) < 0.06, -1, rng.integers(0, 5000, families))
    return {
        "i": index, "child": child, "day": (start[child] + nth * step[child]) % days,
        "structure": child * structures // children, "label": rng.integers(0, 2, unique_rows),
        "unit": unit, "presence": rng.choice(3, unique_rows, p=[0.9, 0.07, 0.03]),
        "arrival": np.where(no_times, -1, rng.integers(clock[:, 0], clock[:, 1] + 1)),
        "departure": np.where(no_times, -1, rng.integers(clock[:, 2], clock[:, 3] + 1)),
        "family": family,
        "commune": rng.integers(0, communes + len(OUTSIDE) + 1, families)[family],
        "qf": family_qf[family], "regime": rng.choice(4, families, p=[0.8, 0.12, 0.03, 0.05])[family],
        "bad": bad,
    }


def _time_text(minutes: int, kind: str) -> str:
    hours, rest = divmod(minutes, 60)
    return {"hm": f"{hours:02d}:{rest:02d}", "hms": f"{hours:02d}:{rest:02d}:00",
            "h": f"{hours}h{rest:02d}"}[kind]


def _qf_text(half_units: int, kind: str) -> str:
    value = f"{half_units / 2:.2f}" if kind == "spaced" else f"{half_units / 2:g}"
    if kind == "dot":
        return value
    whole, _, fraction = value.partition(".")
    if kind == "spaced" and len(whole) > 3:
        whole = whole[:-3] + "\u00a0" + whole[-3:]
    return whole + ("," + fraction if fraction else "")


def _commune_text(name: str, variant: int) -> str:
    if variant == 1:
        return name.upper()
    if variant == 2:
        return name.replace("Saint-", "St ").replace("Sainte-", "Ste ")
    return name


def lookups(style: Style, communes: list[str], structures: list[str]) -> dict[str, pa.Table]:
    """The text of every code, as this style writes it."""
    calendar = weekdays()
    births = [BIRTH_FIRST + dt.timedelta(n) for n in range(BIRTH_DAYS)]
    upper = str.upper if style.upper_names else str
    spelled = [(n, variant, _commune_text(name, variant)) for variant in range(3)
               for n, name in enumerate(communes)]
    spelled += [(len(communes) + k, 0, name) for k, name in enumerate(OUTSIDE + [""])]
    labels = [(s, variant, f"{kind} {name}") for s, name in enumerate(structures)
              for variant, kind in enumerate(("ALSH", "Accueil de loisirs"))]
    return {
        "dates": _table(["day", "txt"], enumerate(d.strftime(style.date) for d in calendar)),
        "births": _table(["birth", "txt"], enumerate(d.strftime(style.date) for d in births)),
        "times": _table(["minute", "txt"], [(-1, "")] + [(m, _time_text(m, style.time)) for m in range(1440)]),
        "qfs": _table(["qf", "txt"], [(-1, "NC")] + [(q, _qf_text(q, style.qf)) for q in range(5000)]),
        "noms": _table(["idx", "txt"], enumerate(upper(n) for n in NOMS)),
        "prenoms": _table(["idx", "txt"], enumerate(upper(p) for p in PRENOMS)),
        "communes": _table(["idx", "variant", "txt"], spelled),
        "structures": _table(["structure", "variant", "txt"], labels),
        "units": _table(["unit", "txt"], UNITS[style.units].items()),
        "presences": _table(["presence", "txt"], PRESENCES[style.presences].items()),
        "regimes": _table(["regime", "txt"], REGIMES[style.regimes].items()),
    }


def _table(names: list[str], rows) -> pa.Table:
    columns = list(zip(*rows))
    return pa.table(dict(zip(names, columns)))


def select_sql(style: Style, where: str, communes: int, notes: bool = False) -> str:
    """The rows of ``all_rows`` matching ``where`` as this style writes them, in date order,
    their defects included."""
    header = HEADERS[style.header]
    dossier = "lpad(CAST(r.family AS VARCHAR), 8, '0')" if style.padded_dossier else "CAST(r.family AS VARCHAR)"
    names = len(NOMS) * len(PRENOMS)
    columns = [
        "CASE WHEN r.bad = 2 THEN 'Centre de loisirs inconnu' ELSE s.txt END",
        "CASE WHEN r.bad = 1 THEN '31/02/2022' ELSE d.txt END",
        dossier, "n.txt", "p.txt", "b.txt", "c.txt", "q.txt", "g.txt",
        "CASE WHEN r.bad = 3 THEN 'Nuitée' ELSE u.txt END",
        "CASE WHEN r.bad = 4 THEN dep.txt ELSE arr.txt END",
        "CASE WHEN r.bad = 4 THEN arr.txt ELSE dep.txt END",
        "pr.txt",
    ]
    selected = ", ".join(f'{expression} AS "{name}"' for expression, name in zip(columns, header))
    if notes:
        first = f"(SELECT min(i) FROM all_rows WHERE {where})"  # the first row has one too
        selected += (f", CASE WHEN r.i % 97 = 0 OR r.i = {first} THEN 'PAI;' || chr(10) || 'allergie arachides' "
                     "WHEN r.i % 89 = 0 THEN 'récupéré par \"Mamie\"' ELSE '' END AS \"Remarques\"")
    return f"""
        SELECT {selected}
        FROM (SELECT * FROM all_rows WHERE {where}) r
        JOIN structures s ON s.structure = r.structure AND s.variant = r.label
        JOIN dates d ON d.day = r.day
        JOIN noms n ON n.idx = r.child % {len(NOMS)}
        JOIN prenoms p ON p.idx = (r.child // {len(NOMS)}) % {len(PRENOMS)}
        JOIN births b ON b.birth = (r.child // {names} + (r.child % {names}) * 37) % {BIRTH_DAYS}
        JOIN communes c ON c.idx = r.commune
            AND c.variant = CASE WHEN r.commune < {communes} THEN r.family % 3 ELSE 0 END
        JOIN qfs q ON q.qf = r.qf
        JOIN regimes g ON g.regime = r.regime
        JOIN units u ON u.unit = r.unit
        JOIN presences pr ON pr.presence = r.presence
        JOIN times arr ON arr.minute = r.arrival
        JOIN times dep ON dep.minute = r.departure
        ORDER BY r.day, r.structure, r.child, r.unit"""


def finish_file(written: Path, target: Path, style: Style, title: str | None, tail: list[str]) -> None:
    """Re-encode COPY's UTF-8 output as the style says, with a title line and trailing lines."""
    encoding = "cp1252" if style.encoding == "cp1252" else "utf-8"
    with written.open("rb") as source, target.open("wb") as out:
        if style.encoding == "utf-8-sig":
            out.write(codecs.BOM_UTF8)
        if title:
            out.write((title + style.newline).encode(encoding))
        if encoding == "utf-8":
            shutil.copyfileobj(source, out, 1 << 24)
        else:
            decoder = codecs.getincrementaldecoder("utf-8")()
            for block in iter(lambda: source.read(1 << 24), b""):
                out.write(decoder.decode(block).encode(encoding))
        out.write("".join(line + style.newline for line in tail).encode(encoding))
    written.unlink()


def _use(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> None:
    for name, table in tables.items():
        con.register(name, table)


def write_delimited(con: duckdb.DuckDBPyConnection, path: Path, style: Style, where: str,
                    communes: int, title: str | None = None, tail: tuple[str, ...] = (),
                    notes: bool = False) -> None:
    scratch = path.with_name(path.name + ".tmp")
    newline = "\\r\\n" if style.newline == "\r\n" else "\\n"
    con.execute(f"COPY ({select_sql(style, where, communes, notes)}) TO '{scratch}' "
                f"(FORMAT csv, HEADER, DELIMITER '{style.sep}', NEW_LINE e'{newline}')")
    finish_file(scratch, path, style, title, list(tail))


def write_workbook(con: duckdb.DuckDBPyConnection, path: Path, style: Style, where: str,
                   communes: int) -> int:
    """A workbook with a title row, the header, the rows (dates as real date cells), a blank
    row and a Total row; returns its blank and total rows."""
    result = con.execute(select_sql(style, where, communes))
    header = [column[0] for column in result.description]
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("2023")
    sheet.append([f"Export Pocketo — {path.stem}"])
    sheet.append(header)
    rows = result.fetchall()
    for row in rows:
        sheet.append([row[0], _date_cell(row[1], style.date), *row[2:]])
    sheet.append([])
    sheet.append(["Total", *[None] * 11, len(rows)])
    workbook.save(path)
    return 2


def _date_cell(text: str, date_format: str) -> dt.date | str:
    try:
        return dt.datetime.strptime(text, date_format).date()
    except ValueError:
        return text  # a defect the row carries on purpose


@dataclass(frozen=True)
class Territory:
    """Where the generated structures are: their ids, and the INSEE-like codes of their communes
    (a partitioned benchmark gives each territory its own)."""
    name: str = "bench"
    department: str = "99"

    def commune_name(self, name: str) -> str:
        return name if self.name == Territory.name else f"{name} {self.name.upper()}"


def write_ref(ref_dir: Path, communes: list[str], structures: list[str], structure_communes: list[int],
              territory: Territory) -> None:
    """warehouse/ref with the generated communes (members) and structures appended."""
    shutil.copytree(REF_DIR, ref_dir, dirs_exist_ok=True)

    def append(name: str, rows: list[list[object]]) -> None:
        with (ref_dir / f"{name}.csv").open("a", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(rows)

    codes = [f"{territory.department}{n + 1:03d}" for n in range(len(communes))]
    append("communes", [[code, name, "99000", "", CC_SIREN, "true"] for code, name in zip(codes, communes)])
    ids = [f"alsh_{territory.name}_{n + 1:04d}" for n in range(len(structures))]
    append("structures", [[sid, f"ALSH {name}", "alsh", codes[c], "banc d'essai"]
                          for sid, name, c in zip(ids, structures, structure_communes)])
    append("structures_alias", [["pocketo", f"{kind} {name}", sid] for sid, name in zip(ids, structures)
                                for kind in ("ALSH", "Accueil de loisirs")])
    append("heures_forfaitaires", [[sid, unit, 2000, "", hours] for sid in ids
                                   for unit, hours in (("journee", 8), ("matin", 4), ("apres_midi", 4))])
    append("structures_capacite", [[sid, year, 40, 10, "banc d'essai"] for sid in ids
                                   for year in range(FIRST_DAY.year, LAST_DAY.year + 1)])


def _set_mtime(path: Path, moment: dt.datetime) -> None:
    os.utime(path, (moment.timestamp(), moment.timestamp()))


def file_of_rows(index: np.ndarray, unique: int) -> tuple[np.ndarray, int, int]:
    """Which file each row goes to: the big CSV exports (about a million rows each), then the
    file with remarks, then two workbooks. Returns the file numbers, the number of big
    exports, and the number of the file with remarks."""
    workbook_rows = min(WORKBOOK_ROWS, unique // 100)
    notes_rows = min(NOTES_ROWS, unique // 50)
    main = unique - 2 * workbook_rows - notes_rows
    exports = max(len(STYLES), -(-main // ROWS_PER_FILE))  # every style, at least once
    bounds = [main * k // exports for k in range(1, exports)] + [
        main, main + notes_rows, main + notes_rows + workbook_rows]
    return np.searchsorted(bounds, index, side="right"), exports, exports


def generate(out_dir: Path, rows: int, seed: int = 7, structures: int = 300, communes: int = 300,
             territory: Territory = Territory()) -> ScaleSet:
    """Write ``rows`` data rows under ``out_dir/raw/pocketo`` and the ref overlay ``out_dir/ref``."""
    raw = out_dir / "raw" / "pocketo"
    shutil.rmtree(raw, ignore_errors=True)
    raw.mkdir(parents=True)
    commune_list = [territory.commune_name(name) for name in commune_names(communes)]
    structure_communes = [s % communes for s in range(structures)]
    structure_names = [commune_list[c] + (f" {s // communes + 1}" if s >= communes else "")
                       for s, c in enumerate(structure_communes)]
    write_ref(out_dir / "ref", commune_list, structure_names, structure_communes, territory)

    reexport = rows // 50
    unique = rows - reexport
    codes = draw_rows(np.random.default_rng(seed), unique, structures, communes)
    codes["file"], exports, notes_file = file_of_rows(codes["i"], unique)
    con = duckdb.connect()
    con.register("all_rows", pa.table(codes))
    tables = [lookups(style, commune_list, structure_names) for style in STYLES]
    written, blank_or_total = [], 0
    for k in range(exports):
        style = STYLES[k % len(STYLES)]
        _use(con, tables[k % len(STYLES)])
        path = raw / f"{2019 + k % 5}" / f"export_pocketo_{k + 1:03d}{style.suffix}"
        path.parent.mkdir(exist_ok=True)
        tail = ("", style.sep * 12, "Total" + style.sep * 12) if k % 2 == 0 else ()
        write_delimited(con, path, style, f"file = {k}", communes,
                        title="Export Pocketo — tous accueils" if k % 3 == 1 else None, tail=tail)
        blank_or_total += len(tail)
        written.append(path)
    _use(con, tables[0])
    notes = raw / "presences_avec_remarques.csv"
    write_delimited(con, notes, STYLES[0], f"file = {notes_file}", communes, notes=True)
    written.append(notes)
    for n in (1, 2):
        _use(con, tables[n])
        book = raw / f"Pocketo accueils {n}.xlsx"
        blank_or_total += write_workbook(con, book, STYLES[n], f"file = {notes_file + n}", communes)
        written.append(book)

    # A corrected re-export of the first rows: newer, so its rows win; one in 20 has a new time.
    _use(con, tables[2])
    again = raw / "2019" / "reexport_pocketo_corrige.csv"
    con.register("all_rows", con.sql(f"""
        SELECT * REPLACE (CASE WHEN arrival >= 0 AND bad = 0 AND i % 20 = 0 THEN arrival + 5
                               ELSE arrival END AS arrival)
        FROM all_rows WHERE i < {reexport}""").to_arrow_table())
    write_delimited(con, again, STYLES[2], "true", communes)
    again_bad = int((codes["bad"][:reexport] > 0).sum())

    for path in written:
        _set_mtime(path, MTIME)
    _set_mtime(again, MTIME + dt.timedelta(days=30))
    copy = raw / "copie de Pocketo accueils 1.xlsx"  # the same bytes: read once
    shutil.copyfile(raw / "Pocketo accueils 1.xlsx", copy)
    _set_mtime(copy, MTIME + dt.timedelta(days=1))
    (raw / "bilan.pdf").write_bytes(b"%PDF-1.4\n")  # not a table: listed as skipped
    return ScaleSet(
        raw_dir=out_dir / "raw", ref_dir=out_dir / "ref", rows=unique + reexport,
        quarantined=int((codes["bad"] > 0).sum()) + again_bad, duplicates=reexport - again_bad,
        blank_or_total=blank_or_total, files=[p.relative_to(raw).as_posix() for p in [*written, again]])


PLAIN_FILES = 6
PLAIN_CHILDREN = 60_000
# The territory's own ALSH as Pocketo names them (warehouse/ref/structures_alias.csv): a plain
# set needs no copy of the reference.
PLAIN_STRUCTURES = [("ALSH Lalbenque", "Accueil de loisirs Lalbenque"),
                    ("ALSH Limogne", "Accueil de loisirs Limogne-en-Quercy"),
                    ("RDVJ", "Rendez-vous Jeunes")]


def member_communes(ref_dir: Path = REF_DIR) -> list[str]:
    """The names of the territory's member communes, as its reference lists them."""
    with (ref_dir / "communes.csv").open(encoding="utf-8", newline="") as handle:
        return [row["nom"] for row in csv.DictReader(handle) if row["membre_cc"] == "true"]


def generate_plain(out_dir: Path, rows: int, seed: int = 7) -> ScaleSet:
    """Plain Pocketo exports: PLAIN_FILES Windows-1252 ``;`` CRLF files of ``rows / PLAIN_FILES``
    rows each (the first style), PLAIN_CHILDREN children in the territory's three ALSH, no
    defect, no duplicate, no title, blank or total line; read with the project's own
    reference (``ref_dir`` is warehouse/ref)."""
    raw = out_dir / "raw" / "pocketo"
    shutil.rmtree(raw, ignore_errors=True)
    raw.mkdir(parents=True)
    per_file = rows // PLAIN_FILES
    communes = member_communes()
    codes = draw_rows(np.random.default_rng(seed), per_file * PLAIN_FILES, len(PLAIN_STRUCTURES),
                      len(communes), children=PLAIN_CHILDREN, bad_share=0)
    codes["file"] = codes["i"] // per_file
    style = STYLES[0]
    tables = lookups(style, communes, [])
    tables["structures"] = _table(["structure", "variant", "txt"],
                                  [(s, v, label) for s, labels in enumerate(PLAIN_STRUCTURES)
                                   for v, label in enumerate(labels)])
    con = duckdb.connect()
    con.register("all_rows", pa.table(codes))
    _use(con, tables)
    written = []
    for k in range(PLAIN_FILES):
        path = raw / f"export_pocketo_{k + 1}.csv"
        write_delimited(con, path, style, f"file = {k}", len(communes))
        _set_mtime(path, MTIME)
        written.append(path)
    return ScaleSet(raw_dir=out_dir / "raw", ref_dir=REF_DIR, rows=per_file * PLAIN_FILES,
                    quarantined=0, duplicates=0, blank_or_total=0,
                    files=[p.relative_to(raw).as_posix() for p in written])


def cut(made: ScaleSet, out_dir: Path, rows_per_file: int) -> ScaleSet:
    """The same files keeping their header line and first ``rows_per_file`` lines (a set
    without title, blank or multi-line records, as :func:`generate_plain` writes it)."""
    raw = out_dir / "raw" / "pocketo"
    shutil.rmtree(raw, ignore_errors=True)
    raw.mkdir(parents=True)
    for name in made.files:
        source, target = made.raw_dir / "pocketo" / name, raw / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with source.open("rb") as handle:
            target.write_bytes(b"".join(line for _, line in zip(range(rows_per_file + 1), handle)))
        _set_mtime(target, dt.datetime.fromtimestamp(source.stat().st_mtime))
    return ScaleSet(raw_dir=out_dir / "raw", ref_dir=made.ref_dir, rows=rows_per_file * len(made.files),
                    quarantined=0, duplicates=0, blank_or_total=0, files=made.files)


def generate_apart(*args, make=generate, **kwargs) -> ScaleSet:
    """:func:`generate` (or ``make``) in a new process. A benchmark must not hold the generated
    rows itself: a child started by ``subprocess`` reports as its peak memory (``ru_maxrss``) at
    least the peak of the process that started it."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(make, *args, **kwargs).result()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--structures", type=int, default=300)
    parser.add_argument("--communes", type=int, default=300)
    parser.add_argument("--plain", action="store_true", help="plain exports (generate_plain)")
    args = parser.parse_args(argv)
    if args.plain:
        made = generate_plain(args.out_dir, args.rows, args.seed)
    else:
        made = generate(args.out_dir, args.rows, args.seed, args.structures, args.communes)
    print(f"{made.rows} lignes dans {len(made.files)} fichiers sous {made.raw_dir} ; "
          f"référentiel : {made.ref_dir}")


if __name__ == "__main__":
    main()
