-- Reference table of France Services: the operators (partners) a demande is counted for.
-- The labels found in the counters resolve to these ids through the `operateur` category of
-- sources/specs/france_services.yaml.
CREATE OR REPLACE TABLE ref.operateurs (
    operateur_id VARCHAR PRIMARY KEY, libelle VARCHAR NOT NULL, note VARCHAR
);
