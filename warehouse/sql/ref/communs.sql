-- Reference tables shared by every service. Each ref.<table> is filled from
-- warehouse/ref/<table>.csv; every file of warehouse/sql/ref/ is run first to create them.
CREATE OR REPLACE TABLE ref.communes (
    code_commune VARCHAR PRIMARY KEY, nom VARCHAR NOT NULL, code_postal VARCHAR,
    siren_commune VARCHAR, epci_siren VARCHAR, membre_cc BOOLEAN NOT NULL
);
CREATE OR REPLACE TABLE ref.communes_population (
    code_commune VARCHAR NOT NULL, annee INTEGER NOT NULL, population_municipale INTEGER NOT NULL,
    source VARCHAR, PRIMARY KEY (code_commune, annee)
);
CREATE OR REPLACE TABLE ref.communes_alias (alias VARCHAR NOT NULL, code_commune VARCHAR NOT NULL);
-- What a file writes for a resident of a commune outside the territory ("Autre commune"): HORS_CC.
CREATE OR REPLACE TABLE ref.communes_hors_territoire (libelle VARCHAR PRIMARY KEY);
CREATE OR REPLACE TABLE ref.structures (
    structure_id VARCHAR PRIMARY KEY, libelle VARCHAR NOT NULL, service VARCHAR NOT NULL,
    code_commune VARCHAR, gestionnaire VARCHAR
);
CREATE OR REPLACE TABLE ref.structures_alias (
    source VARCHAR NOT NULL, alias VARCHAR NOT NULL, structure_id VARCHAR NOT NULL
);
CREATE OR REPLACE TABLE ref.tranches_qf (
    tranche_qf VARCHAR PRIMARY KEY, qf_min_incl DECIMAL(14, 2), qf_max_excl DECIMAL(14, 2),
    libelle VARCHAR NOT NULL, source VARCHAR
);
CREATE OR REPLACE TABLE ref.tranches_age (
    tranche_age VARCHAR PRIMARY KEY, age_min INTEGER NOT NULL, age_max INTEGER, libelle VARCHAR NOT NULL
);
CREATE OR REPLACE TABLE ref.chiffres_publies (
    source VARCHAR NOT NULL, indicateur VARCHAR NOT NULL, structure_id VARCHAR, annee INTEGER NOT NULL,
    valeur DECIMAL(14, 2) NOT NULL, unite VARCHAR NOT NULL, tolerance DECIMAL(14, 2) NOT NULL, note VARCHAR
);
-- The territory the observatoire is run for (territoire.csv, one row): its name in the report,
-- the catalogue and the datapackage.
CREATE OR REPLACE TABLE ref.territoire (
    code_territoire VARCHAR PRIMARY KEY, nom VARCHAR NOT NULL, titre VARCHAR NOT NULL
);
