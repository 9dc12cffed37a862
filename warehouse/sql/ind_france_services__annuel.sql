-- indicateurs.france_services_annuel (warehouse.md): demandes per site and civil year, the sum
-- of the month cells over every operator.
INSERT INTO indicateurs.france_services_annuel BY NAME
SELECT structure_id, annee, CAST(sum(demandes) AS INTEGER) AS demandes
FROM staging.france_services__demandes
GROUP BY structure_id, annee;
