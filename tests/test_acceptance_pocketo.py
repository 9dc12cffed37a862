"""Acceptance test: Pocketo ALSH attendance exports -> warehouse.

Written against the contract only (sources.md general rules + section 1, warehouse.md), as
"someone else following the contract". It builds its own small raw folder in a temporary
directory, runs ``python -m pipelines.cli refresh --raw-dir RAW --warehouse PATH`` once for the
module, then checks the warehouse against figures computed by hand below.

Flat hours: Journee 8 h, Matin 4 h, Apres-midi 4 h.  Hours only for "Present" rows.

Children (all names, birth dates and file numbers are fictitious and must never reach the
warehouse in clear):

  C1  Lea Dupont-Martin     14/03/2014  PKT-770341   spelled "Dupont-Martin/Lea",
                                                     "DUPONT MARTIN/LEA", "Dupont  Martin/lea",
                                                     "DUPONT-MARTIN/Lea"  -> ONE child
  C2  Anatole Valsecchi     02/11/2012  PKT-770342
  C3  Philippine Ortolani   21/06/2015  PKT-770343
  C4  Gwendal Kerbrat       09/09/2009  PKT-770344
  C5  Ysaline Zimmerlin     30/01/2016  PKT-770345
  C6  Maxence Pajaud        17/05/2010  PKT-770346
  C7  Clementine Brisemontier 05/12/2013 PKT-770347
  C8  Joachim Delmasure     03/04/1997  PKT-770348   (25 years old -> quarantined)
  C9  Apolline Quievreux    11/08/2014  PKT-770349   (only ever Absent -> never counted)

Files (under raw/pocketo/):

  F1 pointages_2022_final.csv   cp1252, ';', CRLF, aliases, an empty line (line 3).
                                OLDER export (mtime 2022-07-05), partial, overlaps F2.
     l2  C1 12/01/2022 Journee 08:30-17:00 Present  -> duplicate of F2 l2 (F2 newer wins)
     l3  (empty line)
     l4  C2 12/01/2022 Matin 8h-12h Present         -> duplicate of F2 l3
     l5  C2 14/02/2022 Journee 08h30-17h30 (9 h)    -> duplicate, DIFFERS from F2 l4 (8 h): F2 wins
     l6  "Centre aere de Cahors"                    -> QUARANTINE unknown structure
     l7  date 31/02/2022                            -> QUARANTINE unreadable date
     l8  C3 15/03/22 Apres-midi 13:30-17:30         -> loaded, 4 h (not in F2)
     l9  C9 15/03/2022 Journee Absent excuse        -> duplicate of F2 l5
  F2 pointages_2022_annee.csv   UTF-8 BOM, ',', all fields quoted, LF, no final newline.
                                NEWER export (mtime 2023-01-10).  (Name sorts BEFORE F1, and it
                                is written to disk before F1: only mtime says it is newer.)
     l2  C1 "DUPONT MARTIN"/"LEA" 12/01/2022 Journee 08:30-17:00 QF "1 234"(NBSP) Limogne  8.5 h
     l3  C2 2022-01-12 Matin 8:00-12:00 QF "850,5" Flaujac-Pujols                         4 h
     l4  C2 14/02/2022 Journee 09:00-17:00 QF "850,5" Flaujac-Pujols                       8 h
     l5  C9 15/03/2022 Journee Absent excuse                                              0
     l6  C1 20/04/2022 "Accueil de loisirs Lalbenque" 08:30:00-17:30:00 QF "1 234"          9 h
     l7  C8 20/04/2022 (age 25)                     -> QUARANTINE age
     l8  C2 21/04/2022 unit "Nuitee"                -> QUARANTINE unknown unit
     l9  C7 11/07/2022 "Demi-journee matin" no times QF 551 Lalbenque                     4 h est.
     l10 C7 11/07/2022 "Demi-journee apres-midi" 13:30-(blank) QF blank Lalbenque          4 h est.
     l11 C3 12/07/2022 Journee 8:30-17:30 QF 1201 Fontanes                                9 h
     l12 C9 18/05/2022 Journee Absent                                                     0
     l13 C2 13/07/2022 Journee 08:30-12:00 QF blank commune Lalbenque                     3.5 h
     l14 C2 20/07/2022 Journee Absent QF "1 500"(U+202F) commune Cremps  (ignored for band
         and commune: only Present rows count)                                            0
  F3 export_pocketo_divers.txt  tab-separated, UTF-8, LF, aliases.
     l2  C1 "Dupont  Martin"/"lea" ALSH Lalbenque 24-08-2022 Apres-midi 14:00-17:00,
         QF blank, Limogne                                                                3 h
     l3  C5 ALSH Limogne 26/10/2022 Journee 8:30-17:30 QF 420 Limogne                     9 h
     l4  C5 ALSH Limogne 27/10/2022 Matin 08h30-12h QF 420 Limogne                        3.5 h
     l5  C5 ALSH Limogne 27/10/2022 Apres-midi 17:00 -> 13:30  -> QUARANTINE departure<arrival
     l6  C4 RDVJ 2023-07-05 APRES-MIDI 14:00-18:00 QF 1000 Lalbenque                      4 h
     l7  C6 "Rendez-vous Jeunes" 06/07/2023 journee no times, commune spaces only, QF blank
                                                                                          8 h est.
  F4 limogne/Pointages Limogne 2023.xlsx  two title rows (A1:M1 merged), header on row 3,
     real date and time cells, a "Total" row 12.
     r4  C5 13/02/2023 Journee 08:30-17:00 QF 420 Limogne                                 8.5 h
     r5  C1 13/02/2023 Journee 09:00-17:00 QF 980 Flaujac-Pujols                          8 h
     r6  C5 14/02/2023 Apres-midi "13h30"-"17h" QF 420 Limogne                            3.5 h
     r7  C1 14/02/2023 Journee 07:00-20:00 (13 h)   -> QUARANTINE over 12 h
     r8  C5 15/07/2031                              -> QUARANTINE future date
     r9  C1 17/04/2023 Apres-midi no times QF blank Flaujac-Pujols                        4 h est.
     r10 C5 17/04/2023 Journee 08:00-(blank) QF blank Fontanes                            8 h est.
     r11 C9 18/04/2023 Journee Absent                                                     0
     r12 Total row
  F5 2023/rdvj_ete_2023.csv  UTF-8, ';', LF, spaces around headers/cells, empty trailing column.
     l2  C4 "ALSH 12-17 ans" 06/07/23 Journee 10:00-18:00 QF 1001 Cremps                   8 h
     l3  C6 RDVJ 07/07/2023 Apres-midi 13:30-18:30 QF "-" commune "NC"                     5 h
  F5' archives/rdvj_ete_2023 - copie.csv   byte-identical copy of F5 -> 'doublon de fichier'
  F6 export_sans_date.csv   no Date column (only "Date de naissance") -> 'rejete'
  + Bilan ALSH 2022.pdf, limogne/~$Pointages Limogne 2023.xlsx, .DS_Store -> 'ignore'

Truth (after de-duplication, quarantine excluded):

  alsh_annuel            heures   enfants  jours
    alsh_lalbenque 2022   57.0      4        8   (C1 8.5+9+3, C2 4+8+3.5, C3 4+9, C7 4+4;
                                                  days 12/01 14/02 15/03 20/04 11/07 12/07
                                                  13/07 24/08; 18/05, 20/07 absent only,
                                                  21/04 quarantined only)
    alsh_limogne   2022   12.5      1        2   (C5 9+3.5; 26/10 27/10)
    alsh_limogne   2023   32.0      2        3   (C5 8.5+3.5+8, C1 8+4; 13/02 14/02 17/04)
    rdvj           2023   25.0      2        3   (C4 4+8, C6 8+5; 05/07 06/07 07/07)

  alsh_par_commune (commune of the child's most recent Present row that year)
    alsh_lalbenque 2022  46173 (Limogne)   1  20.5   C1 (24/08 Limogne)
    alsh_lalbenque 2022  46148 (Lalbenque) 2  23.5   C2 (13/07) 15.5 + C7 8
    alsh_lalbenque 2022  HORS_CC           1  13.0   C3 (12/07 Fontanes)
    alsh_limogne   2022  46173             1  12.5   C5
    alsh_limogne   2023  HORS_CC           1  20.0   C5 (17/04 Fontanes)
    alsh_limogne   2023  46105             1  12.0   C1 (17/04 Flaujac-Pujols)
    rdvj           2023  46082 (Cremps)    1  12.0   C4 (06/07 Cremps)
    rdvj           2023  INCONNUE          1  13.0   C6 (07/07 "NC")

  alsh_par_tranche_qf (band of the most recent Present row that year with a QF)
    alsh_lalbenque 2022  T4  2  33.5   C1 (20/04 QF 1234) 20.5 + C3 (12/07 QF 1201) 13
    alsh_lalbenque 2022  T2  2  23.5   C2 (14/02 QF 850.5) 15.5 + C7 (11/07 QF 551) 8
    alsh_limogne   2022  T1  1  12.5   C5 (QF 420)
    alsh_limogne   2023  T1  1  20.0   C5 (14/02 QF 420)
    alsh_limogne   2023  T2  1  12.0   C1 (13/02 QF 980)
    rdvj           2023  T3  1  12.0   C4 (06/07 QF 1001)
    rdvj           2023  NR  1  13.0   C6 (never a QF)

  quarantine (file, line): (F1,6) structure, (F1,7) date, (F2,7) age/birth date,
    (F2,8) unit, (F3,5) departure/arrival, (F4,7) hours > 12 h, (F4,8) future date.

  journal (chargé):  file  loaded  quarantined  duplicates  (read - blank/total)
                      F1      1         2           4          7
                      F2     11         2           0         13
                      F3      5         1           0          6
                      F4      6         2           0          8   (+ the Total row)
                      F5      2         0           0          2
  staging.pocketo__presences: 25 rows.

Decisions where the contract is silent (see the report of the test author):
  * file names are compared by basename (fichier_nom may hold a relative path);
  * which of F5 / its copy is 'chargé' is free; the other must be 'doublon de fichier';
  * breakdown/annual tables may hold extra all-zero rows (a full grid), never extra counts;
  * for files not 'chargé', NULL counts are read as 0 in the row-accounting identity;
  * column names in quarantine.colonne are matched loosely (original header, canonical
    name or snake_case all accepted).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from warehouse.national import NATIONAL_TABLES

pytestmark = pytest.mark.refreshes(3)  # the command in its own process, and an empty folder

REPO_ROOT = Path(__file__).resolve().parents[1]
PSEUDO_KEY = "cle-de-test-assez-longue-pour-etre-acceptee"  # 32 characters at least

NBSP = "\u00a0"
NNBSP = "\u202f"

# --------------------------------------------------------------------------------------------
# File names
# --------------------------------------------------------------------------------------------
F1 = "pointages_2022_final.csv"
F2 = "pointages_2022_annee.csv"
F3 = "export_pocketo_divers.txt"
F4 = "Pointages Limogne 2023.xlsx"
F5 = "rdvj_ete_2023.csv"
F5_COPY = "rdvj_ete_2023 - copie.csv"
F6 = "export_sans_date.csv"
PDF = "Bilan ALSH 2022.pdf"
LOCK = "~$Pointages Limogne 2023.xlsx"
DSSTORE = ".DS_Store"

ALL_FILES = {F1, F2, F3, F4, F5, F5_COPY, F6, PDF, LOCK, DSSTORE}

# --------------------------------------------------------------------------------------------
# Personal data written into the raw files (must never reach the warehouse in clear)
# --------------------------------------------------------------------------------------------
SURNAMES = [
    "Dupont-Martin", "DUPONT MARTIN", "Dupont  Martin", "DUPONT-MARTIN", "Dupont",
    "Valsecchi", "Ortolani", "Kerbrat", "Zimmerlin", "Pajaud", "Brisemontier",
    "Delmasure", "Quiévreux",
]
FIRST_NAMES = [
    "Léa", "LEA", "léa", "Anatole", "Philippine", "Gwendal", "Ysaline", "Maxence",
    "Clémentine", "Joachim", "Apolline",
]
BIRTH_DATES = [
    dt.date(2014, 3, 14), dt.date(2012, 11, 2), dt.date(2015, 6, 21), dt.date(2009, 9, 9),
    dt.date(2016, 1, 30), dt.date(2010, 5, 17), dt.date(2013, 12, 5), dt.date(1997, 4, 3),
    dt.date(2014, 8, 11),
]
DOSSIERS = [f"PKT-77034{i}" for i in range(1, 10)]


def _ts(y, m, d):
    return dt.datetime(y, m, d, 12, 0, 0).timestamp()


# --------------------------------------------------------------------------------------------
# Raw file builders
# --------------------------------------------------------------------------------------------
def _write_f1(path: Path) -> None:
    """cp1252, ';', CRLF, header aliases, an empty line at line 3."""
    lines = [
        "Site;Jour;N° dossier;Nom enfant;Prénom;Né(e) le;Commune;Q.F.;Régime;"
        "Type de présence;Heure d'arrivée;Heure de départ;Statut",
        # l2: duplicate of F2 l2 (same child spelled differently)
        f"ALSH Lalbenque;12/01/2022;PKT-770341;Dupont-Martin;Léa;14/03/2014;Limogne;1{NBSP}234;"
        "CAF;Journée;08:30;17:00;Présent",
        # l3: empty line
        "",
        # l4: duplicate of F2 l3
        "ALSH Lalbenque;12/01/2022;PKT-770342;Valsecchi;Anatole;02/11/2012;Flaujac-Pujols;850,5;"
        "MSA;Matin;8h;12h;Présent",
        # l5: duplicate of F2 l4 but differs (9 h here, 8 h in the newer F2)
        "ALSH Lalbenque;14/02/2022;PKT-770342;Valsecchi;Anatole;02/11/2012;Flaujac-Pujols;850,5;"
        "MSA;Journée;08h30;17h30;Présent",
        # l6: unknown structure -> quarantine
        "Centre aéré de Cahors;14/02/2022;PKT-770343;Ortolani;Philippine;21/06/2015;Fontanes;;"
        "CAF;Journée;;;Présent",
        # l7: unreadable date -> quarantine
        "ALSH Lalbenque;31/02/2022;PKT-770343;Ortolani;Philippine;21/06/2015;Fontanes;-;"
        "CAF;Journée;;;Présent",
        # l8: only in F1 -> loaded, 4 h
        "ALSH Lalbenque;15/03/22;PKT-770343;Ortolani;Philippine;21/06/2015;Fontanes;NC;"
        "CAF;Après-midi;13:30;17:30;Présent",
        # l9: duplicate of F2 l5 (absent)
        "ALSH Lalbenque;15/03/2022;PKT-770349;Quiévreux;Apolline;11/08/2014;Lalbenque;600;"
        "CAF;Journée;;;Absent excusé",
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


def _write_f2(path: Path) -> None:
    """UTF-8 with BOM, ',', every field quoted, LF, no final newline."""
    header = ["Structure", "Date", "N° dossier", "Nom", "Prénom", "Date de naissance",
              "Commune de résidence", "QF", "Régime", "Unité", "Arrivée", "Départ", "Présence"]
    c1 = ["PKT-770341", "DUPONT MARTIN", "LEA", "14/03/2014"]
    c2 = ["PKT-770342", "Valsecchi", "Anatole", "2012-11-02"]
    c3 = ["PKT-770343", "Ortolani", "Philippine", "21/06/2015"]
    c7 = ["PKT-770347", "Brisemontier", "Clémentine", "05/12/2013"]
    c8 = ["PKT-770348", "Delmasure", "Joachim", "03/04/1997"]
    c9 = ["PKT-770349", "Quiévreux", "Apolline", "11/08/2014"]
    lal = "ALSH Lalbenque"
    rows = [
        [lal, "12/01/2022", *c1, "Limogne", f"1{NBSP}234", "CAF", "Journée", "08:30", "17:00", "Présent"],      # l2 8.5
        [lal, "2022-01-12", *c2, "Flaujac-Pujols", "850,5", "MSA", "Matin", "8:00", "12:00", "Présent"],        # l3 4
        [lal, "14/02/2022", *c2, "Flaujac-Pujols", "850,5", "MSA", "Journée", "09:00", "17:00", "Présent"],     # l4 8
        [lal, "15/03/2022", *c9, "Lalbenque", "600", "CAF", "Journée", "", "", "Absent excusé"],               # l5 0
        ["Accueil de loisirs Lalbenque", "20/04/2022", *c1, "Limogne", f"1{NBSP}234", "CAF", "Journée",
         "08:30:00", "17:30:00", "Présent"],                                                                   # l6 9
        [lal, "20/04/2022", *c8, "Lalbenque", "700", "CAF", "Journée", "08:30", "17:00", "Présent"],           # l7 Q age 25
        [lal, "21/04/2022", *c2, "Flaujac-Pujols", "850,5", "MSA", "Nuitée", "", "", "Présent"],               # l8 Q unit
        [lal, "11/07/2022", *c7, "Lalbenque", "551", "CAF", "Demi-journée matin", "", "", "Présent"],          # l9 4 est
        [lal, "11/07/2022", *c7, "Lalbenque", "", "CAF", "Demi-journée après-midi", "13:30", "", "Présent"],   # l10 4 est
        [lal, "12/07/2022", *c3, "Fontanes", "1201", "CAF", "Journée", "8:30", "17:30", "Présent"],            # l11 9
        [lal, "18/05/2022", *c9, "Lalbenque", "600", "CAF", "Journée", "", "", "Absent"],                      # l12 0
        [lal, "13/07/2022", *c2, "Lalbenque", "", "MSA", "Journée", "08:30", "12:00", "Présent"],              # l13 3.5
        [lal, "20/07/2022", *c2, "Cremps", f"1{NNBSP}500", "MSA", "Journée", "", "", "Absent"],                # l14 0
    ]
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=",", quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    text = buf.getvalue().rstrip("\n")  # last line without newline
    path.write_bytes(text.encode("utf-8-sig"))


def _write_f3(path: Path) -> None:
    """Tab-separated .txt, UTF-8, LF, aliases."""
    header = ["Accueil", "Date de présence", "No dossier", "Nom", "Prenom", "Naissance", "Ville",
              "Quotient familial", "Regime", "Unite", "Arrivee", "Depart", "Presence"]
    c5 = ["PKT-770345", "Zimmerlin", "Ysaline"]
    rows = [
        ["ALSH Lalbenque", "24-08-2022", "PKT-770341", "Dupont  Martin", "léa", "14-03-2014", "Limogne",
         "", "CAF", "Apres-midi", "14:00", "17:00", "Présent"],                                  # l2 3
        ["ALSH Limogne", "26/10/2022", *c5, "30/01/16", "Limogne", "420", "CAF", "Journée",
         "8:30", "17:30", "Présent"],                                                            # l3 9
        ["ALSH Limogne", "27/10/2022", *c5, "30/01/2016", "Limogne", "420", "CAF", "Matin",
         "08h30", "12h", "Présent"],                                                             # l4 3.5
        ["ALSH Limogne", "27/10/2022", *c5, "30/01/2016", "Limogne", "420", "CAF", "Après-midi",
         "17:00", "13:30", "Présent"],                                                           # l5 Q dep<arr
        ["RDVJ", "2023-07-05", "PKT-770344", "Kerbrat", "Gwendal", "2009-09-09", "Lalbenque", "1000",
         "MSA", "APRÈS-MIDI", "14:00", "18:00", "Présent"],                                      # l6 4
        ["Rendez-vous Jeunes", "06/07/2023", "PKT-770346", "Pajaud", "Maxence", "17/05/2010", "   ",
         "", "Autre", "journée", "", "", "Présent"],                                             # l7 8 est
    ]
    text = "\n".join("\t".join(r) for r in [header, *rows]) + "\n"
    path.write_bytes(text.encode("utf-8"))


def _write_f4(path: Path) -> None:
    """xlsx: merged title, subtitle, header on row 3, real date/time cells, Total row 12."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2023"
    ws["A1"] = "Pointages ALSH Limogne-en-Quercy — année 2023"
    ws.merge_cells("A1:M1")
    ws["A2"] = "Extraction Pocketo du 08/01/2024"
    header = ["Lieu d'accueil", "Date", "Dossier", "Nom", "Prénom enfant", "Date de naissance",
              "Commune", "QF", "Régime allocataire", "Unité de pointage", "Heure d'arrivée",
              "Heure de départ", "Présence"]
    for j, h in enumerate(header, start=1):
        ws.cell(row=3, column=j, value=h)
    c1 = ["PKT-770341", "DUPONT-MARTIN", "Léa", dt.date(2014, 3, 14)]
    c5 = ["PKT-770345", "Zimmerlin", "Ysaline", dt.date(2016, 1, 30)]
    c9 = ["PKT-770349", "Quiévreux", "Apolline", dt.date(2014, 8, 11)]
    lim = "ALSH Limogne"
    T = dt.time
    D = dt.date
    rows = {
        4: [lim, D(2023, 2, 13), *c5, "Limogne", 420, "CAF", "Journée", T(8, 30), T(17, 0), "Présent"],
        5: [lim, D(2023, 2, 13), *c1, "Flaujac-Pujols", 980, "CAF", "Journée", T(9, 0), T(17, 0), "Présent"],
        6: [lim, D(2023, 2, 14), *c5, "Limogne", 420, "CAF", "Après-midi", "13h30", "17h", "Présent"],
        7: [lim, D(2023, 2, 14), *c1, "Flaujac-Pujols", 980, "CAF", "Journée", T(7, 0), T(20, 0), "Présent"],
        8: [lim, D(2031, 7, 15), *c5, "Limogne", 420, "CAF", "Journée", T(8, 30), T(17, 0), "Présent"],
        9: [lim, D(2023, 4, 17), *c1, "Flaujac-Pujols", None, "CAF", "Après-midi", None, None, "Présent"],
        10: [lim, D(2023, 4, 17), *c5, "Fontanes", None, "CAF", "Journée", T(8, 0), None, "Présent"],
        11: [lim, D(2023, 4, 18), *c9, "Lalbenque", 700, "CAF", "Journée", None, None, "Absent"],
    }
    for r, values in rows.items():
        for j, v in enumerate(values, start=1):
            cell = ws.cell(row=r, column=j, value=v)
            if isinstance(v, dt.date):
                cell.number_format = "DD/MM/YYYY"
            elif isinstance(v, dt.time):
                cell.number_format = "HH:MM"
    ws.cell(row=12, column=1, value="Total")
    ws.cell(row=12, column=2, value=7)
    wb.save(path)


