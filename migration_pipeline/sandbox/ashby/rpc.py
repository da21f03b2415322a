"""How an Ashby endpoint is declared and called: the registry, the call context, business errors,
input checks, and the cursor / syncToken paging every list endpoint shares.

An endpoint is a plain function `(ctx, body) -> results` registered with its name and permission
scope. It raises `AshbyError` for what Ashby answers as HTTP 200 with `success: false`, and returns
either the `results` value or a `Listing` (results plus `moreDataAvailable`, `nextCursor`, `syncToken`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from migration_pipeline.sandbox.ashby.state import AshbyState, Json, parse_iso, public

SCOPES: tuple[str, ...] = (
    "apiKeysRead", "apiKeysWrite", "candidatesRead", "candidatesWrite", "hiringProcessMetadataRead",
    "hiringProcessMetadataWrite", "interviewsRead", "interviewsWrite", "jobsRead", "jobsWrite",
    "offersRead", "offersWrite", "organizationRead", "organizationWrite", "reportsRead",
)  # fmt: skip
# Per-key toggles that are not modules.
TOGGLES: tuple[str, ...] = ("confidential", "private-fields", "update-history")

MAX_LIMIT = 100
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class AshbyError(Exception):
    """A business error: HTTP 200, `success: false`, `errorInfo.code`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def invalid_input(message: str) -> AshbyError:
    return AshbyError("invalid_input", message)


def not_found(kind: str, ident: Any) -> AshbyError:
    """`<kind>_not_found`, as Ashby names it (`application_not_found`, `interview_stage_not_found`...)."""
    return AshbyError(f"{kind}_not_found", f"{kind.replace('_', ' ').capitalize()} not found: {ident}")


@dataclass(frozen=True)
class AshbyKey:
    """An API key and what it was granted: module scopes plus the confidential/private/history toggles."""

    secret: str
    scopes: frozenset[str] = frozenset(SCOPES)
    toggles: frozenset[str] = frozenset(TOGGLES)

    @classmethod
    def parse(cls, spec: str) -> AshbyKey:
        """`KEY` (everything), or `KEY:item,...` where an item is `all`, a scope (`candidatesRead`),
        a toggle (`confidential`, `private-fields`, `update-history`), or `-item` to take one away."""
        secret, sep, rest = spec.partition(":")
        if not secret:
            raise ValueError("an Ashby key spec needs a key before ':'")
        if not sep:
            return cls(secret)
        scopes: set[str] = set()
        toggles: set[str] = set()
        for raw in (item.strip() for item in rest.split(",")):
            if not raw:
                continue
            remove = raw.startswith("-")
            name = raw.removeprefix("-")
            if name == "all":
                targets_s, targets_t = set(SCOPES), set(TOGGLES)
            elif name in SCOPES:
                targets_s, targets_t = {name}, set()
            elif name in TOGGLES:
                targets_s, targets_t = set(), {name}
            else:
                raise ValueError(f"unknown permission {name!r}; known: all, {', '.join(SCOPES + TOGGLES)}")
            if remove:
                scopes -= targets_s
                toggles -= targets_t
            else:
                scopes |= targets_s
                toggles |= targets_t
        return cls(secret, frozenset(scopes), frozenset(toggles))

    def __repr__(self) -> str:
        return f"AshbyKey(secret='********', scopes={sorted(self.scopes)}, toggles={sorted(self.toggles)})"

    @property
    def confidential(self) -> bool:
        return "confidential" in self.toggles

    @property
    def private_fields(self) -> bool:
        return "private-fields" in self.toggles


@dataclass
class PagingConfig:
    sync_token_ttl_seconds: float = 7 * 24 * 3600  # Ashby does not document it; third parties say 7-14 days
    cursor_ttl_seconds: float = 3600.0
    max_incremental_pages: int = 50  # over it: incremental_sync_too_large


@dataclass
class Ctx:
    """One call: the org, the calling key, and knobs the endpoints consult."""

    state: AshbyState
    key: AshbyKey
    method: str
    paging: PagingConfig = field(default_factory=PagingConfig)
    now: float = field(default_factory=time.time)
    on_behalf_of: str | None = None
    base_url: str = ""


Handler = Callable[[Ctx, Json], Any]


@dataclass(frozen=True)
class Endpoint:
    name: str
    scope: str
    handler: Handler


ENDPOINTS: dict[str, Endpoint] = {}


