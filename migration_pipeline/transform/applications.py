"""Applications: one per in-scope opportunity, on its posting's job, with the stage history from Lever's
`stageChanges` mapped onto the job's Ashby interview plan and the outcome (hired, archived with a reason)
as the last history entry, the way `application.create {applicationHistory}` takes it."""

from __future__ import annotations

from typing import Any

from migration_pipeline.lever.streams import NO_POSTING, applications_of, partition_of
from migration_pipeline.transform.context import Context
from migration_pipeline.transform.custom_fields import FieldValue
from migration_pipeline.transform.jobs import HOLDING_JOB_KEY
from migration_pipeline.transform.resolve import Problem
from migration_pipeline.transform.timestamps import iso_from_epoch_ms

Json = dict[str, Any]

# Ashby application status by the type of its current stage
STATUS_BY_STAGE_TYPE = {"Lead": "Lead", "Hired": "Hired", "Archived": "Archived"}


def _changes(opp: Json) -> list[Json]:
    changes = [c for c in (opp.get("stageChanges") or []) if c.get("toStageId")]
    if not changes and opp.get("stage"):
        changes = [{"toStageId": opp["stage"], "updatedAt": opp.get("createdAt"), "userId": None}]
    # stable: Lever lists changes in order; equal timestamps keep that order
    return sorted(changes, key=lambda c: int(c.get("updatedAt") or 0))


def _entry(stage: Json, at: int | None, lever_stage_id: str | None, reason_id: str | None = None) -> Json:
    entry = {
        "stageId": stage["id"],
        "stageTitle": stage.get("title"),
        "stageType": stage.get("type"),
        "enteredStageAt": iso_from_epoch_ms(at),
        "leverStageId": lever_stage_id,
    }
    if reason_id:
        entry["archiveReasonId"] = reason_id
    return entry


def stage_history(opp: Json, plan_id: str, ctx: Context) -> tuple[list[Json], list[str]]:
    """(history entries numbered from 0, unmapped Lever stage names). Consecutive entries that map onto the
    same Ashby stage collapse into the first (Ashby shows one visit)."""
    history: list[Json] = []
    unmapped: list[str] = []
    for change in _changes(opp):
        lever_stage = str(change["toStageId"])
        name = ctx.stage_name(lever_stage)
        match = ctx.note_unresolved(ctx.resolution.stage_in_plan(plan_id, lever_stage, name), opp["id"])
        if match.ashby_id is None:
            unmapped.append(name)
            continue
        if history and history[-1]["stageId"] == match.ashby_id:
            continue
        stage = next(s for s in ctx.resolution.org.interview_stages if s["id"] == match.ashby_id)
        history.append(_entry(stage, change.get("updatedAt"), lever_stage))
    return history, unmapped


def _outcome(opp: Json, plan_id: str, ctx: Context) -> tuple[Json | None, list[str]]:
    """The closing history entry for an archived opportunity: the Hired stage, or Archived with its reason."""
    archived = opp.get("archived") or {}
    if not archived.get("reason"):
        return None, []
    lever_reason = ctx.lever.archive_reasons.get(str(archived["reason"])) or {"text": str(archived["reason"])}
    at = archived.get("archivedAt")
    if lever_reason.get("type") == "hired":
        stage = ctx.resolution.stage_of_type(plan_id, "Hired")
        return (_entry(stage, at, None), []) if stage else (None, ["a stage of type Hired in the interview plan"])
    match = ctx.resolution.archive_reasons.resolve(str(archived["reason"]), lever_reason.get("text") or "")
    ctx.note_unresolved(match, opp["id"])
    stage = ctx.resolution.stage_of_type(plan_id, "Archived")
    problems = []
    if match.ashby_id is None:
        problems.append(f"archive reason {lever_reason.get('text')!r}")
    if stage is None:
        problems.append("a stage of type Archived in the interview plan")
    if problems:
        return None, problems
    return _entry(stage, at, None, match.ashby_id), []


