"""The shared token bucket: burst then steady rate, one budget across threads and processes.

Timing asserts are one-sided bounds the bucket guarantees (n tokens in a span of t seconds need
n <= burst + rate * t), with slack; never an exact duration.
"""

from __future__ import annotations

import json
import multiprocessing
import threading
import time
from pathlib import Path

import pytest

from migration_pipeline.lever.ratelimit import SharedTokenBucket, fingerprint


def _take(bucket: SharedTokenBucket, n: int) -> list[tuple[float, float]]:
    """(asked at, got at) for each of n tokens."""
    spans = []
    for _ in range(n):
        asked = time.time()
        bucket.acquire()
        spans.append((asked, time.time()))
    return spans


def _assert_within_budget(spans: list[tuple[float, float]], rate: float, burst: int) -> float:
    """Every token was granted after the first ask and before the last grant: so at most
    burst + rate * span of them. Returns the achieved rate."""
    start = min(a for a, _ in spans)
    end = max(g for _, g in spans)
    elapsed = end - start
    assert len(spans) <= rate * elapsed + burst + 2, (len(spans), elapsed)
    return len(spans) / elapsed


def test_burst_is_free_then_the_steady_rate_applies(tmp_path: Path) -> None:
    bucket = SharedTokenBucket("b", rate=50, burst=5, state_dir=tmp_path)
    waits = [bucket.acquire() for _ in range(5)]
    assert sum(waits) < 0.05  # the burst is saved up
    spans = _take(bucket, 25)
    assert sum(g - a for a, g in spans) >= 25 / 50 - 0.15  # then 50/s
    _assert_within_budget(spans, rate=50, burst=1)


def test_threads_share_one_budget(tmp_path: Path) -> None:
    rate, burst = 100.0, 5
    bucket = SharedTokenBucket("threads", rate=rate, burst=burst, state_dir=tmp_path)
    spans: list[tuple[float, float]] = []
    lock = threading.Lock()

    def worker() -> None:
        mine = _take(bucket, 25)
        with lock:
            spans.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    achieved = _assert_within_budget(spans, rate, burst)
    assert achieved > rate / 3  # and the budget is used, not wasted


def test_two_bucket_objects_on_one_file_share_the_budget(tmp_path: Path) -> None:
    a = SharedTokenBucket("same", rate=20, burst=2, state_dir=tmp_path)
    b = SharedTokenBucket("same", rate=20, burst=2, state_dir=tmp_path)
    assert a.acquire() == 0 and b.acquire() == 0  # the burst of 2, once between them
    assert a.acquire() > 0.02


def _process_worker(args: tuple[str, str, float, int, int]) -> list[tuple[float, float]]:
    state_dir, name, rate, burst, n = args
    return _take(SharedTokenBucket(name, rate=rate, burst=burst, state_dir=Path(state_dir)), n)


def test_processes_share_one_budget(tmp_path: Path) -> None:
    rate, burst, processes, each = 50.0, 5, 4, 30
    context = multiprocessing.get_context("spawn")  # no fork of a process that runs server threads
    with context.Pool(processes) as pool:
        results = pool.map(_process_worker, [(str(tmp_path), "procs", rate, burst, each)] * processes)
    spans = [span for result in results for span in result]
    assert len(spans) == processes * each
    achieved = _assert_within_budget(spans, rate, burst)
    assert achieved > rate / 3


def test_drain_spends_the_burst(tmp_path: Path) -> None:
    bucket = SharedTokenBucket("drain", rate=20, burst=10, state_dir=tmp_path)
    assert bucket.tokens() == pytest.approx(10, abs=0.5)
    bucket.drain()
    assert bucket.tokens() < 1
    assert bucket.acquire() > 0


def test_state_file_holds_no_key_and_a_corrupt_file_starts_empty(tmp_path: Path) -> None:
    name = fingerprint("super-secret-key")
    assert "super-secret" not in name
    bucket = SharedTokenBucket(name, rate=1000, burst=3, state_dir=tmp_path)
    bucket.acquire()
    state = json.loads((tmp_path / f"{name}.json").read_text())
    assert set(state) == {"tokens", "last"}
    (tmp_path / f"{name}.json").write_text("{not json")
    assert bucket.tokens() < 1  # unreadable state: the safe side


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        SharedTokenBucket("x", rate=0, burst=1, state_dir=tmp_path)
    with pytest.raises(ValueError):
        SharedTokenBucket("x", rate=1, burst=0, state_dir=tmp_path)
    with pytest.raises(ValueError):
        SharedTokenBucket("../x", rate=1, burst=1, state_dir=tmp_path)
