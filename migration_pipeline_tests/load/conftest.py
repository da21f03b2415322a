"""Load fixtures: the session's Lever org extracted and transformed once (template), an Ashby sandbox
prepared for that org (fresh state per test), and a client/session factory against it."""

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from migration_pipeline.ashby.client import AshbyClient
from migration_pipeline.config import Secret
from migration_pipeline.load.engine import LoadContext
from migration_pipeline.load.phases import Scope, run_phases
from migration_pipeline.load.session import load_session
from migration_pipeline.sandbox.ashby.app import AshbySandbox, AshbySandboxConfig
from migration_pipeline.sandbox.ashby.rpc import AshbyKey
from migration_pipeline.sandbox.ashby.setup import build_state, setup_from_lever
from migration_pipeline.sandbox.serving import serve_in_thread
from migration_pipeline.store import Store
from migration_pipeline.transform.mapping import load_mapping
from migration_pipeline.transform.pipeline import transform_everything
from migration_pipeline_tests.transform.conftest import extracted  # noqa: F401 - fixture

KEY = "load-key"


@dataclass
class PreparedAshby:
    sandbox: AshbySandbox
    url: str

    def admin(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return requests.request(method, f"{self.url}/__sandbox{path}", timeout=30, **kwargs)

    def faults(self, **knobs: Any) -> None:
        self.admin("POST", "/faults", json=knobs).raise_for_status()

    def call(self, method: str, body: dict | None = None) -> Any:
        answer = requests.post(f"{self.url}/{method}", json=body or {}, auth=(KEY, ""), timeout=30).json()
        assert answer["success"], answer
        return answer["results"]

    def candidates(self) -> list[dict]:
        return list(self.sandbox.state["candidates"].values())


def _config() -> AshbySandboxConfig:
    return AshbySandboxConfig(keys=[AshbyKey(KEY)], rate_per_minute=10**7)


@pytest.fixture(scope="session")
def prepared_server(lever_org_pristine) -> Iterator[PreparedAshby]:
    setup = setup_from_lever(lever_org_pristine)
    sandbox = AshbySandbox(lambda: build_state(setup), _config())
    with serve_in_thread(sandbox.app) as server:
        yield PreparedAshby(sandbox, server.base_url)


@pytest.fixture
def prepared(prepared_server: PreparedAshby) -> PreparedAshby:
    """The prepared Ashby org, fresh for each test (tests write to it)."""
    prepared_server.sandbox.reset(config=_config())
    prepared_server.faults(rate_429=0, rate_500=0, rate_lost_500=0, rate_drop=0, rate_timeout=0, script=[])
    return prepared_server


@pytest.fixture(scope="session")
def transformed(extracted: Path, tmp_path_factory) -> Path:  # noqa: F811
    data_dir = tmp_path_factory.mktemp("transformed")
    shutil.copytree(
        extracted, data_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.lock", "landing", "state")
    )
    transform_everything(Store(data_dir / "migration.duckdb"), load_mapping(None))
    return data_dir


@pytest.fixture
def data_dir(transformed: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(transformed, copy, ignore=shutil.ignore_patterns("*.lock"))
    return copy


def client(prepared: PreparedAshby, data_dir: Path, **kwargs: Any) -> AshbyClient:
    settings = {"rate_per_minute": 10**7, "state_dir": data_dir / "state", "backoff_initial": 0.01, "backoff_max": 0.05}
    return AshbyClient(prepared.url, Secret(KEY), **{**settings, **kwargs})


@contextmanager
def session(prepared: PreparedAshby, data_dir: Path, run_id: str = "run-1", **kwargs: Any) -> Iterator[LoadContext]:
    store = Store(data_dir / "migration.duckdb")
    with client(prepared, data_dir) as c, load_session(store, data_dir, c, run_id, **kwargs) as ctx:
        yield ctx


def load(
    prepared: PreparedAshby,
    data_dir: Path,
    run_id: str = "run-1",
    *,
    partitions: list[str] | None = None,
    phases=None,
    **kwargs: Any,
):
    with session(prepared, data_dir, run_id, **kwargs) as ctx:
        return run_phases(Store(data_dir / "migration.duckdb"), ctx, Scope(partitions), phases=phases)
