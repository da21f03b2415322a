"""The Ashby call over real HTTP against the sandbox: the `success` check and typed errors, what is retried
(429, 5xx, timeouts, dropped connections, lost responses) and what never is (business errors, auth)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from migration_pipeline.ashby.client import AshbyClient
from migration_pipeline.ashby.errors import (
    AshbyAuthError,
    AshbyBusinessError,
    AshbyError,
    AshbyNotFoundError,
    AshbyPermissionError,
    AshbyResponseError,
    AshbyTransientError,
)
from migration_pipeline.config import Secret
from migration_pipeline_tests.ashby import fast_client, requests_to
from migration_pipeline_tests.conftest import ASHBY_FULL_KEY, ASHBY_READ_ONLY_KEY, RunningAshby

MISSING_ID = "00000000-0000-4000-8000-000000000000"


def _faults(ashby: RunningAshby, *script: str, **knobs: object) -> None:
    response = ashby.admin("POST", "/faults", json={"script": list(script), **knobs})
    assert response.status_code == 200, response.text


# ---- the envelope ------------------------------------------------------------------------------------


def test_call_returns_results_and_call_envelope_the_whole_answer(ashby: RunningAshby, tmp_path: Path) -> None:
    with fast_client(ashby, tmp_path) as client:
        users = client.call("user.list", {"includeDeactivated": True})
        envelope = client.call_envelope("user.list", {"includeDeactivated": True, "limit": 5})
    assert {u["id"] for u in users} == set(ashby.state["users"])
    assert envelope["success"] is True and envelope["moreDataAvailable"] is True and envelope["nextCursor"]
    assert len(envelope["results"]) == 5
    assert client.stats.calls == {"user.list": 2}
    assert client.stats.as_metadata()["calls_per_endpoint"] == {"user.list": 2}


def test_a_write_returns_the_created_object(ashby: RunningAshby, tmp_path: Path) -> None:
    with fast_client(ashby, tmp_path) as client:
        created = client.call("candidate.create", {"name": "Ada Lovelace", "email": "ada@example.org"})
    assert created["id"] in ashby.state["candidates"] and created["name"] == "Ada Lovelace"


def test_success_false_is_a_business_error_with_code_message_and_request_id_never_retried(
    ashby: RunningAshby, tmp_path: Path
) -> None:
    with fast_client(ashby, tmp_path) as client, pytest.raises(AshbyNotFoundError) as caught:
        client.call("application.info", {"applicationId": MISSING_ID})
    error = caught.value
    assert isinstance(error, AshbyBusinessError) and error.not_found
    assert error.code == "application_not_found" and error.http_status == 200 and error.message
    assert len(error.request_id) == 26 and error.request_id in str(error)
    assert error.endpoint == "application.info" and "application.info" in str(error)
    assert len(requests_to(ashby, "application.info")) == 1
    assert client.stats.business_errors == 1 and client.stats.retries == 0


def test_invalid_input_is_a_business_error_but_not_a_not_found(ashby: RunningAshby, tmp_path: Path) -> None:
    with fast_client(ashby, tmp_path) as client, pytest.raises(AshbyBusinessError) as caught:
        client.call("candidate.create", {})
    assert caught.value.code == "invalid_input" and not caught.value.not_found
    assert not isinstance(caught.value, AshbyNotFoundError)
    assert len(requests_to(ashby, "candidate.create")) == 1


def test_missing_key_is_an_auth_error(ashby: RunningAshby, tmp_path: Path) -> None:
    with AshbyClient(ashby.root, Secret(""), state_dir=tmp_path) as client, pytest.raises(AshbyAuthError) as caught:
        client.call("user.list")
    assert caught.value.http_status == 401 and "ASHBY_API_KEY" in str(caught.value)
    assert client.stats.retries == 0


def test_wrong_key_is_an_auth_error_that_never_shows_the_key(ashby: RunningAshby, tmp_path: Path) -> None:
    secret = "wrong-secret-value"
    with fast_client(ashby, tmp_path, key=secret) as client, pytest.raises(AshbyAuthError) as caught:
        client.call("user.list")
    error = caught.value
    assert error.http_status == 403 and error.code == "invalid_api_key" and error.request_id
    assert len(requests_to(ashby, "user.list", key=secret)) == 1
    for text in (str(error), repr(error), repr(client), str(client.stats.as_metadata())):
        assert secret not in text


def test_missing_permission_names_the_endpoint_and_is_not_retried(ashby: RunningAshby, tmp_path: Path) -> None:
    with fast_client(ashby, tmp_path, key=ASHBY_READ_ONLY_KEY) as client:
        with pytest.raises(AshbyPermissionError) as caught:
            client.call("candidate.create", {"name": "x"})
        assert client.call("user.list")  # the key itself is fine
    error = caught.value
    assert error.http_status == 403 and error.code == "missing_endpoint_permission"
    assert error.endpoint == "candidate.create" and "candidate.create" in str(error)
    assert len(requests_to(ashby, "candidate.create", key=ASHBY_READ_ONLY_KEY)) == 1


def test_a_toggle_the_key_lacks_is_a_permission_error_too(ashby: RunningAshby, tmp_path: Path) -> None:
    # Ashby answers a missing per-key toggle (here: private fields) with HTTP 200 and the permission code.
    candidate = ashby.results("candidate.create", {"name": "Private Note Person"})
    key = ashby.key_without("private-fields")
    with fast_client(ashby, tmp_path, key=key) as client, pytest.raises(AshbyPermissionError) as caught:
        client.call("candidate.createNote", {"candidateId": candidate["id"], "note": "secret", "isPrivate": True})
    assert caught.value.http_status == 200 and caught.value.code == "missing_endpoint_permission"


def test_unknown_endpoint_is_a_response_error(ashby: RunningAshby, tmp_path: Path) -> None:
    with fast_client(ashby, tmp_path) as client, pytest.raises(AshbyResponseError) as caught:
        client.call("nothing.here")
    assert caught.value.http_status == 404 and len(requests_to(ashby, "nothing.here")) == 1


# ---- what is retried ---------------------------------------------------------------------------------


def test_a_429_storm_waits_as_retry_after_says_then_succeeds(ashby: RunningAshby, tmp_path: Path) -> None:
    _faults(ashby, "429", "429", retry_after=1)
    started = time.monotonic()
    with fast_client(ashby, tmp_path) as client:
        users = client.call("user.list")
    assert users and time.monotonic() - started >= 1.9  # two Retry-After: 1, not the 10 ms backoff
    assert client.stats.rate_limited == 2 and client.stats.retries == 2
    assert client.stats.waited_for_retry_seconds >= 2.0
    assert [e["status"] for e in requests_to(ashby, "user.list")] == [429, 429, 200]


def test_a_429_without_retry_after_backs_off_and_drains_the_shared_bucket(ashby: RunningAshby, tmp_path: Path) -> None:
    _faults(ashby, "429")
    with fast_client(ashby, tmp_path, rate_per_minute=6000, burst=50) as client:
        client.call("user.list")
        # the burst was spent on the 429: every user of the key is now at the steady rate
        assert client.limiter.tokens() < 10
    assert client.stats.rate_limited == 1 and 0 < client.stats.waited_for_retry_seconds < 1


@pytest.mark.parametrize("fault", ["500", "502", "503"])
def test_server_errors_are_retried(ashby: RunningAshby, tmp_path: Path, fault: str) -> None:
    _faults(ashby, fault, fault)
    with fast_client(ashby, tmp_path) as client:
        assert client.call("user.list")
    assert client.stats.server_errors == 2 and client.stats.retries == 2
    assert [e["status"] for e in requests_to(ashby, "user.list")] == [int(fault), int(fault), 200]


def test_a_timeout_is_retried(ashby: RunningAshby, tmp_path: Path) -> None:
    _faults(ashby, "timeout", timeout_seconds=1.0)
    with fast_client(ashby, tmp_path, timeout=0.3) as client:
        assert client.call("user.list")
    assert client.stats.timeouts == 1 and client.stats.retries == 1


def test_a_dropped_connection_is_retried(ashby: RunningAshby, tmp_path: Path) -> None:
    _faults(ashby, "drop")
    with fast_client(ashby, tmp_path) as client:
        assert client.call("user.list")
    assert client.stats.dropped == 1 and client.stats.retries == 1
    assert [e["status"] for e in requests_to(ashby, "user.list")] == ["dropped", 200]


def test_a_lost_response_is_retried_and_idempotence_is_the_loaders_job(ashby: RunningAshby, tmp_path: Path) -> None:
    # lost_500: the write commits, the client sees a 500. The client retries (it cannot tell a lost
    # response from a failed write), so the call succeeds and Ashby now holds two candidates: the ledger
    # reconciles by reading Ashby before it writes again, not the client.
    _faults(ashby, "lost_500")
    body = {"name": "Lost Response", "email": "lost.response@example.org"}
    with fast_client(ashby, tmp_path) as client:
        created = client.call("candidate.create", body)
        found = client.call("candidate.search", {"email": body["email"]})
    assert created["name"] == body["name"]
    assert len(found) == 2 and created["id"] in {c["id"] for c in found}
    assert client.stats.server_errors == 1


def test_retries_end_with_a_transient_error_after_max_attempts(ashby: RunningAshby, tmp_path: Path) -> None:
    _faults(ashby, "502", "502", "502")
    with fast_client(ashby, tmp_path, max_attempts=3) as client, pytest.raises(AshbyTransientError) as caught:
        client.call("user.list")
    assert caught.value.kind == "server_error" and caught.value.http_status == 502
    assert "gave up after 3 attempts" in str(caught.value)
    assert len(requests_to(ashby, "user.list")) == 3


def test_every_error_is_an_ashby_error(ashby: RunningAshby, tmp_path: Path) -> None:
    with fast_client(ashby, tmp_path, key=ASHBY_FULL_KEY) as client:
        for endpoint, body in (("nothing.here", {}), ("application.info", {"applicationId": MISSING_ID})):
            with pytest.raises(AshbyError):
                client.call(endpoint, body)
