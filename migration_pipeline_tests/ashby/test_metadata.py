"""Reading the org's metadata through the client, against the sandbox's default setup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from migration_pipeline.ashby.errors import AshbyPermissionError
from migration_pipeline.ashby.metadata import AshbyOrgMetadata, read_org_metadata
from migration_pipeline.sandbox.ashby.setup import SETUP_KINDS
from migration_pipeline_tests.ashby import fast_client
from migration_pipeline_tests.conftest import RunningAshby


def test_read_org_metadata_returns_everything_the_setup_holds(
    ashby: RunningAshby, tmp_path: Path, ashby_setup: dict[str, Any]
) -> None:
    tag = ashby.results("candidateTag.create", {"title": "Migrated"})
    with fast_client(ashby, tmp_path) as client:
        metadata = read_org_metadata(client)
    counts = metadata.counts()
    for kind in SETUP_KINDS:  # what an admin prepares, hence what the setup seeds
        assert counts[kind] == len(ashby_setup[kind]) > 0, kind
    # deactivated users and archived reasons are included: Lever history points at them
    assert any(not u["isEnabled"] for u in metadata.users)
    assert any(r["isArchived"] for r in metadata.archive_reasons)
    assert {s["interviewPlanId"] for s in metadata.interview_stages} == {p["id"] for p in metadata.interview_plans}
    assert all({"id", "title"} <= set(role) for role in metadata.hiring_team_roles)
    assert metadata.candidate_tags == [tag]
    assert "candidates:write" in metadata.api_key["scopes"] and metadata.api_key["title"]


def test_org_metadata_round_trips_through_json(ashby: RunningAshby, tmp_path: Path) -> None:
    with fast_client(ashby, tmp_path) as client:
        metadata = read_org_metadata(client)
    assert AshbyOrgMetadata.from_json(metadata.to_json()) == metadata
    with pytest.raises(ValueError, match="not Ashby org metadata"):
        AshbyOrgMetadata.from_json('{"users": []}')


def test_a_missing_permission_names_the_endpoint(ashby: RunningAshby, tmp_path: Path) -> None:
    key = ashby.key_without("organizationRead")
    with fast_client(ashby, tmp_path, key=key) as client, pytest.raises(AshbyPermissionError) as caught:
        read_org_metadata(client)
    for endpoint in ("user.list", "department.list", "location.list", "hiringTeamRole.list"):
        assert endpoint in str(caught.value)
    assert "archiveReason.list" not in str(caught.value)


def test_a_single_missing_permission_is_that_endpoints_error(ashby: RunningAshby, tmp_path: Path) -> None:
    key = ashby.key_without("apiKeysRead")
    with fast_client(ashby, tmp_path, key=key) as client, pytest.raises(AshbyPermissionError) as caught:
        read_org_metadata(client)
    assert caught.value.endpoint == "apiKey.info" and caught.value.http_status == 403
