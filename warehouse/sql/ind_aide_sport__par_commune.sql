-- indicateurs.aide_sport_par_commune (warehouse.md): persons aided and euros by commune of
-- residence (INSEE code, HORS_CC or INCONNUE); each person-year counts once, in the commune of
-- its latest aid that year.
INSERT INTO indicateurs.aide_sport_par_commune BY NAME
SELECT annee, code_commune, count(*) AS beneficiaires, sum(montant_total) AS montant_total
FROM staging.aide_sport__beneficiaires_annee
GROUP BY annee, code_commune;
