"""Schemas of the childcare coverage rate: its reference inputs (warehouse/ref/, checked by the
blocking checks of assets/petite_enfance.py) and indicateurs.petite_enfance_couverture.

The files, their columns and codes are described in docs/petite_enfance_ctg.md.
"""

import pandera.pandas as pa

from schemas import integer, year
from schemas.declared import declared_schema
from warehouse.reference import read_ref

MAX_PLACES_MICRO_CRECHE = 12  # regulatory ceiling since the reform of August 2021
MAX_PLACES_PER_CHILDMINDER = 6  # 4 under-3s at a time, up to 6 children by derogation
KINDS_OF_PLACE = ["micro_creche", "assistantes_maternelles", "mam", "prescolarisation"]


def codes_of(nomenclature: str, variable: str) -> list[str]:
    """The codes of one variable of a nomenclature file (warehouse/ref/<nomenclature>.csv)."""
    return sorted(row["code"] for row in read_ref(nomenclature) if row["variable"] == variable)


def coded(nomenclature: str, variable: str, **kwargs) -> pa.Column:
    codes = codes_of(nomenclature, variable)
    return pa.Column(str, pa.Check.isin(codes, error=f"{variable} : code attendu parmi {codes}"), **kwargs)


def member_commune() -> pa.Column:
    codes = sorted(row["code_commune"] for row in read_ref("communes") if row["membre_cc"] == "true")
    return pa.Column(str, pa.Check.isin(codes, error="code INSEE d'une commune de la CC attendu"))


def text() -> pa.Column:
    return pa.Column(str, pa.Check.str_length(min_value=1, error="texte obligatoire"))


def _childminder_places_plausible(frame):
    childminders = frame["type_accueil"].isin(["assistantes_maternelles", "mam"])
    within = (frame["nb_places"] <= MAX_PLACES_PER_CHILDMINDER * frame["nb_professionnels"]).fillna(False)
    return ~childminders | within


def _micro_creche_within_ceiling(frame):
    return (frame["type_accueil"] != "micro_creche") | (frame["nb_places"] <= MAX_PLACES_MICRO_CRECHE)


RefPetiteEnfanceNomenclature = pa.DataFrameSchema(
    {"variable": pa.Column(str, pa.Check.isin(["type_accueil", "nature_chiffre"])),
     "code": text(), "libelle": text()},
    unique=["variable", "code"],
    strict=True,
    name="ref.petite_enfance_nomenclature",
)

RefPetiteEnfanceOffre = pa.DataFrameSchema(
    {
        "annee": year(),
        "code_commune": member_commune(),
        "type_accueil": coded("petite_enfance_nomenclature", "type_accueil"),
        "nb_places": integer(0),
        "nb_professionnels": integer(0, nullable=True),
        "nature_chiffre": coded("petite_enfance_nomenclature", "nature_chiffre"),
        "source": text(),
    },
    checks=[
        pa.Check(_childminder_places_plausible,
                 error=f"assistantes maternelles et MAM : nb_professionnels obligatoire, et au plus "
                 f"{MAX_PLACES_PER_CHILDMINDER} places par assistante maternelle"),
        pa.Check(_micro_creche_within_ceiling,
                 error=f"une micro-crèche a au plus {MAX_PLACES_MICRO_CRECHE} places"),
    ],
    unique=["annee", "code_commune", "type_accueil"],
    strict=True,
    name="ref.petite_enfance_offre",
)

RefPopulationMoins3Ans = pa.DataFrameSchema(
    {
        "code_commune": member_commune(),
        "annee": year(),
        "enfants_moins_3_ans": integer(0),
        "nature_chiffre": coded("petite_enfance_nomenclature", "nature_chiffre"),
        "source": text(),
    },
    unique=["code_commune", "annee"],
    strict=True,
    name="ref.population_moins_3_ans",
)


def _periods_do_not_overlap(frame):
    ordered = frame.sort_values("annee_debut")
    after_previous = (ordered["annee_debut"] > ordered["annee_fin"].shift(1)).fillna(False)
    after_previous.iloc[:1] = True  # the first period has no predecessor
    return after_previous.reindex(frame.index)


RefPetiteEnfancePartMoins3Ans = pa.DataFrameSchema(
    {
        "annee_debut": year(),
        "annee_fin": integer(2000, 2100, nullable=True),
        "part_moins_3_ans": pa.Column(float, pa.Check.in_range(0, 0.1, include_min=False,
                                                                error="part entre 0 et 0,1 attendue")),
        "nature_chiffre": coded("petite_enfance_nomenclature", "nature_chiffre"),
        "source": text(),
    },
    checks=[
        pa.Check(lambda f: (f["annee_fin"] >= f["annee_debut"]).fillna(True),
                 error="annee_fin avant annee_debut"),
        pa.Check(_periods_do_not_overlap,
                 error="périodes qui se chevauchent (seule la dernière peut rester ouverte)"),
    ],
    strict=True,
    name="ref.petite_enfance_part_moins_3_ans",
)


def _total_is_the_sum_of_the_kinds(frame):
    return frame["places_total"] == sum(frame[f"places_{kind}"] for kind in KINDS_OF_PLACE)


# Declared in warehouse/indicateurs/petite_enfance.yaml; this cross-column rule added.
PetiteEnfanceCouverture = declared_schema("indicateurs.petite_enfance_couverture", checks=[
    pa.Check(_total_is_the_sum_of_the_kinds,
             error="places_total n'est pas la somme des places par type d'accueil : un type de la "
             "nomenclature n'a pas de colonne dans ind_petite_enfance__couverture.sql")])