def build_application(opp: Json, candidate_key: str, job: Json, ctx: Context) -> Json:
    plan_id = job["interview_plan_id"]
    history, unmapped = stage_history(opp, plan_id, ctx) if plan_id else ([], ["an interview plan"])
    outcome, outcome_problems = _outcome(opp, plan_id, ctx) if plan_id else (None, [])
    if outcome is not None:
        if history and (outcome["enteredStageAt"] or "") < (history[-1]["enteredStageAt"] or ""):
            # moved to another stage while archived (Lever allows it): the archive closes the history last
            outcome["enteredStageAt"] = history[-1]["enteredStageAt"]
        history.append(outcome)
    for number, entry in enumerate(history):
        entry["stageNumber"] = number
    blocking = [f"Lever stage {name!r} has no Ashby stage" for name in dict.fromkeys(unmapped)]
    blocking += [f"no mapping for {what}" for what in outcome_problems]
    for message in blocking:
        ctx.resolution.problems.append(
            Problem("application_unmapped", message, blocking=True, dimension="applications", lever_value=message)
        )
    current = history[-1] if history else None
    status = STATUS_BY_STAGE_TYPE.get(current["stageType"], "Active") if current else None
    archived = opp.get("archived") or {}
    application = (applications_of(opp) or [{}])[0]
    sources = opp.get("sources") or []
    credited = opp.get("sourcedBy") or opp.get("owner")
    return {
        "lever_opportunity_id": opp["id"],
        "lever_application_id": application.get("id"),
        "lever_contact_id": opp.get("contact"),
        "candidate_key": candidate_key,
        "partition_key": partition_of(opp),
        "job_key": job["job_key"],
        "interview_plan_id": plan_id,
        "status": status,
        "current_stage_id": current["stageId"] if current else None,
        "current_stage_title": current["stageTitle"] if current else None,
        "lever_stage_id": opp.get("stage"),
        "application_history": history,
        "archive_reason_id": (current or {}).get("archiveReasonId"),
        "lever_archive_reason_id": archived.get("reason"),
        "source_id": ctx.source_id(sources[0] if sources else None, opp["id"]),
        "source_name": sources[0] if sources else None,
        "credited_user_id": ctx.ashby_user_id(credited, opp["id"]),
        "owner_user_id": ctx.ashby_user_id(opp.get("owner"), opp["id"]),
        "follower_user_ids": [u for u in (ctx.ashby_user_id(f, opp["id"]) for f in opp.get("followers") or []) if u],
        "created_at": iso_from_epoch_ms(opp.get("createdAt")),
        "archived_at": iso_from_epoch_ms(archived.get("archivedAt")),
        "origin": opp.get("origin"),
        "confidential": opp.get("confidentiality") == "confidential",
        "blocked_by": blocking,
    }


def build_applications(opportunities: list[Json], candidate_of: dict[str, str], jobs: list[Json], ctx: Context):
    """(applications, application custom field values). Opportunities without a candidate are out of scope
    (already listed as skipped); no-posting ones follow `policies.no_posting`."""
    jobs_by_key = {job["job_key"]: job for job in jobs}
    applications: list[Json] = []
    values: list[Json] = []
    fields = ctx.config.custom_fields
    for opp in sorted(opportunities, key=lambda o: o["id"]):
        candidate = candidate_of.get(opp["id"])
        if candidate is None:
            continue
        partition = partition_of(opp)
        key = HOLDING_JOB_KEY if partition == NO_POSTING else partition
        job = jobs_by_key.get(key)
        if job is None:
            if partition == NO_POSTING:
                ctx.skip(
                    "applications",
                    opp["id"],
                    opp["id"],
                    partition,
                    "no_posting_candidate_only",
                    "no posting: the candidate is migrated without an application (policies.no_posting)",
                )
            else:
                ctx.skip(
                    "applications",
                    opp["id"],
                    opp["id"],
                    partition,
                    "posting_not_migrated",
                    f"its posting {partition} is not migrated",
                )
            continue
        applications.append(build_application(opp, candidate, job, ctx))
        for title, field_type, value in (
            (fields.lever_opportunity_id, "String", opp["id"]),
            (fields.lever_origin, "ValueSelect", opp.get("origin")),
        ):
            if title and value:
                item = FieldValue(
                    "Application", opp["id"], title, field_type, value, "opportunities", opp["id"], opp["id"], partition
                )
                row = ctx.field_value(item)
                if row is not None:
                    values.append(row)
    return applications, values
