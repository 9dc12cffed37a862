-- Reference inputs of the childcare coverage rate (docs/petite_enfance_ctg.md), updated each year
-- by the observatoire. Keys and required values are checked by the pandera schemas of
-- schemas/petite_enfance.py (blocking checks of assets/petite_enfance.py), so that a mistake in a
-- file is reported row by row rather than stopping the load.
CREATE OR REPLACE TABLE ref.petite_enfance_nomenclature (
    variable VARCHAR, code VARCHAR, libelle VARCHAR
);
-- Places for under-3s on 31 December, per year, commune and kind of place (type_accueil).
CREATE OR REPLACE TABLE ref.petite_enfance_offre (
    annee INTEGER, code_commune VARCHAR, type_accueil VARCHAR, nb_places INTEGER,
    nb_professionnels INTEGER, nature_chiffre VARCHAR, source VARCHAR
);
-- Children under 3 counted (or estimated by the observatoire) per commune and year; they replace
-- the estimate from the municipal population for that commune and year.
CREATE OR REPLACE TABLE ref.population_moins_3_ans (
    code_commune VARCHAR, annee INTEGER, enfants_moins_3_ans INTEGER, nature_chiffre VARCHAR,
    source VARCHAR
);
-- Share of under-3s in the municipal population, used to estimate the commune-years without a
-- figure in ref.population_moins_3_ans (annee_fin empty: still in force).
CREATE OR REPLACE TABLE ref.petite_enfance_part_moins_3_ans (
    annee_debut INTEGER, annee_fin INTEGER, part_moins_3_ans DECIMAL(5, 4), nature_chiffre VARCHAR,
    source VARCHAR
);
