"""``observatoire``: the command line of the observatoire's warehouse."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from pipelines import settings
from pipelines.refresh import refresh
from pipelines.summary import summary
from reporting import report_dir, write_report
from reporting.build import UnknownYear
from reporting.data import NoPublicLayer


def _refresh(args: argparse.Namespace) -> int:
    raw_dir = settings.raw_dir(args.raw_dir)
    warehouse = settings.warehouse_path(args.warehouse)
    if raw_dir == settings.DEMO_RAW_DIR and not raw_dir.exists():
        from demo import generate_all

        print(f"Génération des données de démonstration dans {raw_dir}")
        generate_all(raw_dir)
    print(f"Actualisation de l'entrepôt depuis {raw_dir}")
    outcome = refresh(raw_dir, warehouse)
    if outcome.build_path.exists():
        with duckdb.connect(str(outcome.build_path), read_only=True) as con:
            print(summary(con))
    if outcome.published:
        print(f"Entrepôt publié : {warehouse}")
        if not outcome.failed_steps:
            print(f"Rapport annuel (HTML et PDF) : {report_dir(warehouse)}")
            return 0
    for step in outcome.failed_steps:
        print(f"ÉCHEC de l'étape {step}", file=sys.stderr)
    for error in dict.fromkeys(outcome.errors):
        print(f"  {error}", file=sys.stderr)
    for check in outcome.failed_checks:
        print(f"ÉCHEC du contrôle bloquant {check}", file=sys.stderr)
    if not outcome.published:
        print(f"L'entrepôt publié ({warehouse}) n'a pas été modifié ; la construction échouée est "
              f"conservée pour examen : {outcome.build_path}", file=sys.stderr)
    return 1


def _report(args: argparse.Namespace) -> int:
    warehouse = settings.warehouse_path(args.warehouse)
    if not warehouse.exists():
        print(f"L'entrepôt {warehouse} n'existe pas : lancez d'abord « observatoire refresh ».",
              file=sys.stderr)
        return 1
    out_dir = Path(args.sortie) if args.sortie else report_dir(warehouse)
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            files = write_report(con, out_dir, settings.secret_threshold(), args.annee)
    except (NoPublicLayer, UnknownYear) as error:
        print(error, file=sys.stderr)
        return 1
    print(f"Rapport {files.year} : {files.html}")
    if files.pdf:
        print(f"Rapport {files.year} (PDF) : {files.pdf}")
    else:
        print(files.warning, file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="observatoire", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    refresh_parser = commands.add_parser(
        "refresh", help="reconstruit l'entrepôt depuis le dossier de dépôt")
    refresh_parser.add_argument("--raw-dir", help="dossier de dépôt (défaut : OBSERVATOIRE_RAW_DIR, "
                                "sinon les données de démonstration)")
    refresh_parser.add_argument("--warehouse", help="fichier DuckDB (défaut : OBSERVATOIRE_WAREHOUSE, "
                                "sinon warehouse/observatoire.duckdb)")
    report_parser = commands.add_parser(
        "rapport", help="écrit le rapport annuel (HTML et PDF) depuis la couche publique de l'entrepôt")
    report_parser.add_argument("--annee", type=int, help="année du rapport (défaut : la dernière année "
                               "qui a des données)")
    report_parser.add_argument("--sortie", help="dossier où écrire le rapport (défaut : le dossier "
                               "rapport/ à côté de l'entrepôt)")
    report_parser.add_argument("--warehouse", help="fichier DuckDB (défaut : OBSERVATOIRE_WAREHOUSE, "
                               "sinon warehouse/observatoire.duckdb)")
    args = parser.parse_args(argv)
    return _report(args) if args.command == "rapport" else _refresh(args)


if __name__ == "__main__":
    sys.exit(main())