def endpoint(name: str, scope: str) -> Callable[[Handler], Handler]:
    """Register `handler` as `POST /<name>`, callable by keys holding `scope`."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope}")

    def register(handler: Handler) -> Handler:
        if name in ENDPOINTS:
            raise ValueError(f"endpoint {name} registered twice")
        ENDPOINTS[name] = Endpoint(name, scope, handler)
        return handler

    return register


# ---- input checks (each names the field it rejects) --------------------------------------------------


def field_value(body: Json, name: str, kind: type | tuple[type, ...], *, required: bool = False, default: Any = None):
    if name not in body or body[name] is None:
        if required:
            raise invalid_input(f"Missing required field: {name}")
        return default
    value = body[name]
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise invalid_input(f"Invalid value for {name}: expected {_type_name(kind)}")
    if not isinstance(value, kind):
        raise invalid_input(f"Invalid value for {name}: expected {_type_name(kind)}")
    return value


def _type_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join({str: "string", int: "number", float: "number", bool: "boolean", list: "array",
                        dict: "object"}.get(k, k.__name__) for k in kinds)  # fmt: skip


def uuid_value(body: Json, name: str, *, required: bool = True) -> str | None:
    value = field_value(body, name, str, required=required)
    if value is not None and not UUID_RE.match(value):
        raise invalid_input(f"Invalid value for {name}: {value!r} is not a UUID")
    return value


def existing(ctx: Ctx, body: Json, name: str, kind: str, what: str, *, required: bool = True) -> Json | None:
    """The `kind` object whose id is `body[name]`: `<what>_not_found` when there is none, None when the
    optional field is absent."""
    obj_id = uuid_value(body, name, required=required)
    if obj_id is None:
        return None
    obj = ctx.state.get(kind, obj_id)
    if obj is None:
        raise not_found(what, obj_id)
    return obj


def datetime_value(body: Json, name: str) -> str | None:
    """An optional ISO 8601 date-time, normalized to Ashby's `...Z` spelling."""
    from migration_pipeline.sandbox.ashby.state import iso

    value = field_value(body, name, str)
    if value is None:
        return None
    try:
        parsed = parse_iso(value)
    except ValueError:
        raise invalid_input(f"Invalid value for {name}: {value!r} is not an ISO 8601 date-time") from None
    return iso(parsed.timestamp() * 1000)


def require_toggle(ctx: Ctx, toggle: str, what: str) -> None:
    if toggle not in ctx.key.toggles:
        raise AshbyError("missing_endpoint_permission", f"The API key is not allowed {what} ({toggle}).")


# ---- paging ---------------------------------------------------------------------------------------


@dataclass
class Listing:
    results: list[Json]
    more_data_available: bool
    next_cursor: str | None = None
    sync_token: str | None = None

    def envelope(self) -> Json:
        body: Json = {"success": True, "results": public(self.results), "moreDataAvailable": self.more_data_available}
        if self.next_cursor is not None:
            body["nextCursor"] = self.next_cursor
        if self.sync_token is not None:
            body["syncToken"] = self.sync_token
        return body


def _sign(state: AshbyState, payload: Json) -> str:
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    mac = hmac.new(state.token_secret, raw, hashlib.sha256).digest()[:8]
    return base64.urlsafe_b64encode(raw + mac).rstrip(b"=").decode()


def _unsign(state: AshbyState, token: str) -> Json | None:
    try:
        blob = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError):
        return None
    raw, mac = blob[:-8], blob[-8:]
    if len(blob) <= 8 or not hmac.compare_digest(mac, hmac.new(state.token_secret, raw, hashlib.sha256).digest()[:8]):
        return None
    try:
        payload = json.loads(raw)
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def paginate(ctx: Ctx, body: Json, scope: str, items: Iterable[Json], *, syncable: bool = True) -> Listing:
    """One page of `items` (in creation order) for a list endpoint taking `cursor`, `limit` and, when
    `syncable`, `syncToken`. `scope` names the list (a cursor or token of another list is invalid)."""
    limit = body.get("limit", MAX_LIMIT)
    if (
        isinstance(limit, bool)
        or not isinstance(limit, int | float)
        or not 1 <= limit <= MAX_LIMIT
        or limit != int(limit)
    ):
        raise invalid_input(f"Invalid limit: must be an integer from 1 to {MAX_LIMIT}")
    limit = int(limit)
    since_rev: int | None = None
    after_seq = 0
    cursor = body.get("cursor")
    token = body.get("syncToken") if syncable else None
    if token is not None:
        payload = _unsign(ctx.state, token) if isinstance(token, str) else None
        if payload is None or payload.get("k") != "sync" or payload.get("s") != scope:
            raise AshbyError("sync_token_invalid", "The sync token could not be decoded: drop it and run a full sync.")
        if ctx.now - payload["t"] > ctx.paging.sync_token_ttl_seconds:
            raise AshbyError("sync_token_expired", "The sync token has expired: drop it and run a full sync.")
        since_rev = int(payload["r"])
    if cursor is not None:
        payload = _unsign(ctx.state, cursor) if isinstance(cursor, str) else None
        if payload is None or payload.get("k") != "cursor" or payload.get("s") != scope:
            raise AshbyError("invalid_next_cursor", "The cursor could not be decoded: restart from the first page.")
        if ctx.now - payload["t"] > ctx.paging.cursor_ttl_seconds:
            raise AshbyError("next_cursor_expired", "The cursor has expired: restart from the first page.")
        after_seq = int(payload["a"])
        since_rev = payload.get("r")
        snapshot_rev = int(payload["v"])
    else:
        snapshot_rev = ctx.state.revision
    selected = sorted(
        (item for item in items if since_rev is None or item["_rev"] > since_rev), key=lambda item: item["_seq"]
    )
    if since_rev is not None and cursor is None and len(selected) > ctx.paging.max_incremental_pages * limit:
        raise AshbyError(
            "incremental_sync_too_large", "Too many changes since this sync token: drop it and run a full sync."
        )
    remaining = [item for item in selected if item["_seq"] > after_seq]
    page = remaining[:limit]
    if len(remaining) > limit:
        cursor_payload = {"k": "cursor", "s": scope, "a": page[-1]["_seq"], "t": ctx.now, "r": since_rev,
                          "v": snapshot_rev}  # fmt: skip
        return Listing(page, True, next_cursor=_sign(ctx.state, cursor_payload))
    sync_token = None
    if syncable:
        # covers everything up to the revision at which the walk started
        sync_token = _sign(ctx.state, {"k": "sync", "s": scope, "r": snapshot_rev, "t": ctx.now})
    return Listing(page, False, sync_token=sync_token)
