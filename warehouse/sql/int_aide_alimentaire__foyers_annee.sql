-- One row per household, structure and year (sources.md §3: a household counts once per
-- structure and year). Its size is its largest adults + children seen that year; adultes and
-- enfants are those of that largest passage (the most recent one when several tie), so that
-- personnes = adultes + enfants. Its commune is that of its most recent passage with a commune
-- given (a blank commune on a later passage is a missing value, not a move); INCONNUE when none.
CREATE OR REPLACE VIEW staging.aide_alimentaire__foyers_annee AS
SELECT structure_id, annee, foyer_id,
       max(personnes) AS personnes,
       first(nb_adultes ORDER BY personnes DESC, date_passage DESC) AS adultes,
       first(nb_enfants ORDER BY personnes DESC, date_passage DESC) AS enfants,
       coalesce(
           first(commune_indicateur(code_commune, dans_territoire) ORDER BY date_passage DESC) FILTER (WHERE code_commune <> 'INCONNUE'),
           'INCONNUE') AS code_commune,
       count(*) AS passages,
       sum(poids_kg) AS poids_kg
FROM staging.aide_alimentaire__passages
GROUP BY structure_id, annee, foyer_id;
