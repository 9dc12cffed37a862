"""The commands of the yearly collection campaign (docs/campagne.md): ``campagne`` prints one
year's checklist; ``verifier`` and ``modeles`` are added beside it. Each sets ``handler``."""

from __future__ import annotations

import argparse
import sys

from pipelines import settings
from warehouse.build import read_published

WAREHOUSE_HELP = "fichier DuckDB de l'entrepôt publié (défaut : OBSERVATOIRE_WAREHOUSE, sinon warehouse/observatoire.duckdb)"


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


def add_campaign_commands(commands, formatter, epilog: str) -> None:
    parser = commands.add_parser(
        "campagne", help="liste, pour une année, ce que chaque service a envoyé et ce qui manque",
        description="Liste de la campagne de collecte d'une année, par service, les manquants d'abord "
        "(table qualite.campagne de l'entrepôt publié).", epilog=epilog, formatter_class=formatter)
    parser.add_argument("--annee", type=int, metavar="ANNEE",
                        help="année de la campagne (défaut : la dernière année qui a des données)")
    parser.add_argument("--warehouse", metavar="FICHIER", help=WAREHOUSE_HELP)
    parser.set_defaults(handler=_campaign)
