-- indicateurs.aide_alimentaire_mensuel: passages and distinct households per month, for the
-- seasonality of distributions (the Restos du Cœur winter campaign, November to March).
INSERT INTO indicateurs.aide_alimentaire_mensuel BY NAME
SELECT structure_id, annee, month(date_passage) AS mois,
       count(*) AS passages, count(DISTINCT foyer_id) AS foyers
FROM staging.aide_alimentaire__passages
GROUP BY structure_id, annee, month(date_passage);