F5_TEXT = (
    " Structure ; Date ; N° dossier ; Nom ; Prénom ; Date de naissance ; Commune ; QF ; Régime ;"
    " Unité ; Arrivée ; Départ ; Présence ;\n"
    "ALSH 12-17 ans ;06/07/23;PKT-770344;Kerbrat;Gwendal;09/09/2009; Cremps ;1001;MSA;Journée;"
    "10:00;18:00;Présent;\n"
    "RDVJ;07/07/2023;PKT-770346;Pajaud;Maxence;17/05/2010;NC;-;Autre;Après-midi;13:30;18:30;"
    "Présent;\n"
)

F6_TEXT = (
    "Structure;N° dossier;Nom;Prénom;Date de naissance;Commune;QF;Régime;Unité;Arrivée;Départ;"
    "Présence\n"
    "ALSH Lalbenque;PKT-770342;Valsecchi;Anatole;02/11/2012;Flaujac-Pujols;850,5;MSA;Journée;"
    "08:30;17:30;Présent\n"
    "ALSH Limogne;PKT-770345;Zimmerlin;Ysaline;30/01/2016;Limogne;420;CAF;Matin;;;Présent\n"
)


def build_raw(raw: Path) -> None:
    poc = raw / "pocketo"
    (poc / "limogne").mkdir(parents=True)
    (poc / "2023").mkdir()
    (poc / "archives").mkdir()

    # F2 (newer by mtime) is written BEFORE F1 on purpose: only mtime says which is newer.
    _write_f2(poc / F2)
    _write_f1(poc / F1)
    _write_f3(poc / F3)
    _write_f4(poc / "limogne" / F4)
    (poc / "2023" / F5).write_bytes(F5_TEXT.encode("utf-8"))
    shutil.copyfile(poc / "2023" / F5, poc / "archives" / F5_COPY)
    (poc / F6).write_bytes(F6_TEXT.encode("utf-8"))
    (poc / PDF).write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n")
    (poc / "limogne" / LOCK).write_bytes(b"\x0cobservatoire" + b"\x20" * 40 + b"\x00" * 110)
    (poc / DSSTORE).write_bytes(b"\x00\x00\x00\x01Bud1" + b"\x00" * 64)

    mtimes = {
        poc / F1: _ts(2022, 7, 5),
        poc / F2: _ts(2023, 1, 10),
        poc / F3: _ts(2023, 8, 1),
        poc / "limogne" / F4: _ts(2024, 1, 8),
        poc / "2023" / F5: _ts(2023, 7, 31),
        poc / "archives" / F5_COPY: _ts(2024, 2, 1),
        poc / F6: _ts(2023, 9, 1),
    }
    for p, t in mtimes.items():
        os.utime(p, (t, t))


