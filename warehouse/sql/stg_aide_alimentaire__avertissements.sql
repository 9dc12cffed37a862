-- Warnings on kept food-aid passages (qualite.avertissements):
-- * an orientation label missing from ref.aide_alimentaire_orientations_alias, once per file and
--   label (at its first line): the passages are counted as `autre`; add the alias to classify them;
-- * a weight above 100 kg for one passage, kept as given (often a day's total typed on one line).
SELECT 'orientation non reconnue' AS type, fichier_nom, feuille, min(ligne) AS ligne,
       'Orienté par' AS colonne,
       'orienteur absent de la liste de référence, compté en « autre » : ' || orientation_non_reconnue
           || ' (' || count(*) || ' passage(s) de ce fichier, première ligne ' || min(ligne) || ')'
           AS message
FROM staging.aide_alimentaire__passages
WHERE orientation_non_reconnue IS NOT NULL
GROUP BY fichier_nom, feuille, orientation_non_reconnue
UNION ALL
SELECT 'poids inhabituel' AS type, fichier_nom, feuille, ligne, 'Poids (kg)' AS colonne,
       'poids de ' || poids_kg || ' kg pour un seul passage : à vérifier (gardé tel quel)' AS message
FROM staging.aide_alimentaire__passages
WHERE poids_kg > 100
