-- indicateurs.aide_alimentaire_annuel (warehouse.md): one row per structure and civil year.
-- foyers: distinct households (per association); personnes, adultes, enfants: summed over the
-- households, each taken at its largest passage of the year; passages: passages kept;
-- poids_kg: kilograms over the passages with a weight given (NULL when none was).
INSERT INTO indicateurs.aide_alimentaire_annuel BY NAME
SELECT structure_id, annee,
       count(*) AS foyers, sum(personnes) AS personnes, sum(adultes) AS adultes,
       sum(enfants) AS enfants, sum(passages) AS passages, sum(poids_kg) AS poids_kg
FROM staging.aide_alimentaire__foyers_annee
GROUP BY structure_id, annee;
