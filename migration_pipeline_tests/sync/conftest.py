"""The parallel run: a small generated Lever org served by its sandbox, an Ashby sandbox prepared for it, a
full migration between them, then mutations and syncs; and the reference a sync must equal — a fresh full
migration of the mutated Lever org into a fresh Ashby org of the same setup."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from migration_pipeline.ashby.client import AshbyClient
from migration_pipeline.config import Secret, Settings
from migration_pipeline.load.readback import OrgReadback, read_org
from migration_pipeline.migrate_command import EXIT_OK, run_migrate
from migration_pipeline.sandbox.ashby.app import AshbySandbox, AshbySandboxConfig
from migration_pipeline.sandbox.ashby.rpc import AshbyKey
from migration_pipeline.sandbox.ashby.setup import build_state, setup_from_lever
from migration_pipeline.sandbox.ashby.state import AshbyState
from migration_pipeline.sandbox.lever.app import LeverSandbox
from migration_pipeline.sandbox.lever.generator import generate_org
from migration_pipeline.sandbox.lever.org import LeverOrg
from migration_pipeline.sandbox.serving import serve_in_thread
from migration_pipeline.store import Store
from migration_pipeline.sync.run import SyncReport
from migration_pipeline.sync_command import sync_once
from migration_pipeline_tests.conftest import FULL_KEY, RunningLever, lever_config

SEED, CONTACTS = 23, 30
ASHBY_KEY = "sync-key"


def _ashby_config() -> AshbySandboxConfig:
    return AshbySandboxConfig(keys=[AshbyKey(ASHBY_KEY)], rate_per_minute=10**7)


@dataclass
class Ashby:
    sandbox: AshbySandbox
    url: str

    def call(self, method: str, body: dict | None = None) -> Any:
        answer = requests.post(f"{self.url}/{method}", json=body or {}, auth=(ASHBY_KEY, ""), timeout=30).json()
        assert answer["success"], answer
        return answer["results"]

    def readback(self) -> OrgReadback:
        with AshbyClient(self.url, Secret(ASHBY_KEY), rate_per_minute=10**7) as client:
            return read_org(client)


def settings(data_dir: Path, lever_url: str, ashby_url: str) -> Settings:
    return Settings(
        lever_api_key=Secret(FULL_KEY),
        lever_base_url=f"{lever_url}/v1",
        ashby_api_key=Secret(ASHBY_KEY),
        ashby_base_url=ashby_url,
        data_dir=data_dir,
        lever_rate_per_second=10_000.0,
        lever_burst=10_000,
        ashby_rate_per_minute=10**7,
    )


@dataclass
class ParallelRun:
    lever: RunningLever
    ashby: Ashby
    setup: dict[str, Any]  # the Ashby org's setup before the migration
    data_dir: Path
    work: Path
    stack: ExitStack

    @property
    def settings(self) -> Settings:
        return settings(self.data_dir, self.lever.root, self.ashby.url)

    @property
    def store(self) -> Store:
        return Store(self.data_dir / "migration.duckdb")

    def migrate(self) -> None:
        assert run_migrate(self.settings, validate_api=False) == EXIT_OK

    def sync(self, mapping: str | None = None) -> SyncReport:
        return sync_once(self.settings, mapping=mapping)

    def fresh_ashby(self) -> Ashby:
        setup = copy.deepcopy(self.setup)
        sandbox = AshbySandbox(lambda: build_state(setup), _ashby_config())
        server = self.stack.enter_context(serve_in_thread(sandbox.app))
        return Ashby(sandbox, server.base_url)

    def reference(self, name: str) -> OrgReadback:
        """What a fresh full migration of the Lever org as it is now produces."""
        ashby = self.fresh_ashby()
        data_dir = self.work / name
        assert run_migrate(settings(data_dir, self.lever.root, ashby.url), validate_api=False) == EXIT_OK
        return ashby.readback()


@dataclass(frozen=True)
class Migrated:
    """The parallel run's starting point, migrated once per session: each test gets its own copies."""

    org: LeverOrg
    setup: dict[str, Any]
    ashby_state: AshbyState
    data_dir: Path


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Migrated:
    org = generate_org(SEED, CONTACTS)
    setup = setup_from_lever(org)
    data_dir = tmp_path_factory.mktemp("sync-migrated") / "data"
    lever_sandbox = LeverSandbox(org, lever_config())
    ashby_sandbox = AshbySandbox(lambda: build_state(copy.deepcopy(setup)), _ashby_config())
    with lever_sandbox.serve() as lever_server, serve_in_thread(ashby_sandbox.app) as ashby_server:
        run_settings = settings(data_dir, lever_server.base_url, ashby_server.base_url)
        assert run_migrate(run_settings, validate_api=False) == EXIT_OK
    return Migrated(org, setup, ashby_sandbox.state, data_dir)


@pytest.fixture
def parallel(migrated: Migrated, tmp_path: Path) -> Iterator[ParallelRun]:
    """A migrated org: copies of the session's Lever org, Ashby org and data dir (the store's file paths still
    name the session's copy of each content file, which stays in place and is the same content)."""
    data_dir = tmp_path / "data"
    shutil.copytree(migrated.data_dir, data_dir)
    with ExitStack() as stack:
        lever_sandbox = LeverSandbox(copy.deepcopy(migrated.org), lever_config())
        lever_server = stack.enter_context(lever_sandbox.serve())
        state = copy.deepcopy(migrated.ashby_state)
        sandbox = AshbySandbox(lambda: copy.deepcopy(state), _ashby_config())
        ashby_server = stack.enter_context(serve_in_thread(sandbox.app))
        yield ParallelRun(
            lever=RunningLever(lever_sandbox, lever_server.base_url),
            ashby=Ashby(sandbox, ashby_server.base_url),
            setup=migrated.setup,
            data_dir=data_dir,
            work=tmp_path,
            stack=stack,
        )
