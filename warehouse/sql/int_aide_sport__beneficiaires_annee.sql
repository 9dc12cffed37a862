-- One row per person aided and civil year: the aids and their total, and the commune, age band
-- and QF band the person is counted in (those of the person's latest aid that year; for the QF
-- band, the latest aid with a band). Breakdowns built on it add up to aide_sport_annuel.
CREATE OR REPLACE VIEW staging.aide_sport__beneficiaires_annee AS
SELECT annee, personne_id,
       count(*) AS aides,
       sum(montant) AS montant_total,
       first(commune_indicateur(code_commune, dans_territoire) ORDER BY date_attribution DESC, fichier_nom DESC, ligne DESC) AS code_commune,
       first(tranche_age ORDER BY date_attribution DESC, fichier_nom DESC, ligne DESC) AS tranche_age,
       coalesce(
           first(tranche_qf ORDER BY date_attribution DESC, fichier_nom DESC, ligne DESC)
               FILTER (WHERE tranche_qf <> 'NR'),
           'NR') AS tranche_qf
FROM staging.aide_sport__aides
GROUP BY annee, personne_id;
