"""Shared fixtures: generated Lever orgs (fixed seeds) served by the Lever sandbox on loopback."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

from migration_pipeline.sandbox.lever.app import LeverSandbox, LeverSandboxConfig
from migration_pipeline.sandbox.lever.auth import ApiKey, OAuthClient
from migration_pipeline.sandbox.lever.generator import generate_org
from migration_pipeline.sandbox.lever.org import LeverOrg

FULL_KEY = "test-full-key"
NO_CONFIDENTIAL_KEY = "test-nc-key"
READ_ONLY_KEY = "test-ro-key"
OAUTH_CLIENT = OAuthClient("test-client", "test-client-secret")
SEED = 7
CONTACTS = 200


@dataclass
class RunningLever:
    sandbox: LeverSandbox
    root: str  # http://127.0.0.1:port

    @property
    def api(self) -> str:
        return f"{self.root}/v1"

    @property
    def org(self) -> LeverOrg:
        return self.sandbox.org

    def session(self, key: str | None = FULL_KEY) -> requests.Session:
        s = requests.Session()
        if key is not None:
            s.auth = (key, "")
        return s

    def get(self, path: str, key: str | None = FULL_KEY, **params: object) -> requests.Response:
        return self.session(key).get(f"{self.api}{path}", params=params, timeout=30)

    def admin(self, method: str, path: str, **kwargs: object) -> requests.Response:
        return requests.request(method, f"{self.root}/__sandbox{path}", timeout=30, **kwargs)


def lever_config(**overrides: object) -> LeverSandboxConfig:
    settings: dict[str, object] = {
        "keys": [ApiKey(FULL_KEY), ApiKey.parse(f"{NO_CONFIDENTIAL_KEY}:no-confidential"),
                 ApiKey.parse(f"{READ_ONLY_KEY}:read-only")],
        "oauth_clients": [OAUTH_CLIENT],
        # tests are not about the rate limit unless they say so
        "rate": 100_000.0,
        "burst": 100_000,
    }  # fmt: skip
    settings.update(overrides)
    return LeverSandboxConfig(**settings)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def lever_org_pristine() -> LeverOrg:
    return generate_org(seed=SEED, contacts=CONTACTS)


@pytest.fixture(scope="session")
def lever(lever_org_pristine: LeverOrg) -> Iterator[RunningLever]:
    """A read-only sandbox shared by the whole session: tests must not mutate it."""
    sandbox = LeverSandbox(lever_org_pristine, lever_config())
    with sandbox.serve() as server:
        yield RunningLever(sandbox, server.base_url)


@pytest.fixture
def fresh_lever(lever_org_pristine: LeverOrg) -> Iterator[RunningLever]:
    """A sandbox of its own, for tests that mutate the org or change knobs."""
    sandbox = LeverSandbox(copy.deepcopy(lever_org_pristine), lever_config())
    with sandbox.serve() as server:
        yield RunningLever(sandbox, server.base_url)
