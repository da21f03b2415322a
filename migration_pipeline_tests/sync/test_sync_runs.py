"""A sync meeting Lever's maintenance fails cleanly and the next one loses nothing; a kill during a sync, then a
re-run: nothing lost, nothing duplicated; the sync asset and its schedule in Dagster (a tick skips while the
previous sync still runs)."""

from __future__ import annotations

import dataclasses
import json
import os
import random
import signal
import subprocess
import sys
import time

import dagster as dg
import requests
from dagster._core.storage.dagster_run import DagsterRun

from migration_pipeline.defs.ashby.resources import AshbyResource
from migration_pipeline.defs.canonical.resources import MappingResource
from migration_pipeline.defs.lever.resources import LeverResource
from migration_pipeline.defs.store import StoreResource
from migration_pipeline.defs.sync.assets import CHECK, lever_delta_sync
from migration_pipeline.defs.sync.schedules import lever_delta_sync_job, lever_delta_sync_schedule
from migration_pipeline.sync import state
from migration_pipeline.sync_command import sync_once
from migration_pipeline_tests.conftest import FULL_KEY
from migration_pipeline_tests.sync.conftest import ASHBY_KEY, ParallelRun
from migration_pipeline_tests.sync.test_delta_sync import mutate, unexplained

ASHBY_WRITES = (".create", ".createNote", ".addTag", ".removeTag", ".setValues", ".submit", ".uploadFile",
                ".uploadResume", ".changeStage", ".changeSource", ".update", ".addHiringTeamMember")  # fmt: skip


def _watermarks(run: ParallelRun) -> dict:
    with run.store.connect() as con:
        return state.watermarks(con)


def _maintenance(run: ParallelRun, enabled: bool) -> None:
    requests.post(f"{run.lever.root}/__sandbox/maintenance", json={"enabled": enabled}, timeout=30).raise_for_status()


def test_a_sync_meeting_lever_maintenance_fails_cleanly_and_the_next_one_loses_nothing(parallel: ParallelRun):
    mutate(parallel, seed=9)
    before = _watermarks(parallel)
    _maintenance(parallel, True)
    impatient = dataclasses.replace(parallel.settings, lever_maintenance_max_wait_seconds=2.0)
    report = sync_once(impatient)
    assert report.status == "failed" and "maintenance" in report.error.lower()
    assert _watermarks(parallel) == before  # the next sync starts from the same point
    assert (parallel.data_dir / "sync" / "reports" / f"{report.run_id}.json").is_file()
    _maintenance(parallel, False)
    report = parallel.sync()
    assert report.status == "succeeded", report.error
    assert _watermarks(parallel)["opportunities"] > before["opportunities"]
    left = unexplained(parallel.ashby.readback(), parallel.reference("reference"))
    assert left == {}, json.dumps(left, default=str, ensure_ascii=False, indent=0)


def _ashby_writes(run: ParallelRun) -> int:
    log = requests.get(f"{run.ashby.url}/__sandbox/requests", timeout=30).json()["data"]
    return sum(1 for e in log if str(e.get("path", "")).endswith(ASHBY_WRITES))


def _sync_process(run: ParallelRun) -> subprocess.Popen:
    env = {**os.environ, "LEVER_BASE_URL": f"{run.lever.root}/v1", "LEVER_API_KEY": FULL_KEY,
           "ASHBY_BASE_URL": run.ashby.url, "ASHBY_API_KEY": ASHBY_KEY, "MIGRATION_DATA_DIR": str(run.data_dir),
           "LEVER_RATE_PER_SECOND": "10000", "LEVER_BURST": "10000", "ASHBY_RATE_PER_MINUTE": "10000000"}  # fmt: skip
    command = [sys.executable, "-m", "migration_pipeline.cli", "sync"]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_a_kill_during_a_sync_then_a_rerun_loses_and_duplicates_nothing(parallel: ParallelRun):
    mutate(parallel, seed=13, fraction=0.2)
    before = _watermarks(parallel)
    target = _ashby_writes(parallel) + random.Random(5).randint(2, 12)
    process = _sync_process(parallel)
    deadline = time.monotonic() + 300
    while process.poll() is None and _ashby_writes(parallel) < target and time.monotonic() < deadline:
        time.sleep(0.005)
    killed = process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert killed, "the sync finished before the kill: raise the mutation fraction"
    assert _watermarks(parallel) == before
    report = parallel.sync()
    assert report.status == "succeeded" and report.failures == 0, report.error
    got = parallel.ashby.readback()
    assert unexplained(got, parallel.reference("reference")) == {}
    assert "candidates" not in got.duplicates()


