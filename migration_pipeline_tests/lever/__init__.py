"""Tests of the Lever client (`migration_pipeline.lever`), over real HTTP against the Lever sandbox."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import requests

from migration_pipeline.config import Secret
from migration_pipeline.lever.client import LeverClient
from migration_pipeline.lever.ratelimit import SharedTokenBucket
from migration_pipeline_tests.conftest import FULL_KEY, OAUTH_CLIENT, RunningLever


def fast_limiter(state_dir: Path) -> SharedTokenBucket:
    """A bucket of its own that never makes a test wait."""
    return SharedTokenBucket(f"test-{uuid.uuid4().hex[:12]}", rate=100_000, burst=100_000, state_dir=state_dir)


def fast_client(lever: RunningLever, state_dir: Path, key: str | None = FULL_KEY, **overrides: Any) -> LeverClient:
    """A client whose backoffs are short, so fault tests run in well under a second each."""
    settings: dict[str, Any] = {
        "limiter": fast_limiter(state_dir),
        "backoff_initial_seconds": 0.01,
        "backoff_max_seconds": 0.2,
        "maintenance_initial_wait_seconds": 0.2,
        "maintenance_backoff_max_seconds": 0.5,
    }
    settings.update(overrides)
    if "auth" in settings:
        return LeverClient(lever.api, **settings)
    return LeverClient(lever.api, Secret(key or ""), **settings)


def oauth_tokens(lever: RunningLever, scope: str) -> dict[str, Any]:
    """A token grant from the sandbox's authorize + token steps (the user approves at once)."""
    authorize = requests.get(
        f"{lever.root}/oauth/authorize",
        params={"client_id": OAUTH_CLIENT.client_id, "redirect_uri": "https://example.com/cb", "state": "s1",
                "response_type": "code", "scope": scope, "audience": "https://api.lever.co/v1/"},
        allow_redirects=False, timeout=30,
    )  # fmt: skip
    assert authorize.status_code == 302
    location = authorize.headers["location"]
    assert location.startswith("https://example.com/cb?") and "state=s1" in location
    code = location.split("code=")[1].split("&")[0]
    token = requests.post(
        f"{lever.root}/oauth/token",
        data={"grant_type": "authorization_code", "client_id": OAUTH_CLIENT.client_id,
              "client_secret": OAUTH_CLIENT.client_secret, "code": code, "redirect_uri": "https://example.com/cb"},
        timeout=30,
    )  # fmt: skip
    assert token.status_code == 200, token.text
    return token.json()


def request_log(lever: RunningLever) -> list[dict[str, Any]]:
    return lever.admin("GET", "/requests").json()["data"]
