"""`kill -9` during loading, then re-runs: the final Ashby org equals an uninterrupted run's, with no duplicate
and nothing missing; the same with the sandbox's faults on. (benchmarks/soak_kill.py does 20 kills.)"""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from migration_pipeline.load.readback import read_org
from migration_pipeline.migrate_command import EXIT_OK, run_migrate
from migration_pipeline_tests.load.conftest import KEY, client
from migration_pipeline_tests.load.test_migrate import _settings

WRITES = (
    ".create",
    ".createNote",
    ".addTag",
    ".setValues",
    ".submit",
    ".uploadResume",
    ".uploadFile",
    ".addHiringTeamMember",
    ".addMember",
    ".setStatus",
)


def _env(data_dir: Path, url: str) -> dict[str, str]:
    return {
        **os.environ,
        "ASHBY_BASE_URL": url,
        "ASHBY_API_KEY": KEY,
        "MIGRATION_DATA_DIR": str(data_dir),
        "ASHBY_RATE_PER_MINUTE": "10000000",
        "LEVER_API_KEY": "",
        "PYTHONUNBUFFERED": "1",
    }


def _writes(prepared) -> int:
    log = prepared.admin("GET", "/requests").json()["data"]
    return sum(1 for e in log if str(e.get("path", "")).endswith(WRITES))


def _migrate_process(data_dir: Path, url: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "migration_pipeline.cli", "migrate", "--skip-extract"]
    return subprocess.Popen(command, env=_env(data_dir, url), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill_during_load(prepared, data_dir: Path, rng: random.Random, *, max_writes: int) -> bool:
    """Start a migrate, SIGKILL it after a random number of writes; False if it finished first."""
    target = _writes(prepared) + rng.randint(1, max_writes)
    process = _migrate_process(data_dir, prepared.url)
    deadline = time.monotonic() + 300
    while process.poll() is None and time.monotonic() < deadline:
        if _writes(prepared) >= target:
            process.send_signal(signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.02)
    process.wait()
    return False


@pytest.fixture
def reference(prepared_server, transformed, tmp_path_factory):
    """The org an uninterrupted migrate produces (computed on the shared server before the test's own reset)."""
    import shutil

    data_dir = tmp_path_factory.mktemp("reference") / "data"
    shutil.copytree(transformed, data_dir, ignore=shutil.ignore_patterns("*.lock"))
    prepared_server.sandbox.reset()
    assert run_migrate(_settings(data_dir, prepared_server.url), skip_extract=True) == EXIT_OK
    with client(prepared_server, data_dir) as c:
        return read_org(c)


def test_sigkill_at_random_moments_then_rerun_equals_an_uninterrupted_run(reference, prepared, data_dir):
    rng = random.Random(20)
    total = sum(reference.counts().values())
    kills = sum(kill_during_load(prepared, data_dir, rng, max_writes=max(total // 4, 5)) for _ in range(3))
    assert kills >= 2  # the loads were really interrupted
    assert run_migrate(_settings(data_dir, prepared.url), skip_extract=True) == EXIT_OK
    with client(prepared, data_dir) as c:
        after = read_org(c)
    assert after.duplicates() == reference.duplicates()  # look-alikes the data really has (same-named files)
    assert after.difference(reference) == {}


def test_faults_and_lost_answers_give_the_same_org(reference, prepared, data_dir):
    prepared.faults(rate_429=0.05, rate_500=0.03, rate_lost_500=0.05, rate_drop=0.03, retry_after=0, seed=5)
    code = run_migrate(_settings(data_dir, prepared.url), skip_extract=True)
    prepared.faults(rate_429=0, rate_500=0, rate_lost_500=0, rate_drop=0)
    if code != EXIT_OK:  # a write that failed every attempt: a redrive finishes it
        assert run_migrate(_settings(data_dir, prepared.url), skip_extract=True) == EXIT_OK
    with client(prepared, data_dir) as c:
        after = read_org(c)
    assert after.duplicates() == reference.duplicates()  # look-alikes the data really has (same-named files)
    assert after.difference(reference) == {}
