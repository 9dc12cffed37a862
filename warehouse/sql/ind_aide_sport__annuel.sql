-- indicateurs.aide_sport_annuel (warehouse.md): one row per civil year of attribution.
-- beneficiaires: distinct pseudonymised persons aided that year; aides: aids granted (a person
-- aided twice counts once in beneficiaires, twice here); montant_total: euros granted.
INSERT INTO indicateurs.aide_sport_annuel BY NAME
SELECT annee, count(*) AS beneficiaires, sum(aides) AS aides, sum(montant_total) AS montant_total
FROM staging.aide_sport__beneficiaires_annee
GROUP BY annee;
