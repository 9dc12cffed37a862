"""``observatoire``: the command line of the observatoire's warehouse.

Everything it prints is French. A failure says in one or two lines on stderr what happened and
what to do; the full trace goes to a log file whose path is printed. Exit codes: 0 done, 1 the
refresh or the report failed, 2 a wrong setting (drop folder, key, option).
"""

from __future__ import annotations

import argparse
import atexit
import gc
import os
import signal
import sys

import duckdb

from pipelines.campaign_commands import add_campaign_commands
from pipelines.french_argparse import french
from sources.pseudonym import key_refusal
from warehouse import settings
from warehouse.build import read_published, recover_if_idle
from warehouse.guard import missing_drop_folder

DESCRIPTION = ("Entrepôt de l'observatoire social d'un territoire (EPCI) : actualise l'entrepôt "
               "depuis le dossier de dépôt et écrit le rapport annuel.")
WRONG_SETTING = 2
GC_THRESHOLDS = (50_000, 20, 100)  # Python's default: (700, 10, 10)


def environment_help() -> str:
    width = max(map(len, settings.ENVIRONMENT))
    return "variables d'environnement :\n" + "\n".join(
        f"  {name:<{width}}  {meaning}" for name, meaning in settings.ENVIRONMENT.items())


def _print_summary(outcome) -> None:
    """The summary of the build, when there is one to read; a half-built file is not read."""
    from pipelines.summary import summary

    if outcome.build_path is None or not outcome.build_path.exists():
        return
    try:
        with duckdb.connect(str(outcome.build_path), read_only=True) as con:
            print(summary(con, outcome.published))
    except duckdb.Error:
        pass


def _refresh(args: argparse.Namespace) -> int:
    # A refresh creates millions of objects that live as long as the process (the modules of
    # Dagster, pandas and pandera, the commune indexes): the garbage collector runs less often
    # and no longer walks the modules' objects again and again (≈ 1 s of a demo refresh).
    gc.set_threshold(*GC_THRESHOLDS)
    from assets import background

    background.start()  # the commune indexes, then Great Expectations, while this process goes on
    from pipelines.failures import failure_lines, write_log
    from pipelines.refresh import refresh

    gc.freeze()
    raw_dir = settings.raw_dir(args.raw_dir)
    warehouse = settings.warehouse_path(args.warehouse)
    if raw_dir == settings.DEMO_RAW_DIR and not raw_dir.exists():
        from demo import generate_all

        print(f"Génération des données de démonstration dans {raw_dir}")
        generate_all(raw_dir)
    if problem := missing_drop_folder(raw_dir):  # an empty one: the drop guard judges
        print(f"{problem} : vérifiez le chemin (--raw-dir ou OBSERVATOIRE_RAW_DIR). Rien n'a été publié.",
              file=sys.stderr)
        return WRONG_SETTING
    if refusal := key_refusal():
        print(refusal, file=sys.stderr)
        return WRONG_SETTING
    print(f"Actualisation de l'entrepôt depuis {raw_dir}")
    outcome = refresh(raw_dir, warehouse, accept_drop=args.accepter_baisse)
    _print_summary(outcome)
    if outcome.published:
        print(f"Entrepôt publié : {warehouse}")
    if outcome.published and not outcome.failed_steps:
        print(f"Rapport annuel (HTML et PDF) : {settings.report_dir(warehouse)}")
        return 0
    for line in failure_lines(outcome):
        print(line, file=sys.stderr)
    print(f"Détail de l'erreur : {write_log(outcome, warehouse.parent)}", file=sys.stderr)
    return 1


def _report(args: argparse.Namespace) -> int:
    from reporting import write_report
    from reporting.build import UnknownYear
    from reporting.data import NoPublicLayer

    warehouse = settings.warehouse_path(args.warehouse)
    if not warehouse.exists():
        print(f"L'entrepôt {warehouse} n'existe pas : lancez d'abord « observatoire refresh ».",
              file=sys.stderr)
        return 1
    out_dir = settings.report_dir(warehouse, args.sortie)
    try:
        with read_published(warehouse) as con:
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


def _territory(args: argparse.Namespace) -> int:
    from pipelines.territory import UnknownEpci, init_territory

    try:
        folder = init_territory(args.epci, settings.absolute(args.dossier))
    except (UnknownEpci, FileExistsError) as error:
        print(error, file=sys.stderr)
        return WRONG_SETTING
    print(f"Dossier de référence écrit : {folder} (à compléter : voir {folder / 'README.md'}).\n"
          f"Lancez l'observatoire avec OBSERVATOIRE_REF_DIR={folder} ou --ref-dir {folder}.")
    return 0


def _rerun_with_ref_dir(argv: list[str]) -> int | None:
    """``--ref-dir DIR``: the command run again in a process whose OBSERVATOIRE_REF_DIR is DIR (the
    schemas read their reference lists when imported); None without the option."""
    import subprocess

    if "--ref-dir" not in argv[:-1]:
        return None
    at = argv.index("--ref-dir")
    rest = argv[:at] + argv[at + 2:]
    return subprocess.call([sys.executable, "-m", "pipelines.cli", *rest],
                           env=settings.with_ref_dir(argv[at + 1]))


