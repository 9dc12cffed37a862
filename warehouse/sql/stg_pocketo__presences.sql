-- staging.pocketo__presences: the winning Pocketo rows, typed, pseudonymised, with hours counted.
-- Hours (sources.md §1): departure - arrival when both are given, else the unit's flat hours
-- from ref.heures_forfaitaires (heures_estimees); Absent rows count nothing. Seconds are kept
-- as an integer so that sums are exact; `heures` is DECIMAL.
CREATE OR REPLACE TABLE staging.pocketo__presences (
    structure_id VARCHAR NOT NULL,
    date_presence DATE NOT NULL,
    annee INTEGER NOT NULL,
    enfant_id VARCHAR NOT NULL,
    famille_id VARCHAR,
    age INTEGER,
    tranche_age VARCHAR,
    code_commune VARCHAR NOT NULL,
    dans_territoire BOOLEAN NOT NULL,
    commune_libelle VARCHAR,
    qf DECIMAL(14, 2),
    tranche_qf VARCHAR NOT NULL,
    regime VARCHAR,
    unite VARCHAR NOT NULL,
    heure_arrivee TIME,
    heure_depart TIME,
    presence VARCHAR NOT NULL,
    secondes BIGINT NOT NULL,
    heures DECIMAL(8, 2) NOT NULL,
    heures_estimees BOOLEAN NOT NULL,
    fichier_hash VARCHAR NOT NULL,
    fichier_nom VARCHAR NOT NULL,
    feuille VARCHAR NOT NULL,
    ligne INTEGER NOT NULL
);

-- The bands are looked up once per distinct QF and age of the raw rows, then joined by equality:
-- a range join would compare every row with every band.
INSERT INTO staging.pocketo__presences BY NAME
WITH bandes_qf AS (
    SELECT v.qf, q.tranche_qf
    FROM (SELECT DISTINCT qf FROM raw.pocketo__presences) v
    JOIN ref.tranches_qf q ON v.qf >= q.qf_min_incl AND (q.qf_max_excl IS NULL OR v.qf < q.qf_max_excl)
),
bandes_age AS (
    SELECT v.age, a.tranche_age
    FROM (SELECT DISTINCT age FROM raw.pocketo__presences) v
    JOIN ref.tranches_age a ON v.age >= a.age_min AND (a.age_max IS NULL OR v.age <= a.age_max)
),
gagnants AS (
    SELECT * FROM _classes WHERE rang = 1
),
comptes AS (
    SELECT
        g.*,
        year(g.date_presence) AS annee,
        g.presence = 'present' AND (g.heure_arrivee IS NULL OR g.heure_depart IS NULL) AS estimee,
        CASE
            WHEN g.presence <> 'present' THEN 0
            WHEN g.heure_arrivee IS NULL OR g.heure_depart IS NULL THEN CAST(f.heures * 3600 AS BIGINT)
            ELSE date_diff('second', g.heure_arrivee, g.heure_depart)
        END AS secondes
    FROM gagnants g
    LEFT JOIN ref.heures_forfaitaires f
        ON f.structure_id = g.structure_id AND f.unite = g.unite
        AND year(g.date_presence) BETWEEN f.annee_debut AND coalesce(f.annee_fin, 9999)
)
SELECT
    c.structure_id, c.date_presence, c.annee, c.enfant_id, c.famille_id, c.age, a.tranche_age,
    c.code_commune,
    coalesce(c.code_commune IN (SELECT code_commune FROM ref.communes WHERE membre_cc), false) AS dans_territoire,
    c.commune_libelle, c.qf, coalesce(q.tranche_qf, 'NR') AS tranche_qf,
    c.regime, c.unite, c.heure_arrivee, c.heure_depart, c.presence,
    c.secondes, CAST(heures_de_secondes(c.secondes) AS DECIMAL(8, 2)) AS heures, c.estimee AS heures_estimees,
    c.fichier_hash, c.fichier_nom, c.feuille, c.ligne
FROM comptes c
LEFT JOIN bandes_qf q ON q.qf = c.qf
LEFT JOIN bandes_age a ON a.age = c.age;
