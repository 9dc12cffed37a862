-- indicateurs.alsh_annuel (warehouse.md): one row per structure and civil year.
-- heures_enfants: hours counted over Présent rows; enfants_distincts: pseudonymised children with
-- a Présent row; jours_ouverture: dates with a Présent row; places and daily opening hours: ref;
-- taux_occupation in % (hours × 100 / hours offered), like every rate of the warehouse.
INSERT INTO indicateurs.alsh_annuel BY NAME
WITH annuel AS (
    SELECT structure_id, annee, sum(secondes) AS secondes,
           count(DISTINCT enfant_id) AS enfants_distincts,
           count(DISTINCT date_presence) AS jours_ouverture
    FROM staging.pocketo__presences
    WHERE presence = 'present'
    GROUP BY structure_id, annee
)
SELECT a.structure_id, a.annee,
       heures_de_secondes(a.secondes) AS heures_enfants,
       a.enfants_distincts, a.jours_ouverture, c.places,
       CAST(a.secondes / 36 / (c.places * a.jours_ouverture * c.heures_ouverture_jour)
            AS DECIMAL(7, 2)) AS taux_occupation
FROM annuel a
LEFT JOIN ref.structures_capacite c USING (structure_id, annee);
