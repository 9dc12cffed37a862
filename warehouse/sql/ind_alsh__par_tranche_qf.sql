-- indicateurs.alsh_par_tranche_qf: children and hours by QF band (T1..T4, NR); each child-year
-- counts once, in the band of its most recent QF that year.
INSERT INTO indicateurs.alsh_par_tranche_qf BY NAME
SELECT structure_id, annee, tranche_qf,
       count(*) AS enfants_distincts,
       CAST(sum(secondes) / 3600 AS DECIMAL(14, 2)) AS heures_enfants
FROM staging.alsh__enfants_annee
GROUP BY structure_id, annee, tranche_qf;
