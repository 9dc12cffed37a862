-- indicateurs.aide_alimentaire_par_commune: households and persons by commune of residence
-- (INSEE code, HORS_CC or INCONNUE); each household-year counts once, in the commune of
-- staging.aide_alimentaire__foyers_annee, so the rows add up to indicateurs.aide_alimentaire_annuel.
INSERT INTO indicateurs.aide_alimentaire_par_commune BY NAME
SELECT structure_id, annee, code_commune, count(*) AS foyers, sum(personnes) AS personnes
FROM staging.aide_alimentaire__foyers_annee
GROUP BY structure_id, annee, code_commune;
