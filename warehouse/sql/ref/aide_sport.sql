-- Reference tables of the "Aide à la pratique sportive" (sources.md §4).
-- The attribution rule in force each year, by QF band (half-open [qf_min_incl, qf_max_excl)):
-- the amount allowed is least(taux × coût de la licence, plafond) when eligible, else 0.
-- annee_fin NULL: still in force.
CREATE OR REPLACE TABLE ref.aide_sport_regles (
    annee_debut INTEGER NOT NULL, annee_fin INTEGER, tranche_qf VARCHAR NOT NULL,
    qf_min_incl DECIMAL(14, 2) NOT NULL, qf_max_excl DECIMAL(14, 2), eligible BOOLEAN NOT NULL,
    taux DECIMAL(5, 4) NOT NULL, plafond DECIMAL(14, 2) NOT NULL, libelle VARCHAR NOT NULL,
    source VARCHAR, PRIMARY KEY (annee_debut, tranche_qf)
);
-- Age bands of the beneficiaries (any family member: from birth to adults).
CREATE OR REPLACE TABLE ref.aide_sport_tranches_age (
    tranche_age VARCHAR PRIMARY KEY, age_min INTEGER NOT NULL, age_max INTEGER, libelle VARCHAR NOT NULL
);
