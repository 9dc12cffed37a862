"""Benchmark of the refresh against what DuckDB alone does with the same bytes (docs/scale.md).

    python -m benchmarks.run [--rows 1000000 3000000 10000000] [--work /tmp/observatoire-bench]

For each size, on the same generated files (benchmarks/generate_scale.py, reused when already
there), in child processes timed from outside (wall clock, and peak RSS from ``os.wait4``):

- the floor: DuckDB's ``read_csv`` of every delimited file into a new DuckDB file (the
  Windows-1252 files are transcoded to UTF-8 beforehand, untimed: DuckDB refuses them);
- the whole ``observatoire refresh`` (its own command-line code, Dagster start included), with
  the duration of each Dagster step, grouped by stage;
- the row accounting of the run, checked against what the generator wrote.

It prints a table and writes ``benchmarks/results/<date>.json``. It is not a test: the figures
depend on the machine; the ratios to the floor, measured in the same run, are what to compare.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from benchmarks.generate_scale import ScaleSet, generate, generate_apart

RESULTS_DIR = Path(__file__).parent / "results"
DELIMITED = (".csv", ".txt")
KEY = "cle-du-banc-d-essai-assez-longue-pour-etre-acceptee"  # 32 characters at least
# Dagster steps by stage; the first pattern found in a step's name wins.
STAGES = [
    ("validation", ("schema_pandera", "comptage_des_lignes", "great_expectations")),
    ("lecture, typage, pseudonymisation", ("raw_",)),
    ("quarantaine, dédoublonnage, staging", ("stg_",)),
    ("indicateurs", ("ind_", "int_")),
    ("autres (référentiel, rapprochement, publication)", ("",)),
]


@dataclass
class Measure:
    seconds: float
    peak_rss_mb: float


def run_child(args: list[str], env: dict[str, str] | None = None) -> Measure:
    """Run a Python child process; its wall time and peak resident memory."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, *args], env={**os.environ, **(env or {})},
                             stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise RuntimeError(f"{' '.join(args)} a échoué ({child.returncode})")
    return Measure(round(time.perf_counter() - start, 2), round(usage.ru_maxrss / 1024, 1))


def delimited_files(raw_dir: Path) -> list[Path]:
    return sorted(p for p in raw_dir.rglob("*") if p.suffix.lower() in DELIMITED)


def floor(files: list[Path], database: Path) -> None:
    """DuckDB alone: each file into a table of a new database file, types sniffed."""
    database.unlink(missing_ok=True)
    with duckdb.connect(str(database)) as con:
        for number, path in enumerate(files):
            con.execute(f"CREATE TABLE t{number} AS SELECT * FROM read_csv(?)", [str(path)])


