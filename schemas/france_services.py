"""Schemas of France Services: the staged counts and the indicator tables (warehouse.md)."""

import pandera.pandas as pa

from schemas import integer, one_of_ref, provenance, year
from schemas.declared import declared_schema

_KEY = {"structure_id": one_of_ref("structures", "structure_id"), "annee": year()}
_MONTH_KEY = {**_KEY, "mois": integer(1, 12), "operateur_id": one_of_ref("operateurs", "operateur_id")}

FranceServicesDemandes = pa.DataFrameSchema(
    {
        **_MONTH_KEY,
        "demandes": integer(0),
        **provenance(cell=True),
    },
    unique=["structure_id", "annee", "mois", "operateur_id"],
    strict=True,
    name="staging.france_services__demandes",
)

# The indicator tables, from their declaration (warehouse/indicateurs/france_services.yaml).
FranceServicesMensuel = declared_schema("indicateurs.france_services_mensuel")
FranceServicesAnnuel = declared_schema("indicateurs.france_services_annuel")
