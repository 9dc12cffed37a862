-- Reference of the yearly collection campaign (warehouse/campaign.py): when the observatoire
-- expects each structure's files. A structure of a collected service without a row here is
-- expected every year the warehouse covers; a month outside [debut, fin] is not expected.
CREATE OR REPLACE TABLE ref.structures_collecte (
    structure_id VARCHAR PRIMARY KEY, annee_debut INTEGER NOT NULL, mois_debut INTEGER NOT NULL,
    annee_fin INTEGER, mois_fin INTEGER, note VARCHAR
);
