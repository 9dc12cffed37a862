"""A measured simulation of partitioned refreshes (docs/scale.md): territories apart, then merged.

    python -m benchmarks.partitions [--rows 2000000] [--parts 4] [--work /tmp/observatoire-partitions]

Generates ``parts`` territories of ``rows / parts`` rows each (their own structures and
communes), then times, each refresh being the whole ``observatoire refresh`` in a child process:

1. one refresh of every territory together (one drop folder, one warehouse);
2. one refresh per territory, one after the other;
3. the same, two at a time (this machine has two cores);
4. the national table as the union of the territories' ``indicateurs.alsh_annuel``, checked
   equal, row for row, to the table of the single refresh.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from benchmarks.generate_scale import REF_DIR, Territory, generate_apart
from benchmarks.run import KEY, RESULTS_DIR

TABLE = "indicateurs.alsh_annuel"


def merged_ref(target: Path, refs: list[Path]) -> Path:
    """warehouse/ref with the lines every territory added to its own copy."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(REF_DIR, target)
    for path in sorted(REF_DIR.glob("*.csv")):
        base = set(path.read_text(encoding="utf-8").splitlines())
        added = [line for ref in refs for line in (ref / path.name).read_text(encoding="utf-8").splitlines()
                 if line not in base]
        if added:
            with (target / path.name).open("a", encoding="utf-8") as handle:
                handle.write("\n".join(added) + "\n")
    return target


def gathered_raw(target: Path, raws: list[Path]) -> Path:
    """One drop folder holding every territory's files (hard links: same bytes, same dates)."""
    shutil.rmtree(target, ignore_errors=True)
    for number, raw in enumerate(raws):
        for path in (p for p in raw.rglob("*") if p.is_file()):
            link = target / "pocketo" / f"t{number}" / path.relative_to(raw / "pocketo")
            link.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, link)
    return target


def refreshes(jobs: list[tuple[Path, Path, Path]], width: int) -> dict[str, object]:
    """Run ``observatoire refresh`` for each (raw dir, ref dir, warehouse), ``width`` at a time;
    the total wall time and each run's own time and peak memory."""
    start, pending, running, runs = time.perf_counter(), list(jobs), {}, []
    while pending or running:
        while pending and len(running) < width:
            raw, ref, warehouse = pending.pop(0)
            warehouse.unlink(missing_ok=True)
            child = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.run", "--refresh", str(raw), str(warehouse),
                 str(warehouse.with_suffix(".etapes.json"))],
                env={**os.environ, "OBSERVATOIRE_REF_DIR": str(ref), "OBSERVATOIRE_PSEUDO_KEY": KEY},
                stdout=subprocess.DEVNULL)
            running[child.pid] = (warehouse, time.perf_counter())
        pid, status, usage = os.wait4(-1, 0)
        warehouse, began = running.pop(pid)
        if os.waitstatus_to_exitcode(status):
            raise RuntimeError(f"l'actualisation de {warehouse} a échoué")
        runs.append({"entrepot": f"{warehouse.parent.name}/{warehouse.name}",
                     "secondes": round(time.perf_counter() - began, 2),
                     "rss_max_mo": round(usage.ru_maxrss / 1024, 1)})
    return {"secondes": round(time.perf_counter() - start, 2), "actualisations": runs}


def national(target: Path, warehouses: list[Path], single: Path) -> dict[str, object]:
    """The union of the territories' tables, and its differences from the single refresh's."""
    target.unlink(missing_ok=True)
    start = time.perf_counter()
    with duckdb.connect(str(target)) as con:
        for number, warehouse in enumerate(warehouses):
            con.execute(f"ATTACH '{warehouse}' AS t{number} (READ_ONLY)")
        union = " UNION ALL ".join(f"SELECT * FROM t{n}.{TABLE}" for n in range(len(warehouses)))
        con.execute(f"CREATE TABLE alsh_annuel AS {union}")
        seconds = round(time.perf_counter() - start, 2)
        con.execute(f"ATTACH '{single}' AS seul (READ_ONLY)")
        (rows,), = con.execute("SELECT count(*) FROM alsh_annuel").fetchall()
        (differences,), = con.execute(f"""
            SELECT count(*) FROM ((SELECT * FROM alsh_annuel EXCEPT ALL SELECT * FROM seul.{TABLE})
                                  UNION ALL (SELECT * FROM seul.{TABLE} EXCEPT ALL SELECT * FROM alsh_annuel))""").fetchall()
    return {"secondes": seconds, "lignes": rows, "differences_avec_l_actualisation_unique": differences}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--parts", type=int, default=4)
    parser.add_argument("--work", type=Path, default=Path("/tmp/observatoire-partitions"))
    args = parser.parse_args(argv)
    made = [generate_apart(args.work / f"t{n}", args.rows // args.parts, seed=100 + n, structures=75,
                     communes=75, territory=Territory(f"t{n}", f"9{n}"))
            for n in range(args.parts)]
    together = (gathered_raw(args.work / "ensemble" / "raw", [m.raw_dir for m in made]),
                merged_ref(args.work / "ensemble" / "ref", [m.ref_dir for m in made]),
                args.work / "ensemble" / "entrepot.duckdb")
    apart = [(m.raw_dir, m.ref_dir, args.work / f"t{n}" / "entrepot.duckdb") for n, m in enumerate(made)]
    result = {
        "lignes": sum(m.rows for m in made), "partitions": args.parts,
        "une_actualisation": refreshes([together], 1),
        "par_partition_en_serie": refreshes(apart, 1),
        "par_partition_deux_a_la_fois": refreshes(apart, 2),
        "table_nationale": national(args.work / "national.duckdb", [w for _, _, w in apart], together[2]),
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / f"partitions_{dt.datetime.now():%Y-%m-%d_%H%M}.json").write_text(
        json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
