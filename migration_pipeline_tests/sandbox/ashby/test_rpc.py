"""The Ashby call itself: auth, permissions, the envelope, the rate limit and its headers, paging and sync
tokens, fault knobs and the write whose response is lost."""

from __future__ import annotations

import time

import pytest
import requests

from migration_pipeline.sandbox.ashby.rpc import SCOPES, AshbyKey
from migration_pipeline_tests.conftest import (
    ASHBY_FULL_KEY,
    ASHBY_READ_ONLY_KEY,
    RunningAshby,
)


def test_missing_key_is_a_401(ashby: RunningAshby) -> None:
    response = ashby.call("user.list", key=None)
    assert response.status_code == 401
    assert response.json()["success"] is False


def test_wrong_key_is_a_403(ashby: RunningAshby) -> None:
    response = ashby.call("user.list", key="not-a-key")
    assert response.status_code == 403
    assert response.json()["errorInfo"]["code"] == "invalid_api_key"


def test_key_without_the_module_permission_gets_missing_endpoint_permission(ashby: RunningAshby) -> None:
    response = ashby.call("candidate.create", {"name": "x"}, key=ASHBY_READ_ONLY_KEY)
    assert response.status_code == 403
    body = response.json()
    assert body["success"] is False and body["errorInfo"]["code"] == "missing_endpoint_permission"
    assert body["errors"] == ["missing_endpoint_permission"]
    assert ashby.call("user.list", key=ASHBY_READ_ONLY_KEY).json()["success"] is True


def test_business_errors_are_http_200_with_success_false(ashby: RunningAshby) -> None:
    info = ashby.error("application.info", {"applicationId": "00000000-0000-4000-8000-000000000000"})
    assert info["code"] == "application_not_found"
    assert len(info["requestId"]) == 26 and info["message"]


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'"a string"'])
def test_malformed_payload_is_invalid_input(ashby: RunningAshby, body: bytes) -> None:
    response = requests.post(
        f"{ashby.root}/user.list", data=body, auth=(ASHBY_FULL_KEY, ""),
        headers={"Content-Type": "application/json"}, timeout=30,
    )  # fmt: skip
    assert response.status_code == 200
    assert response.json()["errorInfo"]["code"] == "invalid_input"


def test_empty_body_is_an_empty_object(ashby: RunningAshby) -> None:
    response = requests.post(f"{ashby.root}/user.list", auth=(ASHBY_FULL_KEY, ""), timeout=30)
    assert response.json()["success"] is True


def test_unknown_endpoint(ashby: RunningAshby) -> None:
    response = ashby.call("nothing.here")
    assert response.status_code == 404 and response.json()["success"] is False


def test_every_response_carries_rate_limit_and_request_id_headers(ashby: RunningAshby) -> None:
    first = ashby.call("user.list")
    second = ashby.call("user.list")
    for response in (first, second):
        assert {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "x-ashby-request-id"} <= set(
            response.headers
        )
    assert int(second.headers["x-ratelimit-remaining"]) == int(first.headers["x-ratelimit-remaining"]) - 1
    assert 0 <= int(first.headers["x-ratelimit-reset"]) <= 60


@pytest.mark.parametrize("retry_after", [True, False])
def test_rate_limit_429_with_envelope_and_optional_retry_after(ashby: RunningAshby, retry_after: bool) -> None:
    ashby.admin("POST", "/rate_limit", json={"rate_per_minute": 5, "retry_after": retry_after})
    statuses = [ashby.call("user.list").status_code for _ in range(7)]
    assert statuses[:5] == [200] * 5 and statuses[5:] == [429, 429]
    limited = ashby.call("user.list")
    assert limited.json()["errorInfo"]["code"] == "rate_limit_exceeded"
    assert limited.headers["x-ratelimit-remaining"] == "0" and limited.headers["x-ratelimit-limit"] == "5"
    assert ("Retry-After" in limited.headers) is retry_after


def test_rate_limit_is_per_key(ashby: RunningAshby) -> None:
    ashby.admin("POST", "/rate_limit", json={"rate_per_minute": 2})
    for _ in range(3):
        ashby.call("user.list")
    assert ashby.call("user.list").status_code == 429
    assert ashby.call("user.list", key=ASHBY_READ_ONLY_KEY).status_code == 200


# ---- paging and sync tokens ------------------------------------------------------------------------


def _walk(ashby: RunningAshby, method: str, body: dict, limit: int) -> tuple[list[dict], str | None]:
    items, last, _ = ashby.walk(method, body, limit)
    return items, last.get("syncToken")


def test_paging_to_the_end_yields_each_once_and_a_sync_token(ashby: RunningAshby) -> None:
    users, token = _walk(ashby, "user.list", {"includeDeactivated": True}, limit=7)
    assert len(users) == len({u["id"] for u in users}) == len(ashby.state["users"])
    assert token


@pytest.mark.parametrize("limit", [0, 101, -1, "10", 2.5])
def test_limit_bounds(ashby: RunningAshby, limit: object) -> None:
    assert ashby.error("user.list", {"limit": limit})["code"] == "invalid_input"


def test_incremental_sync_returns_what_changed_since_the_token(ashby: RunningAshby) -> None:
    _, token = _walk(ashby, "candidate.list", {}, limit=100)
    first = ashby.results("candidate.create", {"name": "Ada Lovelace", "email": "ada@example.org"})
    second = ashby.results("candidate.create", {"name": "Grace Hopper"})
    changed, next_token = _walk(ashby, "candidate.list", {"syncToken": token}, limit=1)
    assert {c["id"] for c in changed} == {first["id"], second["id"]}
    ashby.results("candidate.update", {"candidateId": first["id"], "name": "Ada King"})
    again, _ = _walk(ashby, "candidate.list", {"syncToken": next_token}, limit=100)
    assert [c["id"] for c in again] == [first["id"]] and again[0]["name"] == "Ada King"


