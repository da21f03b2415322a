"""Who gets in and how fast: 401/403, confidential access, the token bucket, maintenance, OAuth, faults."""

from __future__ import annotations

import time

import pytest
import requests

from migration_pipeline.sandbox.lever.app import LeverSandbox
from migration_pipeline_tests.conftest import (
    FULL_KEY,
    NO_CONFIDENTIAL_KEY,
    OAUTH_CLIENT,
    READ_ONLY_KEY,
    RunningLever,
    lever_config,
)
from migration_pipeline_tests.lever import oauth_tokens


def test_no_key_is_a_401(lever: RunningLever) -> None:
    response = lever.get("/opportunities", key=None)
    assert response.status_code == 401
    assert set(response.json()) == {"code", "message"}


def test_wrong_key_is_a_401(lever: RunningLever) -> None:
    assert lever.get("/users", key="not-a-key").status_code == 401


def test_read_only_key_cannot_write_403(lever: RunningLever) -> None:
    opp_id = next(iter(lever.org.opportunities))
    response = lever.session(READ_ONLY_KEY).post(
        f"{lever.api}/opportunities/{opp_id}/notes", json={"value": "x"}, timeout=30
    )
    assert response.status_code == 403
    assert lever.get("/users", key=READ_ONLY_KEY).status_code == 200


def _confidential_opportunity(lever: RunningLever) -> str:
    return next(o["id"] for o in lever.org.opportunities.values() if o["confidentiality"] == "confidential")


def test_key_without_confidential_access_gets_the_silent_default_subset(lever: RunningLever) -> None:
    body = lever.get("/opportunities", key=NO_CONFIDENTIAL_KEY, limit=100).json()
    assert body["data"] and all(o["confidentiality"] == "non-confidential" for o in body["data"])


@pytest.mark.parametrize("path", ["/opportunities", "/postings", "/requisitions"])
@pytest.mark.parametrize("value", ["confidential", "all"])
def test_asking_for_confidential_data_without_access_is_an_error(lever: RunningLever, path: str, value: str) -> None:
    response = lever.get(path, key=NO_CONFIDENTIAL_KEY, confidentiality=value)
    assert response.status_code == 403
    assert set(response.json()) == {"code", "message"}
    assert lever.get(path, key=FULL_KEY, confidentiality=value).status_code == 200


def test_confidential_records_by_id_without_access_are_an_error(lever: RunningLever) -> None:
    opp_id = _confidential_opportunity(lever)
    assert lever.get(f"/opportunities/{opp_id}", key=NO_CONFIDENTIAL_KEY).status_code == 403
    assert lever.get(f"/opportunities/{opp_id}/notes", key=NO_CONFIDENTIAL_KEY).status_code == 403
    assert lever.get(f"/opportunities/{opp_id}", key=FULL_KEY).status_code == 200
    posting = next(p["id"] for p in lever.org.postings if p["confidentiality"] == "confidential")
    assert lever.get(f"/postings/{posting}", key=NO_CONFIDENTIAL_KEY).status_code == 403


def test_confidential_denied_status_is_a_knob(lever_org_pristine) -> None:
    sandbox = LeverSandbox(lever_org_pristine, lever_config(confidential_denied_status=401))
    with sandbox.serve() as server:
        response = requests.get(
            f"{server.base_url}/v1/opportunities", params={"confidentiality": "all"},
            auth=(NO_CONFIDENTIAL_KEY, ""), timeout=30,
        )  # fmt: skip
        assert response.status_code == 401


@pytest.mark.parametrize("retry_after", [False, True])
def test_burst_then_429(lever_org_pristine, retry_after: bool) -> None:
    sandbox = LeverSandbox(lever_org_pristine, lever_config(rate=10.0, burst=20, rate_limit_retry_after=retry_after))
    with sandbox.serve() as server:
        session = requests.Session()
        session.auth = (FULL_KEY, "")
        statuses = [session.get(f"{server.base_url}/v1/stages", timeout=30).status_code for _ in range(30)]
        # a full bucket lets about 20 through at once (plus what refills while they run), then 429
        assert statuses[:20] == [200] * 20
        assert 429 in statuses[20:]
        limited = session.get(f"{server.base_url}/v1/stages", timeout=30)
        assert limited.status_code == 429
        assert set(limited.json()) == {"code", "message"}
        assert ("Retry-After" in limited.headers) is retry_after
        # another key has its own bucket
        other = requests.get(f"{server.base_url}/v1/stages", auth=(READ_ONLY_KEY, ""), timeout=30)
        assert other.status_code == 200
        time.sleep(0.35)  # 10 tokens/s refill
        assert session.get(f"{server.base_url}/v1/stages", timeout=30).status_code == 200


def test_rate_limit_is_adjustable_at_runtime(fresh_lever: RunningLever) -> None:
    fresh_lever.admin("POST", "/rate_limit", json={"rate": 1, "burst": 2})
    statuses = [fresh_lever.get("/stages").status_code for _ in range(4)]
    assert statuses[:2] == [200, 200] and statuses[-1] == 429


