"""One rate budget per Ashby key, shared by every client that uses it, and paced by Ashby's own headers.

Timing asserts are one-sided bounds the bucket guarantees (n requests in t seconds need n <= burst +
rate * t), with slack; never an exact duration.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import migration_pipeline.lever.ratelimit as lever_ratelimit
import migration_pipeline.ratelimit as ratelimit
from migration_pipeline.config import Settings
from migration_pipeline.defs.ashby.resources import AshbyResource
from migration_pipeline_tests.ashby import fast_client, requests_to
from migration_pipeline_tests.conftest import ASHBY_FULL_KEY, RunningAshby


def test_two_clients_on_one_key_share_one_budget(ashby: RunningAshby, tmp_path: Path) -> None:
    rate_per_minute, burst, seconds = 1200.0, 5, 3.0  # 20 requests a second between them
    clients = [fast_client(ashby, tmp_path, rate_per_minute=rate_per_minute, burst=burst) for _ in range(2)]
    stop = time.monotonic() + seconds

    def hammer(index: int) -> None:
        while time.monotonic() < stop:
            clients[index].call("user.list", {"limit": 1})

    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    log = requests_to(ashby, "user.list")
    elapsed = log[-1]["time"] - log[0]["time"]
    rate = rate_per_minute / 60
    assert len(log) <= burst + rate * elapsed + 3, (len(log), elapsed)
    assert len(log) >= rate * seconds * 0.5, "the shared budget should still be used"
    assert all(c.stats.calls["user.list"] > 5 for c in clients)  # both got a share


def test_a_reply_saying_the_window_is_spent_holds_every_user_of_the_key(ashby: RunningAshby, tmp_path: Path) -> None:
    ashby.admin("POST", "/rate_limit", json={"rate_per_minute": 10})
    with fast_client(ashby, tmp_path, rate_per_minute=600, burst=20) as client:
        for _ in range(10):
            client.call("user.list", {"limit": 1})
        # the tenth reply said `x-ratelimit-remaining: 0`: the next request waits for the window to reset
        other = fast_client(ashby, tmp_path, rate_per_minute=600, burst=20)
        assert other.limiter.tokens() < -100
    assert client.stats.header_waits == 1 and client.stats.rate_limited == 0
    assert all(e["status"] == 200 for e in requests_to(ashby, "user.list"))


def test_the_generic_bucket_moved_and_lever_still_imports_it() -> None:
    assert lever_ratelimit.SharedTokenBucket is ratelimit.SharedTokenBucket
    assert lever_ratelimit.fingerprint is ratelimit.fingerprint
    assert lever_ratelimit.default_state_dir is ratelimit.default_state_dir


def test_the_rate_comes_from_the_environment() -> None:
    assert Settings.from_env({}).ashby_rate_per_minute == 1000.0
    assert Settings.from_env({"ASHBY_RATE_PER_MINUTE": "250"}).ashby_rate_per_minute == 250.0


def test_the_resource_builds_a_client_with_its_rate(ashby: RunningAshby, tmp_path: Path) -> None:
    resource = AshbyResource(
        api_key=ASHBY_FULL_KEY, base_url=ashby.root, rate_per_minute=60_000, state_dir=str(tmp_path)
    )
    with resource.client() as client:
        assert client.call("user.list")
    assert client.limiter.rate == 1000.0 and client.limiter.state_dir == tmp_path
    assert ASHBY_FULL_KEY not in repr(client)