WAREHOUSE_HELP = "fichier DuckDB de l'entrepôt publié (défaut : OBSERVATOIRE_WAREHOUSE, sinon warehouse/observatoire.duckdb)"


def build_parser() -> argparse.ArgumentParser:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog="observatoire", description=DESCRIPTION,
                                     epilog=environment_help(), formatter_class=formatter)
    parser.add_argument("--ref-dir", metavar="DOSSIER", help="dossier de référence du territoire (défaut : "
                        "OBSERVATOIRE_REF_DIR, sinon warehouse/ref/)")
    commands = parser.add_subparsers(dest="command", required=True, title="commandes", metavar="COMMANDE")
    refresh_parser = commands.add_parser(
        "refresh", help="reconstruit l'entrepôt depuis le dossier de dépôt, puis le publie",
        description="Reconstruit l'entrepôt depuis le dossier de dépôt, puis le publie avec ses exports.",
        epilog=environment_help(), formatter_class=formatter)
    refresh_parser.add_argument("--raw-dir", metavar="DOSSIER", help="dossier de dépôt (défaut : "
                                "OBSERVATOIRE_RAW_DIR, sinon les données de démonstration)")
    refresh_parser.add_argument("--warehouse", metavar="FICHIER", help=WAREHOUSE_HELP)
    refresh_parser.add_argument("--accepter-baisse", action="store_true", help="publie même si une source "
                                "n'a plus de fichier ou a perdu plus de la moitié de ses lignes chargées")
    report_parser = commands.add_parser(
        "rapport", help="écrit le rapport annuel (HTML et PDF) depuis la couche publique de l'entrepôt",
        description="Écrit le rapport annuel (HTML et PDF) depuis la couche publique de l'entrepôt publié.",
        epilog=environment_help(), formatter_class=formatter)
    report_parser.add_argument("--annee", type=int, metavar="ANNEE", help="année du rapport (défaut : la "
                               "dernière année qui a des données)")
    report_parser.add_argument("--sortie", metavar="DOSSIER", help="dossier où écrire le rapport (défaut : "
                               "le dossier rapport/ à côté de l'entrepôt)")
    report_parser.add_argument("--warehouse", metavar="FICHIER", help=WAREHOUSE_HELP)
    territory_parser = commands.add_parser(
        "territoire", help="prépare le dossier de référence d'un autre territoire (EPCI)",
        description="Prépare le dossier de référence d'un EPCI : ses communes et leur population (référentiel "
                    "national), et des modèles vides de ce que seul le territoire connaît (docs/territoire.md).")
    territory_parser.add_argument("action", choices=["init"], help="init : écrit le dossier")
    territory_parser.add_argument("--epci", required=True, metavar="SIREN", help="numéro SIREN de l'EPCI")
    territory_parser.add_argument("--dossier", required=True, metavar="DOSSIER", help="dossier à écrire (vide)")
    add_campaign_commands(commands, formatter, environment_help(), WAREHOUSE_HELP)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    with french():
        args = build_parser().parse_args(argv)
    if args.ref_dir is not None and (code := _rerun_with_ref_dir(argv)) is not None:
        return code
    if args.command == "territoire":
        return _territory(args)
    recover_if_idle(settings.warehouse_path(getattr(args, "warehouse", None)))  # a publication a crash interrupted
    if handler := getattr(args, "handler", None):
        return handler(args)
    return _report(args) if args.command == "rapport" else _refresh(args)


def run() -> None:
    """The ``observatoire`` command: :func:`main`, then no process left behind. A refresh's
    worker process (warehouse/worker.py) is stopped at once, even in the middle of its import,
    instead of being waited for; a test calling ``main`` keeps it for the next refresh. Stopped
    by the system (SIGTERM: a service stopped, ``kill``) as by Ctrl+C, it says so in French and
    leaves nothing behind: the run stops, the published warehouse is untouched."""
    for stop in (signal.SIGINT, signal.SIGTERM):  # even when started with SIGINT ignored (in the background):
        signal.signal(stop, signal.default_int_handler)  # Dagster then maps SIGTERM to SIGINT's handler
    try:
        code = main()
    except KeyboardInterrupt:  # before or after the run, which turns it into a failure of its own
        from pipelines.failures import INTERRUPTION

        print(INTERRUPTION, file=sys.stderr)
        code = 1
    finally:
        if (worker := sys.modules.get("warehouse.worker")) is not None:
            worker.stop()
    _exit(code)


def _exit(code: int) -> None:
    """End the process without tearing its modules down one by one (Dagster, pandas, DuckDB:
    ≈ 0.4 s for nothing): the exit handlers (Chromium stopped, temporary folders removed, file
    locks released) run first, and what was printed is flushed."""
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