def utf8_copies(raw_dir: Path, target: Path) -> list[Path]:
    """The delimited files as DuckDB can read them: UTF-8 ones as they are, the others
    transcoded from Windows-1252 into ``target``."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    ready = []
    for number, path in enumerate(delimited_files(raw_dir)):
        data = path.read_bytes()
        try:
            data.decode("utf-8")
            ready.append(path)
        except UnicodeDecodeError:
            copy = target / f"{number}{path.suffix}"
            copy.write_bytes(data.decode("cp1252").encode("utf-8"))
            ready.append(copy)
    return ready


class MemorySampler(threading.Thread):
    """This process's resident memory, every 50 ms, to give each step its peak."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[tuple[float, int]] = []

    def run(self) -> None:
        while True:
            with open("/proc/self/statm") as statm:
                pages = int(statm.read().split()[1])
            self.samples.append((time.time(), pages * os.sysconf("SC_PAGE_SIZE") // 2**20))
            time.sleep(0.05)

    def peak(self, start: float, end: float) -> int:
        return max((mb for moment, mb in self.samples if start <= moment <= end), default=0)


def refresh_with_steps(raw_dir: Path, warehouse: Path, steps_file: Path) -> None:
    """``observatoire refresh`` through its own command-line code, keeping Dagster's instance
    to read the duration and the peak memory of each step afterwards."""
    import dagster as dg

    from pipelines.cli import main

    sampler, instances = MemorySampler(), []
    ephemeral = dg.DagsterInstance.ephemeral

    def keep(*args, **kwargs):
        instances.append(ephemeral(*args, **kwargs))
        return instances[-1]

    dg.DagsterInstance.ephemeral = keep
    sampler.start()
    code = main(["refresh", "--raw-dir", str(raw_dir), "--warehouse", str(warehouse)])
    (run,) = instances[0].get_runs()
    stats = [s for s in instances[0].get_run_step_stats(run.run_id) if s.end_time]
    steps_file.write_text(json.dumps({
        "code": code,
        "steps": {s.step_key: round(s.end_time - s.start_time, 3) for s in stats},
        "rss_mb": {s.step_key: sampler.peak(s.start_time, s.end_time) for s in stats},
    }))
    sys.exit(code)


def by_stage(steps: dict[str, float]) -> dict[str, float]:
    totals = {name: 0.0 for name, _ in STAGES}
    for step, seconds in steps.items():
        stage = next(name for name, patterns in STAGES if any(p in step for p in patterns))
        totals[stage] += seconds
    return {name: round(value, 2) for name, value in totals.items()}


def accounting(warehouse: Path, made: ScaleSet) -> dict[str, object]:
    """The run's row accounting against the generator's: nothing lost, nothing invented."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        read, loaded, quarantined, duplicates, blank = con.execute(
            "SELECT sum(lignes_lues), sum(lignes_chargees), sum(lignes_quarantaine), "
            "sum(lignes_doublons), sum(lignes_vides_total) FROM qualite.journal_chargement "
            "WHERE source = 'pocketo'").fetchall()[0]
    return {
        "lignes_lues": int(read), "lignes_chargees": int(loaded),
        "lignes_quarantaine": int(quarantined), "lignes_doublons": int(duplicates),
        "lignes_vides_total": int(blank),
        "conforme": int(read) == made.rows + made.blank_or_total
        and int(read) == loaded + quarantined + duplicates + blank
        and int(quarantined) == made.quarantined and int(duplicates) == made.duplicates,
    }


def generated(rows: int, folder: Path, make: Callable[..., ScaleSet] = generate) -> ScaleSet:
    """The files of a previous run of the same size, else new ones written by ``make`` in a
    process of its own."""
    summary = folder / "generation.json"
    if summary.exists():
        known = json.loads(summary.read_text())
        return ScaleSet(**{**known, "raw_dir": Path(known["raw_dir"]), "ref_dir": Path(known["ref_dir"])})
    made = generate_apart(folder, rows, make=make)
    summary.write_text(json.dumps({**asdict(made), "raw_dir": str(made.raw_dir),
                                   "ref_dir": str(made.ref_dir)}))
    return made


def measure(rows: int, work: Path) -> dict[str, object]:
    folder = work / f"{rows}"
    made = generated(rows, folder)
    files = utf8_copies(made.raw_dir, folder / "utf8")
    floor_measure = run_child(["-m", "benchmarks.run", "--floor", str(folder / "plancher.duckdb"),
                               *map(str, files)])
    warehouse, steps_file = folder / "entrepot.duckdb", folder / "etapes.json"
    warehouse.unlink(missing_ok=True)
    env = {"OBSERVATOIRE_REF_DIR": str(made.ref_dir), "OBSERVATOIRE_PSEUDO_KEY": KEY}
    refresh_measure = run_child(["-m", "benchmarks.run", "--refresh", str(made.raw_dir),
                                 str(warehouse), str(steps_file)], env)
    recorded = json.loads(steps_file.read_text())
    steps, stages = recorded["steps"], by_stage(recorded["steps"])
    return {
        "lignes": made.rows,
        "octets": sum(p.stat().st_size for p in made.raw_dir.rglob("*") if p.is_file()),
        "fichiers": len(made.files),
        "plancher": asdict(floor_measure),
        "actualisation": asdict(refresh_measure),
        "ratio_au_plancher": round(refresh_measure.seconds / floor_measure.seconds, 2),
        "part_validation": round(stages["validation"] / refresh_measure.seconds, 3),
        "etapes_par_stade": stages,
        "etapes": dict(sorted(steps.items(), key=lambda item: -item[1])),
        "rss_par_etape_mo": dict(sorted(recorded["rss_mb"].items(), key=lambda item: -item[1])),
        "comptage": accounting(warehouse, made),
    }


def report(results: list[dict[str, object]]) -> str:
    lines = [f"{'lignes':>11} {'plancher s':>10} {'refresh s':>9} {'ratio':>6} {'validation':>10} "
             f"{'RSS plancher':>12} {'RSS refresh':>11}  comptage"]
    for r in results:
        lines.append(
            f"{r['lignes']:>11,} {r['plancher']['seconds']:>10} {r['actualisation']['seconds']:>9} "
            f"{r['ratio_au_plancher']:>6} {r['part_validation']:>10.1%} "
            f"{r['plancher']['peak_rss_mb']:>9} Mo {r['actualisation']['peak_rss_mb']:>8} Mo  "
            f"{'conforme' if r['comptage']['conforme'] else 'ÉCART'}")
        lines += [f"{'':>13}{stage} : {seconds} s" for stage, seconds in r["etapes_par_stade"].items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 3_000_000, 10_000_000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/observatoire-bench"))
    parser.add_argument("--floor", nargs="+", help=argparse.SUPPRESS)  # child: DB, files...
    parser.add_argument("--refresh", nargs=3, help=argparse.SUPPRESS)  # child: raw, warehouse, steps
    args = parser.parse_args(argv)
    if args.floor:
        floor([Path(p) for p in args.floor[1:]], Path(args.floor[0]))
        return
    if args.refresh:
        refresh_with_steps(*map(Path, args.refresh))
    results = [measure(rows, args.work) for rows in args.rows]
    print(report(results))
    out = RESULTS_DIR / f"{dt.datetime.now():%Y-%m-%d_%H%M}.json"
    write_results(out, results)


def write_results(out: Path, results: list[dict[str, object]], **more: object) -> None:
    """The measures as JSON, with the machine they were taken on."""
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"machine": {"processeurs": os.cpu_count(), "systeme": platform.platform(),
                                           "python": platform.python_version()},
                               **more, "mesures": results}, indent=2, ensure_ascii=False))
    print(f"Résultats : {out}")


if __name__ == "__main__":
    main()
