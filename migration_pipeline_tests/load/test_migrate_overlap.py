"""`migrate` with extraction and loading overlapping, from the Lever sandbox into the Ashby sandbox: partitions
are loaded while later ones are still being extracted (read from the run's timeline, not from timings), and the
final Ashby org equals the one a sequential run leaves, also after a SIGKILL while partitions were still being
extracted and loaded."""

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from migration_pipeline.config import Secret, Settings
from migration_pipeline.load.readback import OrgReadback, read_org
from migration_pipeline.migrate_command import EXIT_OK, run_migrate
from migration_pipeline.migrate_overlap import Timeline
from migration_pipeline_tests.conftest import FULL_KEY
from migration_pipeline_tests.load.conftest import KEY, _config, client
from migration_pipeline_tests.load.test_kill import _env, _writes

WAIT_S = 300.0


class HeldBack(Timeline):
    """A timeline that holds the last partition's extraction back until a partition's load has begun (or
    `WAIT_S` passed): in a run that cannot overlap, no load would begin and the test fails."""

    def __init__(self) -> None:
        super().__init__()
        self.loading = threading.Event()
        self.last: str | None = None

    def mark(self, event: str, partitions=()) -> None:
        if event == "extract_order":
            self.last = partitions[-1]
        if event == "extract_start" and list(partitions) == [self.last]:
            self.loading.wait(WAIT_S)
        super().mark(event, partitions)
        if event == "load_start" and not {"(org)", "(final)"} & set(partitions):
            self.loading.set()


def _settings(data_dir: Path, lever_api: str, ashby_url: str) -> Settings:
    return Settings(
        lever_api_key=Secret(FULL_KEY),
        lever_base_url=lever_api,
        lever_rate_per_second=10**6,
        lever_burst=10**6,
        ashby_api_key=Secret(KEY),
        ashby_base_url=ashby_url,
        data_dir=data_dir,
        ashby_rate_per_minute=10**7,
    )


def _compared_with_sequential(prepared, migrated: Path, data_dir: Path) -> tuple[OrgReadback, OrgReadback]:
    """(the org the run into `migrated` left, the org a sequential run of the already extracted `data_dir` leaves
    in a fresh Ashby sandbox)."""
    with client(prepared, migrated) as c:
        found = read_org(c)
    prepared.sandbox.reset(config=_config())
    assert run_migrate(_settings(data_dir, "http://unused", prepared.url), skip_extract=True, overlap=False) == EXIT_OK
    with client(prepared, data_dir) as c:
        return found, read_org(c)


def test_partitions_load_while_later_ones_extract_and_the_result_equals_a_sequential_run(
    lever, prepared, data_dir, tmp_path
):
    timeline = HeldBack()
    fresh = tmp_path / "overlap"
    assert run_migrate(_settings(fresh, lever.api, prepared.url), timeline=timeline) == EXIT_OK
    [order] = [ps for _, e, ps in timeline.events if e == "extract_order"]
    [last_extracted] = timeline.times("extract_end", order[-1])
    partition_loads = [
        (t, ps) for t, e, ps in timeline.events if e == "load_start" and not {"(org)", "(final)"} & set(ps)
    ]
    assert partition_loads and partition_loads[0][0] < last_extracted
    assert len(timeline.times("extract_end")) == len(order)
    overlapped, sequential = _compared_with_sequential(prepared, fresh, data_dir)
    assert overlapped.counts() == sequential.counts() and overlapped.counts()["candidates"] > 0
    assert overlapped.difference(sequential) == {}
    assert overlapped.duplicates() == sequential.duplicates()


def test_a_kill_while_partitions_still_extract_then_a_rerun_equals_a_sequential_run(
    fresh_lever, prepared, data_dir, tmp_path
):
    fresh_lever.admin("POST", "/faults", json={"latency_ms": 100}).raise_for_status()  # extraction outlasts the kill
    work = tmp_path / "overlap"
    env = {
        **_env(work, prepared.url),
        "LEVER_BASE_URL": fresh_lever.api,
        "LEVER_API_KEY": FULL_KEY,
        "LEVER_RATE_PER_SECOND": "1000000",
        "LEVER_BURST": "1000000",
    }
    command = [sys.executable, "-m", "migration_pipeline.cli", "migrate"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + WAIT_S
    while process.poll() is None and _writes(prepared) < 40 and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL
    # killed with candidates written and partitions still to extract: the extraction session is unfinished
    assert _writes(prepared) >= 40 and (work / "landing" / "lever" / "_sessions" / "current").exists()
    assert run_migrate(_settings(work, fresh_lever.api, prepared.url)) == EXIT_OK
    resumed, sequential = _compared_with_sequential(prepared, work, data_dir)
    assert resumed.duplicates() == sequential.duplicates()
    assert resumed.difference(sequential) == {}
