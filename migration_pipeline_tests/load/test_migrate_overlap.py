"""`migrate` with extraction and loading overlapping, from the Lever sandbox into the Ashby sandbox: partitions
are loaded while later ones are still being extracted (read from the run's timeline, not from timings), and the
final Ashby org equals the one a sequential run leaves."""

import threading
from pathlib import Path

from migration_pipeline.config import Secret, Settings
from migration_pipeline.load.readback import read_org
from migration_pipeline.migrate_command import EXIT_OK, run_migrate
from migration_pipeline.migrate_overlap import Timeline
from migration_pipeline_tests.conftest import FULL_KEY
from migration_pipeline_tests.load.conftest import KEY, _config, client

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
    with client(prepared, fresh) as c:
        overlapped = read_org(c)

    prepared.sandbox.reset(config=_config())
    assert run_migrate(_settings(data_dir, "http://unused", prepared.url), skip_extract=True, overlap=False) == EXIT_OK
    with client(prepared, data_dir) as c:
        sequential = read_org(c)
    assert overlapped.counts() == sequential.counts() and overlapped.counts()["candidates"] > 0
    assert overlapped.difference(sequential) == {}
    assert overlapped.duplicates() == sequential.duplicates()
