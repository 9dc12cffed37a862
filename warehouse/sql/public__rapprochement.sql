-- public.rapprochement: the rows of qualite.rapprochement; warehouse/secrecy.py then hides the
-- computed value and the gap of a figure whose public cells are masked (secret = TRUE).
CREATE OR REPLACE TABLE public.rapprochement (
    source VARCHAR NOT NULL,
    indicateur VARCHAR NOT NULL,
    structure_id VARCHAR,
    annee INTEGER NOT NULL,
    attendu DECIMAL(14, 2) NOT NULL,
    calcule DECIMAL(14, 2),
    ecart DECIMAL(14, 2),
    tolerance DECIMAL(14, 2) NOT NULL,
    statut VARCHAR NOT NULL,
    note VARCHAR,
    secret BOOLEAN NOT NULL
);

INSERT INTO public.rapprochement BY NAME
SELECT source, indicateur, structure_id, annee, attendu, calcule, ecart, tolerance, statut, note,
       FALSE AS secret
FROM qualite.rapprochement;
