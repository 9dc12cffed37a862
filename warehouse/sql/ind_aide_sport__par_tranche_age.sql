-- indicateurs.aide_sport_par_tranche_age: persons aided and euros by age band at the date of
-- the aid (ref.aide_sport_tranches_age); each person-year counts once, in the band of its
-- latest aid that year.
INSERT INTO indicateurs.aide_sport_par_tranche_age BY NAME
SELECT annee, tranche_age, count(*) AS beneficiaires, sum(montant_total) AS montant_total
FROM staging.aide_sport__beneficiaires_annee
GROUP BY annee, tranche_age;
