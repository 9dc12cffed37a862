-- indicateurs.alsh_par_commune: children and hours by commune of residence (INSEE code,
-- HORS_CC or INCONNUE); each child-year counts once, in its most recent commune.
CREATE OR REPLACE TABLE indicateurs.alsh_par_commune (
    structure_id VARCHAR NOT NULL,
    annee INTEGER NOT NULL,
    code_commune VARCHAR NOT NULL,
    enfants_distincts INTEGER NOT NULL,
    heures_enfants DECIMAL(14, 2) NOT NULL,
    PRIMARY KEY (structure_id, annee, code_commune)
);

INSERT INTO indicateurs.alsh_par_commune BY NAME
SELECT structure_id, annee, code_commune,
       count(*) AS enfants_distincts,
       CAST(sum(secondes) / 3600 AS DECIMAL(14, 2)) AS heures_enfants
FROM staging.alsh__enfants_annee
GROUP BY structure_id, annee, code_commune;
