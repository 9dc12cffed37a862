"""French cells: every input parses to the right value or gives a reason; none crashes."""

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sources.parsing import (parse_date, parse_identifier, parse_integer, parse_label, parse_number,
                             parse_series, parse_time)

TODAY = dt.date(2026, 11, 28)


@pytest.mark.parametrize("raw, expected", [
    ("1234", "1234"), ("1 234", "1234"), ("1\u00a0234", "1234"), ("1\u202f234,5", "1234.5"),
    ("1234,5", "1234.5"), ("1234.5", "1234.5"), ("12,00 €", "12"), ("0,50", "0.5"),
    ("1.234,56", "1234.56"), ("  850,5 ", "850.5"), ("-3", "-3"),
])
def test_numbers(raw, expected):
    assert parse_number(raw) == (expected, None)


@pytest.mark.parametrize("raw", ["", "  ", "-", "NC", "n.c.", "nr", "NR"])
def test_blanks_are_not_given(raw):
    assert parse_number(raw) == (None, None)
    assert parse_date(raw) == (None, None)
    assert parse_time(raw) == (None, None)


@pytest.mark.parametrize("raw", ["douze", "12,5,3", "1 2 3 4 €x", "12..5"])
def test_unreadable_numbers_say_why(raw):
    value, reason = parse_number(raw)
    assert value is None and reason == f"nombre illisible : {raw.strip()}"


@pytest.mark.parametrize("raw, expected", [
    ("03/09/2024", "2024-09-03"),  # day first, never month first
    ("3/9/24", "2024-09-03"), ("2024-09-03", "2024-09-03"), ("03-09-2024", "2024-09-03"),
    ("2024-09-03 00:00:00", "2024-09-03"), ("45538", "2024-09-03"),  # Excel serial
    ("05/06/98", "1998-06-05"),  # 2098 would be in the future
])
def test_dates(raw, expected):
    assert parse_date(raw, TODAY) == (expected, None)


@pytest.mark.parametrize("raw", ["31/02/2022", "32/13/2021", "2022/31/12", "hier", "12/2022"])
def test_unreadable_dates_say_why(raw):
    assert parse_date(raw, TODAY) == (None, f"date illisible : {raw}")


@pytest.mark.parametrize("raw, expected", [
    ("08:30", "08:30:00"), ("8:30", "08:30:00"), ("08h30", "08:30:00"), ("8h", "08:00:00"),
    ("08:30:00", "08:30:00"), ("8H30", "08:30:00"), ("0.5", "12:00:00"),
    ("1899-12-30 17:45:00", "17:45:00"),
])
def test_times(raw, expected):
    assert parse_time(raw) == (expected, None)


@pytest.mark.parametrize("raw", ["25h70", "8", "huit heures", "12:61"])
def test_unreadable_times_say_why(raw):
    assert parse_time(raw) == (None, f"heure illisible : {raw}")


def test_parse_series_keeps_every_failure_in_place():
    raw = pd.Series(["01/02/2022", "31/02/2022", "", "01/02/2022", "x"], index=[10, 11, 12, 13, 14])
    values, reasons = parse_series(raw, lambda v: parse_date(v, TODAY))
    assert values.tolist() == ["2022-02-01", None, None, "2022-02-01", None]
    assert reasons.tolist() == [None, "date illisible : 31/02/2022", None, None, "date illisible : x"]
    assert values.index.tolist() == [10, 11, 12, 13, 14]


SPACES = st.sampled_from(["", " ", "\u00a0", "\u202f"])


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False), SPACES,
       st.sampled_from([",", "."]), st.booleans())
def test_any_french_number_reads_back(number, space, decimal_mark, euro):
    integer, _, fraction = f"{number:.2f}".partition(".")
    grouped = f"{int(integer):,}".replace(",", space or "")
    text = grouped + decimal_mark + fraction + (" €" if euro else "")
    value, reason = parse_number(text)
    assert reason is None and Decimal(value) == number


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=TODAY),
       st.sampled_from(["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%y"]))
def test_any_date_reads_back(date, pattern):
    assert parse_date(date.strftime(pattern), TODAY) == (date.isoformat(), None)


@given(st.times(), st.sampled_from(["{h:02d}:{m:02d}", "{h}:{m:02d}", "{h:02d}h{m:02d}", "{h:02d}:{m:02d}:00"]))
def test_any_time_reads_back(time, pattern):
    text = pattern.format(h=time.hour, m=time.minute)
    assert parse_time(text) == (f"{time.hour:02d}:{time.minute:02d}:00", None)


@given(st.text(max_size=30))
def test_no_input_crashes(text):
    for parser in (parse_number, parse_time, lambda v: parse_date(v, TODAY)):
        value, reason = parser(text)
        assert value is None or reason is None


@pytest.mark.parametrize("raw, expected", [
    ("12", ("12", None)), ("1 020", ("1020", None)), ("3,0", ("3", None)),
    ("2,5", (None, "nombre entier attendu : 2,5")), ("deux", (None, "nombre entier illisible : deux")),
    ("", (None, None)), ("2147483647", ("2147483647", None)),
    ("20 223 456 789", (None, "nombre trop grand : 20 223 456 789")),
])
def test_integers(raw, expected):
    assert parse_integer(raw) == expected


def test_labels_compare_loosely():
    assert parse_label(" Tennis-Club  de Lalbenque ") == parse_label("TENNIS CLUB DE LALBENQUE") == (
        "TENNIS CLUB DE LALBENQUE", None)


@pytest.mark.parametrize("raw, expected", [
    ("0012", "12"), ("12", "12"), (" 00 12 ", "12"), ("f-12", "F-12"), ("000", "0"), ("", None),
])
def test_identifiers_compare_as_typed_by_a_person(raw, expected):
    assert parse_identifier(raw) == (expected, None)
