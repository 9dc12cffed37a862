"""One rounding rule for hours: exact seconds summed, rounded once at the end, half up; and one
indicator cell traced back to its staging rows and to the lines of the file it was read from."""

import csv
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pytest

from warehouse.db import connect


def half_up_hours(seconds: int) -> Decimal:
    return (Decimal(seconds) / 3600).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_hours_are_rounded_once_half_up_from_exact_seconds(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    # 522 s = 0.145 h: a DOUBLE division then a cast gave 0.14; 3618 s = 1.005 h gave 1.00
    rows = con.execute("SELECT s, heures_de_secondes(s) FROM (VALUES (0), (17), (18), (522), (3618), "
                       "(109591020)) t(s)").fetchall()
    assert [hours for _, hours in rows] == [Decimal("0.00"), Decimal("0.00"), Decimal("0.01"), Decimal("0.15"),
                                            Decimal("1.01"), Decimal("30441.95")]
    assert all(hours == half_up_hours(seconds) for seconds, hours in rows)
    con.close()


@pytest.fixture(scope="module")
def demo(demo_run):
    _, outcome, path = demo_run
    with duckdb.connect(str(path), read_only=True) as con:
        yield con, path.parent / "raw" / "pocketo"


def test_an_indicator_cell_traces_back_to_staging_rows_and_source_lines(demo):
    con, drop = demo
    (published,) = con.execute("SELECT heures_enfants FROM indicateurs.alsh_annuel "
                               "WHERE structure_id = 'alsh_lalbenque' AND annee = 2022").fetchone()
    rows = con.execute("""
        SELECT fichier_nom, ligne, date_presence, heure_arrivee, heure_depart, heures_estimees, secondes, heures
        FROM staging.pocketo__presences
        WHERE structure_id = 'alsh_lalbenque' AND annee = 2022 AND presence = 'present'
        ORDER BY fichier_nom, ligne""").fetchall()
    seconds = sum(row[6] for row in rows)
    assert (len(rows), seconds, published) == (4757, 131126400, Decimal("36424.00"))
    assert published == half_up_hours(seconds)
    assert sum(row[7] for row in rows) == Decimal("36424.06")  # rounded lines do not add up: never summed
    by_file: dict[str, dict[int, dict]] = {}
    for name in {row[0] for row in rows}:
        with (drop / name).open(encoding="utf-8", newline="") as stream:
            lines = list(csv.reader(stream, delimiter="\t"))
        by_file[name] = {number: dict(zip(lines[0], line)) for number, line in enumerate(lines, start=1)}
    for name, line, day, arrival, departure, estimated, counted, _ in rows:
        source = by_file[name][line]
        assert (source["Présence"], dt.date.fromisoformat(source["Date"])) == ("Présent", day), (name, line)
        if not estimated:
            start, end = (dt.datetime.strptime(source[c], "%H:%M") for c in ("Arrivée", "Heure de départ"))
            assert (end - start).seconds == counted and (start.time(), end.time()) == (arrival, departure)
