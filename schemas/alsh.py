"""Schemas of the ALSH indicator tables (warehouse.md, the public contract)."""

import pandera.pandas as pa

from schemas import code_commune, integer, one_of_ref, year

_KEY = {"structure_id": one_of_ref("structures", "structure_id"), "annee": year()}
_BREAKDOWN = {
    "enfants_distincts": integer(1),
    "heures_enfants": pa.Column(float, pa.Check.ge(0)),
}

AlshAnnuel = pa.DataFrameSchema(
    {
        **_KEY,
        "heures_enfants": pa.Column(float, pa.Check.ge(0)),
        "enfants_distincts": integer(1),
        "jours_ouverture": integer(1, 366),
        "places": integer(1, nullable=True),
        "taux_occupation": pa.Column(float, pa.Check.ge(0), nullable=True),
    },
    unique=["structure_id", "annee"],
    strict=True,
    name="indicateurs.alsh_annuel",
)

AlshParCommune = pa.DataFrameSchema(
    {**_KEY, "code_commune": code_commune(), **_BREAKDOWN},
    unique=["structure_id", "annee", "code_commune"],
    strict=True,
    name="indicateurs.alsh_par_commune",
)

AlshParTrancheQf = pa.DataFrameSchema(
    {**_KEY, "tranche_qf": one_of_ref("tranches_qf", "tranche_qf"), **_BREAKDOWN},
    unique=["structure_id", "annee", "tranche_qf"],
    strict=True,
    name="indicateurs.alsh_par_tranche_qf",
)