def run_refresh(raw: Path, warehouse: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("OBSERVATOIRE_RAW_DIR", None)
    env.pop("OBSERVATOIRE_WAREHOUSE", None)
    env["OBSERVATOIRE_PSEUDO_KEY"] = PSEUDO_KEY
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "refresh",
         "--raw-dir", str(raw), "--warehouse", str(warehouse)],
        env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=900,
    )


# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = tmp_path_factory.mktemp("acceptance_pocketo")
    raw = base / "raw"
    build_raw(raw)
    wh = base / "entrepot" / "observatoire.duckdb"
    proc = run_refresh(raw, wh)
    assert proc.returncode == 0, (
        f"refresh failed (exit {proc.returncode})\n--- stdout ---\n{proc.stdout}\n"
        f"--- stderr ---\n{proc.stderr}"
    )
    assert wh.exists(), "refresh succeeded but no warehouse file was written"
    return {"raw": raw, "warehouse": wh, "proc": proc}


@pytest.fixture(scope="module")
def con(run):
    c = duckdb.connect(str(run["warehouse"]), read_only=True)
    yield c
    c.close()


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------
def _norm(s) -> str:
    """lower case, accents stripped, only [a-z0-9] kept."""
    s = unicodedata.normalize("NFKD", str(s))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]", "", s.lower())


