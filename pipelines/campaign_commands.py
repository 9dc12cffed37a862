"""The commands of the yearly collection campaign (docs/campagne.md): ``campagne`` prints one
year's checklist, ``verifier`` judges new files in a scratch build, ``modeles`` writes the entry
templates. Each sets ``handler``, which pipelines/cli.py calls."""

from __future__ import annotations

import argparse
import sys

from warehouse import settings
from warehouse.build import read_published

def _campaign(args: argparse.Namespace) -> int:
    from warehouse.campaign import checklist, years

    warehouse = settings.warehouse_path(args.warehouse)
    if not warehouse.exists():
        print(f"L'entrepôt {warehouse} n'existe pas : lancez d'abord « observatoire refresh ».", file=sys.stderr)
        return 1
    with read_published(warehouse) as con:
        known = years(con)
        if args.annee is not None and args.annee not in known:
            print(f"Aucune campagne {args.annee} dans l'entrepôt : années couvertes "
                  f"{', '.join(map(str, known)) or 'aucune'}.", file=sys.stderr)
            return 1
        print(checklist(con, args.annee))
    return 0


def _verify(args: argparse.Namespace) -> int:
    from pipelines.verify import REFUSED, report_lines, verify
    from sources.pseudonym import key_refusal

    raw_dir = settings.raw_dir(args.raw_dir)
    warehouse = settings.warehouse_path(args.warehouse)
    files = [settings.absolute(f) for f in args.fichiers]
    if missing := [str(f) for f in files if not f.is_file()]:
        print(f"Fichier introuvable : {', '.join(missing)}", file=sys.stderr)
        return REFUSED
    if refusal := key_refusal():
        print(refusal, file=sys.stderr)
        return REFUSED
    print(f"Vérification de {len(files)} fichier(s) contre {warehouse} (dossier de dépôt {raw_dir}), "
          "sans rien publier")
    verification = verify(files, raw_dir, warehouse)
    print("\n".join(report_lines(verification)))
    return verification.code


def _templates(args: argparse.Namespace) -> int:
    from sources.templates import write_templates

    for path in write_templates(settings.absolute(args.sortie)):
        print(f"Modèle de saisie : {path}")
    return 0


def add_campaign_commands(commands, formatter, epilog: str, warehouse_help: str) -> None:
    parser = commands.add_parser(
        "campagne", help="liste, pour une année, ce que chaque service a envoyé et ce qui manque",
        description="Liste de la campagne de collecte d'une année, par service, les manquants d'abord "
        "(table qualite.campagne de l'entrepôt publié).", epilog=epilog, formatter_class=formatter)
    parser.add_argument("--annee", type=int, metavar="ANNEE",
                        help="année de la campagne (défaut : la dernière année qui a des données)")
    parser.add_argument("--warehouse", metavar="FICHIER", help=warehouse_help)
    parser.set_defaults(handler=_campaign)
    verify_parser = commands.add_parser(
        "verifier", help="dit ce que des fichiers changeraient, sans rien publier",
        description="Essai à blanc : les fichiers donnés, ajoutés au dossier de dépôt (ou remplaçant le "
        "fichier de même nom), sont chargés dans un entrepôt d'essai ; affiche par fichier les lignes lues, "
        "chargées, en quarantaine, en double, puis chaque cellule d'indicateur et chaque rapprochement "
        "qui changeraient. L'entrepôt, les exports et le rapport publiés ne sont pas touchés. Codes de "
        "sortie : 0 aucun rejet, 1 des lignes iraient en quarantaine, 2 un fichier serait refusé.",
        epilog=epilog, formatter_class=formatter)
    verify_parser.add_argument("--raw-dir", metavar="DOSSIER", help="dossier de dépôt (défaut : "
                               "OBSERVATOIRE_RAW_DIR, sinon les données de démonstration)")
    verify_parser.add_argument("--warehouse", metavar="FICHIER", help=warehouse_help)
    verify_parser.add_argument("fichiers", nargs="+", metavar="FICHIER", help="fichier(s) à vérifier")
    verify_parser.set_defaults(handler=_verify)
    templates_parser = commands.add_parser(
        "modeles", help="écrit un modèle de saisie .xlsx par source",
        description="Écrit un modèle de saisie .xlsx par source : en-têtes attendus, listes déroulantes "
        "(structures, communes, catégories), contrôles des dates et des nombres, mode d'emploi. "
        "Régénérés depuis la référence.", epilog=epilog, formatter_class=formatter)
    templates_parser.add_argument("--sortie", metavar="DOSSIER", required=True, help="dossier où écrire les modèles")
    templates_parser.set_defaults(handler=_templates)
