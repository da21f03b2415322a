"""Feedback: each canonical feedback row as one `applicationFeedback.submit` on its application, into the
generic migrated-feedback form or the Ashby form mapped for its Lever template, credited to the interviewer
where the user is mapped. Ashby has no feedback update or delete: a changed row is reported, not rewritten.

A submission written before a crash or a lost answer is recognised in `applicationFeedback.list` for the
application: same form, same submitting user when we name one, and every value we submitted stored as we sent
it. On the generic form that includes the Lever feedback id, which makes the match exact; on a mapped form the
values are the fingerprint, and a submission another item of ours already owns is never adopted twice."""

from __future__ import annotations

from typing import Any

from migration_pipeline.load.claims import Claims
from migration_pipeline.load.engine import Item, LoadContext, Loader

Json = dict[str, Any]
OBJECT_TYPE = "feedback"


def feedback_item(row: Json, submissions: list[Json]) -> Item:
    """`submissions`: the row's decoded `field_submissions` (`[{path, value}]`)."""
    payload: Json = {"formDefinitionId": row["form_definition_id"], "fieldSubmissions": submissions}
    if row.get("interviewer_user_id"):
        payload["userId"] = row["interviewer_user_id"]
    return Item(
        object_type=OBJECT_TYPE,
        lever_key=f"{row['lever_feedback_id']}:{row['lever_opportunity_id']}",
        payload=payload,
        lever_type="feedback",
        lever_id=row["lever_feedback_id"],
        opportunity_id=row["lever_opportunity_id"],
        candidate_key=row.get("candidate_key"),
        partition_key=row.get("partition_key"),
    )


def _is_ours(found: Json, payload: Json) -> bool:
    if found.get("feedbackFormDefinitionId") != payload["formDefinitionId"]:
        return False
    if payload.get("userId") and (found.get("submittedByUser") or {}).get("id") != payload["userId"]:
        return False
    stored = found.get("submittedValues") or {}
    return all(s["path"] in stored and stored[s["path"]] == s["value"] for s in payload["fieldSubmissions"])


class FeedbackLoader(Loader):
    object_type = OBJECT_TYPE
    updatable = False  # Ashby has no feedback update

    def __init__(self) -> None:
        self.claims = Claims(OBJECT_TYPE)

    def create(self, ctx: LoadContext, item: Item) -> str:
        body: Json = {
            "formDefinitionId": item.payload["formDefinitionId"],
            "applicationId": ctx.need("application", item.opportunity_id),
            "feedbackForm": {"fieldSubmissions": item.payload["fieldSubmissions"]},
        }
        if item.payload.get("userId"):
            body["userId"] = item.payload["userId"]
        submitted = ctx.client.write("applicationFeedback.submit", body)["submittedFormInstance"]["id"]
        self.claims.record(ctx, item.lever_key, submitted)
        return submitted

    def find_existing(self, ctx: LoadContext, item: Item) -> str | None:
        application_id = ctx.need("application", item.opportunity_id)
        listed = ctx.client.paginate("applicationFeedback.list", {"applicationId": application_id})
        return self.claims.take(ctx, item.lever_key, [f["id"] for f in listed if _is_ours(f, dict(item.payload))])
