"""The refresh's Dagster instance (pipelines/instance.py): the run's own questions answered from
memory as Dagster's SQLite log answers them, and every event still there for a later reader."""

import dagster as dg

from pipelines.instance import ephemeral_instance


@dg.asset(code_version="1")
def amont() -> int:
    return 1


@dg.asset(code_version="1")
def aval(amont: int) -> int:
    return amont + 1


def run(instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    return dg.materialize([amont, aval], instance=instance)


def provenance(result: dg.ExecuteInProcessResult) -> list[dict[str, str]]:
    """The tags Dagster gives each materialization from the log's answers: the input's data
    version and its event's storage id."""
    return [event.materialization.tags for event in result.get_asset_materialization_events()]


def test_a_run_reads_its_inputs_provenance_as_from_dagster_own_log():
    ours, usual = run(ephemeral_instance()), run(dg.DagsterInstance.ephemeral())
    assert provenance(ours) == provenance(usual)
    assert provenance(ours)[1]["dagster/input_event_pointer/amont"] == provenance(usual)[1][
        "dagster/input_event_pointer/amont"] != ""


def logged(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult) -> list[tuple]:
    return [(e.dagster_event_type, e.step_key) for e in instance.all_logs(result.run_id)]


def test_the_events_kept_in_memory_are_all_there_for_a_later_reader():
    instance, usual = ephemeral_instance(), dg.DagsterInstance.ephemeral()
    result = run(instance)
    storage, keys = instance.event_log_storage, [dg.AssetKey("amont"), dg.AssetKey("aval")]
    from_memory = storage.get_asset_records(keys)
    assert storage._waiting  # nothing written into SQLite during the run
    assert logged(instance, result) == logged(usual, run(usual))  # a SQL read: the events written first
    assert not storage._waiting
    from_sql = super(type(storage), storage).get_asset_records(keys)
    assert [summary(r) for r in from_memory] == sorted(map(summary, from_sql))
    assert instance.get_latest_materialization_event(dg.AssetKey("aval")).run_id == result.run_id


def summary(record) -> tuple:
    entry = record.asset_entry
    return entry.asset_key.path, entry.last_materialization_record.storage_id, entry.last_run_id
