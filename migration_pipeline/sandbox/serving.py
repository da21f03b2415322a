"""What every sandbox shares: the request log, latency and fault knobs, maintenance windows, the
`/__sandbox/` admin routes, and running an ASGI app on loopback (in a thread for tests, in the
foreground for the CLI).

An API sandbox (Lever, Ashby) supplies its own routes, its error body and which requests a
maintenance window affects; everything else here is the same for both.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import random
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ADMIN_PREFIX = "/__sandbox"

# Statuses a fault knob can inject, and the name each has in the request log.
FAULT_STATUSES = {"429": 429, "500": 500, "502": 502, "503": 503}


def content_disposition(filename: str) -> str:
    """An attachment header for any file name: an ASCII fallback plus the UTF-8 name (RFC 6266 / 5987)."""
    from urllib.parse import quote

    fallback = filename.encode("ascii", "replace").decode("ascii").replace('"', "'").replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def key_fingerprint(secret: str) -> str:
    """A stable label for an API key or token, safe to log (the request log never holds secrets)."""
    return "key-" + hashlib.sha256(secret.encode()).hexdigest()[:10]


def credential_of(headers: dict[str, str]) -> str | None:
    """The API key (Basic username) or bearer token of a request, if any."""
    auth = headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[0] or None
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


@dataclass
class Faults:
    """Fault knobs. Rates are probabilities per API request; `script` forces the next requests'
    faults in order (names: 429, 500, 502, 503, timeout, drop, lost_500, or none) for deterministic tests.

    `drop` and `lost_500` let the request do its work first: a write commits, then the client sees a
    broken connection (`drop`) or a 500 (`lost_500`) instead of the answer, as when a response is lost.
    """

    rate_429: float = 0.0
    rate_500: float = 0.0
    rate_502: float = 0.0
    rate_503: float = 0.0
    rate_timeout: float = 0.0
    rate_drop: float = 0.0
    rate_lost_500: float = 0.0
    timeout_seconds: float = 30.0  # how long a "timeout" response stalls before answering
    retry_after: float | None = None  # seconds sent as Retry-After on injected 429s (None: no header)
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    seed: int | None = None
    script: list[str] = field(default_factory=list)

    def pick(self, rng: random.Random) -> str | None:
        if self.script:
            name = self.script.pop(0)
            return None if name == "none" else name
        draw = rng.random()
        for name, rate in (
            ("429", self.rate_429),
            ("500", self.rate_500),
            ("502", self.rate_502),
            ("503", self.rate_503),
            ("timeout", self.rate_timeout),
            ("drop", self.rate_drop),
            ("lost_500", self.rate_lost_500),
        ):
            if draw < rate:
                return name
            draw -= rate
        return None


FAULT_NAMES = {"429", "500", "502", "503", "timeout", "drop", "lost_500", "none"}


class BadKnob(ValueError):
    """An admin request set a knob to something it cannot take."""


def update_faults(faults: Faults, body: dict[str, Any]) -> Faults:
    """A copy of `faults` with the fields of `body` applied; unknown fields and bad values raise."""
    current = asdict(faults)
    for name, value in body.items():
        if name not in current:
            raise BadKnob(f"unknown fault knob {name!r}; known: {sorted(current)}")
        if name == "script":
            if not isinstance(value, list) or not set(map(str, value)) <= FAULT_NAMES:
                raise BadKnob(f"script must be a list of {sorted(FAULT_NAMES)}")
            current[name] = [str(v) for v in value]
        elif name.startswith("rate_"):
            if not isinstance(value, int | float) or not 0 <= value <= 1:
                raise BadKnob(f"{name} must be a probability between 0 and 1")
            current[name] = float(value)
        elif name in ("retry_after", "seed"):
            if value is not None and not isinstance(value, int | float):
                raise BadKnob(f"{name} must be a number or null")
            current[name] = value
        else:
            if not isinstance(value, int | float) or value < 0:
                raise BadKnob(f"{name} must be a non-negative number")
            current[name] = float(value)
    updated = Faults(**current)
    if sum(getattr(updated, n) for n in current if n.startswith("rate_")) > 1:
        raise BadKnob("the fault rates add up to more than 1")
    return updated


@dataclass
class Maintenance:
    """A maintenance window: on from `starts_at` until `ends_at` (epoch seconds; None: open-ended)."""

    starts_at: float | None = None
    ends_at: float | None = None

    def active(self, now: float) -> bool:
        if self.starts_at is None or now < self.starts_at:
            return False
        return self.ends_at is None or now < self.ends_at

    def describe(self, now: float) -> dict[str, Any]:
        return {"active": self.active(now), "starts_at": self.starts_at, "ends_at": self.ends_at}


class RequestLog:
    """Every API request the sandbox answered, oldest first (bounded)."""

    def __init__(self, maxlen: int = 2_000_000) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=maxlen)
        self._seq = 0
        self._lock = threading.Lock()

    def append(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._seq += 1
            entry["seq"] = self._seq
            self._entries.append(entry)

    def since(self, seq: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
        with self._lock:
            entries = [e for e in self._entries if e["seq"] > seq]
        return entries if limit is None else entries[:limit]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


ErrorBody = Callable[[int, str, str], Response]
"""(status, code, message) -> the API's own error response."""