def _nfc(s):
    return None if s is None else unicodedata.normalize("NFC", str(s))


def _base(name) -> str:
    return Path(str(name).replace("\\", "/")).name


def _dec(x) -> Decimal:
    return Decimal(str(x))


def _fetch_dicts(con, sql, params=None):
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row)) for row in cur.fetchall()]


def _is_zero(v) -> bool:
    return v is None or v == 0


def _journal(con):
    rows = _fetch_dicts(con, "select * from qualite.journal_chargement")
    return [r for r in rows if _base(r["fichier_nom"]) in ALL_FILES]


def _journal_by_file(con):
    out = {}
    for r in _journal(con):
        out.setdefault(_base(r["fichier_nom"]), []).append(r)
    return out


def _loaded_f5_name(con) -> str:
    by = _journal_by_file(con)
    loaded = [n for n in (F5, F5_COPY) if _nfc(by[n][0]["statut"]) == "chargé"]
    assert len(loaded) == 1, f"exactly one of {F5!r} / {F5_COPY!r} must be 'chargé': {by}"
    return loaded[0]


def _staging(con):
    rows = _fetch_dicts(con, "select * from staging.pocketo__presences")
    for r in rows:
        r["_file"] = _base(r["fichier_nom"])
    return rows


def _present(r) -> bool:
    return _norm(r["presence"]) == "present"


