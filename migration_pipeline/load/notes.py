"""Notes: every canonical note (Lever notes, interviews, offers, forms, referrals, application answers, feedback
of candidates without an application) as one backdated HTML note on its candidate. Ashby has no note update, so
a note whose text changed after it was written is reported (`changed_not_updatable`), not rewritten.

A note written before a crash or a lost answer is recognised on the candidate (`candidate.listNotes`) by its
visible text and its `createdAt`. Not by the exact HTML: Ashby sanitizes HTML notes on the way in (the sandbox
re-escapes text and normalizes links, Ashby's own sanitizer may differ again), so the stored `content` is not
byte-equal to what we sent, and `content_sha256` (the hash of what we send) cannot be compared with it.

Private notes need the key's "private fields" toggle. Without it Ashby refuses each one (`success: false`,
`missing_endpoint_permission`); that is this note's failure, recorded with Ashby's code and requestId, not a
reason to stop the load (a missing module permission, HTTP 403, still stops it)."""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Any

from migration_pipeline.ashby.errors import AshbyBusinessError, AshbyNotFoundError, AshbyPermissionError
from migration_pipeline.load.applications import with_candidate
from migration_pipeline.load.claims import Claims
from migration_pipeline.load.engine import Item, LoadContext, Loader

Json = dict[str, Any]
OBJECT_TYPE = "note"
_TAG = re.compile(r"<[^>]*>")


def note_item(row: Json) -> Item:
    return Item(
        object_type=OBJECT_TYPE,
        lever_key=f"{row['lever_type']}:{row['lever_id']}:{row['lever_opportunity_id']}",
        payload={"note": row["body_html"], "createdAt": row.get("created_at"), "isPrivate": bool(row["is_private"])},
        lever_type=row["lever_type"],
        lever_id=row["lever_id"],
        opportunity_id=row["lever_opportunity_id"],
        candidate_key=row["candidate_key"],
        partition_key=row.get("partition_key"),
    )


def visible_text(content: str | None) -> str:
    """What a reader sees of a note: tags dropped (a sanitizer that strips an element keeps its text, so both
    sides must lose the tag alike), entities resolved, white space folded."""
    return " ".join(html.unescape(_TAG.sub("", content or "")).split())


def same_second(ours: str, theirs: str | None) -> bool:
    """Ashby may keep more or fewer fractional digits than we sent."""
    try:
        mine, found = (datetime.fromisoformat(v.replace("Z", "+00:00")) for v in (ours, theirs or ""))
    except ValueError:
        return False
    return int(mine.timestamp()) == int(found.timestamp())


def _is_ours(found: Json, payload: Json) -> bool:
    if visible_text(found.get("content")) != visible_text(payload["note"]):
        return False
    return payload.get("createdAt") is None or same_second(payload["createdAt"], found.get("createdAt"))


class NoteLoader(Loader):
    object_type = OBJECT_TYPE
    updatable = False  # Ashby has no note update

    def __init__(self) -> None:
        self.claims = Claims(OBJECT_TYPE)  # two identical notes of one candidate never adopt one Ashby note

    def create(self, ctx: LoadContext, item: Item) -> str:
        body: Json = {
            "candidateId": ctx.need("candidate", item.candidate_key),
            "note": {"type": "text/html", "value": item.payload["note"]},
            "isPrivate": item.payload["isPrivate"],
            "sendNotifications": False,
        }
        if item.payload.get("createdAt"):
            body["createdAt"] = item.payload["createdAt"]
        try:
            note = ctx.client.write("candidate.createNote", body)
        except AshbyPermissionError as exc:
            if exc.http_status != 200:  # a module permission (HTTP 403): the key cannot write notes at all
                raise
            # a per-key toggle (private fields): only the private notes are refused, each one is a failure
            raise AshbyBusinessError.answered(exc.endpoint, exc.code, exc.message, exc.request_id, 200) from exc
        self.claims.record(ctx, item.lever_key, note["id"])
        return note["id"]

    def find_existing(self, ctx: LoadContext, item: Item) -> str | None:
        def matches(ctx: LoadContext, candidate_id: str) -> list[str]:
            notes = ctx.client.paginate("candidate.listNotes", {"candidateId": candidate_id})
            return [n["id"] for n in notes if _is_ours(n, dict(item.payload))]

        try:
            return self.claims.take(ctx, item.lever_key, with_candidate(ctx, item, matches))
        except AshbyNotFoundError:
            return None  # the candidate is gone: the write fails with Ashby's answer
