"""Schemas of the ALSH indicator tables (warehouse.md, the public contract): generated from their
declarations (warehouse/indicateurs/alsh.yaml); none has a cross-column rule."""

from schemas.declared import declared_schema

AlshAnnuel = declared_schema("indicateurs.alsh_annuel")
AlshParCommune = declared_schema("indicateurs.alsh_par_commune")
AlshParTrancheQf = declared_schema("indicateurs.alsh_par_tranche_qf")