# --------------------------------------------------------------------------------------------
# Expected values (hand-computed, see module docstring)
# --------------------------------------------------------------------------------------------
EXPECTED_ANNUEL = {
    # (structure_id, annee): (heures_enfants, enfants_distincts, jours_ouverture)
    ("alsh_lalbenque", 2022): (Decimal("57.0"), 4, 8),
    ("alsh_limogne", 2022): (Decimal("12.5"), 1, 2),
    ("alsh_limogne", 2023): (Decimal("32.0"), 2, 3),
    ("rdvj", 2023): (Decimal("25.0"), 2, 3),
}

EXPECTED_COMMUNE = {
    # (structure_id, annee, code_commune): (enfants_distincts, heures_enfants)
    ("alsh_lalbenque", 2022, "46173"): (1, Decimal("20.5")),  # C1, last Present 24/08 Limogne
    ("alsh_lalbenque", 2022, "46148"): (2, Decimal("23.5")),  # C2 (13/07 Lalbenque) 15.5 + C7 8
    ("alsh_lalbenque", 2022, "HORS_CC"): (1, Decimal("13.0")),  # C3 Fontanes
    ("alsh_limogne", 2022, "46173"): (1, Decimal("12.5")),  # C5 Limogne
    ("alsh_limogne", 2023, "HORS_CC"): (1, Decimal("20.0")),  # C5, last Present 17/04 Fontanes
    ("alsh_limogne", 2023, "46105"): (1, Decimal("12.0")),  # C1 Flaujac-Pujols
    ("rdvj", 2023, "46082"): (1, Decimal("12.0")),  # C4, last Present 06/07 Cremps
    ("rdvj", 2023, "INCONNUE"): (1, Decimal("13.0")),  # C6, blank / "NC"
}

EXPECTED_TRANCHE = {
    # (structure_id, annee, tranche_qf): (enfants_distincts, heures_enfants)
    ("alsh_lalbenque", 2022, "T4"): (2, Decimal("33.5")),  # C1 QF 1 234 (20.5) + C3 QF 1201 (13)
    ("alsh_lalbenque", 2022, "T2"): (2, Decimal("23.5")),  # C2 QF 850,5 (15.5) + C7 QF 551 (8)
    ("alsh_limogne", 2022, "T1"): (1, Decimal("12.5")),  # C5 QF 420
    ("alsh_limogne", 2023, "T1"): (1, Decimal("20.0")),  # C5 QF 420 (last row with a QF)
    ("alsh_limogne", 2023, "T2"): (1, Decimal("12.0")),  # C1 QF 980
    ("rdvj", 2023, "T3"): (1, Decimal("12.0")),  # C4 QF 1001 (latest; earlier 1000 would be T2)
    ("rdvj", 2023, "NR"): (1, Decimal("13.0")),  # C6 never a QF
}

# Quarantine: (file, line) -> (accepted exact column names, accepted substrings, raw value part)
EVENT_DATE_NAMES = {"date", "jour", "datedepresence", "datepresence", "datedelapresence",
                    "dateevenement"}
EXPECTED_QUARANTINE = {
    (F1, 6): (set(), {"structure", "site", "accueil", "lieu"}, "Cahors"),
    (F1, 7): (EVENT_DATE_NAMES, set(), "31/02/2022"),
    (F2, 7): (set(), {"naissance", "neele", "age", "birth"}, None),
    (F2, 8): (set(), {"unite", "typedepresence", "pointage", "unit"}, "Nuitée"),
    (F3, 5): (set(), {"arrivee", "depart", "heure", "arrival", "departure", "duree"}, None),
    (F4, 7): (set(), {"arrivee", "depart", "heure", "arrival", "departure", "duree"}, None),
    (F4, 8): (EVENT_DATE_NAMES, set(), "2031"),
}

# Staging: Present rows (file, line) -> (hours, estimated)
EXPECTED_PRESENT_HOURS = {
    (F1, 8): (Decimal("4"), False),
    (F2, 2): (Decimal("8.5"), False),
    (F2, 3): (Decimal("4"), False),
    (F2, 4): (Decimal("8"), False),  # newer file wins over F1 l5 (9 h)
    (F2, 6): (Decimal("9"), False),
    (F2, 9): (Decimal("4"), True),
    (F2, 10): (Decimal("4"), True),
    (F2, 11): (Decimal("9"), False),
    (F2, 13): (Decimal("3.5"), False),
    (F3, 2): (Decimal("3"), False),
    (F3, 3): (Decimal("9"), False),
    (F3, 4): (Decimal("3.5"), False),
    (F3, 6): (Decimal("4"), False),
    (F3, 7): (Decimal("8"), True),
    (F4, 4): (Decimal("8.5"), False),
    (F4, 5): (Decimal("8"), False),
    (F4, 6): (Decimal("3.5"), False),
    (F4, 9): (Decimal("4"), True),
    (F4, 10): (Decimal("8"), True),
    (F5, 2): (Decimal("8"), False),
    (F5, 3): (Decimal("5"), False),
}
EXPECTED_ABSENT = {(F2, 5), (F2, 12), (F2, 14), (F4, 11)}

