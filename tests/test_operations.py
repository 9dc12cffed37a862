"""Yearly operations that never lose data: schedule, sensor, atomic publication, faults."""

import datetime as dt
import errno

import dagster as dg
import duckdb
import pytest
from conftest import POCKETO_HEADER, fingerprint, presence, staged_names, write_csv

from assets import ALL_DEFINITIONS, resources
from assets.resources import START_TAG, WarehouseResource
from pipelines.automation import actualisation_annuelle, changed_sources, depot_sensor
from pipelines.definitions import defs
from pipelines.failures import failure_lines
from pipelines.refresh import QUIET, refresh
from warehouse.build import PARTIAL, compact, failed_path

pytestmark = pytest.mark.refreshes(6)  # six refreshes of the small folder


def test_two_refreshes_give_identical_tables(published_small, tmp_path):
    raw, first = published_small  # the session's refresh of the same folder
    second = refresh(raw, tmp_path / "b.duckdb")
    assert second.published
    prints = fingerprint(first)
    assert prints["indicateurs.alsh_annuel"][0] == 2
    assert prints == fingerprint(tmp_path / "b.duckdb")


def test_corrected_file_replaces_its_rows_and_deleted_file_erases_them(published_small):
    raw, warehouse = published_small
    write_csv(raw / "pocketo" / "lalbenque.csv", [POCKETO_HEADER, presence(nom="Durand", prenom="Zoé",
                                                                            depart="18:00")])
    refresh(raw, warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT sum(heures) FROM staging.pocketo__presences "
                           "WHERE fichier_nom = 'lalbenque.csv'").fetchone()[0] == 9.5
    (raw / "pocketo" / "lalbenque.csv").unlink()
    assert refresh(raw, warehouse).published
    assert staged_names(warehouse) == {"limogne.csv"}
    assert b"lalbenque.csv" not in warehouse.read_bytes()  # a rebuilt file keeps no trace


def test_a_full_disk_at_publication_leaves_the_published_warehouse_and_no_failed_build(published_small, tmp_path,
                                                                                      monkeypatch):
    raw, warehouse = published_small
    before = fingerprint(warehouse)

    def disk_full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(resources.os, "replace", disk_full)  # the os module's own: the build's too
    write_csv(raw / "pocketo" / "nouveau.csv", [POCKETO_HEADER, presence(nom="Petit", prenom="Noé")])
    outcome = refresh(raw, warehouse)
    monkeypatch.undo()
    assert not outcome.published and outcome.kept_build is None
    assert failure_lines(outcome) == [
        f"Disque plein dans {tmp_path} : libérez de la place, puis relancez l'actualisation. L'entrepôt "
        "publié n'a pas été modifié.",
        f"L'entrepôt publié ({warehouse}) n'a pas été modifié."]
    assert fingerprint(warehouse) == before
    assert not failed_path(warehouse).exists() and not list(tmp_path.glob("w.duckdb.construction-*"))


def test_a_permission_error_while_writing_changes_nothing(published_small, monkeypatch):
    raw, warehouse = published_small
    before = fingerprint(warehouse)

    def refused(path, read_only=False):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(resources, "connect", refused)
    outcome = refresh(raw, warehouse)
    assert not outcome.published and any("Permission denied" in e for e in outcome.errors)
    assert failure_lines(outcome)[0] == (
        "Écriture refusée : donnez le droit d'écriture sur le dossier de l'entrepôt à l'utilisateur qui "
        "lance l'actualisation, puis relancez.")
    assert fingerprint(warehouse) == before


def test_yearly_schedule_refreshes_the_previous_year():
    context = dg.build_schedule_context(
        scheduled_execution_time=dt.datetime(2027, 1, 15, 6, tzinfo=dt.timezone.utc))
    request = actualisation_annuelle(context)
    assert request.run_key == "annuelle-2026" and request.tags["observatoire/annee"] == "2026"
    assert actualisation_annuelle.cron_schedule == "0 6 15 1 *"


