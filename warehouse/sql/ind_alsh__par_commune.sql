-- indicateurs.alsh_par_commune: children and hours by commune of residence (INSEE code,
-- HORS_CC or INCONNUE); each child-year counts once, in its most recent commune.
INSERT INTO indicateurs.alsh_par_commune BY NAME
SELECT structure_id, annee, code_commune,
       count(*) AS enfants_distincts,
       heures_de_secondes(sum(secondes)) AS heures_enfants
FROM staging.alsh__enfants_annee
GROUP BY structure_id, annee, code_commune;
