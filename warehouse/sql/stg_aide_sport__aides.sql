-- staging.aide_sport__aides: the winning aid rows, typed and pseudonymised, with the QF band and
-- the amount allowed by the rule in force in the aid's civil year (ref.aide_sport_regles):
-- least(taux × coût de la licence, plafond) when eligible (the cap alone when the cost is not
-- given), 0 when not eligible, NULL when the QF is not given or no rule covers the year (band NR).
-- An aid above the amount allowed stays here: it is a warning (avert_aide_sport__regles.sql).
CREATE OR REPLACE TABLE staging.aide_sport__aides (
    date_attribution DATE NOT NULL,
    annee INTEGER NOT NULL,
    personne_id VARCHAR NOT NULL,
    famille_id VARCHAR,
    age INTEGER NOT NULL,
    tranche_age VARCHAR NOT NULL,
    sexe VARCHAR,
    code_commune VARCHAR NOT NULL,
    dans_territoire BOOLEAN NOT NULL,
    commune_libelle VARCHAR,
    qf DECIMAL(14, 2),
    tranche_qf VARCHAR NOT NULL,
    club VARCHAR,
    discipline VARCHAR,
    cout_licence DECIMAL(14, 2),
    montant DECIMAL(14, 2) NOT NULL,
    montant_autorise DECIMAL(14, 2),
    fichier_hash VARCHAR NOT NULL,
    fichier_nom VARCHAR NOT NULL,
    feuille VARCHAR NOT NULL,
    ligne INTEGER NOT NULL
);

-- The rule and the bands are looked up once per distinct (year, QF) and age, then joined by
-- equality: a range join would compare every aid with every rule.
INSERT INTO staging.aide_sport__aides BY NAME
WITH gagnants AS (
    SELECT * FROM _classes WHERE rang = 1
),
regles AS (
    SELECT v.annee, v.qf, r.tranche_qf, r.eligible, r.taux, r.plafond
    FROM (SELECT DISTINCT year(date_attribution) AS annee, qf FROM gagnants) v
    JOIN ref.aide_sport_regles r
        ON v.annee BETWEEN r.annee_debut AND coalesce(r.annee_fin, 9999)
        AND v.qf >= r.qf_min_incl AND (r.qf_max_excl IS NULL OR v.qf < r.qf_max_excl)
),
bandes_age AS (
    SELECT v.age, a.tranche_age
    FROM (SELECT DISTINCT age FROM gagnants) v
    JOIN ref.aide_sport_tranches_age a ON v.age >= a.age_min AND (a.age_max IS NULL OR v.age <= a.age_max)
)
SELECT
    g.date_attribution, year(g.date_attribution) AS annee, g.personne_id, g.famille_id,
    g.age, a.tranche_age, g.sexe, g.code_commune,
    coalesce(g.code_commune IN (SELECT code_commune FROM ref.communes WHERE membre_cc), false) AS dans_territoire,
    g.commune_libelle, g.qf,
    coalesce(r.tranche_qf, 'NR') AS tranche_qf, g.club, g.discipline, g.cout_licence, g.montant,
    CASE
        WHEN NOT r.eligible THEN 0
        ELSE least(coalesce(r.taux * g.cout_licence, r.plafond), r.plafond)
    END AS montant_autorise,
    g.fichier_hash, g.fichier_nom, g.feuille, g.ligne
FROM gagnants g
LEFT JOIN regles r ON r.annee = year(g.date_attribution) AND r.qf = g.qf
LEFT JOIN bandes_age a ON a.age = g.age;
