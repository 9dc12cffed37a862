-- indicateurs.france_services_mensuel (warehouse.md): demandes per site, civil year, month and
-- operator, as the counters' month cells give them (a file's own totals are never used).
CREATE OR REPLACE TABLE indicateurs.france_services_mensuel (
    structure_id VARCHAR NOT NULL,
    annee INTEGER NOT NULL,
    mois INTEGER NOT NULL,
    operateur_id VARCHAR NOT NULL,
    demandes INTEGER NOT NULL,
    PRIMARY KEY (structure_id, annee, mois, operateur_id)
);

INSERT INTO indicateurs.france_services_mensuel BY NAME
SELECT structure_id, annee, mois, operateur_id, CAST(sum(demandes) AS INTEGER) AS demandes
FROM staging.france_services__demandes
GROUP BY structure_id, annee, mois, operateur_id;
