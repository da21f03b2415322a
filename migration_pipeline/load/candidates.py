"""Candidates: searched by email before creating (an Ashby candidate that already exists is reused), created
with their contact details, source, credited user and original `createdAt`, updated when the canonical row
changes. A candidate id that stops resolving (Ashby merged it) is re-resolved by email."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from migration_pipeline.load.engine import Item, LoadContext, Loader
from migration_pipeline.transform.names import email_key

Json = dict[str, Any]
OBJECT_TYPE = "candidate"
# what a sync compares with Ashby before updating (a recruiter may have edited them there)
TRACKED = ("name", "email", "phoneNumber", "linkedInUrl", "githubUrl", "website")


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def candidate_payload(row: Json) -> Json:
    """The `candidate.create` body for a canonical candidate row (None values left out)."""
    location = _loads(row.get("location")) or {}
    body = {
        "name": row["name"],
        "email": row.get("primary_email"),
        "phoneNumber": row.get("primary_phone"),
        "linkedInUrl": row.get("linkedin_url"),
        "githubUrl": row.get("github_url"),
        "website": row.get("website"),
        "alternateEmailAddresses": _loads(row.get("alternate_emails")) or None,
        "sourceId": row.get("source_id"),
        "creditedToUserId": row.get("credited_user_id"),
        "location": {k: location[k] for k in ("city", "region", "country") if location.get(k)} or None,
        "createdAt": row.get("created_at"),
    }
    return {k: v for k, v in body.items() if v is not None}


def candidate_item(row: Json, partition_key: str | None = None) -> Item:
    return Item(
        object_type=OBJECT_TYPE,
        lever_key=row["candidate_key"],
        payload=candidate_payload(row),
        lever_type="contacts",
        lever_id=row["candidate_key"],
        candidate_key=row["candidate_key"],
        partition_key=partition_key,
    )


def _same_person(found: Json, payload: Json) -> bool:
    """Without an email, a candidate we created is recognised by its name and the `createdAt` we gave it."""
    return found.get("name") == payload["name"] and found.get("createdAt", "")[:19] == payload.get("createdAt", "")[:19]


def search(ctx: LoadContext, payload: Json) -> str | None:
    if payload.get("email"):
        found = ctx.client.call("candidate.search", {"email": payload["email"]}) or []
        wanted = email_key(payload["email"])
        matches = [c for c in found if any(email_key(e.get("value")) == wanted for e in c.get("emailAddresses") or [])]
        return matches[0]["id"] if matches else None
    if payload.get("createdAt"):
        found = ctx.client.call("candidate.search", {"name": payload["name"]}) or []
        matches = [c for c in found if _same_person(c, payload)]
        return matches[0]["id"] if matches else None
    return None


class CandidateLoader(Loader):
    object_type = OBJECT_TYPE
    updatable = True

    def find_existing(self, ctx: LoadContext, item: Item) -> str | None:
        return search(ctx, dict(item.payload))

    def create(self, ctx: LoadContext, item: Item) -> str:
        existing = search(ctx, dict(item.payload))  # reuse a candidate Ashby already has
        if existing is not None:
            return existing
        return ctx.client.write("candidate.create", dict(item.payload))["id"]

    def tracked(self, item: Item) -> Json | None:
        return {name: item.payload.get(name) for name in TRACKED}

    def current(self, ctx: LoadContext, ashby_id: str) -> Json:
        found = ctx.client.call("candidate.info", {"id": ashby_id})
        links = {link.get("type"): link.get("url") for link in found.get("socialLinks") or []}
        return {
            "name": found.get("name"),
            "email": (found.get("primaryEmailAddress") or {}).get("value"),
            "phoneNumber": (found.get("primaryPhoneNumber") or {}).get("value"),
            "linkedInUrl": links.get("LinkedIn"),
            "githubUrl": links.get("GitHub"),
            "website": links.get("Website"),
        }

    def update(self, ctx: LoadContext, item: Item, ashby_id: str, fields: frozenset[str] | None = None) -> None:
        """`fields`: the tracked fields to write (the others of the payload are always sent: Ashby does not
        show them back to compare)."""
        body = {k: v for k, v in item.payload.items() if fields is None or k not in TRACKED or k in fields}
        alternates = body.pop("alternateEmailAddresses", None) or []
        if "website" in body:
            body["websiteUrl"] = body.pop("website")
        body = {"candidateId": ashby_id, **body, "sendNotifications": False}
        if alternates:
            body["alternateEmail"] = alternates[0]  # candidate.update takes one alternate at a time
        ctx.client.call("candidate.update", body)


def refresher(ctx: LoadContext, rows_by_key: dict[str, Json]) -> Callable[[str], str | None]:
    """A `refresh_candidate` for the context: finds the candidate again by email after Ashby merged it."""

    def refresh(candidate_key: str) -> str | None:
        row = rows_by_key.get(candidate_key)
        if row is None:
            return None
        found = search(ctx, candidate_payload(row))
        if found is not None and found != ctx.ledger.ashby_id(OBJECT_TYPE, candidate_key):
            ctx.ledger.reassign(OBJECT_TYPE, candidate_key, found)
        return found  # also when another thread already recorded the surviving id

    return refresh
