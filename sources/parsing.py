"""French cell parsers: numbers, dates, times, blanks, labels.

Each parser takes the raw text of one cell and returns ``(value, None)`` or
``(None, motif)`` where ``motif`` is a plain-French reason. A blank cell gives
``(None, None)``: "not given" is not an error here (required columns are
checked separately). Values come back as canonical text (``1234.5``,
``2022-03-09``, ``08:30:00``) that DuckDB casts exactly; parsing runs once per
distinct raw value (see :func:`parse_series`), so millions of rows cost the
number of distinct cells, not the number of rows.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from functools import lru_cache
from typing import Callable

import pandas as pd

BLANKS = frozenset({"", "-", "--", "nc", "n.c.", "n.c", "nr", "n.r.", "na", "n/a"})
SPACES = "\u00a0\u202f\u2009 "
EXCEL_EPOCH = dt.date(1899, 12, 30)
MAX_INTEGER = 2**31 - 1  # the staging tables keep counts and years as INTEGER
# Numbers are kept as DECIMAL(NUMBER_DIGITS, NUMBER_SCALE) (sources/spec.py SQL_TYPES): a value
# that rounds to 10**(digits - scale) or more would abort the cast.
NUMBER_DIGITS, NUMBER_SCALE = 14, 2
MAX_NUMBER = Decimal(10) ** (NUMBER_DIGITS - NUMBER_SCALE)
HALF_UNIT = Decimal(5).scaleb(-NUMBER_SCALE - 1)  # DuckDB rounds half away from zero

Parsed = tuple[str | None, str | None]


def ascii_digits(text: str) -> str:
    """Every Unicode decimal digit (``１２``, ``٣٠٠``) as its ASCII digit: each has exactly one
    value, so reading it is unambiguous, and the parsers below only ever see ``0-9``."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(c)) if unicodedata.decimal(c, None) is not None else c
                   for c in text)


