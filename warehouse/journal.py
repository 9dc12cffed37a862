"""The statuses of a file in the load log (``raw.<source>__fichiers``, ``qualite.journal_chargement``)."""

CHARGE, REJETE, IGNORE, DOUBLON = "chargé", "rejeté", "ignoré", "doublon de fichier"
