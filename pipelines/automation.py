"""When the warehouse refreshes by itself: every January, and when the drop folder changes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import dagster as dg

from assets.resources import START_TAG
from sources.spec import load_spec, spec_names
from warehouse import settings
from warehouse.build import PARTIAL
from warehouse.guard import drop_folder_problem

actualisation = dg.define_asset_job(
    "actualisation", selection=dg.AssetSelection.all(),
    description="Reconstruit l'entrepôt depuis le dossier de dépôt, puis le publie.",
)


@dg.schedule(job=actualisation, cron_schedule="0 6 15 1 *", execution_timezone="Europe/Paris",
             default_status=dg.DefaultScheduleStatus.RUNNING,
             description="Le 15 janvier à 6 h : actualisation complète pour l'année écoulée.")
def actualisation_annuelle(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    year = context.scheduled_execution_time.year - 1
    return dg.RunRequest(run_key=f"annuelle-{year}", tags={"observatoire/annee": str(year)})


def folder_fingerprint(folder: Path) -> str:
    """Changes when a file of the folder is added, removed, renamed or modified."""
    files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    listing = [(p.relative_to(folder).as_posix(), p.stat().st_size, p.stat().st_mtime_ns) for p in files]
    return hashlib.sha256(json.dumps(listing).encode()).hexdigest()


def changed_sources(raw_dir: Path, cursor: str | None) -> tuple[list[str], str]:
    """The sources whose drop folder changed since the cursor, and the new cursor."""
    current = {name: folder_fingerprint(raw_dir / load_spec(name).folder) for name in spec_names()}
    previous = json.loads(cursor) if cursor else {}
    return [name for name, print_ in current.items() if previous.get(name) != print_], json.dumps(current)


@dg.sensor(job=actualisation, minimum_interval_seconds=300,
           default_status=dg.DefaultSensorStatus.RUNNING,
           description="Surveille le dossier de dépôt : actualise la source dont un fichier a "
           "changé (ajouté, corrigé, supprimé) et tout ce qui en dépend.")
def depot_sensor(context: dg.SensorEvaluationContext):
    raw_dir = settings.raw_dir()
    if problem := drop_folder_problem(raw_dir):  # never publish from a vanished or empty folder
        return dg.SkipReason(f"{problem} : aucune actualisation.")  # the daemon logs it
    changed, cursor = changed_sources(raw_dir, context.cursor)
    if not changed:
        return dg.SkipReason("Aucun fichier nouveau ou modifié dans le dossier de dépôt.")
    context.update_cursor(cursor)
    run_key = hashlib.sha256(cursor.encode()).hexdigest()[:16]
    if not settings.warehouse_path().exists():  # nothing to start from: build everything
        return dg.RunRequest(run_key=run_key)
    raw_assets = [dg.AssetKey(load_spec(name).asset("raw")) for name in changed]
    selection = dg.AssetSelection.assets(*raw_assets).downstream()
    return dg.RunRequest(
        run_key=run_key,
        asset_selection=list(selection.resolve(context.repository_def.asset_graph)),
        tags={START_TAG: PARTIAL, "observatoire/sources": ",".join(changed)},
    )
