"""Schema of staging.pocketo__presences (sources.md §1)."""

import pandera.pandas as pa

from schemas import code_commune, integer, one_of_ref, provenance, year

PocketoPresences = pa.DataFrameSchema(
    {
        "structure_id": one_of_ref("structures", "structure_id"),
        "date_presence": pa.Column("datetime64[us]"),
        "annee": year(),
        "enfant_id": pa.Column(str, pa.Check.str_matches(r"^[0-9a-f]{32}$")),
        "famille_id": pa.Column(str, pa.Check.str_matches(r"^[0-9a-f]{32}$"), nullable=True),
        "age": integer(2, 18),
        "tranche_age": one_of_ref("tranches_age", "tranche_age"),
        "code_commune": code_commune(),
        "dans_territoire": pa.Column(bool),
        "commune_libelle": pa.Column(str, nullable=True),
        "qf": pa.Column(float, pa.Check.ge(0), nullable=True),
        "tranche_qf": one_of_ref("tranches_qf", "tranche_qf"),
        "regime": pa.Column(str, pa.Check.isin(["caf", "msa", "autre"]), nullable=True),
        "unite": pa.Column(str, pa.Check.isin(["journee", "matin", "apres_midi"])),
        "heure_arrivee": pa.Column(nullable=True),
        "heure_depart": pa.Column(nullable=True),
        "presence": pa.Column(str, pa.Check.isin(["present", "absent", "absent_excuse"])),
        "secondes": integer(0, 12 * 3600),
        "heures": pa.Column(float, pa.Check.in_range(0, 12)),
        "heures_estimees": pa.Column(bool),
        **provenance(),
    },
    unique=["structure_id", "date_presence", "enfant_id", "unite"],
    strict=True,
    name="staging.pocketo__presences",
)