def test_maintenance_503_on_data_endpoints_while_postings_answer(fresh_lever: RunningLever) -> None:
    fresh_lever.admin("POST", "/maintenance", json={"enabled": True})
    for path in ("/opportunities", "/users", "/stages", f"/opportunities/{next(iter(fresh_lever.org.opportunities))}"):
        response = fresh_lever.get(path)
        assert response.status_code == 503, path
        assert "maintenance" in response.json()["message"]
    posting = fresh_lever.org.postings[0]["id"]
    assert fresh_lever.get("/postings").status_code == 200
    assert fresh_lever.get(f"/postings/{posting}").status_code == 200
    fresh_lever.admin("POST", "/maintenance", json={"enabled": False})
    assert fresh_lever.get("/opportunities").status_code == 200


@pytest.mark.parametrize("fault,status", [("429", 429), ("500", 500), ("502", 502), ("503", 503)])
def test_fault_knobs_give_lever_error_bodies(fresh_lever: RunningLever, fault: str, status: int) -> None:
    fresh_lever.admin("POST", "/faults", json={"script": [fault]})
    response = fresh_lever.get("/opportunities")
    assert response.status_code == status
    assert set(response.json()) == {"code", "message"}
    assert fresh_lever.get("/opportunities").status_code == 200


def test_timeout_and_drop_knobs(fresh_lever: RunningLever) -> None:
    fresh_lever.admin("POST", "/faults", json={"script": ["timeout", "drop"], "timeout_seconds": 1.5})
    with pytest.raises(requests.exceptions.ReadTimeout):
        fresh_lever.session().get(f"{fresh_lever.api}/opportunities", timeout=0.3)
    with pytest.raises((requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        fresh_lever.session().get(f"{fresh_lever.api}/opportunities", timeout=10)
    assert fresh_lever.get("/opportunities").status_code == 200


def test_latency_knob(fresh_lever: RunningLever) -> None:
    fresh_lever.admin("POST", "/faults", json={"latency_ms": 100, "jitter_ms": 50})
    started = time.perf_counter()
    fresh_lever.get("/stages")
    assert time.perf_counter() - started >= 0.1


def test_request_log_shows_lever_requests(fresh_lever: RunningLever) -> None:
    fresh_lever.get("/opportunities", limit=3)
    log = fresh_lever.admin("GET", "/requests").json()["data"]
    assert log[-1]["path"] == "/v1/opportunities" and log[-1]["query"] == "limit=3" and log[-1]["status"] == 200
    assert FULL_KEY not in str(log)


def test_oauth_access_token_works_and_refresh_rotates(fresh_lever: RunningLever) -> None:
    tokens = oauth_tokens(fresh_lever, "offline_access opportunities:read:admin confidential:access:admin")
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 3600 and tokens["refresh_token"]
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    ok = requests.get(f"{fresh_lever.api}/opportunities", params={"confidentiality": "all"}, headers=bearer, timeout=30)
    assert ok.status_code == 200
    form = {"grant_type": "refresh_token", "client_id": OAUTH_CLIENT.client_id,
            "client_secret": OAUTH_CLIENT.client_secret, "refresh_token": tokens["refresh_token"]}  # fmt: skip
    refreshed = requests.post(f"{fresh_lever.root}/oauth/token", data=form, timeout=30)
    assert refreshed.status_code == 200
    assert refreshed.json()["refresh_token"] != tokens["refresh_token"]
    reused = requests.post(f"{fresh_lever.root}/oauth/token", data=form, timeout=30)  # the old one is spent
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"


def test_oauth_without_confidential_scope_cannot_ask_for_confidential(fresh_lever: RunningLever) -> None:
    tokens = oauth_tokens(fresh_lever, "opportunities:read:admin")
    assert "refresh_token" not in tokens  # no offline_access asked
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    response = requests.get(
        f"{fresh_lever.api}/opportunities", params={"confidentiality": "all"}, headers=bearer, timeout=30
    )
    assert response.status_code == 403


def test_oauth_access_token_expires(lever_org_pristine) -> None:
    sandbox = LeverSandbox(lever_org_pristine, lever_config(oauth_access_ttl_seconds=0.5))
    with sandbox.serve() as server:
        running = RunningLever(sandbox, server.base_url)
        tokens = oauth_tokens(running, "offline_access opportunities:read:admin")
        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        assert requests.get(f"{running.api}/stages", headers=bearer, timeout=30).status_code == 200
        time.sleep(0.6)
        expired = requests.get(f"{running.api}/stages", headers=bearer, timeout=30)
        assert expired.status_code == 401


def test_oauth_bad_client_secret(fresh_lever: RunningLever) -> None:
    response = requests.post(
        f"{fresh_lever.root}/oauth/token",
        data={"grant_type": "authorization_code", "client_id": OAUTH_CLIENT.client_id, "client_secret": "wrong",
              "code": "x"},
        timeout=30,
    )  # fmt: skip
    assert response.status_code == 401
