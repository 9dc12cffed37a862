-- indicateurs.alsh_par_tranche_qf: children and hours by QF band (T1..T4, NR); each child-year
-- counts once, in the band of its most recent QF that year.
INSERT INTO indicateurs.alsh_par_tranche_qf BY NAME
SELECT structure_id, annee, tranche_qf,
       count(*) AS enfants_distincts,
       heures_de_secondes(sum(secondes)) AS heures_enfants
FROM staging.alsh__enfants_annee
GROUP BY structure_id, annee, tranche_qf;
