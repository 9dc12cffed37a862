"""Rebuild the national commune reference shipped in warehouse/national/ from Etalab's
``@etalab/decoupage-administratif`` npm package (MIT licence).

Run by a developer when a new version of the package is published, never at run time:

    python scripts/build_national_reference.py 6.0.0

It runs ``npm pack @etalab/decoupage-administratif@VERSION`` in a temporary folder, reads
``data/communes.json`` and ``data/epci.json`` and writes the compact gzip'd CSV files of
warehouse/national/ (see its README.md), then records the version in VERSION.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "@etalab/decoupage-administratif"
OUT_DIR = Path(__file__).resolve().parent.parent / "warehouse" / "national"
MERGED_TYPES = ("commune-deleguee", "commune-associee", "arrondissement-municipal")


def fetch(version: str, workdir: Path) -> tuple[list[dict], list[dict], str]:
    """The communes, the EPCIs and the licence text of that version of the package."""
    subprocess.run(["npm", "pack", f"{PACKAGE}@{version}"], cwd=workdir, check=True,
                   capture_output=True)
    tarball = next(workdir.glob("*.tgz"))
    with tarfile.open(tarball) as archive:
        def read(name: str) -> str:
            return archive.extractfile(f"package/{name}").read().decode("utf-8")
        return json.loads(read("data/communes.json")), json.loads(read("data/epci.json")), read("LICENSE")


def write(name: str, header: list[str], rows: list[tuple]) -> None:
    # mtime=0: rebuilding the same version gives the same bytes
    with open(OUT_DIR / f"{name}.csv.gz", "wb") as raw, \
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as zipped, \
            open_text(zipped) as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(header)
        out.writerows(sorted(rows))


def open_text(binary):
    return io.TextIOWrapper(binary, encoding="utf-8", newline="")


def build(communes: list[dict], epcis: list[dict]) -> None:
    current = [c for c in communes if c["type"] == "commune-actuelle"]
    write("communes", ["code_commune", "nom", "departement", "siren_commune", "population_municipale"],
          [(c["code"], c["nom"], c["departement"], c.get("siren", ""), c.get("population", ""))
           for c in current])
    write("codes_postaux", ["code_commune", "code_postal"],
          list({(c["code"], p) for c in current for p in c.get("codesPostaux", [])}))
    write("communes_fusionnees", ["code_ancien", "nom", "type", "code_commune", "departement"],
          [(c["code"], c["nom"], c["type"], c.get("chefLieu") or c["commune"], c["departement"])
           for c in communes if c["type"] in MERGED_TYPES])
    write("epci", ["epci_siren", "nom", "type"], [(e["code"], e["nom"], e["type"]) for e in epcis])
    write("epci_membres", ["epci_siren", "code_commune", "population_municipale"],
          [(e["code"], m["code"], m.get("populationMunicipale", "")) for e in epcis for m in e["membres"]])


def main(version: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        communes, epcis, licence = fetch(version, Path(tmp))
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    build(communes, epcis)
    (OUT_DIR / "LICENSE").write_text(licence, encoding="utf-8")
    (OUT_DIR / "VERSION").write_text(f"{PACKAGE} {version}\n", encoding="utf-8")
    print(f"{OUT_DIR}: {len(communes)} communes, {len(epcis)} EPCI ({PACKAGE} {version})")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: build_national_reference.py VERSION (e.g. 6.0.0)")
    main(sys.argv[1])
