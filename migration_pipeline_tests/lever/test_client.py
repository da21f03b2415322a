"""The Lever client over real HTTP against the Lever sandbox: paging, resume, every fault it must ride
out, the errors it must not retry, confidential access, OAuth refresh, downloads and pacing."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from migration_pipeline.config import Secret
from migration_pipeline.lever.auth import OAuthAuth
from migration_pipeline.lever.client import LeverClient, Page
from migration_pipeline.lever.errors import (
    LeverAuthError,
    LeverBadRequest,
    LeverConfidentialAccessError,
    LeverMaintenanceError,
    LeverNotFound,
    LeverPermissionError,
    LeverTransientError,
    LeverUnprocessableFile,
)
from migration_pipeline.lever.ratelimit import SharedTokenBucket
from migration_pipeline.sandbox.lever.app import LeverSandbox
from migration_pipeline.sandbox.lever.materialize import document_bytes
from migration_pipeline.sandbox.serving import key_fingerprint
from migration_pipeline_tests.conftest import FULL_KEY, NO_CONFIDENTIAL_KEY, OAUTH_CLIENT, RunningLever, lever_config
from migration_pipeline_tests.lever import fast_client, oauth_tokens, request_log

ALL = {"confidentiality": "all"}


def _ids(client: LeverClient) -> list[str]:
    return [o["id"] for o in client.paginate("/opportunities", ALL)]


def _api_requests(lever: RunningLever, key: str = FULL_KEY) -> list[dict]:
    return [e for e in request_log(lever) if e["key"] == key_fingerprint(key)]


# ---- paging -----------------------------------------------------------------------------------------


def test_pages_walk_every_opportunity_once(lever: RunningLever, tmp_path: Path) -> None:
    with fast_client(lever, tmp_path, page_size=13) as client:
        pages = list(client.pages("/opportunities", ALL))
    ids = [o["id"] for page in pages for o in page.items]
    total = lever.admin("GET", "/inventory").json()["objects"]["opportunities"]["total"]
    assert len(ids) == len(set(ids)) == total == len(lever.org.opportunities)
    assert len(pages) == -(-total // 13) and all(len(p.items) <= 13 for p in pages)
    assert pages[0].offset is None and pages[-1].next_offset is None
    for before, after in itertools.pairwise(pages):
        assert after.offset == before.next_offset is not None
    assert any(o["confidentiality"] == "confidential" for page in pages for o in page.items)


def test_resume_from_a_page_token(lever: RunningLever, tmp_path: Path) -> None:
    with fast_client(lever, tmp_path, page_size=20) as client:
        whole = list(client.pages("/opportunities", ALL))
        resumed = list(client.pages("/opportunities", ALL, start_offset=whole[2].next_offset))
    assert [p.items for p in resumed] == [p.items for p in whole[3:]]
    assert resumed[0].offset == whole[2].next_offset


def test_a_list_without_has_next_is_one_page(lever: RunningLever, tmp_path: Path) -> None:
    with fast_client(lever, tmp_path) as client:
        pages = list(client.pages("/disposition_stages"))
    assert len(pages) == 1 and pages[0].next_offset is None and "stages" in pages[0].items[0]


def test_an_offset_lever_never_issued_is_a_bad_request(lever: RunningLever, tmp_path: Path) -> None:
    with fast_client(lever, tmp_path) as client, pytest.raises(LeverBadRequest) as caught:
        next(client.pages("/opportunities", ALL, start_offset="garbage"))
    assert caught.value.status == 400 and caught.value.invalid_offset
    assert "Invalid offset token" in str(caught.value)


def test_not_found(lever: RunningLever, tmp_path: Path) -> None:
    with fast_client(lever, tmp_path) as client, pytest.raises(LeverNotFound) as caught:
        client.get("/opportunities/00000000-0000-0000-0000-000000000000")
    assert caught.value.status == 404 and caught.value.path == "/opportunities/00000000-0000-0000-0000-000000000000"


# ---- transient faults -------------------------------------------------------------------------------


def test_a_429_storm_still_reads_everything(lever: RunningLever, fresh_lever: RunningLever, tmp_path: Path) -> None:
    with fast_client(lever, tmp_path, page_size=25) as client:
        expected = _ids(client)
    fresh_lever.admin("POST", "/faults", json={"rate_429": 0.3, "seed": 1})
    with fast_client(fresh_lever, tmp_path, page_size=25) as client:
        assert _ids(client) == expected
    log = _api_requests(fresh_lever)
    assert client.stats.rate_limited == sum(e["status"] == 429 for e in log) > 0
    assert client.stats.calls == len(log) and client.stats.retries == client.stats.rate_limited


def test_retry_after_is_honoured(fresh_lever: RunningLever, tmp_path: Path) -> None:
    fresh_lever.admin("POST", "/faults", json={"script": ["429"], "retry_after": 1})
    with fast_client(fresh_lever, tmp_path) as client:
        started = time.monotonic()
        assert client.get("/stages")["data"]
        elapsed = time.monotonic() - started
    assert elapsed >= 1.0 and client.stats.waited_for_retry_seconds >= 1.0
    assert client.stats.rate_limited == 1 and client.stats.calls == 2


def test_5xx_are_retried(fresh_lever: RunningLever, tmp_path: Path) -> None:
    fresh_lever.admin("POST", "/faults", json={"script": ["500", "502", "500"]})
    with fast_client(fresh_lever, tmp_path) as client:
        assert client.get("/stages")["data"]
    assert client.stats.server_errors == 3 and client.stats.retries == 3
    assert [e["status"] for e in _api_requests(fresh_lever)] == [500, 502, 500, 200]


def test_retries_are_bounded(fresh_lever: RunningLever, tmp_path: Path) -> None:
    fresh_lever.admin("POST", "/faults", json={"script": ["500", "500", "500", "500"]})
    with fast_client(fresh_lever, tmp_path, max_retries=2) as client, pytest.raises(LeverTransientError) as caught:
        client.get("/stages")
    assert caught.value.status == 500 and "gave up after 3 attempts" in str(caught.value)
    assert len(_api_requests(fresh_lever)) == 3


def test_a_timeout_is_retried(fresh_lever: RunningLever, tmp_path: Path) -> None:
    fresh_lever.admin("POST", "/faults", json={"script": ["timeout"], "timeout_seconds": 2})
    with fast_client(fresh_lever, tmp_path, timeout_seconds=0.5) as client:
        assert client.get("/stages")["data"]
    assert client.stats.timeouts == 1 and client.stats.calls == 2


def test_a_dropped_connection_is_retried(fresh_lever: RunningLever, tmp_path: Path) -> None:
    fresh_lever.admin("POST", "/faults", json={"script": ["drop"]})
    with fast_client(fresh_lever, tmp_path) as client:
        stages = client.get("/stages")["data"]
    assert stages == fresh_lever.get("/stages").json()["data"]
    assert client.stats.dropped == 1 and client.stats.calls == 2


def test_a_short_maintenance_window_is_waited_out(fresh_lever: RunningLever, tmp_path: Path) -> None:
    fresh_lever.admin("POST", "/maintenance", json={"enabled": True, "duration_seconds": 2})
    with fast_client(fresh_lever, tmp_path, maintenance_max_wait_seconds=30) as client:
        assert client.get("/stages")["data"]
    assert client.stats.maintenance_waits >= 2 and client.stats.server_errors >= 2
    assert client.stats.rate_limited == 0


def test_a_long_maintenance_fails_with_the_rerun_message(fresh_lever: RunningLever, tmp_path: Path) -> None:
    fresh_lever.admin("POST", "/maintenance", json={"enabled": True})
    client = fast_client(fresh_lever, tmp_path, maintenance_max_wait_seconds=1)
    with client, pytest.raises(LeverMaintenanceError) as caught:
        client.get("/opportunities", ALL)
    assert str(caught.value) == (
        "Lever is in maintenance (its Data API answers 503 while postings still answer); waited 1 s. "
        "A re-run resumes where this one stopped."
    )
    assert caught.value.status == 503 and caught.value.path == "/opportunities"
    assert client.stats.maintenance_waits >= 2


# ---- errors that are never retried ------------------------------------------------------------------


def test_a_wrong_key_fails_at_once(fresh_lever: RunningLever, tmp_path: Path) -> None:
    with fast_client(fresh_lever, tmp_path, key="wrong-secret-key") as client:
        with pytest.raises(LeverAuthError) as caught:
            client.get("/stages")
        assert "wrong-secret-key" not in repr(client)
    text = str(caught.value)
    assert text.startswith("Lever rejected the API key / token (401") and "wrong-secret-key" not in text
    assert len(_api_requests(fresh_lever, "wrong-secret-key")) == 1 and client.stats.retries == 0


def test_forbidden_fails_at_once(fresh_lever: RunningLever, tmp_path: Path) -> None:
    with fast_client(fresh_lever, tmp_path, key=NO_CONFIDENTIAL_KEY) as client, pytest.raises(LeverPermissionError):
        client.get("/opportunities", ALL)
    assert len(_api_requests(fresh_lever, NO_CONFIDENTIAL_KEY)) == 1


# ---- confidential access ----------------------------------------------------------------------------


def test_a_key_with_confidential_access_passes_the_check(lever: RunningLever, tmp_path: Path) -> None:
    with fast_client(lever, tmp_path) as client:
        client.check_confidential_access()


@pytest.fixture(params=[403, 401], ids=["denied-403", "denied-401"])
def denying_lever(request: pytest.FixtureRequest, lever_org_pristine) -> Iterator[RunningLever]:
    sandbox = LeverSandbox(lever_org_pristine, lever_config(confidential_denied_status=request.param))
    with sandbox.serve() as server:
        yield RunningLever(sandbox, server.base_url)


def test_a_key_without_confidential_access_fails_the_check(denying_lever: RunningLever, tmp_path: Path) -> None:
    client = fast_client(denying_lever, tmp_path, key=NO_CONFIDENTIAL_KEY)
    with client, pytest.raises(LeverConfidentialAccessError) as caught:
        client.check_confidential_access()
    assert str(caught.value).startswith("This Lever key has no access to confidential data")
    assert "confidential:access:admin" in str(caught.value)
    assert caught.value.status == denying_lever.sandbox.config.confidential_denied_status
    assert isinstance(caught.value, LeverPermissionError)


def test_the_check_still_reports_a_wrong_key_as_a_wrong_key(denying_lever: RunningLever, tmp_path: Path) -> None:
    with fast_client(denying_lever, tmp_path, key="wrong-key") as client, pytest.raises(LeverAuthError):
        client.check_confidential_access()


# ---- OAuth ------------------------------------------------------------------------------------------


@pytest.fixture
def short_lived_lever(lever_org_pristine) -> Iterator[RunningLever]:
    sandbox = LeverSandbox(lever_org_pristine, lever_config(oauth_access_ttl_seconds=0.5))
    with sandbox.serve() as server:
        yield RunningLever(sandbox, server.base_url)


def test_oauth_token_expires_and_the_client_refreshes_and_goes_on(
    short_lived_lever: RunningLever, lever: RunningLever, tmp_path: Path
) -> None:
    grant = oauth_tokens(short_lived_lever, "offline_access opportunities:read:admin confidential:access:admin")
    seen: list[str] = []
    auth = OAuthAuth(
        f"{short_lived_lever.root}/oauth/token",
        OAUTH_CLIENT.client_id,
        Secret(OAUTH_CLIENT.client_secret),
        refresh_token=Secret(grant["refresh_token"]),
        access_token=Secret(grant["access_token"]),  # its lifetime unknown to the client: used until a 401
        on_refresh=seen.append,
    )
    with fast_client(short_lived_lever, tmp_path, auth=auth, page_size=50) as client:
        assert client.get("/opportunities", {**ALL, "limit": 1})["data"]
        time.sleep(0.6)  # the access token has expired
        assert client.get("/opportunities", {**ALL, "limit": 1})["data"]
        assert client.stats.auth_refreshes == 1 and len(seen) >= 1  # one 401, then refreshed (again: expires_in 0)
        client.check_confidential_access()
        ids = _ids(client)  # expires_in 0 now: a refresh before each call, each rotating the refresh token
    with fast_client(lever, tmp_path) as keyed:
        assert ids == _ids(keyed)
    assert len(seen) == len(set(seen)) >= 3 and grant["refresh_token"] not in seen
    assert auth.refresh_token == Secret(seen[-1])
    statuses = [e["status"] for e in request_log(short_lived_lever)]
    assert statuses.count(401) == 1


def test_oauth_without_the_confidential_scope_fails_the_check(fresh_lever: RunningLever, tmp_path: Path) -> None:
    grant = oauth_tokens(fresh_lever, "offline_access opportunities:read:admin")
    auth = OAuthAuth(
        f"{fresh_lever.root}/oauth/token",
        OAUTH_CLIENT.client_id,
        Secret(OAUTH_CLIENT.client_secret),
        Secret(grant["refresh_token"]),
        Secret(grant["access_token"]),
    )
    with fast_client(fresh_lever, tmp_path, auth=auth) as client, pytest.raises(LeverConfidentialAccessError):
        client.check_confidential_access()


# ---- downloads --------------------------------------------------------------------------------------


def _resumes(lever: RunningLever, processed: bool) -> tuple[str, str, bytes | None]:
    for opp_id in lever.org.opportunities:
        if not lever.org.plans[opp_id].resumes:
            continue
        for resume in lever.org.sub_resources(opp_id, "resumes"):
            content = document_bytes(lever.org, opp_id, "resumes", resume["id"])
            if (content is not None) == processed:
                return opp_id, resume["id"], content
    raise AssertionError("no such resume in this seed")


def test_download_returns_the_resume_bytes(lever: RunningLever, tmp_path: Path) -> None:
    opp_id, resume_id, content = _resumes(lever, processed=True)
    with fast_client(lever, tmp_path) as client:
        assert client.download(f"/opportunities/{opp_id}/resumes/{resume_id}/download") == content


def test_a_dropped_download_is_retried(fresh_lever: RunningLever, tmp_path: Path) -> None:
    opp_id, resume_id, content = _resumes(fresh_lever, processed=True)
    fresh_lever.admin("POST", "/faults", json={"script": ["drop"]})
    with fast_client(fresh_lever, tmp_path) as client:
        assert client.download(f"/opportunities/{opp_id}/resumes/{resume_id}/download") == content
    assert client.stats.dropped == 1


def test_an_unprocessable_file_is_its_own_error(lever: RunningLever, tmp_path: Path) -> None:
    opp_id, resume_id, _ = _resumes(lever, processed=False)
    path = f"/opportunities/{opp_id}/resumes/{resume_id}/download"
    with fast_client(lever, tmp_path) as client, pytest.raises(LeverUnprocessableFile) as caught:
        client.download(path)
    assert caught.value.status == 422 and caught.value.path == path and client.stats.retries == 0


# ---- pacing and stats -------------------------------------------------------------------------------


def test_pacing_keeps_a_busy_client_under_lever_limit(fresh_lever: RunningLever, tmp_path: Path) -> None:
    """Lever's bucket holds 20 at 10/s; the client's holds 10 at 10/s: 60 quick calls from 4 threads
    meet no 429."""
    fresh_lever.admin("POST", "/rate_limit", json={"rate": 10, "burst": 20})
    limiter = SharedTokenBucket("pacing", rate=10, burst=10, state_dir=tmp_path)
    with LeverClient(fresh_lever.api, Secret(FULL_KEY), limiter=limiter) as client:
        started = time.monotonic()
        threads = [threading.Thread(target=lambda: [client.get("/stages") for _ in range(15)]) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
    log = _api_requests(fresh_lever)
    assert len(log) == 60 and all(e["status"] == 200 for e in log)
    assert client.stats.rate_limited == 0 and client.stats.calls == 60
    assert elapsed >= (60 - 10) / 10 - 0.5  # the bucket did the pacing
    metadata = client.stats.as_metadata()
    assert metadata["calls"] == 60 and 0 < metadata["achieved_rate"] <= 60 / ((60 - 10) / 10 - 0.5)
    assert {"elapsed_seconds", "started_at", "waited_for_rate_seconds", "rate_limited"} <= set(metadata)
    assert metadata["waited_for_rate_seconds"] > 0


def test_repr_and_construction(tmp_path: Path) -> None:
    client = LeverClient("http://127.0.0.1:9/v1/", Secret("super-secret-key"), limiter=None)
    assert "super-secret" not in repr(client) and client.base_url == "http://127.0.0.1:9/v1"
    assert "super-secret" not in client.limiter.name and client.limiter.burst == 10
    client.close()
    with pytest.raises(ValueError):
        LeverClient("http://x")
    with pytest.raises(ValueError):
        LeverClient("http://x", Secret("k"), page_size=101)


def test_page_is_a_small_dataclass() -> None:
    page = Page(items=[{"id": "a"}], next_offset=None, offset="t")
    assert page.items == [{"id": "a"}] and page.next_offset is None and page.offset == "t"
