"""``observatoire``: the command line of the observatoire's warehouse."""

from __future__ import annotations

import argparse
import sys

import duckdb

from pipelines import settings
from pipelines.refresh import refresh
from pipelines.summary import summary


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
        return 0
    for step in outcome.failed_steps:
        print(f"ÉCHEC de l'étape {step}", file=sys.stderr)
    for error in dict.fromkeys(outcome.errors):
        print(f"  {error}", file=sys.stderr)
    for check in outcome.failed_checks:
        print(f"ÉCHEC du contrôle bloquant {check}", file=sys.stderr)
    print(f"L'entrepôt publié ({warehouse}) n'a pas été modifié ; la construction échouée est "
          f"conservée pour examen : {outcome.build_path}", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="observatoire", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    refresh_parser = commands.add_parser(
        "refresh", help="reconstruit l'entrepôt depuis le dossier de dépôt")
    refresh_parser.add_argument("--raw-dir", help="dossier de dépôt (défaut : OBSERVATOIRE_RAW_DIR, "
                                "sinon les données de démonstration)")
    refresh_parser.add_argument("--warehouse", help="fichier DuckDB (défaut : OBSERVATOIRE_WAREHOUSE, "
                                "sinon warehouse/observatoire.duckdb)")
    args = parser.parse_args(argv)
    return _refresh(args)


if __name__ == "__main__":
    sys.exit(main())
