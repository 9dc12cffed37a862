-- indicateurs.ctg_synthese: the synthesis tables of the CTG follow-up, per follow-up (annee,
-- periode) and axe, plus one row 'ensemble' for all axes: number of actions réalisées, partielles,
-- non réalisées and their shares (fraction of nb_actions, 4 decimals), and the objectives
-- assessed (actions whose objective is not assessed are in none of the nb_objectifs_*).
INSERT INTO indicateurs.ctg_synthese BY NAME
WITH comptes AS (
    SELECT annee, convention, periode, coalesce(axe, 'ensemble') AS axe,
           count(*) AS nb_actions,
           count(*) FILTER (WHERE realisation = 'realise') AS nb_realisees,
           count(*) FILTER (WHERE realisation = 'partiel') AS nb_partielles,
           count(*) FILTER (WHERE realisation = 'non_realise') AS nb_non_realisees,
           count(*) FILTER (WHERE objectif = 'atteint') AS nb_objectifs_atteints,
           count(*) FILTER (WHERE objectif = 'partiel') AS nb_objectifs_partiels,
           count(*) FILTER (WHERE objectif = 'non_atteint') AS nb_objectifs_non_atteints
    FROM indicateurs.ctg_suivi
    GROUP BY GROUPING SETS ((annee, convention, periode, axe), (annee, convention, periode))
)
SELECT c.*, coalesce(x.libelle, 'Ensemble des axes') AS libelle_axe,
       CAST(c.nb_realisees / c.nb_actions AS DECIMAL(5, 4)) AS part_realisees,
       CAST(c.nb_partielles / c.nb_actions AS DECIMAL(5, 4)) AS part_partielles,
       CAST(c.nb_non_realisees / c.nb_actions AS DECIMAL(5, 4)) AS part_non_realisees
FROM comptes c
LEFT JOIN ref.ctg_axes x USING (convention, axe);
