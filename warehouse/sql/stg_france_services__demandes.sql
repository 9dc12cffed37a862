-- staging.france_services__demandes: the winning France Services counts, one per site, year,
-- month and operator (sources.md §2). From a counter workbook, one row per month cell (a blank
-- cell is 0); from a long file, one row per line.
CREATE OR REPLACE TABLE staging.france_services__demandes (
    structure_id VARCHAR NOT NULL,
    annee INTEGER NOT NULL,
    mois INTEGER NOT NULL,
    operateur_id VARCHAR NOT NULL,
    demandes INTEGER NOT NULL,
    fichier_hash VARCHAR NOT NULL,
    fichier_nom VARCHAR NOT NULL,
    feuille VARCHAR NOT NULL,
    ligne INTEGER NOT NULL,
    cellule VARCHAR NOT NULL
);

INSERT INTO staging.france_services__demandes BY NAME
SELECT structure_id, CAST(annee AS INTEGER) AS annee, CAST(mois AS INTEGER) AS mois,
       operateur AS operateur_id, CAST(demandes AS INTEGER) AS demandes,
       fichier_hash, fichier_nom, feuille, ligne, cellule
FROM _classes
WHERE rang = 1;
