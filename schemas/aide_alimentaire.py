"""Schemas of the food-aid staging and indicator tables (sources.md §3, warehouse.md)."""

import pandera.pandas as pa

from schemas import code_commune, integer, one_of_ref, provenance, year
from schemas.declared import declared_schema
from sources.spec import load_spec
from warehouse.reference import read_ref

HASH_32 = r"^[0-9a-f]{32}$"
MAX_PERSONS = 20  # a larger household is quarantined as a typo (sources/specs/aide_alimentaire.yaml)
COMPOSITIONS = sorted(set(load_spec("aide_alimentaire").categories["composition"].values()))
STRUCTURES = sorted(r["structure_id"] for r in read_ref("structures") if r["service"] == "aide_alimentaire")


def _structure() -> pa.Column:
    return pa.Column(str, pa.Check.isin(STRUCTURES))


def _each_household_counts_someone(frame):
    return frame["personnes"] >= frame["foyers"]


def _persons_are_adults_and_children(frame):
    return frame["personnes"] == frame["adultes"] + frame["enfants"]


def _a_household_passes_at_least_once(frame):
    return frame["passages"] >= frame["foyers"]


AideAlimentairePassages = pa.DataFrameSchema(
    {
        "structure_id": _structure(),
        "date_passage": pa.Column("datetime64[us]"),
        "annee": year(),
        "foyer_id": pa.Column(str, pa.Check.str_matches(HASH_32)),
        "code_commune": code_commune(),
        "dans_territoire": pa.Column(bool),
        "commune_libelle": pa.Column(str, nullable=True),
        "composition": pa.Column(str, pa.Check.isin(COMPOSITIONS), nullable=True),
        "nb_adultes": integer(1, MAX_PERSONS),
        "nb_enfants": integer(0, MAX_PERSONS - 1),
        "personnes": integer(1, MAX_PERSONS),
        "orientation": one_of_ref("aide_alimentaire_orientations", "orientation", nullable=True),
        "orientation_non_reconnue": pa.Column(str, nullable=True),
        "poids_kg": pa.Column(float, pa.Check.ge(0), nullable=True),
        **provenance(),
    },
    checks=[pa.Check(lambda f: f["personnes"] == f["nb_adultes"] + f["nb_enfants"],
                     error="personnes = adultes + enfants")],
    unique=["structure_id", "date_passage", "foyer_id"],
    strict=True,
    name="staging.aide_alimentaire__passages",
)

# The indicator tables: their declaration (warehouse/indicateurs/aide_alimentaire.yaml) and
# these cross-column rules.
AideAlimentaireAnnuel = declared_schema("indicateurs.aide_alimentaire_annuel", checks=[
    pa.Check(_each_household_counts_someone, error="personnes >= foyers"),
    pa.Check(lambda f: f["adultes"] >= f["foyers"], error="au moins un adulte par foyer"),
    pa.Check(_persons_are_adults_and_children, error="personnes = adultes + enfants"),
    pa.Check(_a_household_passes_at_least_once, error="passages >= foyers"),
])
AideAlimentaireParCommune = declared_schema("indicateurs.aide_alimentaire_par_commune", checks=[
    pa.Check(_each_household_counts_someone, error="personnes >= foyers")])
AideAlimentaireMensuel = declared_schema("indicateurs.aide_alimentaire_mensuel", checks=[
    pa.Check(_a_household_passes_at_least_once, error="passages >= foyers")])
