"""``observatoire territoire init``: a complete reference folder for any EPCI, from the national
commune reference (its member communes and populations) and empty, documented templates of what
only the territory knows (warehouse/territoire_modele.yaml)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from warehouse import PACKAGE_DIR, read_yaml
from warehouse.national import NATIONAL_POPULATION_YEAR, NATIONAL_VERSION, epci, epci_members, read_national

DEFAULT_REF_DIR = PACKAGE_DIR / "ref"
# the report of any territory, to name its own structures in (the default territory's own is in
# DEFAULT_REF_DIR)
REPORT_TEMPLATE = PACKAGE_DIR.parent / "reporting" / "rapport.yaml"
MODEL = read_yaml(PACKAGE_DIR / "territoire_modele.yaml")


class UnknownEpci(ValueError):
    pass


def header(name: str) -> list[str]:
    with (DEFAULT_REF_DIR / name).open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header(path.name), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def kept_rows(name: str) -> list[dict]:
    """The rows of the project's file a template keeps (MODEL["lignes_gardees"])."""
    kept = MODEL["lignes_gardees"].get(name, [])
    if not kept:
        return []
    with (DEFAULT_REF_DIR / name).open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row[header(name)[0]] in kept]


def national_files(siren: str) -> dict[str, list[dict]]:
    """The rows of the files written from the national reference."""
    found = epci(siren)
    if found is None:
        raise UnknownEpci(f"EPCI {siren} inconnu du référentiel national ({NATIONAL_VERSION}) : "
                          "vérifiez le numéro SIREN (9 chiffres).")
    members = {row["code_commune"]: row for row in epci_members(siren)}
    communes = {row["code_commune"]: row for row in read_national("communes") if row["code_commune"] in members}
    postcodes = {}
    for row in read_national("codes_postaux"):
        if row["code_commune"] in members:
            postcodes[row["code_commune"]] = min(postcodes.get(row["code_commune"], "99999"), row["code_postal"])
    source = f"INSEE populations légales (millésime inféré), via Etalab {NATIONAL_VERSION}"
    return {
        "territoire.csv": [{"code_territoire": siren, "nom": found["nom"],
                            "titre": f"Observatoire social : {found['nom']}"}],
        "communes.csv": [{"code_commune": code, "nom": communes[code]["nom"], "code_postal": postcodes.get(code),
                          "siren_commune": communes[code]["siren_commune"], "epci_siren": siren,
                          "membre_cc": "true"} for code in sorted(members)],
        "communes_population.csv": [{"code_commune": code, "annee": NATIONAL_POPULATION_YEAR,
                                     "population_municipale": row["population_municipale"], "source": source}
                                    for code, row in sorted(members.items()) if row["population_municipale"]],
    }


def readme(siren: str, nom: str) -> str:
    described = {**MODEL["national"], **MODEL["modele"], **MODEL["rapport"]}
    lines = [f"# Dossier de référence : {nom} ({siren})", "",
             "Écrit par `observatoire territoire init`. Lancez l'observatoire sur ce territoire avec",
             "`OBSERVATOIRE_REF_DIR=<ce dossier>` ou `observatoire --ref-dir <ce dossier> refresh`.",
             "Voir docs/territoire.md.", "", "## Fichiers à compléter", ""]
    lines += [f"- `{name}` : {text}" for name, text in described.items()]
    lines += ["", "## Fichiers copiés (nomenclatures communes à tous les territoires)", ""]
    lines += [f"- `{name}`" for name in MODEL["copie"]]
    return "\n".join(lines) + "\n"


def init_territory(siren: str, folder: Path) -> Path:
    """Write the reference folder of EPCI ``siren`` into ``folder`` (created; existing files kept
    untouched are refused: the folder must not hold any of the files)."""
    files = national_files(siren)
    names = [*files, *MODEL["copie"], *MODEL["modele"], "rapport.yaml", "README.md"]
    clashes = sorted(name for name in names if (folder / name).exists())
    if clashes:
        raise FileExistsError(f"{folder} contient déjà {', '.join(clashes)} : choisissez un dossier vide.")
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in files.items():
        write_csv(folder / name, rows)
    for name in MODEL["copie"]:
        shutil.copyfile(DEFAULT_REF_DIR / name, folder / name)
    for name in MODEL["modele"]:
        write_csv(folder / name, kept_rows(name))
    shutil.copyfile(REPORT_TEMPLATE, folder / "rapport.yaml")
    (folder / "README.md").write_text(readme(siren, files["territoire.csv"][0]["nom"]), encoding="utf-8")
    return folder
