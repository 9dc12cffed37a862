-- The national commune reference (warehouse/national/, Etalab's découpage administratif), loaded
-- by warehouse.reference.load_national from its gzip'd CSV files, one per table.
CREATE OR REPLACE TABLE ref.communes_france (
    code_commune VARCHAR PRIMARY KEY, nom VARCHAR NOT NULL, departement VARCHAR NOT NULL,
    siren_commune VARCHAR, population_municipale INTEGER
);
CREATE OR REPLACE TABLE ref.codes_postaux (
    code_commune VARCHAR NOT NULL, code_postal VARCHAR NOT NULL, PRIMARY KEY (code_commune, code_postal)
);
CREATE OR REPLACE TABLE ref.communes_fusionnees (
    code_ancien VARCHAR NOT NULL, nom VARCHAR NOT NULL, type VARCHAR NOT NULL,
    code_commune VARCHAR NOT NULL, departement VARCHAR NOT NULL
);
CREATE OR REPLACE TABLE ref.epci (epci_siren VARCHAR PRIMARY KEY, nom VARCHAR NOT NULL, type VARCHAR NOT NULL);
CREATE OR REPLACE TABLE ref.epci_membres (
    epci_siren VARCHAR NOT NULL, code_commune VARCHAR NOT NULL, population_municipale INTEGER,
    PRIMARY KEY (epci_siren, code_commune)
);
CREATE OR REPLACE TABLE ref.departements_voisins (
    departement VARCHAR NOT NULL, departement_voisin VARCHAR NOT NULL,
    PRIMARY KEY (departement, departement_voisin)
);