@dataclass
class SandboxControls:
    """The knobs and records of one sandbox, shared by its middleware and admin routes."""

    error_response: ErrorBody
    # which requests a maintenance window answers with 503 (Lever: all but postings)
    in_maintenance_scope: Callable[[str, str], bool] = lambda method, path: True
    maintenance_message: str = "The service is temporarily down for maintenance."
    faults: Faults = field(default_factory=Faults)
    maintenance: Maintenance = field(default_factory=Maintenance)
    log: RequestLog = field(default_factory=RequestLog)
    rng: random.Random = field(default_factory=random.Random)

    def set_faults(self, body: dict[str, Any]) -> Faults:
        self.faults = update_faults(self.faults, body)
        if "seed" in body:
            self.rng = random.Random(self.faults.seed)
        return self.faults


class SandboxMiddleware:
    """Wraps the API routes: logs each request, adds latency, injects faults and maintenance.

    Admin routes (`/__sandbox/...`) pass straight through: they are never delayed, faulted or logged.
    """

    def __init__(self, app: ASGIApp, controls: SandboxControls) -> None:
        self.app = app
        self.controls = controls

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        controls = self.controls
        started = time.time()
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        credential = credential_of(headers)
        entry: dict[str, Any] = {
            "time": round(started, 6),
            "key": key_fingerprint(credential) if credential else None,
            "method": scope["method"],
            "path": scope["path"],
            "query": scope.get("query_string", b"").decode("latin-1"),
            "status": None,
            "fault": None,
        }
        faults = controls.faults
        delay = faults.latency_ms + (controls.rng.random() * faults.jitter_ms if faults.jitter_ms else 0.0)
        if delay:
            await asyncio.sleep(delay / 1000)
        fault = faults.pick(controls.rng)
        entry["fault"] = fault
        try:
            if fault in FAULT_STATUSES:
                await self._send_fault(fault, scope, receive, send, entry)
            elif controls.maintenance.active(time.time()) and controls.in_maintenance_scope(
                scope["method"], scope["path"]
            ):
                entry["fault"] = "maintenance"
                response = controls.error_response(503, "ServiceUnavailable", controls.maintenance_message)
                entry["status"] = 503
                await response(scope, receive, send)
            else:
                if fault == "timeout":
                    await asyncio.sleep(faults.timeout_seconds)
                if fault == "lost_500":
                    await self.app(scope, receive, _discard)
                    await self._send_fault("500", scope, receive, send, entry)
                else:
                    await self.app(scope, receive, _recording(send, entry, drop=fault == "drop"))
        finally:
            entry["duration_ms"] = round((time.time() - started) * 1000, 3)
            controls.log.append(entry)

    async def _send_fault(self, fault: str, scope: Scope, receive: Receive, send: Send, entry: dict) -> None:
        status = FAULT_STATUSES[fault]
        messages = {
            429: ("TooManyRequests", "Rate limit exceeded."),
            500: ("InternalServerError", "Oops! There was an error on the server's end."),
            502: ("BadGateway", "Bad gateway."),
            503: ("ServiceUnavailable", "Service unavailable."),
        }
        code, message = messages[status]
        response = self.controls.error_response(status, code, message)
        if status == 429 and self.controls.faults.retry_after is not None:
            response.headers["Retry-After"] = _retry_after_value(self.controls.faults.retry_after)
        entry["status"] = status
        await response(scope, receive, send)


async def _discard(message: Message) -> None:
    """Where the answer of a request whose response is lost goes."""


def _retry_after_value(seconds: float) -> str:
    return str(max(0, int(seconds + 0.999)))


def _recording(send: Send, entry: dict[str, Any], drop: bool) -> Send:
    """Record the status; when `drop`, cut the connection after the headers and part of the body."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            entry["status"] = message["status"]
            if drop:
                entry["status"] = "dropped"
                await send(message)
                return
        elif message["type"] == "http.response.body" and drop:
            body = message.get("body", b"")
            # Half the body with more to come, then nothing: the server closes the connection
            # mid-response, which the client sees as a broken connection.
            await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
            raise _DroppedConnection
        await send(message)

    return wrapped


class _DroppedConnection(Exception):
    pass


class _SwallowDrops:
    """Outermost layer: a deliberate drop ends the request quietly (the server then closes the socket)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except _DroppedConnection:
            return


