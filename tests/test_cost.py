"""The cost-per-row benchmark's pieces (benchmarks/cost.py): its plain exports, their cut, the
marginal ratio, and the comparison of two warehouses table by table. No timing is asserted."""

from __future__ import annotations

import duckdb
from conftest import is_utf8

from benchmarks.compare import differences
from benchmarks.cost import marginal_ratio, median
from benchmarks.generate_scale import PLAIN_CHILDREN, PLAIN_FILES, cut, generate_plain
from benchmarks.run import Measure
from sources.pocketo import SPEC
from sources.reading import ReadStats, read_chunks
from sources.referential import structure_parser

ROWS = 1_200


def test_plain_exports_are_six_windows_1252_files_the_pipeline_reads_whole(tmp_path):
    made = generate_plain(tmp_path / "a", ROWS)
    paths = [made.raw_dir / "pocketo" / name for name in made.files]
    assert len(paths) == PLAIN_FILES and made.rows == ROWS
    assert (made.quarantined, made.duplicates, made.blank_or_total) == (0, 0, 0)
    parse_structure = structure_parser("pocketo", made.ref_dir)
    children = set()
    for path in paths:
        data = path.read_bytes()
        assert not is_utf8(data) and data.count(b"\r\n") == ROWS // PLAIN_FILES + 1
        assert data.split(b"\r\n")[0].count(b";") == len(SPEC.columns) - 1
        stats = ReadStats()
        rows = [frame for frame in read_chunks(path, SPEC, stats)]
        assert sum(len(frame) for frame in rows) == ROWS // PLAIN_FILES and stats.blank_or_total == 0
        for frame in rows:
            assert all(parse_structure(text)[1] is None for text in set(frame["structure"]))
            children |= set(zip(frame["nom"], frame["prenom"], frame["date_naissance"]))
    assert len(children) == min(ROWS, PLAIN_CHILDREN)
    again = generate_plain(tmp_path / "b", ROWS)
    assert all(path.read_bytes() == (again.raw_dir / "pocketo" / path.name).read_bytes() for path in paths)


def test_the_cut_keeps_the_header_and_the_first_rows_of_each_file(tmp_path):
    made = generate_plain(tmp_path / "a", ROWS)
    small = cut(made, tmp_path / "cut", 10)
    assert small.rows == 10 * PLAIN_FILES and small.files == made.files
    for name in made.files:
        whole, kept = (s.raw_dir / "pocketo" / name for s in (made, small))
        assert whole.read_bytes().startswith(kept.read_bytes())
        assert kept.read_bytes().count(b"\r\n") == 11
        assert kept.stat().st_mtime == whole.stat().st_mtime


def test_the_marginal_ratio_takes_the_cut_refresh_off_and_divides_by_the_floor():
    assert marginal_ratio(83.0, 31.0, 9.0) == 5.78
    assert marginal_ratio(20.0, 20.0, 4.0) == 0.0
    measures = [Measure(9.0, 1.0), Measure(7.0, 3.0), Measure(11.0, 2.0)]
    assert (median(measures), median(measures, "peak_rss_mb")) == (9.0, 2.0)


def test_compare_finds_every_row_that_differs_both_ways_and_tables_on_one_side(tmp_path):
    before, after = tmp_path / "avant.duckdb", tmp_path / "apres.duckdb"
    for path, rows, extra in ((before, "(1), (1), (2)", "gone"), (after, "(1), (2), (2)", "new")):
        with duckdb.connect(str(path)) as con:
            con.execute(f"CREATE SCHEMA s; CREATE TABLE s.t AS FROM (VALUES {rows}) v(x); "
                        f"CREATE TABLE s.same AS SELECT 1 AS y; CREATE TABLE s.{extra} (z INTEGER)")
    compared, found = differences(before, after)
    assert compared == 4
    assert found == ["s.gone : seulement avant", "s.new : seulement après",
                     "s.t : 1 lignes seulement avant, 1 seulement après"]
    assert differences(before, before) == (3, [])
