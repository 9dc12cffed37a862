-- indicateurs.aide_sport_par_tranche_age: persons aided and euros by age band at the date of
-- the aid (ref.aide_sport_tranches_age); each person-year counts once, in the band of its
-- latest aid that year.
CREATE OR REPLACE TABLE indicateurs.aide_sport_par_tranche_age (
    annee INTEGER NOT NULL,
    tranche_age VARCHAR NOT NULL,
    beneficiaires INTEGER NOT NULL,
    montant_total DECIMAL(14, 2) NOT NULL,
    PRIMARY KEY (annee, tranche_age)
);

INSERT INTO indicateurs.aide_sport_par_tranche_age BY NAME
SELECT annee, tranche_age, count(*) AS beneficiaires, sum(montant_total) AS montant_total
FROM staging.aide_sport__beneficiaires_annee
GROUP BY annee, tranche_age;
