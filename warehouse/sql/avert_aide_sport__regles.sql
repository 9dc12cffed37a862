-- Warnings on kept aids (sources.md §4); the rows stay in staging and in the indicators.
-- plafond: an aid above the amount allowed by the rule in force that year (QF band, rate, cap);
-- deuxième aide: the same person aided again in the same civil year (the earlier aid is named);
-- plafond non vérifiable: no QF given, or no rule known for the year.
WITH regles AS (
    SELECT *, CAST(annee_debut AS VARCHAR) || coalesce('-' || annee_fin, ' et après') AS periode
    FROM ref.aide_sport_regles
),
rangs AS (
    SELECT *, row_number() OVER personne AS rang,
           first_value(fichier_nom) OVER personne AS premier_fichier,
           first_value(ligne) OVER personne AS premiere_ligne
    FROM staging.aide_sport__aides
    WINDOW personne AS (PARTITION BY personne_id, annee
                        ORDER BY date_attribution, fichier_nom, feuille, ligne)
)
SELECT 'plafond' AS type, s.fichier_nom, s.feuille, s.ligne, 'Montant aide' AS colonne,
       'aide de ' || replace(CAST(s.montant AS VARCHAR), '.', ',') || ' € au-dessus du montant autorisé ('
       || replace(CAST(s.montant_autorise AS VARCHAR), '.', ',') || ' €) par la règle ' || r.periode
       || ' : ' || r.libelle AS message
FROM staging.aide_sport__aides s
JOIN regles r ON s.tranche_qf = r.tranche_qf AND s.annee BETWEEN r.annee_debut AND coalesce(r.annee_fin, 9999)
WHERE s.montant > s.montant_autorise
UNION ALL
SELECT 'deuxième aide', fichier_nom, feuille, ligne, NULL,
       'deuxième aide en ' || annee || ' pour la même personne (déjà aidée : ' || premier_fichier
       || ' ligne ' || premiere_ligne || ')'
FROM rangs
WHERE rang > 1
UNION ALL
SELECT 'plafond non vérifiable', fichier_nom, feuille, ligne, 'QF',
       CASE WHEN qf IS NULL THEN 'QF non renseigné : le plafond de l''aide ne peut pas être vérifié'
            ELSE 'aucune règle d''attribution connue pour ' || annee || ' : le plafond ne peut pas être vérifié'
       END
FROM staging.aide_sport__aides
WHERE montant_autorise IS NULL;