def test_schedule_and_sensor_run_as_soon_as_dagster_starts():
    assert actualisation_annuelle.default_status == dg.DefaultScheduleStatus.RUNNING
    assert depot_sensor.default_status == dg.DefaultSensorStatus.RUNNING


def test_sensor_refreshes_only_the_changed_source_and_downstream(published_small, tmp_path, monkeypatch):
    raw, warehouse = published_small
    monkeypatch.setenv("OBSERVATOIRE_RAW_DIR", str(raw))
    monkeypatch.setenv("OBSERVATOIRE_WAREHOUSE", str(tmp_path / "nouveau" / "w.duckdb"))
    repository = defs.get_repository_def()

    first = depot_sensor(dg.build_sensor_context(repository_def=repository))
    assert first.asset_selection is None  # no warehouse yet: everything
    monkeypatch.setenv("OBSERVATOIRE_WAREHOUSE", str(warehouse))  # published from this folder
    _, cursor = changed_sources(raw, None)
    assert isinstance(depot_sensor(dg.build_sensor_context(cursor=cursor, repository_def=repository)),
                      dg.SkipReason)
    many = [presence(nom=f"Oubli{i}", prenom="Effacé", date=f"{1 + i % 28:02d}/0{1 + i % 9}/2022")
            for i in range(20_000)]  # enough rows that their blocks are not simply reused
    write_csv(raw / "pocketo" / "a effacer.csv", [POCKETO_HEADER, *many])
    refresh(raw, warehouse)
    _, cursor = changed_sources(raw, None)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        erased = [k.encode() for (k,) in con.execute(
            "SELECT enfant_id FROM staging.pocketo__presences WHERE fichier_nom = 'a effacer.csv' "
            "LIMIT 200").fetchall()]
    (raw / "pocketo" / "a effacer.csv").unlink()  # a person's data erased at the source
    request = depot_sensor(dg.build_sensor_context(cursor=cursor, repository_def=repository))
    selected = {key.to_user_string() for key in request.asset_selection}
    assert {"raw_pocketo__presences", "stg_pocketo__presences", "ind_alsh__annuel",
            "qualite__rapprochement", "publication"} <= selected
    assert not any(key.startswith(("ref__", "raw_aide_sport", "raw_france_services")) for key in selected)
    assert request.tags[START_TAG] == PARTIAL

    result = dg.materialize(  # the erasure is wanted: the drop of most rows is accepted
        ALL_DEFINITIONS, selection=request.asset_selection, tags=request.tags, run_config=QUIET,
        resources={"warehouse": WarehouseResource(path=str(warehouse), raw_dir=str(raw), accepter_baisse=True)},
        instance=dg.DagsterInstance.ephemeral())
    assert result.success
    assert staged_names(warehouse) == {"lalbenque.csv", "limogne.csv"}
    published = warehouse.read_bytes()
    assert not any(key in published for key in erased)  # compacted: no stale block left
    with duckdb.connect(str(warehouse), read_only=True) as con:  # the rest came from the copy
        assert con.execute("SELECT count(*) FROM ref.communes").fetchone()[0] == 26


def test_compaction_leaves_no_byte_of_replaced_rows(tmp_path):
    path = tmp_path / "copie.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("PRAGMA force_compression = 'uncompressed'")  # so that bytes can be searched
        con.execute("CREATE TABLE t AS SELECT 'PERSONNE-EFFACEE-' || i AS s FROM range(200000) r(i)")
        con.execute("CREATE TABLE u AS SELECT 'apres-' || i AS s FROM range(200000) r(i)")
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE OR REPLACE TABLE t AS SELECT 'gardee' AS s")
    assert b"PERSONNE-EFFACEE-" in path.read_bytes()  # freed blocks before live ones stay
    compacted = compact(path)
    assert b"PERSONNE-EFFACEE-" not in compacted.read_bytes()
    with duckdb.connect(str(compacted), read_only=True) as con:
        assert con.execute("SELECT s FROM t").fetchall() == [("gardee",)]
