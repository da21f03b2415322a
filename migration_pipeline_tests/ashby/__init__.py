"""Tests of the Ashby client (`migration_pipeline.ashby`), over real HTTP against the Ashby sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from migration_pipeline.ashby.client import AshbyClient
from migration_pipeline.config import Secret
from migration_pipeline.sandbox.serving import key_fingerprint
from migration_pipeline_tests.conftest import ASHBY_FULL_KEY, RunningAshby


def fast_client(ashby: RunningAshby, state_dir: Path, key: str = ASHBY_FULL_KEY, **overrides: Any) -> AshbyClient:
    """A client that never waits on its budget and backs off briefly, so fault tests take well under a second
    (`state_dir` is the test's own, so the bucket is too)."""
    settings: dict[str, Any] = {
        "rate_per_minute": 6_000_000,
        "burst": 100_000,
        "state_dir": state_dir,
        "backoff_initial": 0.01,
        "backoff_max": 0.1,
        "timeout": 10.0,
    }
    settings.update(overrides)
    return AshbyClient(ashby.root, Secret(key), **settings)


def requests_to(ashby: RunningAshby, endpoint: str, key: str = ASHBY_FULL_KEY) -> list[dict[str, Any]]:
    """The sandbox's log of requests to `endpoint` with `key`."""
    log = ashby.admin("GET", "/requests").json()["data"]
    return [e for e in log if e["path"] == f"/{endpoint}" and e["key"] == key_fingerprint(key)]
