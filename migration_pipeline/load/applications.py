"""Applications: one per canonical application in scope, created in one `application.create` call with its
interview plan, source, credited user, original `createdAt` and whole stage history (the last entry is the
current stage; an archived one carries its archive reason).

An application the plan blocks (`blocked_by`: a Lever stage or archive reason with no Ashby counterpart) is not
sent: it is a ledger failure with code `blocked_by_plan`. A changed row (the delta sync: a stage change, an
archive or unarchive, another source or credited user) is updated field by field after comparing Ashby with
what we last wrote (`tracked`, conflicts.py): the current stage and archive reason with
`application.changeStage`, the source with `application.changeSource`, the credited user with
`application.update`. (A Lever opportunity moved to another posting is not transferred.)

Our application is recognised in Ashby among the candidate's applications by its job and the `createdAt` we
gave it, and not standing for another Lever opportunity: a candidate can hold several applications to one job
(merged Lever contacts), and Ashby (the sandbox at least) accepts a second application to the same job, so
the job alone would not do. A candidate merged in Ashby is re-resolved (`ctx.refresh_candidate`) and the
read or write retried once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from migration_pipeline.ashby.errors import AshbyNotFoundError
from migration_pipeline.load.claims import Claims, Refused
from migration_pipeline.load.engine import Item, LoadContext, Loader

Json = dict[str, Any]
T = TypeVar("T")
OBJECT_TYPE = "application"
HISTORY_KEYS = ("stageId", "stageNumber", "enteredStageAt", "archiveReasonId")  # what Ashby takes of our entries


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def history(entries: Any) -> list[Json]:
    """Our history entries as Ashby takes them (without stageTitle, stageType, leverStageId)."""
    return [{k: e[k] for k in HISTORY_KEYS if e.get(k) is not None} for e in _loads(entries) or []]


def application_item(row: Json) -> Item:
    payload = {
        "candidate": row["candidate_key"],
        "job": row["job_key"],
        "interviewPlanId": row["interview_plan_id"],
        "sourceId": row["source_id"],
        "creditedToUserId": row["credited_user_id"],
        "createdAt": row["created_at"],
        "applicationHistory": history(row["application_history"]),
        "blockedBy": _loads(row["blocked_by"]) or [],
    }
    return Item(
        object_type=OBJECT_TYPE,
        lever_key=row["lever_opportunity_id"],
        payload=payload,
        lever_type="opportunities",
        lever_id=row["lever_opportunity_id"],
        opportunity_id=row["lever_opportunity_id"],
        candidate_key=row["candidate_key"],
        partition_key=row["partition_key"],
    )


def _moment(value: str | None) -> datetime | None:
    """A timestamp to the second (Ashby may keep fewer digits than we sent)."""
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(microsecond=0)


def _is_ours(ctx: LoadContext, app_id: str, job_id: str, created_at: str | None) -> bool:
    try:
        app = ctx.client.call("application.info", {"applicationId": app_id})
    except AshbyNotFoundError:
        return False  # not visible to this key
    same_job = (app.get("job") or {}).get("id") == job_id
    # without a createdAt of ours (Ashby stamped the time of the call), the job and the claims decide
    return same_job and (created_at is None or _moment(app.get("createdAt")) == _moment(created_at))


def with_candidate(ctx: LoadContext, item: Item, call: Callable[[LoadContext, str], T]) -> T:
    """`call(ctx, candidate id)`; when Ashby no longer knows that id (merged), once more with the id the
    candidate is found under again (by this item, or by another of the candidate's items meanwhile: the
    engine's own retry gives up when the ledger already holds the new id)."""
    candidate_id = ctx.need("candidate", item.candidate_key)
    try:
        return call(ctx, candidate_id)
    except AshbyNotFoundError as exc:
        if exc.code != "candidate_not_found" or ctx.refresh_candidate is None or not item.candidate_key:
            raise
        ctx.refresh_candidate(item.candidate_key)
        if ctx.need("candidate", item.candidate_key) == candidate_id:
            raise
    return call(ctx, ctx.need("candidate", item.candidate_key))


def application_ids(ctx: LoadContext, candidate_id: str) -> list[str]:
    return ctx.client.call("candidate.info", {"id": candidate_id}).get("applicationIds") or []


def current_stage(payload: Json) -> tuple[str | None, str | None]:
    """(stage id, archive reason id) of the last history entry: where the application stands."""
    entries = payload.get("applicationHistory") or []
    last = entries[-1] if entries else {}
    return last.get("stageId"), last.get("archiveReasonId")


def _id(value: Any) -> str | None:
    return value.get("id") if isinstance(value, dict) else None


class ApplicationLoader(Loader):
    object_type = OBJECT_TYPE
    updatable = True

    def __init__(self) -> None:
        self.claims = Claims(OBJECT_TYPE)

    def find_existing(self, ctx: LoadContext, item: Item) -> str | None:
        if item.payload["blockedBy"]:
            return None  # never sent
        job_id = ctx.need("job", item.payload["job"])
        try:
            app_ids = with_candidate(ctx, item, application_ids)
        except AshbyNotFoundError:
            return None  # the candidate is gone: create fails with Ashby's answer
        matches = [app_id for app_id in app_ids if _is_ours(ctx, app_id, job_id, item.payload["createdAt"])]
        return self.claims.take(ctx, item.lever_key, matches)

    def create(self, ctx: LoadContext, item: Item) -> str:
        blocked = item.payload["blockedBy"]
        if blocked:
            raise Refused("blocked_by_plan", "; ".join(map(str, blocked)))
        body = {
            "jobId": ctx.need("job", item.payload["job"]),
            "interviewPlanId": item.payload["interviewPlanId"],
            "sourceId": item.payload["sourceId"],
            "creditedToUserId": item.payload["creditedToUserId"],
            "createdAt": item.payload["createdAt"],
            "applicationHistory": list(item.payload["applicationHistory"]) or None,
        }
        body = {k: v for k, v in body.items() if v is not None}
        app = with_candidate(
            ctx,
            item,
            lambda ctx, candidate_id: ctx.client.write("application.create", {"candidateId": candidate_id, **body}),
        )
        self.claims.record(ctx, item.lever_key, app["id"])
        return app["id"]

    def tracked(self, item: Item) -> Json | None:
        if item.payload["blockedBy"]:
            return None  # nothing to compare: `update` refuses it (a ledger failure the next sync tries again)
        stage, reason = current_stage(item.payload)
        values = {"stage": stage, "archiveReason": reason, "sourceId": item.payload["sourceId"],
                  "creditedToUserId": item.payload["creditedToUserId"]}  # fmt: skip
        return {k: v for k, v in values.items() if v is not None or k == "archiveReason"}

    def current(self, ctx: LoadContext, ashby_id: str) -> Json:
        app = ctx.client.call("application.info", {"applicationId": ashby_id})
        return {
            "stage": _id(app.get("currentInterviewStage")),
            "archiveReason": _id(app.get("archiveReason")),
            "sourceId": _id(app.get("source")),
            "creditedToUserId": _id(app.get("creditedToUser")),
        }

    def update(self, ctx: LoadContext, item: Item, ashby_id: str, fields: frozenset[str] | None = None) -> None:
        blocked = item.payload["blockedBy"]
        if blocked:
            raise Refused("blocked_by_plan", "; ".join(map(str, blocked)))
        fields = frozenset(self.tracked(item) or {}) if fields is None else fields
        stage, reason = current_stage(item.payload)
        if stage and fields & {"stage", "archiveReason"}:
            body = {"applicationId": ashby_id, "interviewStageId": stage}
            ctx.client.write("application.changeStage", {**body, "archiveReasonId": reason} if reason else body)
        if "sourceId" in fields:
            ctx.client.write(
                "application.changeSource", {"applicationId": ashby_id, "sourceId": item.payload["sourceId"]}
            )
        if "creditedToUserId" in fields:
            body = {"applicationId": ashby_id, "creditedToUserId": item.payload["creditedToUserId"]}
            ctx.client.write("application.update", {**body, "sendNotifications": False})
