-- indicateurs.france_services_annuel (warehouse.md): demandes per site and civil year, the sum
-- of the month cells over every operator.
CREATE OR REPLACE TABLE indicateurs.france_services_annuel (
    structure_id VARCHAR NOT NULL,
    annee INTEGER NOT NULL,
    demandes INTEGER NOT NULL,
    PRIMARY KEY (structure_id, annee)
);

INSERT INTO indicateurs.france_services_annuel BY NAME
SELECT structure_id, annee, CAST(sum(demandes) AS INTEGER) AS demandes
FROM staging.france_services__demandes
GROUP BY structure_id, annee;
