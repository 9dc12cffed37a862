"""Schemas of staging.aide_sport__aides and of the aide_sport indicator tables (sources.md §4,
warehouse.md)."""

import pandera.pandas as pa

from schemas import code_commune, integer, one_of_ref, year
from schemas.declared import declared_schema
from warehouse.reference import read_ref

HASH = r"^[0-9a-f]{32}$"
NOT_GIVEN = "NR"


def tranche_qf() -> pa.Column:
    """A QF band of the aid rules, or NR."""
    bands = {row["tranche_qf"] for row in read_ref("aide_sport_regles")} | {NOT_GIVEN}
    return pa.Column(str, pa.Check.isin(sorted(bands)))


def euros(**kwargs) -> pa.Column:
    return pa.Column(float, pa.Check.ge(0), **kwargs)


def _aid_within_licence_cost(frame) -> bool:
    return bool((frame["cout_licence"].isna() | (frame["montant"] <= frame["cout_licence"])).all())


AideSportAides = pa.DataFrameSchema(
    {
        "date_attribution": pa.Column("datetime64[us]"),
        "annee": year(),
        "personne_id": pa.Column(str, pa.Check.str_matches(HASH)),
        "famille_id": pa.Column(str, pa.Check.str_matches(HASH), nullable=True),
        "age": integer(0, 110),
        "tranche_age": one_of_ref("aide_sport_tranches_age", "tranche_age"),
        "sexe": pa.Column(str, pa.Check.isin(["F", "M"]), nullable=True),
        "code_commune": code_commune(),
        "dans_territoire": pa.Column(bool),
        "commune_libelle": pa.Column(str, nullable=True),
        "qf": pa.Column(float, pa.Check.ge(0), nullable=True),
        "tranche_qf": tranche_qf(),
        "club": pa.Column(str, nullable=True),
        "discipline": pa.Column(str, nullable=True),
        "cout_licence": euros(nullable=True),
        "montant": pa.Column(float, pa.Check.gt(0)),
        "montant_autorise": euros(nullable=True),
        "fichier_hash": pa.Column(str, pa.Check.str_matches(r"^[0-9a-f]{64}$")),
        "fichier_nom": pa.Column(str),
        "feuille": pa.Column(str),
        "ligne": integer(1),
    },
    checks=pa.Check(_aid_within_licence_cost, error="aide supérieure au coût de la licence"),
    unique=["personne_id", "date_attribution", "club"],
    strict=True,
    name="staging.aide_sport__aides",
)

# The indicator tables: their declaration (warehouse/indicateurs/aide_sport.yaml) and this
# cross-column rule.
AideSportAnnuel = declared_schema("indicateurs.aide_sport_annuel", checks=[
    pa.Check(lambda frame: bool((frame["aides"] >= frame["beneficiaires"]).all()),
             error="moins d'aides que de bénéficiaires")])
AideSportParCommune = declared_schema("indicateurs.aide_sport_par_commune")
AideSportParTrancheAge = declared_schema("indicateurs.aide_sport_par_tranche_age")
AideSportParTrancheQf = declared_schema("indicateurs.aide_sport_par_tranche_qf")
