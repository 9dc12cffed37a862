-- indicateurs.ctg_suivi (warehouse.md): the status of each action of the Convention Territoriale
-- Globale at each follow-up. annee is the last year of the period assessed: the 2019-2022 bilan
-- is annee 2022, periode '2019-2022'; a yearly follow-up is annee = periode = that year.
-- source_statut says whether the status is written in the bilan, deduced or contradictory.
INSERT INTO indicateurs.ctg_suivi BY NAME
SELECT s.annee, s.code_action, s.convention, s.periode, a.axe, a.libelle, s.realisation,
       s.objectif, s.remarque, s.source_statut
FROM ref.ctg_suivi s
JOIN ref.ctg_actions a USING (convention, code_action);
