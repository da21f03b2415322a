"""Transform fixtures: a synthetic Ashby org from the committed default setup (plain data) for unit tests,
and a store extracted over HTTP from the session's Lever sandbox with the Ashby org read over HTTP."""

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from migration_pipeline.ashby.client import AshbyClient
from migration_pipeline.ashby.metadata import read_org_metadata
from migration_pipeline.config import Secret
from migration_pipeline.extract import lever_extract
from migration_pipeline.extract.landing import Landing
from migration_pipeline.sandbox.ashby.app import AshbySandbox, AshbySandboxConfig
from migration_pipeline.sandbox.ashby.rpc import AshbyKey
from migration_pipeline.sandbox.ashby.setup import DEFAULT_SETUP_PATH, build_state, load_setup, setup_from_lever
from migration_pipeline.sandbox.serving import serve_in_thread
from migration_pipeline.store import Store
from migration_pipeline.transform.context import Context, LeverReference
from migration_pipeline.transform.mapping import parse_mapping
from migration_pipeline.transform.pipeline import snapshot_ashby_org
from migration_pipeline.transform.resolve import AshbyOrg
from migration_pipeline_tests.lever import fast_client

AS_OF = "2026-11-01T00:00:00Z"  # the generated orgs' "now"
HIRED, UNDERQUALIFIED = "r-hired", "r-underqualified"
STAGES = [
    {"id": "lead-new", "text": "New lead"},
    {"id": "applicant-new", "text": "New applicant"},
    {"id": "s-phone", "text": "Phone screen"},
    {"id": "s-onsite", "text": "On-site interview"},
    {"id": "s-mystery", "text": "Mystery stage"},
]
REASONS = [
    {"id": HIRED, "text": "Hired", "type": "hired", "status": "active"},
    {"id": UNDERQUALIFIED, "text": "underqualified ", "type": "non-hired", "status": "active"},
]
USERS = [{"id": "u-1", "name": "Amy Blackwell", "email": "AMY.blackwell@northwind.example"}]
POSTINGS = [
    {
        "id": "p-1",
        "text": "Engineer",
        "state": "published",
        "confidentiality": "non-confidential",
        "categories": {"department": "Engineering", "location": "Berlin", "team": "Platform"},
    },
    {
        "id": "p-conf",
        "text": "Secret role",
        "state": "closed",
        "confidentiality": "confidential",
        "categories": {"department": "Sales", "location": "Remote"},
    },
]


def ashby_org() -> AshbyOrg:
    return AshbyOrg.from_kinds(load_setup(DEFAULT_SETUP_PATH))


def make_context(**config: Any) -> Context:
    config.setdefault("policies", {}).setdefault("as_of", AS_OF)
    lever = LeverReference.from_payloads(
        users=USERS, stages=STAGES, archive_reasons=REASONS, feedback_templates=[], postings=POSTINGS
    )
    return Context.build(parse_mapping(config), ashby_org(), lever)


def opportunity(oid: str, contact: str, posting: str | None = "p-1", **fields: Any) -> dict[str, Any]:
    opp: dict[str, Any] = {
        "id": oid,
        "contact": contact,
        "name": f"Person {contact}",
        "emails": [f"{contact}@example.com"],
        "phones": [],
        "links": [],
        "tags": [],
        "sources": [],
        "stage": "applicant-new",
        "stageChanges": [{"toStageId": "applicant-new", "toStageIndex": 0, "updatedAt": 1_700_000_000_000}],
        "owner": "u-1",
        "followers": ["u-1"],
        "createdAt": 1_700_000_000_000,
        "updatedAt": 1_700_000_000_000,
        "archived": None,
        "confidentiality": "non-confidential",
        "applications": [{"id": f"a-{oid}", "posting": posting, "type": "posting"}] if posting else [],
        "isAnonymized": False,
        "dataProtection": None,
    }
    opp.update(fields)
    return opp


@pytest.fixture(scope="session")
def extracted(lever, lever_org_pristine, tmp_path_factory) -> Path:
    """The session Lever org extracted over HTTP, with the Ashby org prepared for it read over HTTP."""
    data_dir = tmp_path_factory.mktemp("extracted")
    store = Store(data_dir / "migration.duckdb")
    with fast_client(lever, data_dir / "state") as client:
        lever_extract.extract_all(client, store, Landing(data_dir), data_dir)
    setup = setup_from_lever(lever_org_pristine)
    sandbox = AshbySandbox(lambda: build_state(setup), AshbySandboxConfig(keys=[AshbyKey("k")], rate_per_minute=10**6))
    with (
        serve_in_thread(sandbox.app) as server,
        AshbyClient(server.base_url, Secret("k"), rate_per_minute=10**6, state_dir=data_dir / "state") as client,
    ):
        snapshot_ashby_org(store, read_org_metadata(client))
    return data_dir


@pytest.fixture
def extracted_store(extracted: Path, tmp_path: Path) -> Iterator[Store]:
    """A private copy of the extracted store (with its file contents) for one test."""
    copy = tmp_path / "data"
    shutil.copytree(extracted, copy, ignore=shutil.ignore_patterns("*.lock", "landing", "state"))
    yield Store(copy / "migration.duckdb")
