-- One row per child, structure and year, with the commune and QF band the child is counted in:
-- those of the child's most recent Présent row that year (for the band, the most recent row
-- with a QF; NR when none). Breakdowns built on it add up to indicateurs.alsh_annuel.
CREATE OR REPLACE VIEW staging.alsh__enfants_annee AS
SELECT structure_id, annee, enfant_id,
       sum(secondes) AS secondes,
       first(commune_indicateur(code_commune, dans_territoire) ORDER BY date_presence DESC, fichier_nom DESC, ligne DESC) AS code_commune,
       coalesce(
           first(tranche_qf ORDER BY date_presence DESC, fichier_nom DESC, ligne DESC)
               FILTER (WHERE qf IS NOT NULL),
           'NR') AS tranche_qf
FROM staging.pocketo__presences
WHERE presence = 'present'
GROUP BY structure_id, annee, enfant_id;