# Per loaded file: (lignes_chargees, lignes_quarantaine, lignes_doublons, lues - vides_total)
EXPECTED_COUNTS = {
    F1: (1, 2, 4, 7),
    F2: (11, 2, 0, 13),
    F3: (5, 1, 0, 6),
    F4: (6, 2, 0, 8),
    F5: (2, 0, 0, 2),
}

INDICATOR_TABLES = ("alsh_annuel", "alsh_par_commune", "alsh_par_tranche_qf")


def _remap_f5(key, loaded_f5):
    f, line = key
    return (loaded_f5 if f == F5 else f, line)


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------
def test_refresh_exits_zero_and_prints_a_summary(run):
    # quarantined rows and a rejected file are warnings: the run succeeds
    assert run["proc"].returncode == 0
    assert run["proc"].stdout.strip(), "the refresh must print a summary on stdout"


# --------------------------------------------------------------------------------------------
# Indicators
# --------------------------------------------------------------------------------------------
def test_alsh_annuel(con):
    rows = _fetch_dicts(con, "select * from indicateurs.alsh_annuel")
    for col in ("structure_id", "annee", "heures_enfants", "enfants_distincts",
                "jours_ouverture", "places", "taux_occupation"):
        assert rows == [] or col in rows[0], f"alsh_annuel lacks column {col}"
    got = {}
    for r in rows:
        key = (r["structure_id"], int(r["annee"]))
        assert key not in got, f"alsh_annuel: duplicate key {key}"
        got[key] = r
    for key, (h, n, j) in EXPECTED_ANNUEL.items():
        assert key in got, f"alsh_annuel: missing row {key}; got {sorted(got)}"
        r = got[key]
        assert _dec(r["heures_enfants"]) == h, f"{key} heures_enfants {r['heures_enfants']} != {h}"
        assert r["enfants_distincts"] == n, f"{key} enfants_distincts {r['enfants_distincts']} != {n}"
        assert r["jours_ouverture"] == j, f"{key} jours_ouverture {r['jours_ouverture']} != {j}"
    for key, r in got.items():
        assert key[1] in (2022, 2023), f"alsh_annuel: unexpected year {key} (future/quarantined?)"
        if key not in EXPECTED_ANNUEL:
            assert all(_is_zero(r[c]) for c in ("heures_enfants", "enfants_distincts",
                                                 "jours_ouverture")), f"unexpected row {r}"


def _check_breakdown(con, table, keycol, expected):
    rows = _fetch_dicts(con, f"select * from indicateurs.{table}")
    got = {}
    for r in rows:
        key = (r["structure_id"], int(r["annee"]), str(r[keycol]))
        assert key not in got, f"{table}: duplicate key {key}"
        got[key] = r
    nonzero = {k: (r["enfants_distincts"], _dec(r["heures_enfants"]))
               for k, r in got.items()
               if not (_is_zero(r["enfants_distincts"]) and _is_zero(r["heures_enfants"]))}
    assert nonzero == expected, f"{table}:\n got      {sorted(nonzero.items())}\n expected {sorted(expected.items())}"


def test_alsh_par_commune(con):
    _check_breakdown(con, "alsh_par_commune", "code_commune", EXPECTED_COMMUNE)


def test_alsh_par_tranche_qf(con):
    _check_breakdown(con, "alsh_par_tranche_qf", "tranche_qf", EXPECTED_TRANCHE)


def test_breakdowns_add_up_to_annual_totals(con):
    annual = {(s, int(a)): (n, _dec(h)) for s, a, n, h in con.execute(
        "select structure_id, annee, enfants_distincts, heures_enfants from indicateurs.alsh_annuel"
    ).fetchall()}
    for table in ("alsh_par_commune", "alsh_par_tranche_qf"):
        sums = {(s, int(a)): (int(n), _dec(h)) for s, a, n, h in con.execute(
            f"select structure_id, annee, sum(enfants_distincts), sum(heures_enfants) "
            f"from indicateurs.{table} group by all").fetchall()}
        for key, (n, h) in annual.items():
            if _is_zero(n) and _is_zero(h):
                continue
            assert sums.get(key) == (n, h), f"{table} does not add up to alsh_annuel for {key}"


