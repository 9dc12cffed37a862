-- indicateurs.alsh_par_tranche_qf: children and hours by QF band (T1..T4, NR); each child-year
-- counts once, in the band of its most recent QF that year.
CREATE OR REPLACE TABLE indicateurs.alsh_par_tranche_qf (
    structure_id VARCHAR NOT NULL,
    annee INTEGER NOT NULL,
    tranche_qf VARCHAR NOT NULL,
    enfants_distincts INTEGER NOT NULL,
    heures_enfants DECIMAL(14, 2) NOT NULL,
    PRIMARY KEY (structure_id, annee, tranche_qf)
);

INSERT INTO indicateurs.alsh_par_tranche_qf BY NAME
SELECT structure_id, annee, tranche_qf,
       count(*) AS enfants_distincts,
       CAST(sum(secondes) / 3600 AS DECIMAL(14, 2)) AS heures_enfants
FROM staging.alsh__enfants_annee
GROUP BY structure_id, annee, tranche_qf;
