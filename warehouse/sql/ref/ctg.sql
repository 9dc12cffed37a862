-- Reference inputs of the follow-up of the Convention Territoriale Globale (CTG) with the CAF
-- (docs/petite_enfance_ctg.md). Keys and codes are checked by the pandera schemas of
-- schemas/ctg.py (blocking checks of assets/petite_enfance.py).
CREATE OR REPLACE TABLE ref.ctg_nomenclature (variable VARCHAR, code VARCHAR, libelle VARCHAR);
CREATE OR REPLACE TABLE ref.ctg_axes (convention VARCHAR, axe VARCHAR, libelle VARCHAR);
CREATE OR REPLACE TABLE ref.ctg_actions (
    convention VARCHAR, axe VARCHAR, code_action VARCHAR, libelle VARCHAR
);
-- One row per action and follow-up: annee is the last year of the period assessed (periode,
-- '2019-2022' for the bilan of the first convention, 'YYYY' for a yearly follow-up).
CREATE OR REPLACE TABLE ref.ctg_suivi (
    convention VARCHAR, annee INTEGER, periode VARCHAR, code_action VARCHAR, realisation VARCHAR,
    objectif VARCHAR, source_statut VARCHAR, remarque VARCHAR
);