def _resources(run: ParallelRun, maintenance_wait: float = 1800.0) -> dict:
    settings = run.settings
    return {
        "lever": LeverResource(api_key=FULL_KEY, base_url=settings.lever_base_url, data_dir=str(run.data_dir),
                               rate_per_second=10_000, burst=10_000, maintenance_max_wait_seconds=maintenance_wait),
        "ashby": AshbyResource(api_key=ASHBY_KEY, base_url=run.ashby.url, rate_per_minute=10**7,
                               state_dir=str(run.data_dir / "state" / "ratelimit")),
        "store": StoreResource(data_dir=str(run.data_dir)),
        "mapping": MappingResource(data_dir=str(run.data_dir)),
    }  # fmt: skip


def test_the_sync_asset_reports_what_it_did_in_its_metadata_and_check(parallel: ParallelRun):
    log = mutate(parallel, seed=17)
    with dg.instance_for_test() as instance:
        result = dg.materialize([lever_delta_sync], resources=_resources(parallel), instance=instance)
        assert result.success
        [materialization] = result.asset_materializations_for_node("lever_delta_sync")
        meta = materialization.metadata
        for key in ("records_changed", "lever_calls", "ashby_calls", "conflicts", "deletions", "watermark_before",
                    "watermark_after", "failures_sql", "report"):  # fmt: skip
            assert key in meta, key
        assert meta["records_changed"].data["opportunities_deleted"] == len(log.deleted)
        assert meta["watermark_after"].data["opportunities"] > meta["watermark_before"].data["opportunities"]
        [check] = result.get_asset_check_evaluations()
        assert check.check_name == CHECK and check.passed


def test_the_sync_asset_fails_cleanly_in_lever_maintenance(parallel: ParallelRun):
    _maintenance(parallel, True)
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [lever_delta_sync], resources=_resources(parallel, maintenance_wait=2.0), instance=instance,
            raise_on_error=False,
        )  # fmt: skip
        assert not result.success
        failure = next(e for e in result.all_events if e.is_step_failure)
        assert "maintenance" in str(failure.event_specific_data.error).lower()


def test_a_schedule_tick_while_the_previous_sync_runs_skips_with_the_reason():
    with dg.instance_for_test() as instance:
        first = lever_delta_sync_schedule(dg.build_schedule_context(instance=instance))
        assert isinstance(first, dg.RunRequest)
        instance.add_run(DagsterRun(job_name=lever_delta_sync_job.name, run_id="sync-run-1",
                                    status=dg.DagsterRunStatus.STARTED))  # fmt: skip
        second = lever_delta_sync_schedule(dg.build_schedule_context(instance=instance))
        assert isinstance(second, dg.SkipReason) and "sync-run-1" in second.skip_message
        instance.delete_run("sync-run-1")  # the previous sync is over
        assert isinstance(lever_delta_sync_schedule(dg.build_schedule_context(instance=instance)), dg.RunRequest)


def test_the_schedule_is_hourly_by_default_and_stopped_until_turned_on():
    assert lever_delta_sync_schedule.cron_schedule == "0 * * * *"
    assert lever_delta_sync_schedule.default_status == dg.DefaultScheduleStatus.STOPPED
