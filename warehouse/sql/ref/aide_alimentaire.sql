-- Reference tables of food aid: orientation categories and the labels that map to them
-- (compared after folding case, accents and punctuation; see stg_aide_alimentaire__passages.sql).
CREATE OR REPLACE TABLE ref.aide_alimentaire_orientations (
    orientation VARCHAR PRIMARY KEY, libelle VARCHAR NOT NULL
);
CREATE OR REPLACE TABLE ref.aide_alimentaire_orientations_alias (
    alias VARCHAR NOT NULL, orientation VARCHAR NOT NULL
);
