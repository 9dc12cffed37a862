-- indicateurs.aide_alimentaire_par_commune: households and persons by commune of residence
-- (INSEE code, HORS_CC or INCONNUE); each household-year counts once, in the commune of
-- staging.aide_alimentaire__foyers_annee, so the rows add up to indicateurs.aide_alimentaire_annuel.
CREATE OR REPLACE TABLE indicateurs.aide_alimentaire_par_commune (
    structure_id VARCHAR NOT NULL,
    annee INTEGER NOT NULL,
    code_commune VARCHAR NOT NULL,
    foyers INTEGER NOT NULL,
    personnes INTEGER NOT NULL,
    PRIMARY KEY (structure_id, annee, code_commune)
);

INSERT INTO indicateurs.aide_alimentaire_par_commune BY NAME
SELECT structure_id, annee, code_commune, count(*) AS foyers, sum(personnes) AS personnes
FROM staging.aide_alimentaire__foyers_annee
GROUP BY structure_id, annee, code_commune;
