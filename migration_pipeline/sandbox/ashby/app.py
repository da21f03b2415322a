"""The Ashby sandbox: a local Ashby API (`POST /<category>.<method>`) over an org set up from YAML.

Auth and permissions, the `success` envelope (business errors as HTTP 200 with `success: false`),
a per-key rate limit with `x-ratelimit-*` headers, faults (including writes whose response is lost),
and admin routes to read the whole state, reset it, and merge candidates as Ashby users do.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

# Importing the endpoint modules registers them.
from migration_pipeline.sandbox.ashby import endpoints
from migration_pipeline.sandbox.ashby.rpc import ENDPOINTS, AshbyError, AshbyKey, Ctx, Listing, PagingConfig
from migration_pipeline.sandbox.ashby.state import AshbyState, public, request_id
from migration_pipeline.sandbox.serving import (
    ADMIN_PREFIX,
    Faults,
    Maintenance,
    RunningServer,
    SandboxControls,
    admin_routes,
    build_app,
    credential_of,
    serve_in_thread,
)


def error_envelope(code: str, message: str, req_id: str | None = None) -> dict[str, Any]:
    return {
        "success": False,
        "errors": [code],  # deprecated by Ashby, still sent
        "errorInfo": {"code": code, "message": message, "requestId": req_id or request_id()},
    }


def ashby_error(status: int, code: str, message: str) -> Response:
    """Transport-level errors (faults, maintenance) in Ashby's envelope."""
    codes = {429: "rate_limit_exceeded", 500: "internal_error", 502: "bad_gateway", 503: "service_unavailable"}
    return JSONResponse(error_envelope(codes.get(status, code), message), status_code=status)


def without_private_values(obj: Any) -> Any:
    """`obj` without private custom field values, wherever objects embed them (`customFields`): what a key
    without "access to non-offer private fields" sees."""
    if isinstance(obj, list):
        return [without_private_values(item) for item in obj]
    if not isinstance(obj, dict):
        return obj
    shown = {key: without_private_values(value) for key, value in obj.items()}
    if isinstance(shown.get("customFields"), list):
        shown["customFields"] = [v for v in shown["customFields"] if not (isinstance(v, dict) and v.get("isPrivate"))]
    return shown


@dataclass
class AshbySandboxConfig:
    keys: list[AshbyKey]
    rate_per_minute: int = 1000
    retry_after: bool = True  # whether a rate-limited 429 carries Retry-After (unconfirmed for Ashby: a knob)
    paging: PagingConfig = field(default_factory=PagingConfig)