def test_hours_are_decimal_and_counts_integer(con):
    types = {(t, c): dt_ for t, c, dt_ in con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'indicateurs' and table_catalog = current_database()").fetchall()}
    for t in INDICATOR_TABLES:
        assert types[(t, "heures_enfants")].upper().startswith("DECIMAL"), (t, types[(t, "heures_enfants")])
        assert any(k in types[(t, "enfants_distincts")].upper() for k in ("INT",)), t
    assert any(k in types[("alsh_annuel", "jours_ouverture")].upper() for k in ("INT",))
    stypes = dict(con.execute(
        "select column_name, data_type from information_schema.columns where table_schema = "
        "'staging' and table_name = 'pocketo__presences' and table_catalog = current_database()"
    ).fetchall())
    assert stypes["heures"].upper().startswith("DECIMAL"), stypes["heures"]
    assert stypes["date_presence"].upper() == "DATE", stypes["date_presence"]
    assert stypes["heures_estimees"].upper() == "BOOLEAN", stypes["heures_estimees"]


# --------------------------------------------------------------------------------------------
# Quarantine
# --------------------------------------------------------------------------------------------
def test_quarantine_exact_lines(con):
    rows = _fetch_dicts(con, "select * from qualite.quarantaine")
    got = [(_base(r["fichier_nom"]), int(r["ligne"])) for r in rows]
    assert sorted(set(got)) == sorted(EXPECTED_QUARANTINE), (
        f"quarantine lines\n got      {sorted(got)}\n expected {sorted(EXPECTED_QUARANTINE)}")
    assert len(got) == len(set(got)), f"one quarantine row per rejected row: {sorted(got)}"


def test_quarantine_columns_values_and_reasons(con):
    rows = _fetch_dicts(con, "select * from qualite.quarantaine")
    by = {(_base(r["fichier_nom"]), int(r["ligne"])): r for r in rows}
    for key, (exact, substr, raw_part) in EXPECTED_QUARANTINE.items():
        assert key in by, f"{key} not quarantined"
        r = by[key]
        col = r["colonne"] or ""
        parts = [_norm(p) for p in re.split(r"[,;/|+&]|\bet\b", col)] + [_norm(col)]
        ok = any(p in exact for p in parts) or any(s in _norm(col) for s in substr)
        assert ok, f"{key}: colonne {col!r} does not name the failing column"
        assert (r["motif"] or "").strip(), f"{key}: empty motif"
        if raw_part is not None:
            assert r["valeur_brute"] is not None and _norm(raw_part) in _norm(r["valeur_brute"]), (
                f"{key}: valeur_brute {r['valeur_brute']!r} should show {raw_part!r}")
    # age row: the failing column is (or involves) the birth date -> raw value not copied
    age = by[(F2, 7)]
    if "naissance" in _norm(age["colonne"]) or "neele" in _norm(age["colonne"]):
        assert age["valeur_brute"] is None, "birth date copied into quarantine.valeur_brute"


# --------------------------------------------------------------------------------------------
# Load log
# --------------------------------------------------------------------------------------------
def test_journal_one_row_per_file_and_statuts(con):
    by = _journal_by_file(con)
    assert set(by) == ALL_FILES, f"journal files: got {sorted(by)}, expected {sorted(ALL_FILES)}"
    for name, rows in by.items():
        assert len(rows) == 1, f"{name}: {len(rows)} journal rows, expected 1"
        assert rows[0]["source"] == "pocketo", f"{name}: source {rows[0]['source']!r}"
    st = {n: _nfc(rows[0]["statut"]) for n, rows in by.items()}
    for n in (F1, F2, F3, F4):
        assert st[n] == "chargé", f"{n}: {st[n]!r}"
    for n in (PDF, LOCK, DSSTORE):
        assert st[n] == "ignoré", f"{n}: {st[n]!r}"
    assert st[F6] == "rejeté", f"{F6}: {st[F6]!r}"
    assert {st[F5], st[F5_COPY]} == {"chargé", "doublon de fichier"}, (st[F5], st[F5_COPY])


def test_journal_rejected_file_names_missing_date_column(con):
    r = _journal_by_file(con)[F6][0]
    motif = r["motif"] or ""
    assert "date" in _norm(motif), f"rejection motif must name the missing column Date: {motif!r}"
    assert _is_zero(r["lignes_chargees"])


def test_journal_identical_copy_has_same_hash(con):
    by = _journal_by_file(con)
    h1, h2 = by[F5][0]["fichier_hash"], by[F5_COPY][0]["fichier_hash"]
    assert h1 and h1 == h2
    hashes = [by[n][0]["fichier_hash"] for n in (F1, F2, F3, F4, F5)]
    assert len(set(hashes)) == 5, "distinct files must have distinct hashes"
    loaded = _loaded_f5_name(con)
    staged = {r["fichier_hash"] for r in _staging(con) if r["_file"] == loaded}
    assert staged == {h1}, "staging provenance hash must match the load log"


def test_journal_row_accounting_every_file(con):
    for r in _journal(con):
        name = _base(r["fichier_nom"])
        vals = [r[c] for c in ("lignes_lues", "lignes_chargees", "lignes_quarantaine",
                               "lignes_doublons", "lignes_vides_total")]
        if _nfc(r["statut"]) == "chargé":
            assert all(v is not None for v in vals), f"{name}: NULL counts {vals}"
        lues, ch, q, d, v = [0 if x is None else int(x) for x in vals]
        assert lues == ch + q + d + v, f"{name}: {lues} != {ch} + {q} + {d} + {v}"


def test_journal_counts_per_loaded_file(con):
    by = _journal_by_file(con)
    loaded_f5 = _loaded_f5_name(con)
    for name, (ch, q, d, nonblank) in EXPECTED_COUNTS.items():
        r = by[loaded_f5 if name == F5 else name][0]
        got = (int(r["lignes_chargees"]), int(r["lignes_quarantaine"]), int(r["lignes_doublons"]),
               int(r["lignes_lues"]) - int(r["lignes_vides_total"]))
        assert got == (ch, q, d, nonblank), f"{name}: (chargées, quarantaine, doublons, lues-vides) {got} != {(ch, q, d, nonblank)}"
    assert int(by[F4][0]["lignes_vides_total"]) >= 1, "the xlsx Total row is a total row"
    for n in (F2, F3):
        assert int(by[n][0]["lignes_vides_total"]) == 0, n
    assert int(by[F1][0]["lignes_vides_total"]) in (0, 1)


# --------------------------------------------------------------------------------------------
# Staging
# --------------------------------------------------------------------------------------------
def test_staging_rows_lines_and_hours(con):
    loaded_f5 = _loaded_f5_name(con)
    rows = _staging(con)
    keys = [(r["_file"], int(r["ligne"])) for r in rows]
    assert len(keys) == len(set(keys)), "staging: a (file, line) appears twice"
    expected_present = {_remap_f5(k, loaded_f5): v for k, v in EXPECTED_PRESENT_HOURS.items()}
    expected_all = set(expected_present) | EXPECTED_ABSENT
    assert set(keys) == expected_all, (
        f"staging lines\n missing {sorted(expected_all - set(keys))}\n extra   {sorted(set(keys) - expected_all)}")
    assert len(rows) == 25
    for r in rows:
        k = (r["_file"], int(r["ligne"]))
        assert r["structure_id"] in ("alsh_lalbenque", "alsh_limogne", "rdvj"), r["structure_id"]
        assert r["fichier_hash"], k
        if k in EXPECTED_ABSENT:
            assert not _present(r), f"{k} is an Absent row, got presence {r['presence']!r}"
            continue
        assert _present(r), f"{k}: presence {r['presence']!r}"
        h, est = expected_present[k]
        assert _dec(r["heures"]) == h, f"{k}: heures {r['heures']} != {h}"
        assert bool(r["heures_estimees"]) is est, f"{k}: heures_estimees {r['heures_estimees']} != {est}"


def test_staging_newer_export_wins(con):
    rows = _staging(con)
    f1_lines = {int(r["ligne"]) for r in rows if r["_file"] == F1}
    assert f1_lines == {8}, f"only F1 line 8 survives de-duplication, got {sorted(f1_lines)}"
    feb14 = [r for r in rows if r["structure_id"] == "alsh_lalbenque"
             and r["date_presence"] == dt.date(2022, 2, 14)]
    assert len(feb14) == 1 and _dec(feb14[0]["heures"]) == Decimal("8")
    assert feb14[0]["_file"] == F2


def test_staging_dates_parsed_day_first(con):
    loaded_f5 = _loaded_f5_name(con)
    rows = {(r["_file"], int(r["ligne"])): r for r in _staging(con)}
    expected = {
        (F1, 8): dt.date(2022, 3, 15),    # 15/03/22
        (F2, 3): dt.date(2022, 1, 12),    # 2022-01-12
        (F2, 4): dt.date(2022, 2, 14),
        (F2, 9): dt.date(2022, 7, 11),    # 11/07 not 7 Nov
        (F3, 2): dt.date(2022, 8, 24),    # 24-08-2022
        (F3, 6): dt.date(2023, 7, 5),     # 2023-07-05
        (F4, 4): dt.date(2023, 2, 13),    # real date cell
        (loaded_f5, 2): dt.date(2023, 7, 6),  # 06/07/23
    }
    for k, d in expected.items():
        assert rows[k]["date_presence"] == d, f"{k}: {rows[k]['date_presence']} != {d}"


def test_staging_same_child_one_key(con):
    rows = {(r["_file"], int(r["ligne"])): r for r in _staging(con)}
    c1_lines = [(F2, 2), (F2, 6), (F3, 2), (F4, 5), (F4, 9)]  # 4 spellings of Léa Dupont-Martin
    ids = {rows[k]["enfant_id"] for k in c1_lines}
    assert len(ids) == 1 and None not in ids, f"C1 must have one enfant_id: {ids}"
    fams = {rows[k]["famille_id"] for k in c1_lines}
    assert len(fams) == 1 and None not in fams
    all_children = {r["enfant_id"] for r in rows.values()}
    assert len(all_children) == 8, f"C1..C7 and C9 staged -> 8 children, got {len(all_children)}"
    # the child key and family key are not the same value
    assert rows[(F2, 2)]["enfant_id"] != rows[(F2, 2)]["famille_id"]


def test_staging_commune_codes(con):
    loaded_f5 = _loaded_f5_name(con)
    rows = {(r["_file"], int(r["ligne"])): r for r in _staging(con)}
    expected = {
        (F2, 2): "46173",       # Limogne
        (F2, 3): "46105",       # Flaujac-Pujols
        (F2, 11): "46109",      # Fontanes, outside the CC (HORS_CC in the indicators)
        (F2, 13): "46148",      # Lalbenque
        (F2, 14): "46082",      # Cremps (absent row, still staged)
        (F3, 7): "INCONNUE",    # spaces only
        (F4, 10): "46109",      # Fontanes
        (loaded_f5, 2): "46082",  # " Cremps "
        (loaded_f5, 3): "INCONNUE",  # "NC"
    }
    for k, code in expected.items():
        assert str(rows[k]["code_commune"]) == code, f"{k}: {rows[k]['code_commune']} != {code}"
    assert "fontanes" in _norm(rows[(F2, 11)]["commune_libelle"]), "raw label kept"
    assert str(rows[(F2, 11)]["dans_territoire"]) == "False" and str(rows[(F2, 2)]["dans_territoire"]) == "True"


# --------------------------------------------------------------------------------------------
# Privacy
# --------------------------------------------------------------------------------------------
def _upper_words(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).upper()
    return " ".join(re.sub(r"[^A-Z0-9]", " ", s).split())


def _name_patterns():
    needles = set()
    for n in SURNAMES + FIRST_NAMES:
        needles.add(_upper_words(n))
    for d in DOSSIERS:
        needles.add(_upper_words(d))          # "PKT 770341"
        needles.add(d.split("-")[1])          # "770341"
    return [re.compile(r"(?<![A-Z0-9])" + re.escape(n) + r"(?![A-Z0-9])") for n in sorted(needles)]


def _birth_date_strings():
    out = set()
    for d in BIRTH_DATES:
        out |= {
            d.strftime("%d/%m/%Y"), d.strftime("%d/%m/%y"), d.strftime("%Y-%m-%d"),
            d.strftime("%d-%m-%Y"), d.strftime("%d.%m.%Y"), d.strftime("%Y/%m/%d"),
            d.strftime("%Y%m%d"), f"{d.day}/{d.month}/{d.year}",
        }
    return out


def test_privacy_no_personal_value_in_any_column(con):
    # The national commune reference names every commune of France ("Saint-Joachim"): public
    # place names, not persons; every other table is scanned.
    national = sorted(NATIONAL_TABLES.values())
    cols = con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_catalog = current_database() "
        "and table_schema not in ('information_schema', 'pg_catalog') "
        "and not (table_schema = 'ref' and list_contains(?, table_name))", [national]).fetchall()
    assert cols, "no table found in the warehouse"
    patterns = _name_patterns()
    bdates = _birth_date_strings()
    leaks = []
    for schema, table, column in cols:
        q = f'select distinct cast("{column}" as varchar) from "{schema}"."{table}" where "{column}" is not null'
        try:
            values = [v for (v,) in con.execute(q).fetchall()]
        except duckdb.Error:
            values = [repr(v) for (v,) in con.execute(
                f'select distinct "{column}" from "{schema}"."{table}"').fetchall()]
        for v in values:
            s = str(v)
            words = _upper_words(s)
            for p in patterns:
                if p.search(words):
                    leaks.append((schema, table, column, p.pattern, s[:80]))
            for b in bdates:
                if b in s:
                    leaks.append((schema, table, column, b, s[:80]))
    assert not leaks, "personal data in clear in the warehouse:\n" + "\n".join(map(str, leaks[:30]))


