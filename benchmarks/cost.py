"""The cost per row: what a row adds to a refresh, against DuckDB's own read of its bytes
(docs/scale.md, "The cost per row").

    python -m benchmarks.cost [--rows 3000000 10000000] [--runs 3] [--work /tmp/observatoire-cost]

For each size N, on plain Pocketo exports (benchmarks/generate_scale.py ``generate_plain``, reused
when already there) and on the same files cut to N/1000 rows, it runs in turn, ``--runs`` times,
each as a whole child process timed from outside (wall clock; peak RSS from ``os.wait4``):

- the refresh of the N rows: ``python -m pipelines.cli refresh`` into a new warehouse;
- the refresh of the N/1000 rows, the same way;
- the floor: ``iconv -f CP1252 -t UTF-8`` of each file, then DuckDB's
  ``CREATE TABLE t AS SELECT * FROM read_csv(files, all_varchar = true)`` into an in-memory
  database, both in one child process.

The marginal ratio is (median refresh of N - median refresh of N/1000) / median floor: the
fixed cost of a refresh (Python, Dagster, the checks of the exports, the report) cancels out.
Every refresh's row accounting is checked against the generator's (``conforme``). Then the
demo time: the median of ``--runs`` refreshes of ``demo/raw`` into a new warehouse.
It prints a table and writes ``benchmarks/results/cost_<date>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

import duckdb

from benchmarks.generate_scale import ScaleSet, cut, generate_plain
from benchmarks.run import KEY, RESULTS_DIR, Measure, accounting, generated, run_child, write_results
from warehouse.settings import DEMO_RAW_DIR

CUT = 1000  # the small set has N / CUT rows


def marginal_ratio(refresh_n: float, refresh_cut: float, floor_n: float) -> float:
    """What the rows beyond the cut set cost, in floors of the N rows."""
    return round((refresh_n - refresh_cut) / floor_n, 2)


def median(measures: list[Measure], field: str = "seconds") -> float:
    return round(statistics.median(getattr(m, field) for m in measures), 2)


def floor(files: list[Path], scratch: Path) -> None:
    """The least a load costs: each Windows-1252 file transcoded to UTF-8 by iconv, then every
    file read by DuckDB into one in-memory table, every cell as text."""
    scratch.mkdir(parents=True, exist_ok=True)
    copies = []
    for number, path in enumerate(files):
        copies.append(scratch / f"{number}.csv")
        with copies[-1].open("wb") as out:
            subprocess.run(["iconv", "-f", "CP1252", "-t", "UTF-8", str(path)], stdout=out, check=True)
    with duckdb.connect() as con:
        con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?, all_varchar = true, delim = ';', "
                    "header = true)", [[str(c) for c in copies]])
    shutil.rmtree(scratch)


def refresh(raw_dir: Path, folder: Path) -> tuple[Measure, Path]:
    """The project's own ``refresh`` command into a new warehouse under ``folder``."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    warehouse = folder / "entrepot.duckdb"
    measure = run_child(["-m", "pipelines.cli", "refresh", "--raw-dir", str(raw_dir),
                         "--warehouse", str(warehouse)], {"OBSERVATOIRE_PSEUDO_KEY": KEY})
    return measure, warehouse


def measure_size(rows: int, work: Path, runs: int) -> dict[str, object]:
    folder = work / f"{rows}"
    made = generated(rows, folder / "n", make=generate_plain)
    small = cut(made, folder / "cut", rows // CUT // len(made.files))
    files = [made.raw_dir / "pocketo" / name for name in made.files]
    timings: dict[str, list[Measure]] = {"n": [], "cut": [], "floor": []}
    conforme = True
    for run in range(runs):
        for name, scale in (("n", made), ("cut", small)):
            measure, warehouse = refresh(scale.raw_dir, folder / f"entrepot_{name}")
            timings[name].append(measure)
            conforme &= bool(accounting(warehouse, scale)["conforme"])
        timings["floor"].append(run_child(["-m", "benchmarks.cost", "--floor", str(folder / "utf8"),
                                           *map(str, files)]))
        print(f"{rows:,} lignes, passage {run + 1} : "
              + ", ".join(f"{name} {measures[-1].seconds} s" for name, measures in timings.items()), flush=True)
    return {
        "lignes": made.rows, "lignes_coupees": small.rows,
        "octets": sum(p.stat().st_size for p in files),
        "plancher_s": median(timings["floor"]),
        "actualisation_n_s": median(timings["n"]),
        "actualisation_coupee_s": median(timings["cut"]),
        "ratio_marginal": marginal_ratio(median(timings["n"]), median(timings["cut"]),
                                         median(timings["floor"])),
        "rss_max_mo": max(m.peak_rss_mb for m in timings["n"]),
        "comptage": "conforme" if conforme else "ÉCART",
        "mesures": {name: [asdict(m) for m in measures] for name, measures in timings.items()},
    }


def demo_time(runs: int, work: Path) -> dict[str, object]:
    """Refreshes of the demo drop folder (written first when missing) into a new warehouse."""
    if not DEMO_RAW_DIR.exists():
        subprocess.run([sys.executable, "-m", "demo"], check=True, stdout=subprocess.DEVNULL)
    measures = [refresh(DEMO_RAW_DIR, work / "demo")[0] for _ in range(runs)]
    return {"mediane_s": median(measures), "mesures": [asdict(m) for m in measures]}


def report(results: list[dict[str, object]], demo: dict[str, object]) -> str:
    lines = [f"{'lignes':>11} {'octets':>13} {'plancher s':>10} {'T(N) s':>8} {'T(N/1000) s':>11} "
             f"{'ratio':>6} {'RSS max':>9}  comptage"]
    lines += [f"{r['lignes']:>11,} {r['octets']:>13,} {r['plancher_s']:>10} {r['actualisation_n_s']:>8} "
              f"{r['actualisation_coupee_s']:>11} {r['ratio_marginal']:>6} {r['rss_max_mo']:>6} Mo  "
              f"{r['comptage']}" for r in results]
    if demo["mesures"]:  # none with --no-demo
        lines.append(f"démo : {demo['mediane_s']} s (médiane de {len(demo['mesures'])})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[3_000_000, 10_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "observatoire-cost")
    parser.add_argument("--no-demo", action="store_true", help="skip the demo time")
    parser.add_argument("--floor", nargs="+", help=argparse.SUPPRESS)  # child: scratch, files...
    args = parser.parse_args(argv)
    if args.floor:
        floor([Path(p) for p in args.floor[1:]], Path(args.floor[0]))
        return
    results = [measure_size(rows, args.work, args.runs) for rows in args.rows]
    demo = {"mediane_s": None, "mesures": []} if args.no_demo else demo_time(args.runs, args.work)
    print(report(results, demo))
    write_results(RESULTS_DIR / f"cost_{dt.datetime.now():%Y-%m-%d_%H%M}.json", results,
                  demo=demo, passages=args.runs)


if __name__ == "__main__":
    main()
