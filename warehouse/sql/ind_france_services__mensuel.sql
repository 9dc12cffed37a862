-- indicateurs.france_services_mensuel (warehouse.md): demandes per site, civil year, month and
-- operator, as the counters' month cells give them (a file's own totals are never used).
INSERT INTO indicateurs.france_services_mensuel BY NAME
SELECT structure_id, annee, mois, operateur_id, CAST(sum(demandes) AS INTEGER) AS demandes
FROM staging.france_services__demandes
GROUP BY structure_id, annee, mois, operateur_id;
