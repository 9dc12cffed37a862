-- indicateurs.petite_enfance_couverture (warehouse.md): the coverage rate of childcare for
-- under-3s, CNAF definition: places on 31 December (micro-crèche, childminders actually working at
-- home, MAM, 2-year-olds in pre-school) per 100 children under 3. One row per member commune
-- (code_geo = INSEE code: places located in the commune, children living there) and one for the
-- CC (code_geo = EPCI SIREN: the sum of its communes), for every year of ref.petite_enfance_offre.
INSERT INTO indicateurs.petite_enfance_couverture BY NAME
WITH offre AS (
    SELECT annee, code_commune,
           sum(nb_places) FILTER (WHERE type_accueil = 'micro_creche') AS places_micro_creche,
           sum(nb_places) FILTER (WHERE type_accueil = 'assistantes_maternelles')
               AS places_assistantes_maternelles,
           sum(nb_places) FILTER (WHERE type_accueil = 'mam') AS places_mam,
           sum(nb_places) FILTER (WHERE type_accueil = 'prescolarisation') AS places_prescolarisation,
           sum(nb_places) AS places_total,
           sum(nb_professionnels) FILTER (WHERE type_accueil IN ('assistantes_maternelles', 'mam'))
               AS nb_assistantes_maternelles
    FROM ref.petite_enfance_offre
    GROUP BY annee, code_commune
),
communes AS (
    SELECT m.annee, m.code_commune AS code_geo, 'commune' AS niveau_geo,
           coalesce(o.places_micro_creche, 0) AS places_micro_creche,
           coalesce(o.places_assistantes_maternelles, 0) AS places_assistantes_maternelles,
           coalesce(o.places_mam, 0) AS places_mam,
           coalesce(o.places_prescolarisation, 0) AS places_prescolarisation,
           coalesce(o.places_total, 0) AS places_total,
           coalesce(o.nb_assistantes_maternelles, 0) AS nb_assistantes_maternelles,
           m.enfants_moins_3_ans, m.nature_chiffre AS nature_moins_3_ans,
           m.source AS source_moins_3_ans
    FROM staging.petite_enfance__moins_3_ans m
    LEFT JOIN offre o USING (annee, code_commune)
),
epci AS (
    SELECT c.annee, r.epci_siren AS code_geo, 'epci' AS niveau_geo,
           sum(c.places_micro_creche) AS places_micro_creche,
           sum(c.places_assistantes_maternelles) AS places_assistantes_maternelles,
           sum(c.places_mam) AS places_mam,
           sum(c.places_prescolarisation) AS places_prescolarisation,
           sum(c.places_total) AS places_total,
           sum(c.nb_assistantes_maternelles) AS nb_assistantes_maternelles,
           -- a commune without a figure leaves the CC without one, rather than undercounting
           CASE WHEN count(c.enfants_moins_3_ans) = count(*) THEN sum(c.enfants_moins_3_ans) END
               AS enfants_moins_3_ans,
           CASE WHEN count(DISTINCT c.nature_moins_3_ans) = 1
                     AND count(c.nature_moins_3_ans) = count(*) THEN min(c.nature_moins_3_ans)
                ELSE 'mixte' END AS nature_moins_3_ans,
           CASE WHEN count(DISTINCT c.source_moins_3_ans) = 1 THEN min(c.source_moins_3_ans)
                ELSE 'somme des communes, de sources différentes : voir les lignes par commune'
           END AS source_moins_3_ans
    FROM communes c
    JOIN ref.communes r ON r.code_commune = c.code_geo
    GROUP BY c.annee, r.epci_siren
)
SELECT *,
       CASE WHEN enfants_moins_3_ans > 0
            THEN CAST(100 * places_total / enfants_moins_3_ans AS DECIMAL(7, 2)) END AS taux_couverture
FROM (SELECT * FROM communes UNION ALL BY NAME SELECT * FROM epci);
