"""The state of a sandboxed Ashby organisation: every object, keyed by id, in Ashby's response shape.

Objects are dicts shaped as Ashby returns them. Bookkeeping lives in keys starting with `_`
(`_seq`: creation order, `_rev`: the state revision of the last change, plus per-kind internals
such as `_confidential`); `public()` strips them before anything leaves the sandbox.
"""

from __future__ import annotations

import os
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

Json = dict[str, Any]

# Every collection of the org, in the order `GET /__sandbox/state` lists them.
KINDS: tuple[str, ...] = (
    # metadata an Ashby admin prepares (read-only through the API, seeded from the org setup)
    "users",
    "departments",
    "locations",
    "interview_plans",
    "interview_stages",
    "interview_stage_groups",
    "archive_reasons",
    "close_reasons",
    "sources",
    "feedback_forms",
    "custom_fields",
    "hiring_team_roles",
    # what a migration writes
    "jobs",
    "candidates",
    "candidate_tags",
    "applications",
    "application_history",
    "notes",
    "files",
    "feedback",
    "hiring_team_members",
    # activity around applications (endpoints/activity.py)
    "interviews",
    "interview_schedules",
    "interview_events",
    "job_postings",
    "offers",
    "projects",
    "survey_submissions",
)

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id() -> str:
    return str(uuid.uuid4())


def request_id() -> str:
    """A ULID-shaped id, as Ashby's `x-ashby-request-id` and `errorInfo.requestId` are."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def iso(ms: int | float | None = None) -> str:
    """ISO 8601 UTC with milliseconds and `Z`, as Ashby writes timestamps."""
    moment = datetime.now(UTC) if ms is None else datetime.fromtimestamp(ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_iso(value: str) -> datetime:
    """Parse an ISO 8601 date-time; raises ValueError on anything else."""
    if not isinstance(value, str) or "T" not in value:
        raise ValueError(f"{value!r} is not an ISO 8601 date-time")
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def public(obj: Any) -> Any:
    """`obj` without bookkeeping keys (recursively through dicts and lists)."""
    if isinstance(obj, dict):
        return {k: public(v) for k, v in obj.items() if not k.startswith("_")}
    if isinstance(obj, list):
        return [public(v) for v in obj]
    return obj


@dataclass
class AshbyState:
    """All objects of one Ashby org, plus the revision counter that sync tokens are cut from."""

    collections: dict[str, dict[str, Json]] = field(default_factory=lambda: {kind: {} for kind in KINDS})
    revision: int = 0
    _seq: int = 0
    token_secret: bytes = field(default_factory=lambda: secrets.token_bytes(16))
    # candidate id -> the id it was merged into (Ashby merges duplicates; old ids stop resolving)
    merged_into: dict[str, str] = field(default_factory=dict)
    organization: Json = field(default_factory=dict)  # {id, name}
    api_key: Json = field(default_factory=dict)  # {title, createdAt}: what apiKey.info describes

    def __getitem__(self, kind: str) -> dict[str, Json]:
        return self.collections[kind]

    def add(self, kind: str, obj: Json) -> Json:
        """Store a new object (its `id` must be set) and stamp its creation order and revision."""
        self._seq += 1
        self.revision += 1
        obj["_seq"] = self._seq
        obj["_rev"] = self.revision
        self.collections[kind][obj["id"]] = obj
        return obj

    def touch(self, obj: Json, *, updated_at: bool = True) -> Json:
        """Record a change to `obj`: it shows in incremental syncs from now on."""
        self.revision += 1
        obj["_rev"] = self.revision
        if updated_at and "updatedAt" in obj:
            obj["updatedAt"] = iso()
        return obj

    def remove(self, kind: str, obj_id: str) -> Json | None:
        self.revision += 1
        return self.collections[kind].pop(obj_id, None)

    def get(self, kind: str, obj_id: Any) -> Json | None:
        if not isinstance(obj_id, str):
            return None
        return self.collections[kind].get(obj_id)

    def counts(self) -> dict[str, int]:
        return {kind: len(objs) for kind, objs in self.collections.items()}

    def snapshot(self) -> Json:
        """Every object with its ids and timestamps (bookkeeping included, for tests and debugging)."""
        return {
            "organization": self.organization,
            "revision": self.revision,
            "merged_into": dict(self.merged_into),
            "collections": {kind: list(objs.values()) for kind, objs in self.collections.items()},
        }
