"""The machinery every sandbox shares: request log, latency, fault knobs, maintenance, admin routes."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from migration_pipeline.sandbox.serving import (
    SandboxControls,
    admin_routes,
    build_app,
    key_fingerprint,
    serve_in_thread,
)


def _error(status: int, code: str, message: str) -> Response:
    return JSONResponse({"code": code, "message": message}, status_code=status)


HITS: list[int] = []


async def _count(request: Request) -> Response:
    HITS.append(1)
    return JSONResponse({"data": ["counted" * 100]})


async def _hello(request: Request) -> Response:
    return JSONResponse({"data": ["x" * 1000]})


@pytest.fixture
def served() -> Iterator[tuple[str, SandboxControls]]:
    controls = SandboxControls(
        error_response=_error, in_maintenance_scope=lambda method, path: not path.startswith("/open")
    )
    routes = [
        Route("/hello", _hello),
        Route("/count", _count),
        Route("/open/hello", _hello),
        *admin_routes(controls, lambda: {"objects": {"things": {"total": 1}}}),
    ]
    with serve_in_thread(build_app(routes, controls)) as server:
        yield server.base_url, controls


def test_request_log_records_fingerprint_never_the_key(served: tuple[str, SandboxControls]) -> None:
    base, _ = served
    requests.get(f"{base}/hello?a=1", auth=("secret-key-123", ""), timeout=5)
    log = requests.get(f"{base}/__sandbox/requests", timeout=5).json()["data"]
    assert len(log) == 1
    entry = log[0]
    assert entry["key"] == key_fingerprint("secret-key-123")
    assert "secret-key-123" not in str(log)
    assert (entry["method"], entry["path"], entry["query"], entry["status"]) == ("GET", "/hello", "a=1", 200)


def test_admin_routes_are_not_logged_or_faulted(served: tuple[str, SandboxControls]) -> None:
    base, _ = served
    requests.post(f"{base}/__sandbox/faults", json={"rate_500": 1.0}, timeout=5)
    assert requests.get(f"{base}/__sandbox/inventory", timeout=5).status_code == 200
    assert requests.get(f"{base}/hello", timeout=5).status_code == 500
    log = requests.get(f"{base}/__sandbox/requests", timeout=5).json()["data"]
    assert [e["path"] for e in log] == ["/hello"]


def test_request_log_since_and_clear(served: tuple[str, SandboxControls]) -> None:
    base, _ = served
    for _ in range(3):
        requests.get(f"{base}/hello", timeout=5)
    first = requests.get(f"{base}/__sandbox/requests", params={"limit": 2}, timeout=5).json()
    assert len(first["data"]) == 2
    rest = requests.get(f"{base}/__sandbox/requests", params={"since": first["last_seq"]}, timeout=5).json()
    assert len(rest["data"]) == 1
    requests.delete(f"{base}/__sandbox/requests", timeout=5)
    assert requests.get(f"{base}/__sandbox/requests", timeout=5).json()["data"] == []


@pytest.mark.parametrize("fault,status", [("429", 429), ("500", 500), ("502", 502), ("503", 503)])
def test_fault_script_injects_status_with_api_error_body(
    served: tuple[str, SandboxControls], fault: str, status: int
) -> None:
    base, _ = served
    requests.post(f"{base}/__sandbox/faults", json={"script": [fault, "none"]}, timeout=5)
    faulted = requests.get(f"{base}/hello", timeout=5)
    assert faulted.status_code == status
    assert set(faulted.json()) == {"code", "message"}
    assert requests.get(f"{base}/hello", timeout=5).status_code == 200


def test_injected_429_carries_retry_after_only_when_configured(served: tuple[str, SandboxControls]) -> None:
    base, _ = served
    requests.post(f"{base}/__sandbox/faults", json={"script": ["429"]}, timeout=5)
    assert "Retry-After" not in requests.get(f"{base}/hello", timeout=5).headers
    requests.post(f"{base}/__sandbox/faults", json={"script": ["429"], "retry_after": 2}, timeout=5)
    assert requests.get(f"{base}/hello", timeout=5).headers["Retry-After"] == "2"


def test_fault_rates_are_probabilities_seeded(served: tuple[str, SandboxControls]) -> None:
    base, _ = served
    requests.post(f"{base}/__sandbox/faults", json={"rate_500": 0.5, "seed": 3}, timeout=5)
    statuses = [requests.get(f"{base}/hello", timeout=5).status_code for _ in range(60)]
    assert 10 < statuses.count(500) < 50
    assert set(statuses) == {200, 500}


@pytest.mark.parametrize(
    "body",
    [{"rate_500": 2}, {"rate_429": 0.7, "rate_500": 0.7}, {"nonsense": 1}, {"script": ["boom"]}, {"latency_ms": -1}],
)
def test_bad_fault_knobs_are_refused(served: tuple[str, SandboxControls], body: dict) -> None:
    base, _ = served
    response = requests.post(f"{base}/__sandbox/faults", json=body, timeout=5)
    assert response.status_code == 400
    assert "error" in response.json()


def test_latency_knob_delays_api_requests(served: tuple[str, SandboxControls]) -> None:
    base, _ = served
    requests.post(f"{base}/__sandbox/faults", json={"latency_ms": 150}, timeout=5)
    started = time.perf_counter()
    requests.get(f"{base}/hello", timeout=5)
    assert time.perf_counter() - started >= 0.15


def test_timeout_fault_stalls_past_the_client_timeout(served: tuple[str, SandboxControls]) -> None:
    base, _ = served
    requests.post(f"{base}/__sandbox/faults", json={"script": ["timeout"], "timeout_seconds": 2}, timeout=5)
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(f"{base}/hello", timeout=0.3)


def test_drop_fault_breaks_the_connection_mid_response(served: tuple[str, SandboxControls]) -> None:
    base, _ = served
    requests.post(f"{base}/__sandbox/faults", json={"script": ["drop"]}, timeout=5)
    with pytest.raises((requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        requests.get(f"{base}/hello", timeout=5)
    assert requests.get(f"{base}/hello", timeout=5).status_code == 200
    log = requests.get(f"{base}/__sandbox/requests", timeout=5).json()["data"]
    assert log[0]["status"] == "dropped"


def test_maintenance_window_opens_and_closes(served: tuple[str, SandboxControls]) -> None:
    base, _ = served
    requests.post(
        f"{base}/__sandbox/maintenance", json={"enabled": True, "start_in_seconds": 0, "duration_seconds": 0.6},
        timeout=5,
    )  # fmt: skip
    during = requests.get(f"{base}/hello", timeout=5)
    assert during.status_code == 503
    assert requests.get(f"{base}/open/hello", timeout=5).status_code == 200  # outside the maintenance scope
    time.sleep(0.7)
    assert requests.get(f"{base}/hello", timeout=5).status_code == 200


def test_maintenance_switch_off(served: tuple[str, SandboxControls]) -> None:
    base, _ = served
    requests.post(f"{base}/__sandbox/maintenance", json={"enabled": True}, timeout=5)
    assert requests.get(f"{base}/__sandbox/maintenance", timeout=5).json()["active"] is True
    assert requests.get(f"{base}/hello", timeout=5).status_code == 503
    requests.post(f"{base}/__sandbox/maintenance", json={"enabled": False}, timeout=5)
    assert requests.get(f"{base}/hello", timeout=5).status_code == 200
    assert requests.post(f"{base}/__sandbox/maintenance", json={}, timeout=5).status_code == 400


@pytest.mark.parametrize("fault", ["lost_500", "drop"])
def test_lost_response_faults_let_the_request_do_its_work(served: tuple[str, SandboxControls], fault: str) -> None:
    base, _ = served
    before = len(HITS)
    requests.post(f"{base}/__sandbox/faults", json={"script": [fault]}, timeout=5)
    if fault == "lost_500":
        response = requests.get(f"{base}/count", timeout=5)
        assert response.status_code == 500 and set(response.json()) == {"code", "message"}
    else:
        with pytest.raises((requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
            requests.get(f"{base}/count", timeout=5)
    assert len(HITS) == before + 1  # the work was done; only the answer was lost
    log = requests.get(f"{base}/__sandbox/requests", timeout=5).json()["data"]
    assert log[-1]["fault"] == fault
