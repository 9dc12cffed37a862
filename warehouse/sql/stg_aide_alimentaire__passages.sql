-- staging.aide_alimentaire__passages: the winning food-aid passages, typed and pseudonymised.
-- foyer_id: HMAC of (structure, household number), so the same number at two associations is two
-- households. A blank Nb enfants counts as none. Orientation: the free-text label mapped through
-- ref.aide_alimentaire_orientations_alias (case, accents and punctuation folded); a label not in
-- that list is counted as `autre` and kept as written in orientation_non_reconnue (a warning
-- names its file and line); a blank label stays NULL.
CREATE OR REPLACE TEMP MACRO aide_alimentaire_pli(texte) AS
    trim(regexp_replace(lower(strip_accents(texte)), '[^0-9a-z]+', ' ', 'g'));

CREATE OR REPLACE TABLE staging.aide_alimentaire__passages (
    structure_id VARCHAR NOT NULL,
    date_passage DATE NOT NULL,
    annee INTEGER NOT NULL,
    foyer_id VARCHAR NOT NULL,
    code_commune VARCHAR NOT NULL,
    dans_territoire BOOLEAN NOT NULL,
    commune_libelle VARCHAR,
    composition VARCHAR,
    nb_adultes INTEGER NOT NULL,
    nb_enfants INTEGER NOT NULL,
    personnes INTEGER NOT NULL,
    orientation VARCHAR,
    orientation_non_reconnue VARCHAR,
    poids_kg DECIMAL(14, 2),
    fichier_hash VARCHAR NOT NULL,
    fichier_nom VARCHAR NOT NULL,
    feuille VARCHAR NOT NULL,
    ligne INTEGER NOT NULL
);

INSERT INTO staging.aide_alimentaire__passages BY NAME
WITH orientations AS (
    SELECT aide_alimentaire_pli(alias) AS cle, orientation FROM ref.aide_alimentaire_orientations_alias
)
SELECT
    g.structure_id, g.date_passage, year(g.date_passage) AS annee, g.foyer_id,
    g.code_commune,
    coalesce(g.code_commune IN (SELECT code_commune FROM ref.communes WHERE membre_cc), false) AS dans_territoire,
    g.commune_libelle, g.composition,
    g.nb_adultes, coalesce(g.nb_enfants, 0) AS nb_enfants,
    g.nb_adultes + coalesce(g.nb_enfants, 0) AS personnes,
    CASE WHEN g.orientation IS NOT NULL THEN coalesce(o.orientation, 'autre') END AS orientation,
    CASE WHEN g.orientation IS NOT NULL AND o.orientation IS NULL THEN g.orientation END
        AS orientation_non_reconnue,
    g.poids_kg,
    g.fichier_hash, g.fichier_nom, g.feuille, g.ligne
FROM _classes g
LEFT JOIN orientations o ON o.cle = aide_alimentaire_pli(g.orientation)
WHERE g.rang = 1;