def is_blank(raw: str | None) -> bool:
    return raw is None or raw.strip().lower() in BLANKS


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case, accents stripped, digits in ASCII, every run of non-alphanumerics one space
    (cached: labels come back on thousands of rows)."""
    decomposed = unicodedata.normalize("NFKD", ascii_digits(text))
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    ascii_only = ascii_only.replace("œ", "oe").replace("æ", "ae").replace("Œ", "OE")
    return re.sub(r"[^0-9a-z]+", " ", ascii_only.lower()).strip()


def header_key(text: str) -> str:
    """Header normalisation: case, accents, spaces and punctuation ignored."""
    return fold(text).replace(" ", "")


_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", re.ASCII)


@lru_cache(maxsize=65536)
def parse_number(raw: str) -> Parsed:
    if is_blank(raw):
        return None, None
    text = ascii_digits(raw.strip()).replace("€", "").replace("EUR", "").strip()
    for space in SPACES:
        text = text.replace(space, "")
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        text = text.replace(thousands, "").replace(decimal_mark, ".")
    else:
        text = text.replace(",", ".")
    if text.count(".") > 1 or not _NUMBER.fullmatch(text):
        return None, f"nombre illisible : {raw.strip()}"
    if abs(Decimal(text)) >= MAX_NUMBER - HALF_UNIT:
        return None, f"nombre trop grand : {raw.strip()}"
    sign = "-" if text.startswith("-") else ""
    integer, _, fraction = text.lstrip("+-").partition(".")
    integer = integer.lstrip("0") or "0"
    fraction = fraction.rstrip("0")
    return sign + integer + ("." + fraction if fraction else ""), None


_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$", re.ASCII)
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$",
                  re.ASCII)
# An Excel serial is read only with 5 digits (18/05/1927 to 2173): a 4-digit number in a date
# cell is a year (a date left incomplete) far more often than a day of 1902-1927.
_SERIAL = re.compile(r"^\d{5}(?:\.0+)?$", re.ASCII)
_YEAR_ALONE = re.compile(r"^(?:19|20)\d{2}$", re.ASCII)
_DMY_TIME = re.compile(r"^(\d{1,2}/\d{1,2}/\d{2,4})\s+\d{1,2}[:h]\d{2}(?::\d{2})?$", re.ASCII)


def _full_year(two_digits: int, today: dt.date) -> int:
    year = 2000 + two_digits
    return year - 100 if year > today.year else year


@lru_cache(maxsize=65536)
def parse_date(raw: str, today: dt.date | None = None) -> Parsed:
    """Day-first dates; an Excel serial number is read as a date too."""
    if is_blank(raw):
        return None, None
    text = ascii_digits(raw.strip())
    today = today or dt.date.today()
    with_time = _DMY_TIME.match(text)
    if with_time:
        text = with_time.group(1)
    try:
        if match := _YMD.match(text):
            year, month, day = (int(g) for g in match.groups())
        elif match := _DMY.match(text):
            day, month, year = (int(g) for g in match.groups())
            if len(match.group(3)) == 2:
                year = _full_year(year, today)
        elif _SERIAL.match(text):
            return (EXCEL_EPOCH + dt.timedelta(days=int(float(text)))).isoformat(), None
        elif _YEAR_ALONE.match(text):
            return None, f"date incomplète : {raw.strip()}, écrire la date au format jj/mm/aaaa"
        else:
            return None, f"date illisible : {raw.strip()}"
        return dt.date(year, month, day).isoformat(), None
    except ValueError:
        return None, f"date illisible : {raw.strip()}"


_TIME = re.compile(r"^(\d{1,2})\s*(?:[:hH]\s*(\d{2})?(?::(\d{2}))?)?$", re.ASCII)
_DATETIME_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T](\d{1,2}:\d{2}(?::\d{2})?)(?:\.\d+)?$",
                            re.ASCII)
_DAY_FRACTION = re.compile(r"^0?\.\d+$|^0$", re.ASCII)


@lru_cache(maxsize=8192)
def parse_time(raw: str) -> Parsed:
    """``08:30``, ``8:30``, ``08h30``, ``8h``, ``08:30:00``; Excel day fractions."""
    if is_blank(raw):
        return None, None
    text = ascii_digits(raw.strip())
    if match := _DATETIME_TIME.match(text):
        text = match.group(1)
    if _DAY_FRACTION.match(text):
        seconds = round(float(text) * 86400)
        return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}", None
    match = _TIME.match(text)
    if not match or (":" not in text and "h" not in text.lower()):
        return None, f"heure illisible : {raw.strip()}"
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    if hours > 23 or minutes > 59 or seconds > 59:
        return None, f"heure illisible : {raw.strip()}"
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}", None


@lru_cache(maxsize=65536)
def parse_integer(raw: str) -> Parsed:
    """A whole number (counts): ``12``, ``1 020``; ``2,5`` is refused."""
    value, reason = parse_number(raw)
    if value is not None and "." in value:
        return None, f"nombre entier attendu : {raw.strip()}"
    if value is not None and abs(int(value)) > MAX_INTEGER:
        return None, f"nombre trop grand : {raw.strip()}"
    return value, reason and reason.replace("nombre illisible", "nombre entier illisible")


def parse_text(raw: str) -> Parsed:
    return (None, None) if is_blank(raw) else (re.sub(r"\s+", " ", raw.strip()), None)


@lru_cache(maxsize=65536)
def parse_identifier(raw: str) -> Parsed:
    """A file or household number: spaces dropped, upper case, and a number loses its leading
    zeros (a spreadsheet turns "0012" into 12)."""
    if is_blank(raw):
        return None, None
    text = re.sub(r"\s+", "", ascii_digits(raw)).upper()
    return (text.lstrip("0") or "0") if text.isascii() and text.isdigit() else text, None


def parse_label(raw: str) -> Parsed:
    """Free text compared loosely (a club typed two ways): folded, upper case."""
    return (None, None) if is_blank(raw) else (fold(raw).upper(), None)


def category_parser(values: dict[str, str]) -> Callable[[str], Parsed]:
    """A parser mapping labels (compared folded) to codes."""
    folded = {fold(label): code for label, code in values.items()}

    @lru_cache(maxsize=4096)
    def parse(raw: str) -> Parsed:
        if is_blank(raw):
            return None, None
        code = folded.get(fold(raw))
        return (code, None) if code else (None, f"valeur inconnue : {raw.strip()}")

    return parse


PARSERS: dict[str, Callable[[str], Parsed]] = {
    "nombre": parse_number,
    "entier": parse_integer,
    "date": parse_date,
    "heure": parse_time,
    "texte": parse_text,
    "libelle": parse_label,
    "identifiant": parse_identifier,
}


def parse_series(raw: pd.Series, parser: Callable[[str], Parsed]) -> tuple[pd.Series, pd.Series]:
    """Parse a column of raw text once per distinct value.

    Returns the parsed canonical values and the reasons (None where fine).
    """
    codes, uniques = pd.factorize(raw.fillna(""), sort=False)
    results = [parser(value) for value in uniques]
    values = pd.Series([r[0] for r in results], dtype=object).take(codes)
    reasons = pd.Series([r[1] for r in results], dtype=object).take(codes)
    return values.set_axis(raw.index), reasons.set_axis(raw.index)
