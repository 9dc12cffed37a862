-- Layers of the warehouse and the quality tables every source writes into.
CREATE SCHEMA IF NOT EXISTS ref;
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS indicateurs;
CREATE SCHEMA IF NOT EXISTS qualite;

-- The one rounding rule of hours (warehouse/catalogue.yaml, heures_enfants): from exact integer
-- seconds, rounded once, at the end, to the hundredth of an hour, half up. A total is never the
-- sum of rounded figures: it is rounded from the sum of its seconds.
CREATE OR REPLACE MACRO heures_de_secondes(secondes) AS
    CAST(CAST((CAST(secondes AS HUGEINT) * 100 + 1800) // 3600 AS DECIMAL(38, 0)) * 0.01 AS DECIMAL(14, 2));

-- The commune a resident is counted in by the indicator tables: staging keeps the INSEE code of
-- any French commune and whether it is in the territory; indicators group every commune outside
-- the territory as HORS_CC (INCONNUE stays INCONNUE).
CREATE OR REPLACE MACRO commune_indicateur(code_commune, dans_territoire) AS
    CASE WHEN dans_territoire OR code_commune = 'INCONNUE' THEN code_commune ELSE 'HORS_CC' END;

CREATE TABLE IF NOT EXISTS qualite.journal_chargement (
    source VARCHAR NOT NULL,
    fichier_nom VARCHAR NOT NULL,
    fichier_hash VARCHAR NOT NULL,
    modifie_le TIMESTAMP,
    statut VARCHAR NOT NULL,          -- chargé, rejeté, ignoré, doublon de fichier
    motif VARCHAR,
    lignes_lues BIGINT NOT NULL,
    lignes_chargees BIGINT NOT NULL,
    lignes_quarantaine BIGINT NOT NULL,
    lignes_doublons BIGINT NOT NULL,
    lignes_vides_total BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS qualite.quarantaine (
    source VARCHAR NOT NULL,
    fichier_nom VARCHAR NOT NULL,
    fichier_hash VARCHAR NOT NULL,
    feuille VARCHAR,
    ligne INTEGER NOT NULL,
    cellule VARCHAR NOT NULL,         -- '' for a whole line; the cell's column ("D") in a counter
    colonne VARCHAR NOT NULL,
    valeur_brute VARCHAR,             -- NULL when the column is personal
    motif VARCHAR NOT NULL,
    nb_anomalies INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS qualite.avertissements (
    source VARCHAR NOT NULL,
    type VARCHAR NOT NULL,
    fichier_nom VARCHAR,
    feuille VARCHAR,
    ligne INTEGER,
    colonne VARCHAR,
    message VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS qualite.rapprochement (
    source VARCHAR NOT NULL,
    indicateur VARCHAR NOT NULL,
    structure_id VARCHAR,
    annee INTEGER NOT NULL,
    attendu DECIMAL(14, 2) NOT NULL,
    calcule DECIMAL(14, 2),
    ecart DECIMAL(14, 2),
    tolerance DECIMAL(14, 2) NOT NULL,
    statut VARCHAR NOT NULL,          -- ok, écart, sans donnée
    note VARCHAR
);
