-- staging.petite_enfance__moins_3_ans: children under 3 per member commune, for every year of
-- ref.petite_enfance_offre. The figure of ref.population_moins_3_ans when there is one; otherwise
-- an estimate: municipal population of the latest vintage up to that year (ref.communes_population)
-- × the share of under-3s in force that year (ref.petite_enfance_part_moins_3_ans), rounded.
-- NULL, with a source saying why, when neither exists. Provenance: the reference files (and their
-- ref tables) the row is computed from: for a census figure read from INSEE's own file dropped in
-- the reference folder (source 'INSEE, <file>', warehouse/insee.py), that file.
INSERT INTO staging.petite_enfance__moins_3_ans BY NAME
WITH communes_annees AS (
    SELECT c.code_commune, o.annee
    FROM ref.communes c CROSS JOIN (SELECT DISTINCT annee FROM ref.petite_enfance_offre) o
    WHERE c.membre_cc
),
millesimes AS (
    SELECT ca.code_commune, ca.annee, max(p.annee) AS millesime_population
    FROM communes_annees ca
    JOIN ref.communes_population p ON p.code_commune = ca.code_commune AND p.annee <= ca.annee
    GROUP BY ca.code_commune, ca.annee
),
estimations AS (
    SELECT ca.code_commune, ca.annee, m.millesime_population, p.population_municipale,
           t.part_moins_3_ans,
           CAST(round(p.population_municipale * t.part_moins_3_ans) AS INTEGER) AS enfants_estimes,
           'estimation : population municipale ' || m.millesime_population
               || ' (ref.communes_population) × '
               || replace(CAST(CAST(t.part_moins_3_ans * 100 AS DECIMAL(5, 2)) AS VARCHAR), '.', ',')
               || ' % de moins de 3 ans (part de petite_enfance_part_moins_3_ans.csv, nature : '
               || t.nature_chiffre || ')' AS source_estimation
    FROM communes_annees ca
    LEFT JOIN millesimes m USING (code_commune, annee)
    LEFT JOIN ref.communes_population p
        ON p.code_commune = ca.code_commune AND p.annee = m.millesime_population
    LEFT JOIN ref.petite_enfance_part_moins_3_ans t
        ON ca.annee >= t.annee_debut AND (t.annee_fin IS NULL OR ca.annee <= t.annee_fin)
)
SELECT e.code_commune, e.annee,
       coalesce(s.enfants_moins_3_ans, e.enfants_estimes) AS enfants_moins_3_ans,
       CASE WHEN s.enfants_moins_3_ans IS NOT NULL THEN s.nature_chiffre
            WHEN e.enfants_estimes IS NOT NULL THEN 'estimation' END AS nature_chiffre,
       CASE WHEN s.enfants_moins_3_ans IS NOT NULL THEN s.source
            WHEN e.enfants_estimes IS NOT NULL THEN e.source_estimation
            ELSE 'aucun chiffre : ni ligne dans population_moins_3_ans.csv, ni population municipale '
                 || 'et part des moins de 3 ans pour cette année' END AS source,
       CASE WHEN s.enfants_moins_3_ans IS NULL THEN e.millesime_population END AS millesime_population,
       CASE WHEN s.enfants_moins_3_ans IS NULL THEN e.population_municipale END AS population_municipale,
       CASE WHEN s.enfants_moins_3_ans IS NULL THEN e.part_moins_3_ans END AS part_moins_3_ans,
       CASE WHEN s.source LIKE 'INSEE, base-ic-evol-struct-pop-%' AND s.nature_chiffre = 'recensement'
                THEN substr(s.source, length('INSEE, ') + 1)  -- the INSEE file (warehouse/insee.py)
            WHEN s.enfants_moins_3_ans IS NOT NULL THEN 'population_moins_3_ans.csv'
            WHEN e.enfants_estimes IS NOT NULL
                THEN 'communes_population.csv, petite_enfance_part_moins_3_ans.csv'
            ELSE 'communes.csv, petite_enfance_offre.csv' END AS fichier_nom,
       CASE WHEN s.enfants_moins_3_ans IS NOT NULL THEN 'ref.population_moins_3_ans'
            WHEN e.enfants_estimes IS NOT NULL
                THEN 'ref.communes_population, ref.petite_enfance_part_moins_3_ans'
            ELSE 'ref.communes, ref.petite_enfance_offre' END AS table_ref
FROM estimations e
LEFT JOIN ref.population_moins_3_ans s USING (code_commune, annee);
