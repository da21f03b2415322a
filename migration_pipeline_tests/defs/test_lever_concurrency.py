"""Runs at once on one DuckDB file: the multiprocess executor, several partitions in parallel, a range run
beside single-partition runs. No lock error, no lost rows."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from migration_pipeline.defs.lever.partitions import lever_postings
from migration_pipeline.store import Store
from migration_pipeline_tests.conftest import FULL_KEY, RunningLever


def lists_job() -> dg.JobDefinition:
    from migration_pipeline.definitions import defs

    return defs().resolve_job_def("lever_lists")


def records_job() -> dg.JobDefinition:
    from migration_pipeline.definitions import defs

    return defs().resolve_job_def("lever_records")


@pytest.fixture
def environment(lever: RunningLever, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data_dir = tmp_path / "data"
    monkeypatch.setenv("LEVER_API_KEY", FULL_KEY)
    monkeypatch.setenv("LEVER_BASE_URL", lever.api)
    monkeypatch.setenv("MIGRATION_DATA_DIR", str(data_dir))
    monkeypatch.setenv("LEVER_RATE_PER_SECOND", "100000")  # the sandbox fixture lifts Lever's limit too
    monkeypatch.setenv("LEVER_BURST", "1000")
    return data_dir


RUN_IN_A_PROCESS = """
import json, sys
import dagster as dg
from migration_pipeline_tests.defs.test_lever_concurrency import records_job
with dg.DagsterInstance.get() as instance:
    result = dg.execute_job(dg.reconstructable(records_job), instance=instance, tags=json.loads(sys.argv[1]))
sys.exit(0 if result.success else 1)
"""


def test_parallel_partition_runs_with_the_multiprocess_executor(
    lever: RunningLever, environment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "dagster"
    home.mkdir()
    with dg.instance_for_test(temp_dir=str(home)) as instance:
        assert dg.execute_job(dg.reconstructable(lists_job), instance=instance).success
        registered = sorted(instance.get_dynamic_partitions(lever_postings.name))
        busy = set(Store(environment / "migration.duckdb").raw_index("opportunities")["partition_key"])
        partitions = [p for p in registered if p in busy]  # partitions that have opportunities to extract
        singles, ranged = partitions[:4], partitions[4:7]
        # each run in its own process, as the run launcher starts them; each step in its own process again
        # (the multiprocess executor): five runs writing one DuckDB file at the same time
        tag_sets = [{"dagster/partition": p} for p in singles] + [
            {"dagster/asset_partition_range_start": ranged[0], "dagster/asset_partition_range_end": ranged[-1]}
        ]
        monkeypatch.setenv("DAGSTER_HOME", str(home))
        runs = [subprocess.Popen([sys.executable, "-c", RUN_IN_A_PROCESS, json.dumps(tags)]) for tags in tag_sets]
        assert [run.wait(timeout=600) for run in runs] == [0] * len(runs)
        records_runs = [r for r in instance.get_runs() if r.job_name == "lever_records"]
        assert len(records_runs) == 5 and all(r.status == dg.DagsterRunStatus.SUCCESS for r in records_runs)
    store = Store(environment / "migration.duckdb")
    opportunities = store.raw_index("opportunities")
    in_scope = opportunities[opportunities["partition_key"].isin(singles + ranged)]["lever_id"]
    counts = store.raw_counts()
    for kind in ("notes", "feedback", "interviews", "resumes", "files"):
        assert counts[kind] == sum(lever.org.plans[o].count(kind) for o in in_scope), kind
