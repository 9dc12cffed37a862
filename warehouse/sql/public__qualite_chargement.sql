-- public.qualite_chargement: the load log of qualite.journal_chargement per source, without file
-- names: files loaded, rejected, ignored, byte-identical copies, and the rows of the loaded files
-- (lignes_lues = lignes_chargees + lignes_quarantaine + lignes_doublons + lignes_vides_total).
CREATE OR REPLACE TABLE public.qualite_chargement (
    source VARCHAR NOT NULL PRIMARY KEY,
    fichiers_lus BIGINT NOT NULL,
    fichiers_rejetes BIGINT NOT NULL,
    fichiers_ignores BIGINT NOT NULL,
    fichiers_doublons BIGINT NOT NULL,
    lignes_lues BIGINT NOT NULL,
    lignes_chargees BIGINT NOT NULL,
    lignes_quarantaine BIGINT NOT NULL,
    lignes_doublons BIGINT NOT NULL,
    lignes_vides_total BIGINT NOT NULL
);

INSERT INTO public.qualite_chargement BY NAME
SELECT source,
       count(*) FILTER (WHERE statut = 'chargé') AS fichiers_lus,
       count(*) FILTER (WHERE statut = 'rejeté') AS fichiers_rejetes,
       count(*) FILTER (WHERE statut = 'ignoré') AS fichiers_ignores,
       count(*) FILTER (WHERE statut = 'doublon de fichier') AS fichiers_doublons,
       sum(lignes_lues) AS lignes_lues, sum(lignes_chargees) AS lignes_chargees,
       sum(lignes_quarantaine) AS lignes_quarantaine, sum(lignes_doublons) AS lignes_doublons,
       sum(lignes_vides_total) AS lignes_vides_total
FROM qualite.journal_chargement
GROUP BY source;