def admin_routes(controls: SandboxControls, inventory: Callable[[], dict[str, Any]]) -> list[BaseRoute]:
    """`/__sandbox/` routes: inventory, request log, fault and maintenance switches."""

    async def get_inventory(request: Request) -> Response:
        return JSONResponse(inventory())

    async def get_requests(request: Request) -> Response:
        try:
            since = int(request.query_params.get("since", "0"))
            limit = int(request.query_params["limit"]) if "limit" in request.query_params else None
        except ValueError:
            return JSONResponse({"error": "since and limit must be integers"}, status_code=400)
        entries = controls.log.since(since, limit)
        last = entries[-1]["seq"] if entries else since
        return JSONResponse({"data": entries, "last_seq": last})

    async def clear_requests(request: Request) -> Response:
        controls.log.clear()
        return JSONResponse({"cleared": True})

    async def get_faults(request: Request) -> Response:
        return JSONResponse(asdict(controls.faults))

    async def post_faults(request: Request) -> Response:
        body = await _json_object(request)
        if isinstance(body, Response):
            return body
        if body.pop("reset", False):
            controls.faults = Faults()
        try:
            faults = controls.set_faults(body)
        except BadKnob as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(asdict(faults))

    async def get_maintenance(request: Request) -> Response:
        return JSONResponse(controls.maintenance.describe(time.time()))

    async def post_maintenance(request: Request) -> Response:
        """`{"enabled": true, "start_in_seconds": 0, "duration_seconds": null}` or `{"enabled": false}`."""
        body = await _json_object(request)
        if isinstance(body, Response):
            return body
        if not isinstance(body.get("enabled"), bool):
            return JSONResponse({"error": "enabled (true or false) is required"}, status_code=400)
        now = time.time()
        if not body["enabled"]:
            controls.maintenance = Maintenance()
        else:
            start_in = body.get("start_in_seconds", 0) or 0
            duration = body.get("duration_seconds")
            if not isinstance(start_in, int | float) or (
                duration is not None and not isinstance(duration, int | float)
            ):
                return JSONResponse({"error": "start_in_seconds and duration_seconds are numbers"}, 400)
            starts = now + float(start_in)
            controls.maintenance = Maintenance(
                starts_at=starts, ends_at=None if duration is None else starts + float(duration)
            )
        return JSONResponse(controls.maintenance.describe(now))

    return [
        Route(f"{ADMIN_PREFIX}/inventory", get_inventory, methods=["GET"]),
        Route(f"{ADMIN_PREFIX}/requests", get_requests, methods=["GET"]),
        Route(f"{ADMIN_PREFIX}/requests", clear_requests, methods=["DELETE"]),
        Route(f"{ADMIN_PREFIX}/faults", get_faults, methods=["GET"]),
        Route(f"{ADMIN_PREFIX}/faults", post_faults, methods=["POST"]),
        Route(f"{ADMIN_PREFIX}/maintenance", get_maintenance, methods=["GET"]),
        Route(f"{ADMIN_PREFIX}/maintenance", post_maintenance, methods=["POST"]),
    ]


async def _json_object(request: Request) -> dict[str, Any] | Response:
    try:
        body = await request.json()
    except ValueError:
        return JSONResponse({"error": "the body must be a JSON object"}, status_code=400)
    if not isinstance(body, dict):
        return JSONResponse({"error": "the body must be a JSON object"}, status_code=400)
    return body


def build_app(routes: list[BaseRoute], controls: SandboxControls, **starlette_kwargs: Any) -> ASGIApp:
    """The sandbox ASGI app: API routes behind the sandbox middleware, plus the admin routes."""
    app = Starlette(routes=routes, **starlette_kwargs)
    return _SwallowDrops(SandboxMiddleware(app, controls))


# ---- running -------------------------------------------------------------------------------------


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _server(app: ASGIApp) -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        log_level="critical",  # deliberate drops would otherwise log an error each
        access_log=False,
        lifespan="off",
        timeout_keep_alive=30,
        backlog=2048,
    )
    return uvicorn.Server(config)


@dataclass
class RunningServer:
    base_url: str
    port: int
    server: uvicorn.Server
    thread: threading.Thread | None = None

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=10)


@contextmanager
def serve_in_thread(app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> Iterator[RunningServer]:
    """Serve `app` on loopback in a background thread (port 0: an ephemeral port) until the block ends."""
    sock = _bind(host, port)
    server = _server(app)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.time() + 15
    while not server.started:
        if not thread.is_alive() or time.time() > deadline:
            sock.close()
            raise RuntimeError("the sandbox server did not start")
        time.sleep(0.01)
    bound_port = sock.getsockname()[1]
    running = RunningServer(base_url=f"http://{host}:{bound_port}", port=bound_port, server=server, thread=thread)
    try:
        yield running
    finally:
        running.stop()
        sock.close()


def serve_forever(app: ASGIApp, host: str, port: int, on_ready: Callable[[str], None]) -> None:
    """Serve `app` in the foreground until interrupted; `on_ready(base_url)` runs once the port is bound."""
    sock = _bind(host, port)
    on_ready(f"http://{host}:{sock.getsockname()[1]}")
    _server(app).run(sockets=[sock])