def test_expired_sync_token(ashby: RunningAshby) -> None:
    _, token = _walk(ashby, "candidate.list", {}, limit=100)
    ashby.admin("POST", "/paging", json={"sync_token_ttl_seconds": 0.2})
    time.sleep(0.3)
    assert ashby.error("candidate.list", {"syncToken": token})["code"] == "sync_token_expired"


@pytest.mark.parametrize("token", ["garbage", "jYnEBmjzR", ""])
def test_invalid_sync_token(ashby: RunningAshby, token: str) -> None:
    assert ashby.error("candidate.list", {"syncToken": token})["code"] == "sync_token_invalid"


def test_sync_token_of_another_list_is_invalid(ashby: RunningAshby) -> None:
    _, token = _walk(ashby, "user.list", {}, limit=100)
    assert ashby.error("candidate.list", {"syncToken": token})["code"] == "sync_token_invalid"


def test_bad_and_expired_cursors(ashby: RunningAshby) -> None:
    assert ashby.error("user.list", {"cursor": "G8"})["code"] == "invalid_next_cursor"
    page = ashby.call("user.list", {"limit": 2}).json()
    ashby.admin("POST", "/paging", json={"cursor_ttl_seconds": 0.2})
    time.sleep(0.3)
    assert ashby.error("user.list", {"limit": 2, "cursor": page["nextCursor"]})["code"] == "next_cursor_expired"


def test_incremental_sync_too_large(ashby: RunningAshby) -> None:
    _, token = _walk(ashby, "candidate.list", {}, limit=100)
    ashby.admin("POST", "/paging", json={"max_incremental_pages": 1})
    for i in range(3):
        ashby.results("candidate.create", {"name": f"Person {i}"})
    assert ashby.error("candidate.list", {"syncToken": token, "limit": 2})["code"] == "incremental_sync_too_large"


# ---- faults ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fault,status", [("429", 429), ("500", 500), ("502", 502), ("503", 503)])
def test_fault_knobs_answer_with_the_envelope(ashby: RunningAshby, fault: str, status: int) -> None:
    ashby.admin("POST", "/faults", json={"script": [fault]})
    response = ashby.call("user.list")
    assert response.status_code == status
    assert response.json()["success"] is False
    assert ashby.call("user.list").status_code == 200


def test_timeout_and_latency_knobs(ashby: RunningAshby) -> None:
    ashby.admin("POST", "/faults", json={"script": ["timeout"], "timeout_seconds": 1.5})
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.post(f"{ashby.root}/user.list", json={}, auth=(ASHBY_FULL_KEY, ""), timeout=0.3)
    ashby.admin("POST", "/faults", json={"latency_ms": 120})
    started = time.perf_counter()
    ashby.call("user.list")
    assert time.perf_counter() - started >= 0.12


@pytest.mark.parametrize("fault", ["lost_500", "drop"])
def test_committed_write_with_lost_response_duplicates_on_blind_retry(ashby: RunningAshby, fault: str) -> None:
    body = {"name": "Lost Response", "email": "lost.response@example.org"}
    ashby.admin("POST", "/faults", json={"script": [fault]})
    with pytest.raises(requests.exceptions.RequestException) if fault == "drop" else _no_raise():
        response = ashby.call("candidate.create", body)
        assert response.status_code == 500
    # the write happened although the client never saw it ...
    found = ashby.results("candidate.search", {"email": "lost.response@example.org"})
    assert len(found) == 1
    # ... so a client that retries blindly creates a duplicate (Ashby does not deduplicate)
    ashby.results("candidate.create", body)
    assert len(ashby.results("candidate.search", {"email": "lost.response@example.org"})) == 2


class _no_raise:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return False


# ---- admin -----------------------------------------------------------------------------------------


def test_state_and_reset(ashby: RunningAshby) -> None:
    created = ashby.results("candidate.create", {"name": "Temp"})
    state = ashby.admin("GET", "/state").json()
    candidates = state["collections"]["candidates"]
    assert [c["id"] for c in candidates] == [created["id"]] and "createdAt" in candidates[0]
    assert ashby.admin("POST", "/reset").json()["counts"]["candidates"] == 0
    assert ashby.admin("GET", "/state").json()["collections"]["candidates"] == []
    assert len(ashby.admin("GET", "/state").json()["collections"]["users"]) > 0


def test_request_log(ashby: RunningAshby) -> None:
    ashby.call("user.list")
    log = ashby.admin("GET", "/requests").json()["data"]
    assert log[-1]["path"] == "/user.list" and log[-1]["method"] == "POST" and log[-1]["status"] == 200
    assert ASHBY_FULL_KEY not in str(log)


@pytest.mark.parametrize(
    "spec,scopes,toggles",
    [
        ("k", set(SCOPES), {"confidential", "private-fields", "update-history"}),
        ("k:candidatesRead,jobsRead", {"candidatesRead", "jobsRead"}, set()),
        (
            "k:all,-candidatesWrite,-confidential",
            set(SCOPES) - {"candidatesWrite"},
            {"private-fields", "update-history"},
        ),
    ],
)
def test_key_permission_specs(spec: str, scopes: set[str], toggles: set[str]) -> None:
    key = AshbyKey.parse(spec)
    assert set(key.scopes) == scopes and set(key.toggles) == toggles
    assert "k'" not in repr(key)


def test_bad_key_spec() -> None:
    with pytest.raises(ValueError, match="unknown permission"):
        AshbyKey.parse("k:candidatesReed")
