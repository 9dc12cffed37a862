-- indicateurs.aide_sport_par_tranche_qf: persons aided and euros by QF band of the rule in force
-- (ref.aide_sport_regles: 0-499, 500-799, 800+; NR when no QF was given); each person-year
-- counts once, in the band of its latest aid with a QF that year.
INSERT INTO indicateurs.aide_sport_par_tranche_qf BY NAME
SELECT annee, tranche_qf, count(*) AS beneficiaires, sum(montant_total) AS montant_total
FROM staging.aide_sport__beneficiaires_annee
GROUP BY annee, tranche_qf;
