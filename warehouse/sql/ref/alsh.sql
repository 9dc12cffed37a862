-- Reference tables of the leisure centres (ALSH): capacity and flat hours per unit, by year.
CREATE OR REPLACE TABLE ref.structures_capacite (
    structure_id VARCHAR NOT NULL, annee INTEGER NOT NULL, places INTEGER,
    heures_ouverture_jour DECIMAL(4, 2), source VARCHAR, PRIMARY KEY (structure_id, annee)
);
CREATE OR REPLACE TABLE ref.heures_forfaitaires (
    structure_id VARCHAR NOT NULL, unite VARCHAR NOT NULL, annee_debut INTEGER NOT NULL,
    annee_fin INTEGER, heures DECIMAL(4, 2) NOT NULL
);
