"""Shared fixtures: generated Lever orgs (fixed seeds) served by the Lever sandbox, and Ashby orgs from the
committed setups served by the Ashby sandbox, both on loopback."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from migration_pipeline.sandbox.ashby.app import AshbySandbox, AshbySandboxConfig
from migration_pipeline.sandbox.ashby.rpc import SCOPES, AshbyKey
from migration_pipeline.sandbox.ashby.setup import DEFAULT_SETUP_PATH, build_state, load_setup
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

    @property
    def state_dir(self) -> Any:
        """A folder of this sandbox's own for client-side state (rate buckets)."""
        import tempfile
        from pathlib import Path

        if not hasattr(self, "_state_dir"):
            self._state_dir = Path(tempfile.mkdtemp(prefix="lever-client-"))
        return self._state_dir

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


# ---- Ashby ---------------------------------------------------------------------------------------

ASHBY_FULL_KEY = "ashby-full-key"
ASHBY_READ_ONLY_KEY = "ashby-read-only-key"
ASHBY_NO_CONFIDENTIAL_KEY = "ashby-no-confidential-key"
ASHBY_NO_PRIVATE_KEY = "ashby-no-private-key"


def ashby_keys() -> list[AshbyKey]:
    read_scopes = ",".join(s for s in SCOPES if s.endswith("Read"))
    return [
        AshbyKey(ASHBY_FULL_KEY),
        AshbyKey.parse(f"{ASHBY_READ_ONLY_KEY}:{read_scopes},confidential,private-fields"),
        AshbyKey.parse(f"{ASHBY_NO_CONFIDENTIAL_KEY}:all,-confidential"),
        AshbyKey.parse(f"{ASHBY_NO_PRIVATE_KEY}:all,-private-fields"),
    ]


@dataclass
class RunningAshby:
    sandbox: AshbySandbox
    root: str  # http://127.0.0.1:port

    @property
    def state(self):
        return self.sandbox.state

    def call(self, method: str, body: Any = None, key: str | None = ASHBY_FULL_KEY, **kwargs: Any) -> requests.Response:
        auth = (key, "") if key is not None else None
        return requests.post(
            f"{self.root}/{method}", json={} if body is None else body, auth=auth, timeout=30, **kwargs
        )

    def results(self, method: str, body: Any = None, key: str = ASHBY_FULL_KEY) -> Any:
        """The `results` of a call that must succeed."""
        response = self.call(method, body, key)
        assert response.status_code == 200, (method, response.status_code, response.text[:500])
        payload = response.json()
        assert payload["success"] is True, (method, payload)
        return payload["results"]

    def error(self, method: str, body: Any = None, key: str = ASHBY_FULL_KEY) -> dict[str, Any]:
        """The `errorInfo` of a call that must fail with HTTP 200 and `success: false`."""
        response = self.call(method, body, key)
        assert response.status_code == 200, (method, response.status_code, response.text[:500])
        payload = response.json()
        assert payload["success"] is False, (method, payload)
        assert payload["errors"] == [payload["errorInfo"]["code"]]
        return payload["errorInfo"]

    def admin(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return requests.request(method, f"{self.root}/__sandbox{path}", timeout=30, **kwargs)

    def walk(self, method: str, body: dict[str, Any], limit: int, key: str | None = None) -> tuple[list, dict, int]:
        """Page a list endpoint to its end: (every item, the last page, the number of pages)."""
        items: list = []
        cursor, pages = None, 0
        while True:
            request = {**body, "limit": limit, **({"cursor": cursor} if cursor else {})}
            page = self.call(method, request, key or ASHBY_FULL_KEY).json()
            assert page["success"] is True, page
            assert len(page["results"]) <= limit
            pages += 1
            items += page["results"]
            if not page["moreDataAvailable"]:
                assert "nextCursor" not in page
                return items, page, pages
            assert "syncToken" not in page
            cursor = page["nextCursor"]

    def key_with(self, spec: str) -> str:
        """Register a key granted `spec` (`AshbyKey.parse` syntax after the secret) for this test."""
        secret = f"key-{spec}"
        self.sandbox.keys[secret] = AshbyKey.parse(f"{secret}:{spec}")
        return secret

    def key_without(self, item: str) -> str:
        """A key holding everything but `item` (a scope or a toggle), for this test."""
        return self.key_with(f"all,-{item}")


def walk_to_sync_token(
    ashby: RunningAshby, method: str, body: dict[str, Any], limit: int, key: str | None = None
) -> tuple[list, str | None, int]:
    """Page a list endpoint to its end: (every item, the sync token of the last page, the number of pages)."""
    items, last, pages = ashby.walk(method, body, limit, key)
    return items, last.get("syncToken"), pages


@pytest.fixture(scope="session")
def ashby_setup() -> dict[str, Any]:
    return load_setup(DEFAULT_SETUP_PATH)


@pytest.fixture(scope="session")
def ashby_server(ashby_setup: dict[str, Any]) -> Iterator[RunningAshby]:
    config = AshbySandboxConfig(keys=ashby_keys(), rate_per_minute=1_000_000)
    sandbox = AshbySandbox(lambda: build_state(ashby_setup), config)
    with sandbox.serve() as server:
        yield RunningAshby(sandbox, server.base_url)


@pytest.fixture
def ashby(ashby_server: RunningAshby) -> RunningAshby:
    """A fresh Ashby org from the default setup for each test (tests write to it), on one shared server."""
    ashby_server.sandbox.reset(config=AshbySandboxConfig(keys=ashby_keys(), rate_per_minute=1_000_000))
    return ashby_server