def test_privacy_raw_bytes_of_warehouse_file(run):
    wh = run["warehouse"]
    data = wh.read_bytes()
    wal = Path(str(wh) + ".wal")
    if wal.exists():
        data += wal.read_bytes()
    data = data.lower()
    needles = set()
    for n in SURNAMES + [f for f in FIRST_NAMES if len(f) >= 6]:
        for form in (n, _upper_words(n)):
            needles.add(form.lower().encode("utf-8"))
    needles |= {b"pkt-7703", b"quievreux", b"qui\xc3\xa9vreux"}
    found = sorted(n for n in needles if n in data)
    assert not found, f"names / file numbers found in the raw bytes of the warehouse: {found}"


# --------------------------------------------------------------------------------------------
# Empty raw dir
# --------------------------------------------------------------------------------------------
def test_empty_raw_dir_runs_and_gives_empty_indicators(tmp_path, monkeypatch, capsys):
    from pipelines.cli import main  # in-process: the command's process is tested by the module's run

    raw = tmp_path / "raw_vide"
    raw.mkdir()
    wh = tmp_path / "entrepot" / "vide.duckdb"
    wh.parent.mkdir(parents=True)
    for name in ("OBSERVATOIRE_RAW_DIR", "OBSERVATOIRE_WAREHOUSE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OBSERVATOIRE_PSEUDO_KEY", PSEUDO_KEY)
    code = main(["refresh", "--raw-dir", str(raw), "--warehouse", str(wh)])
    out, err = capsys.readouterr()
    assert code == 0, f"exit {code}\n{out}\n{err}"
    c = duckdb.connect(str(wh), read_only=True)
    try:
        for t in INDICATOR_TABLES:
            n = c.execute(f"select count(*) from indicateurs.{t}").fetchone()[0]
            assert n == 0, f"indicateurs.{t} has {n} rows for an empty raw dir"
        staged = c.execute(
            "select count(*) from information_schema.tables where table_schema = 'staging' "
            "and table_name = 'pocketo__presences' and table_catalog = current_database()"
        ).fetchone()[0]
        if staged:
            assert c.execute("select count(*) from staging.pocketo__presences").fetchone()[0] == 0
    finally:
        c.close()
