"""Lever's list filters, sort orders and `expand`/`include`, as pure functions over the org.

Repeated filter parameters are OR'ed; time ranges are inclusive epoch-ms bounds and either end may
be given alone; a malformed value is a 400, never a silently ignored filter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from migration_pipeline.sandbox.lever.org import Json, LeverOrg, canonical_email

CONFIDENTIALITY_VALUES = ("confidential", "non-confidential", "all")
POSTING_STATES = ("published", "internal", "closed", "draft", "pending", "rejected")
REQUISITION_STATUSES = ("open", "onHold", "closed", "draft")
ACCESS_ROLES = ("super admin", "admin", "team member", "limited team member", "interviewer")


class QueryError(ValueError):
    """A malformed query parameter (answered with a 400)."""


class Params:
    """Query parameters with Lever's conventions (repeatable values, `name[]` spelling)."""

    def __init__(self, items: Iterable[tuple[str, str]]) -> None:
        self._values: dict[str, list[str]] = {}
        for name, value in items:
            self._values.setdefault(name.removesuffix("[]"), []).append(value)

    def all(self, name: str) -> list[str]:
        # `expand=a,b` and `expand=a&expand=b` are both seen in clients
        return [part for value in self._values.get(name, []) for part in value.split(",") if part != ""]

    def raw_all(self, name: str) -> list[str]:
        return list(self._values.get(name, []))

    def one(self, name: str) -> str | None:
        values = self._values.get(name)
        return values[-1] if values else None

    def has(self, name: str) -> bool:
        return name in self._values

    def millis(self, name: str) -> int | None:
        raw = self.one(name)
        if raw is None or raw == "":
            return None
        try:
            return int(raw)
        except ValueError:
            raise QueryError(f"Invalid {name}: {raw!r} is not an epoch-millisecond timestamp") from None

    def boolean(self, name: str) -> bool | None:
        raw = self.one(name)
        if raw is None or raw == "":
            return None
        if raw.lower() in ("true", "1"):
            return True
        if raw.lower() in ("false", "0"):
            return False
        raise QueryError(f"Invalid {name}: {raw!r} must be true or false")

    def choice(self, name: str, allowed: tuple[str, ...], default: str | None = None) -> str | None:
        raw = self.one(name)
        if raw is None or raw == "":
            return default
        if raw not in allowed:
            raise QueryError(f"Invalid {name}: {raw!r} must be one of {', '.join(allowed)}")
        return raw

    def key(self, *names: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """A hashable fingerprint of some parameters (for caching a filtered, sorted list)."""
        return tuple((n, tuple(self._values.get(n, []))) for n in names)


Predicate = Callable[[Json], bool]


def _in_range(value: int | None, start: int | None, end: int | None) -> bool:
    if start is None and end is None:
        return True
    if value is None:
        return False
    return (start is None or value >= start) and (end is None or value <= end)


def _range(params: Params, prefix: str, getter: Callable[[Json], int | None]) -> Predicate | None:
    start, end = params.millis(f"{prefix}_start"), params.millis(f"{prefix}_end")
    if start is None and end is None:
        return None
    return lambda item: _in_range(getter(item), start, end)


def _any_of(values: list[str], getter: Callable[[Json], Iterable[str]]) -> Predicate | None:
    if not values:
        return None
    wanted = set(values)
    return lambda item: bool(wanted & set(getter(item)))


def confidentiality_filter(params: Params) -> str:
    value = params.choice("confidentiality", CONFIDENTIALITY_VALUES, default="non-confidential")
    assert value is not None
    return value


def matches_confidentiality(item: Json, wanted: str) -> bool:
    return wanted == "all" or item.get("confidentiality", "non-confidential") == wanted


# ---- opportunities -------------------------------------------------------------------------------

OPPORTUNITY_FILTERS = (
    "tag", "email", "origin", "source", "confidentiality", "stage_id", "posting_id", "archived_posting_id",
    "created_at_start", "created_at_end", "updated_at_start", "updated_at_end", "advanced_at_start",
    "advanced_at_end", "archived_at_start", "archived_at_end", "archived", "archive_reason_id", "snoozed",
    "contact_id", "location",
)  # fmt: skip


def opportunity_predicates(params: Params, now_ms: int, posting_of: Callable[[Json], str | None]) -> list[Predicate]:
    """Filters of `GET /opportunities`. Opportunities here are views (contact fields merged)."""
    conf = confidentiality_filter(params)
    preds: list[Predicate | None] = [lambda o: matches_confidentiality(o, conf)]
    preds.append(_any_of(params.raw_all("tag"), lambda o: o["tags"]))
    emails = [canonical_email(e) for e in params.raw_all("email")]
    preds.append(_any_of(emails, lambda o: (canonical_email(e) for e in o["emails"])))
    preds.append(_any_of(params.raw_all("origin"), lambda o: [o["origin"]]))
    preds.append(_any_of(params.raw_all("source"), lambda o: o["sources"]))
    preds.append(_any_of(params.raw_all("stage_id"), lambda o: [o["stage"]]))
    preds.append(_any_of(params.raw_all("contact_id"), lambda o: [o["contact"]]))
    preds.append(_any_of(params.raw_all("location"), lambda o: [o.get("opportunityLocation", "unspecified")]))
    preds.append(_any_of(params.raw_all("posting_id"), lambda o: [posting_of(o)]))
    preds.append(_any_of(params.raw_all("archived_posting_id"), lambda o: [posting_of(o)] if o.get("archived") else []))
    preds.append(_range(params, "created_at", lambda o: o.get("createdAt")))
    preds.append(_range(params, "updated_at", lambda o: o.get("updatedAt")))
    preds.append(_range(params, "advanced_at", lambda o: o.get("lastAdvancedAt")))
    preds.append(_range(params, "archived_at", lambda o: (o.get("archived") or {}).get("archivedAt")))
    archived = params.boolean("archived")
    if archived is not None:
        preds.append(lambda o: (o.get("archived") is not None) == archived)
    preds.append(_any_of(params.raw_all("archive_reason_id"), lambda o: [(o.get("archived") or {}).get("reason")]))
    snoozed = params.boolean("snoozed")
    if snoozed is not None:
        preds.append(lambda o: ((o.get("snoozedUntil") or 0) > now_ms) == snoozed)
    return [p for p in preds if p is not None]


def stage_ranks(org: LeverOrg) -> dict[str, float]:
    """Pipeline ranks like `/disposition_stages`: leads 1, 3, 5..., applicants from 101, then the rest."""
    ranks: dict[str, float] = {}
    lead = applicant = other = 0
    for stage in org.stages:
        sid = stage["id"]
        if sid.startswith("lead-"):
            ranks[sid] = 1 + 2 * lead
            lead += 1
        elif sid.startswith("applicant-"):
            ranks[sid] = 101 + 2 * applicant
            applicant += 1
        elif sid == "offer":
            ranks[sid] = 1000
        else:
            ranks[sid] = 201 + 2 * other
            other += 1
    return ranks


def stage_pipeline(stage_id: str) -> str:
    if stage_id.startswith("lead-"):
        return "lead"
    if stage_id.startswith("applicant-"):
        return "applicant"
    return "offer" if stage_id == "offer" else "interview"


def opportunity_sort_key(opp: Json, ranks: dict[str, float]) -> tuple[float, int, str]:
    """Lever's inferred default order: stage rank, then newest first, then id."""
    return (ranks.get(opp["stage"], 500.0), -int(opp.get("createdAt") or 0), opp["id"])


def opportunity_token_display(key: tuple[Any, ...]) -> list[Any]:
    rank, neg_created, opp_id = key
    rank_out: Any = int(rank) if float(rank).is_integer() else rank
    return [rank_out, -neg_created, opp_id]


# ---- postings, users, requisitions ---------------------------------------------------------------


def posting_predicates(params: Params) -> list[Predicate]:
    conf = confidentiality_filter(params)
    has_updated = params.has("updated_at_start") or params.has("updated_at_end")
    if has_updated:
        others = {"state", "distributionChannel", "group", "team", "department", "location", "commitment",
                  "level", "tag"}  # fmt: skip
        if any(params.has(name) for name in others):
            raise QueryError("updated_at_start and updated_at_end can only be combined with confidentiality")
    preds: list[Predicate | None] = [lambda p: matches_confidentiality(p, conf)]
    states = params.raw_all("state")
    for state in states:
        if state not in POSTING_STATES:
            raise QueryError(f"Invalid state: {state!r} must be one of {', '.join(POSTING_STATES)}")
    preds.append(_any_of(states, lambda p: [p["state"]]))
    channels = params.raw_all("distributionChannel")
    for channel in channels:
        if channel not in ("public", "internal"):
            raise QueryError(f"Invalid distributionChannel: {channel!r} must be public or internal")
    preds.append(_any_of(channels, lambda p: p.get("distributionChannels") or []))
    if states == ["published"] and not channels:
        # a list of published postings shows what the public job site shows
        preds.append(lambda p: "public" in (p.get("distributionChannels") or []))
    for category in ("team", "department", "location", "commitment", "level"):
        preds.append(_any_of(params.raw_all(category), lambda p, c=category: [(p.get("categories") or {}).get(c)]))
    preds.append(_any_of(params.raw_all("tag"), lambda p: p.get("tags") or []))
    preds.append(_range(params, "updated_at", lambda p: p.get("updatedAt")))
    return [p for p in preds if p is not None]


def user_predicates(params: Params) -> list[Predicate]:
    preds: list[Predicate | None] = []
    if not params.boolean("includeDeactivated"):
        preds.append(lambda u: u.get("deactivatedAt") is None)
    emails = params.raw_all("email")
    if emails:
        wanted = {canonical_email(e) for e in emails}
        preds.append(lambda u: canonical_email(u.get("email") or "") in wanted)
    preds.append(_any_of(params.raw_all("accessRole"), lambda u: [u.get("accessRole")]))
    preds.append(_any_of(params.raw_all("external_directory_id"), lambda u: [u.get("externalDirectoryId")]))
    return [p for p in preds if p is not None]


def requisition_predicates(params: Params) -> list[Predicate]:
    conf = confidentiality_filter(params)
    statuses = params.raw_all("status")
    for status in statuses:
        if status not in REQUISITION_STATUSES:
            raise QueryError(f"Invalid status: {status!r} must be one of {', '.join(REQUISITION_STATUSES)}")
    preds: list[Predicate | None] = [
        lambda r: matches_confidentiality(r, conf),
        _any_of(statuses, lambda r: [r.get("status")]),
        _any_of(params.raw_all("requisition_code"), lambda r: [r.get("requisitionCode")]),
        _range(params, "created_at", lambda r: r.get("createdAt")),
    ]
    return [p for p in preds if p is not None]


def file_predicates(params: Params) -> list[Predicate]:
    """`uploaded_at_*` on resumes and files (resumes without an upload time use createdAt)."""

    def uploaded(item: Json) -> int | None:
        file = item.get("file") if isinstance(item.get("file"), dict) else item
        return file.get("uploadedAt") or item.get("createdAt")

    pred = _range(params, "uploaded_at", uploaded)
    return [pred] if pred else []


def select(items: Iterable[Json], predicates: list[Predicate]) -> list[Json]:
    return [item for item in items if all(p(item) for p in predicates)]


# ---- expand and include --------------------------------------------------------------------------

# For each object type: the fields `expand` may turn from ids into objects, and what they refer to.
EXPANDABLE: dict[str, dict[str, str]] = {
    "opportunities": {"applications": "applications", "stage": "stage", "owner": "user", "followers": "user",
                      "sourcedBy": "user", "contact": "contact"},
    "applications": {"posting": "posting", "postingOwner": "user", "postingHiringManager": "user", "user": "user"},
    "interviews": {"user": "user", "stage": "stage", "postings": "posting"},
    "panels": {"user": "user", "stage": "stage"},
    "feedback": {"user": "user"},
    "notes": {"user": "user"},
    "offers": {"creator": "user"},
    "referrals": {"referrer": "user", "user": "user", "stage": "stage"},
    "forms": {"user": "user", "stage": "stage"},
    "postings": {"user": "user", "owner": "user", "hiringManager": "user", "followers": "user"},
    "requisitions": {"creator": "user", "hiringManager": "user", "owner": "user", "postings": "posting"},
}  # fmt: skip


class Expander:
    """Resolves ids to objects for `expand`, with lookups built once per request."""

    def __init__(self, org: LeverOrg, contact_view: Callable[[str], Json]) -> None:
        self.org = org
        self._contact_view = contact_view
        self._users: dict[str, Json] | None = None
        self._stages: dict[str, Json] | None = None
        self._postings: dict[str, Json] | None = None

    def _lookup(self, target: str, ident: str, opportunity_id: str | None) -> Any:
        if target == "user":
            if self._users is None:
                self._users = {u["id"]: u for u in self.org.users}
            return self._users.get(ident, ident)
        if target == "stage":
            if self._stages is None:
                self._stages = {s["id"]: s for s in self.org.stages}
            return self._stages.get(ident, ident)
        if target == "posting":
            if self._postings is None:
                self._postings = {p["id"]: p for p in self.org.postings}
            return self._postings.get(ident, ident)
        if target == "contact":
            return self._contact_view(ident)
        if target == "applications" and opportunity_id is not None:
            apps = {a["id"]: a for a in self.org.sub_resources(opportunity_id, "applications")}
            return apps.get(ident, ident)
        return ident

    def apply(self, kind: str, obj: Json, expand: list[str], include: list[str]) -> Json:
        expandable = EXPANDABLE.get(kind, {})
        wanted = [f for f in expand if f in expandable]
        if include:
            keep = {"id", *include, *wanted}
            obj = {k: v for k, v in obj.items() if k in keep}
        if not wanted:
            return obj
        obj = dict(obj)
        opportunity_id = obj.get("id") if kind == "opportunities" else None
        for name in wanted:
            value = obj.get(name)
            target = expandable[name]
            if isinstance(value, list):
                obj[name] = [self._lookup(target, v, opportunity_id) if isinstance(v, str) else v for v in value]
            elif isinstance(value, str):
                obj[name] = self._lookup(target, value, opportunity_id)
        return obj