class AshbySandbox:
    """One sandboxed Ashby org: its state (rebuilt by `reset`), keys, and the ASGI app serving them."""

    def __init__(self, make_state: Callable[[], AshbyState], config: AshbySandboxConfig) -> None:
        self.make_state = make_state
        self.state = make_state()
        self.config = config
        self.keys = {key.secret: key for key in config.keys}
        self.controls = SandboxControls(
            error_response=ashby_error, maintenance_message="Ashby is temporarily unavailable."
        )
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._rate = RateLimitItemPerMinute(config.rate_per_minute)
        self.base_url = ""
        self.app = build_app(self._routes(), self.controls)

    @contextmanager
    def serve(self) -> Iterator[RunningServer]:
        with serve_in_thread(self.app) as running:
            self.base_url = running.base_url
            yield running

    def set_rate(self, per_minute: int) -> None:
        self.config.rate_per_minute = per_minute
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._rate = RateLimitItemPerMinute(per_minute)

    # ---- the RPC call -----------------------------------------------------------------------------

    async def call(self, request: Request) -> Response:
        req_id = request_id()
        method = request.path_params["method"]
        credential = credential_of({"authorization": request.headers.get("authorization", "")})
        if credential is None:
            return self._answer(401, error_envelope("unauthorized", "Missing API key: use HTTP Basic auth.", req_id))
        key = self.keys.get(credential)
        if key is None:
            return self._answer(403, error_envelope("invalid_api_key", "The API key is wrong or deactivated.", req_id))
        allowed = self._limiter.hit(self._rate, key.secret)
        stats = self._limiter.get_window_stats(self._rate, key.secret)
        headers = {
            "x-ratelimit-limit": str(self.config.rate_per_minute),
            "x-ratelimit-remaining": str(max(0, stats.remaining)),
            "x-ratelimit-reset": str(max(0, int(stats.reset_time - time.time() + 0.999))),
            "x-ashby-request-id": req_id,
        }
        if not allowed:
            if self.config.retry_after:
                headers["Retry-After"] = headers["x-ratelimit-reset"]
            body = error_envelope("rate_limit_exceeded", "Rate limit exceeded.", req_id)
            return self._answer(429, body, headers)
        found = ENDPOINTS.get(method)
        if found is None:
            return self._answer(404, error_envelope("not_found", f"Unknown endpoint {method}", req_id), headers)
        if found.scope not in key.scopes:
            message = f"The API key lacks the {found.scope} permission needed for {method}."
            return self._answer(403, error_envelope("missing_endpoint_permission", message, req_id), headers)
        try:
            raw = await request.body()
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            body = None
        if not isinstance(body, dict):
            body = None
        ctx = Ctx(
            state=self.state,
            key=key,
            method=method,
            paging=self.config.paging,
            on_behalf_of=request.headers.get("x-on-behalf-of"),
            base_url=str(request.base_url).rstrip("/"),
        )
        try:
            if body is None:
                raise AshbyError("invalid_input", "Request payload is malformed: send a JSON object")
            result = found.handler(ctx, body)
        except AshbyError as exc:
            return self._answer(200, error_envelope(exc.code, exc.message, req_id), headers)
        body = result.envelope() if isinstance(result, Listing) else {"success": True, "results": public(result)}
        if not key.private_fields:
            body["results"] = without_private_values(body["results"])
        return self._answer(200, body, headers)

    @staticmethod
    def _answer(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
        return JSONResponse(body, status_code=status, headers=headers)

    # ---- admin ------------------------------------------------------------------------------------

    def inventory(self) -> dict[str, Any]:
        return {"objects": {kind: {"total": n} for kind, n in self.state.counts().items()}}

    async def admin_state(self, request: Request) -> Response:
        return JSONResponse(self.state.snapshot())

    def reset(self, config: AshbySandboxConfig | None = None) -> None:
        """A fresh org from the setup, an empty request log and rate window; with `config`, also its knobs,
        keys and no faults (what a test starts from)."""
        self.state = self.make_state()
        self.controls.log.clear()
        if config is not None:
            self.config = config
            self.keys = {key.secret: key for key in config.keys}
            self.controls.faults = Faults()
            self.controls.maintenance = Maintenance()
        self.set_rate(self.config.rate_per_minute)

    async def admin_reset(self, request: Request) -> Response:
        self.reset()
        return JSONResponse({"reset": True, "counts": self.state.counts()})

    async def admin_merge(self, request: Request) -> Response:
        """`{"from": candidate id, "into": candidate id}`: merge as an Ashby user would."""
        from migration_pipeline.sandbox.ashby.merge import merge_candidates

        try:
            body = await request.json()
            survivor = merge_candidates(self.state, body["from"], body["into"])
        except (ValueError, KeyError, TypeError) as exc:
            return JSONResponse({"error": f"merge needs existing 'from' and 'into' candidate ids: {exc}"}, 400)
        return JSONResponse({"merged": True, "candidate": public(survivor)})

    async def admin_rate_limit(self, request: Request) -> Response:
        if request.method == "POST":
            body = await request.json()
            per_minute = body.get("rate_per_minute", self.config.rate_per_minute)
            if not isinstance(per_minute, int) or per_minute < 1:
                return JSONResponse({"error": "rate_per_minute must be a positive integer"}, status_code=400)
            self.set_rate(per_minute)
            if "retry_after" in body:
                self.config.retry_after = bool(body["retry_after"])
        return JSONResponse({"rate_per_minute": self.config.rate_per_minute, "retry_after": self.config.retry_after})

    async def admin_paging(self, request: Request) -> Response:
        """Token lifetimes and the incremental page cap: `{"sync_token_ttl_seconds": 1, ...}`."""
        paging = self.config.paging
        if request.method == "POST":
            body = await request.json()
            for name, value in body.items():
                if not hasattr(paging, name) or not isinstance(value, int | float) or value < 0:
                    return JSONResponse({"error": f"bad paging knob {name!r}"}, status_code=400)
                setattr(paging, name, type(getattr(paging, name))(value))
        return JSONResponse(
            {n: getattr(paging, n) for n in ("sync_token_ttl_seconds", "cursor_ttl_seconds", "max_incremental_pages")}
        )

    def _routes(self) -> list[BaseRoute]:
        return [
            *admin_routes(self.controls, self.inventory),
            Route(f"{ADMIN_PREFIX}/state", self.admin_state, methods=["GET"]),
            Route(f"{ADMIN_PREFIX}/reset", self.admin_reset, methods=["POST"]),
            Route(f"{ADMIN_PREFIX}/merge", self.admin_merge, methods=["POST"]),
            Route(f"{ADMIN_PREFIX}/rate_limit", self.admin_rate_limit, methods=["GET", "POST"]),
            Route(f"{ADMIN_PREFIX}/paging", self.admin_paging, methods=["GET", "POST"]),
            *endpoints.files.upload_routes(self),  # presigned file upload/download URLs (not API calls)
            Route("/{method}", self.call, methods=["POST"]),
        ]
