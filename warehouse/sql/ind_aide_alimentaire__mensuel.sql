-- indicateurs.aide_alimentaire_mensuel: passages and distinct households per month, for the
-- seasonality of distributions (the Restos du Cœur winter campaign, November to March).
CREATE OR REPLACE TABLE indicateurs.aide_alimentaire_mensuel (
    structure_id VARCHAR NOT NULL,
    annee INTEGER NOT NULL,
    mois INTEGER NOT NULL,
    passages INTEGER NOT NULL,
    foyers INTEGER NOT NULL,
    PRIMARY KEY (structure_id, annee, mois)
);

INSERT INTO indicateurs.aide_alimentaire_mensuel BY NAME
SELECT structure_id, annee, month(date_passage) AS mois,
       count(*) AS passages, count(DISTINCT foyer_id) AS foyers
FROM staging.aide_alimentaire__passages
GROUP BY structure_id, annee, month(date_passage);
