"""Ashby endpoints: applications, their stage history, and hiring teams.

An application is stored in `state["applications"]` in the `application.info` shape, plus bookkeeping:
`_interviewPlanId` (the plan it moves through) and `_historyIds` (its stage-history events in order,
stored in `state["application_history"]` in the `application.listHistory` shape, with `_applicationId`
and `_archiveReasonId`). What depends on other objects (the candidate's name and contacts, the job's
title, the history's `leftStageAt`/`allowedActions`) is filled in when the application is served.

Hiring-team members live in `state["hiring_team_members"]` (the `HiringTeamMember` shape plus the
`_applicationId` / `_jobId` / `_openingId` and `_roleId` they were added with) and are shown in the
`hiringTeam` of the application or job they belong to.
"""

from __future__ import annotations

import copy
import itertools
import math
from typing import Any

from migration_pipeline.sandbox.ashby.endpoints.candidates import acting_user, find_candidate
from migration_pipeline.sandbox.ashby.endpoints.hiring_process import plan_stages
from migration_pipeline.sandbox.ashby.endpoints.jobs import get_job, visible
from migration_pipeline.sandbox.ashby.rpc import (
    UUID_RE,
    AshbyError,
    Ctx,
    datetime_value,
    endpoint,
    existing,
    field_value,
    invalid_input,
    not_found,
    paginate,
    require_toggle,
    uuid_value,
)
from migration_pipeline.sandbox.ashby.state import AshbyState, Json, iso, new_id, parse_iso, public

# Application status by the type of its current interview stage.
STATUS_BY_STAGE_TYPE = {
    "Lead": "Lead",
    "PreInterviewScreen": "Active",
    "Active": "Active",
    "Offer": "Active",
    "Hired": "Hired",
    "Archived": "Archived",
}
APPLICATION_STATUSES = ("Hired", "Archived", "Active", "Lead")
FIRST_PRE_INTERVIEW_SCREEN = "FirstPreInterviewScreen"
ARCHIVE_REASON_REQUIRED = "Archive reason ID is required for archive stages"
ARCHIVE_FIELDS_NOT_ALLOWED = "Archive fields are not allowed for non-archive stages"


# ---- lookups shared with the other endpoint modules ------------------------------------------------


def application_visible(ctx: Ctx, app: Json | None) -> bool:
    """An application is invisible when its job is confidential and the key lacks the toggle."""
    if app is None:
        return False
    if app.get("_confidential") and not ctx.key.confidential:
        return False
    job = ctx.state.get("jobs", app["job"]["id"])
    return job is None or visible(ctx, job)


def get_application(ctx: Ctx, app_id: Any) -> Json:
    app = ctx.state.get("applications", app_id)
    if not application_visible(ctx, app):
        raise AshbyError(
            "application_not_found",
            f"Application not found - are you lacking permissions to edit candidates? ({app_id})",
        )
    return app


def get_user(ctx: Ctx, user_id: Any) -> Json:
    user = ctx.state.get("users", user_id)
    if user is None:
        raise not_found("user", user_id)
    return user


def user_shape(user: Json) -> Json:
    """A user as embedded in other objects (`creditedToUser`, `submittedByUser`): the `user.info` shape."""
    return public(user)


def epoch_ms_value(body: Json, name: str) -> int | None:
    """An optional epoch-milliseconds integer such as `createdAfter`."""
    value = field_value(body, name, (int, float))
    if value is None:
        return None
    if not math.isfinite(value) or value != int(value) or value < 0:
        raise invalid_input(f"Invalid value for {name}: expected an integer of epoch milliseconds")
    return int(value)


def created_ms(obj: Json, key: str = "createdAt") -> float:
    return parse_iso(obj[key]).timestamp() * 1000


# ---- interview plans and stages ---------------------------------------------------------------------


def job_plan_ids(job: Json) -> list[str]:
    ids = list(job.get("interviewPlanIds") or [])
    default = job.get("defaultInterviewPlanId")
    if default and default not in ids:
        ids.insert(0, default)
    return ids


def stage_in_plan(ctx: Ctx, stage_id: Any, plan_id: str, name: str) -> Json:
    """The stage `stage_id` of plan `plan_id`: `interview_stage_not_found` if unknown, `invalid_input`
    if it belongs to another plan."""
    if not isinstance(stage_id, str) or not UUID_RE.match(stage_id):
        raise invalid_input(f"Invalid value for {name}: {stage_id!r} is not a UUID")
    stage = ctx.state.get("interview_stages", stage_id)
    if stage is None:
        raise not_found("interview_stage", stage_id)
    if stage.get("interviewPlanId") != plan_id:
        raise invalid_input(
            f"Invalid value for {name}: interview stage {stage_id} ({stage.get('title')}) is not part of "
            f"interview plan {plan_id}"
        )
    return stage


def get_archive_reason(ctx: Ctx, reason_id: Any, name: str) -> Json:
    if not isinstance(reason_id, str) or not UUID_RE.match(reason_id):
        raise invalid_input(f"Invalid value for {name}: {reason_id!r} is not a UUID")
    reason = ctx.state.get("archive_reasons", reason_id)
    if reason is None:
        raise not_found("archive_reason", reason_id)
    return reason


def stage_shape(stage: Json) -> Json:
    return {
        "id": stage["id"],
        "title": stage["title"],
        "type": stage["type"],
        "interviewPlanId": stage["interviewPlanId"],
        "orderInInterviewPlan": stage.get("orderInInterviewPlan", 0),
        "interviewStageGroupId": stage.get("interviewStageGroupId"),
    }


def archive_reason_shape(reason: Json) -> Json:
    return {
        "id": reason["id"],
        "text": reason["text"],
        "reasonType": reason["reasonType"],
        "isArchived": reason.get("isArchived", False),
        "customFields": copy.deepcopy(reason.get("customFields") or []),
    }


def source_shape(source: Json) -> Json:
    shape = {"id": source["id"], "title": source["title"], "isArchived": source.get("isArchived", False)}
    if source.get("sourceType") is not None:
        shape["sourceType"] = copy.deepcopy(source["sourceType"])
    return shape


def job_shape(job: Json) -> Json:
    return {
        "id": job["id"],
        "title": job["title"],
        "locationId": job.get("locationId"),
        "departmentId": job.get("departmentId"),
    }


def status_for(stage: Json) -> str:
    return STATUS_BY_STAGE_TYPE.get(stage.get("type"), "Active")


# ---- stage history ----------------------------------------------------------------------------------


def history_of(state: AshbyState, app: Json) -> list[Json]:
    return [state["application_history"][hid] for hid in app["_historyIds"] if hid in state["application_history"]]


def history_shape(events: list[Json]) -> list[Json]:
    """History events as served: `leftStageAt` from the next event, `allowedActions` by position."""
    shaped = []
    for index, event in enumerate(events):
        item: Json = {
            "id": event["id"],
            "stageId": event["stageId"],
            "title": event["title"],
            "stageNumber": event["stageNumber"],
            "enteredStageAt": event["enteredStageAt"],
        }
        last = index == len(events) - 1
        if not last:
            item["leftStageAt"] = events[index + 1]["enteredStageAt"]
        # the current stage cannot be deleted; earlier events can
        item["allowedActions"] = ["set_entered_at"] if last else ["set_entered_at", "delete"]
        item["actorId"] = event.get("actorId")
        item["_seq"] = event["stageNumber"] + 1
        item["_rev"] = event["_rev"]
        shaped.append(item)
    return shaped


def parse_history(ctx: Ctx, entries: Any, plan_id: str, field: str, existing: dict[str, Json] | None = None):
    """Check an `applicationHistory` array against plan `plan_id`. Returns the entries ordered by
    `stageNumber` as dicts `{stage, stageNumber, enteredStageAt, reason, applicationHistoryId}`.
    `existing` (for `application.updateHistory`) maps the application's event ids to its events."""
    if not isinstance(entries, list) or not entries:
        raise invalid_input(f"Invalid value for {field}: expected a non-empty array of history events")
    parsed = []
    for index, entry in enumerate(entries):
        where = f"{field}[{index}]"
        if not isinstance(entry, dict):
            raise invalid_input(f"Invalid value for {where}: expected an object")
        if entry.get("stageId") is None:
            raise invalid_input(f"Missing required field: {where}.stageId")
        stage = stage_in_plan(ctx, entry["stageId"], plan_id, f"{where}.stageId")
        number = entry.get("stageNumber")
        if number is None:
            raise invalid_input(f"Missing required field: {where}.stageNumber")
        if (
            isinstance(number, bool)
            or not isinstance(number, int | float)
            or not math.isfinite(number)
            or number != int(number)
        ):
            raise invalid_input(f"Invalid value for {where}.stageNumber: expected an integer")
        entered = entry.get("enteredStageAt")
        if entered is None:
            raise invalid_input(f"Missing required field: {where}.enteredStageAt")
        try:
            entered_at = parse_iso(entered)
        except ValueError:
            raise invalid_input(
                f"Invalid value for {where}.enteredStageAt: {entered!r} is not an ISO 8601 date-time"
            ) from None
        history_id = entry.get("applicationHistoryId")
        previous = None
        if history_id is not None:
            if existing is None:
                raise invalid_input(f"Invalid value for {where}.applicationHistoryId: not accepted here")
            previous = existing.get(history_id)
            if previous is None:
                raise invalid_input(
                    f"Invalid value for {where}.applicationHistoryId: {history_id!r} is not a history event "
                    "of this application"
                )
            if previous["stageId"] != stage["id"]:
                raise invalid_input(
                    f"Invalid value for {where}.stageId: history event {history_id} is in stage "
                    f"{previous['stageId']}; an event's stage cannot be changed"
                )
        reason_id = entry.get("archiveReasonId")
        reason = None
        if stage.get("type") == "Archived":
            if reason_id is None and previous is not None and previous.get("_archiveReasonId"):
                reason_id = previous["_archiveReasonId"]
            if reason_id is None:
                raise invalid_input(f"{ARCHIVE_REASON_REQUIRED} ({where}.archiveReasonId)")
            reason = get_archive_reason(ctx, reason_id, f"{where}.archiveReasonId")
        elif reason_id is not None:
            raise invalid_input(f"{ARCHIVE_FIELDS_NOT_ALLOWED} ({where}.archiveReasonId)")
        parsed.append(
            {
                "stage": stage,
                "stageNumber": int(number),
                "enteredStageAt": iso(entered_at.timestamp() * 1000),
                "entered": entered_at,
                "reason": reason,
                "applicationHistoryId": history_id,
                "where": where,
            }
        )
    numbers = sorted(p["stageNumber"] for p in parsed)
    if numbers != list(range(len(parsed))):
        raise invalid_input(
            f"Invalid value for {field}: stageNumber values must be 0 to {len(parsed) - 1}, each once (got {numbers})"
        )
    parsed.sort(key=lambda p: p["stageNumber"])
    ids = [p["applicationHistoryId"] for p in parsed if p["applicationHistoryId"] is not None]
    if len(ids) != len(set(ids)):
        raise invalid_input(f"Invalid value for {field}: an applicationHistoryId appears twice")
    for before, after in itertools.pairwise(parsed):
        if after["entered"] < before["entered"]:
            raise invalid_input(
                f"Invalid value for {after['where']}.enteredStageAt: stage {after['stageNumber']} cannot be "
                f"entered before stage {before['stageNumber']} ({before['enteredStageAt']})"
            )
    return parsed


def new_event(app: Json, stage: Json, number: int, entered_at: str, actor_id: str | None, reason: Json | None):
    return {
        "id": new_id(),
        "stageId": stage["id"],
        "title": stage["title"],
        "stageNumber": number,
        "enteredStageAt": entered_at,
        "actorId": actor_id,
        "_applicationId": app["id"],
        "_archiveReasonId": reason["id"] if reason else None,
    }


def follow_current_stage(state: AshbyState, app: Json) -> None:
    """Set status, current stage, archive reason and archivedAt from the last history event."""
    events = history_of(state, app)
    last = events[-1]
    stage = state.get("interview_stages", last["stageId"])
    app["currentInterviewStage"] = stage_shape(stage)
    app["status"] = status_for(stage)
    reason = state.get("archive_reasons", last.get("_archiveReasonId"))
    if app["status"] == "Archived":
        app["archiveReason"] = archive_reason_shape(reason) if reason else None
        app["archivedAt"] = last["enteredStageAt"]
    else:
        app["archiveReason"] = None
        app.pop("archivedAt", None)


# ---- serving an application -------------------------------------------------------------------------


def candidate_shape(ctx: Ctx, app: Json, *, contacts: bool) -> Json:
    stored = app["candidate"]
    candidate = ctx.state.get("candidates", stored["id"])
    shape = {"id": stored["id"], "name": candidate["name"] if candidate else stored.get("name")}
    if contacts and candidate is not None:
        for key in ("primaryEmailAddress", "primaryPhoneNumber"):
            if candidate.get(key) is not None:
                shape[key] = copy.deepcopy(candidate[key])
    return shape


def render(ctx: Ctx, app: Json, view: str = "info") -> Json:
    """The application as served. `view`: `info` (application.info / list / update...), `create` (as
    the recorded application.create answers: bare stage and job), `changeStage` (as recorded: no
    history, the job with its brand)."""
    job = ctx.state.get("jobs", app["job"]["id"])
    job_now = job_shape(job) if job else copy.deepcopy(app["job"])
    out: Json = {"id": app["id"], "createdAt": app["createdAt"], "updatedAt": app["updatedAt"]}
    if "archivedAt" in app:
        out["archivedAt"] = app["archivedAt"]
    out["candidate"] = candidate_shape(ctx, app, contacts=view != "create")
    out["status"] = app["status"]
    if app.get("resumeFileHandle") is not None:
        out["resumeFileHandle"] = copy.deepcopy(app["resumeFileHandle"])
    out["customFields"] = copy.deepcopy(app.get("customFields", []))  # private values: hidden by the app
    if view == "create":
        out["currentInterviewStage"] = {"id": app["currentInterviewStage"]["id"]}
    else:
        out["currentInterviewStage"] = copy.deepcopy(app["currentInterviewStage"])
    out["source"] = copy.deepcopy(app.get("source"))
    out["creditedToUser"] = copy.deepcopy(app.get("creditedToUser"))
    out["archiveReason"] = copy.deepcopy(app.get("archiveReason"))
    if view == "create":
        out["job"] = {"id": job_now["id"], "title": job_now["title"]}
    else:
        out["job"] = job_now
        if view == "changeStage" and job is not None and job.get("brandId"):
            out["job"]["brandId"] = job["brandId"]
    out["hiringTeam"] = copy.deepcopy(app.get("hiringTeam", []))
    out["appliedViaJobPostingId"] = app.get("appliedViaJobPostingId")
    if view != "changeStage":
        out["applicationHistory"] = history_shape(history_of(ctx.state, app))
    out["submitterClientIp"] = app.get("submitterClientIp")
    out["submitterUserAgent"] = app.get("submitterUserAgent")
    out["_seq"] = app["_seq"]
    out["_rev"] = app["_rev"]
    return out


# ---- application.create -----------------------------------------------------------------------------


def _optional_source(ctx: Ctx, body: Json) -> Json | None:
    source_id = uuid_value(body, "sourceId", required=False)
    if source_id is None:
        return None
    source = ctx.state.get("sources", source_id)
    if source is None:
        raise not_found("source", source_id)
    return source


def _optional_user(ctx: Ctx, body: Json, name: str) -> Json | None:
    user_id = uuid_value(body, name, required=False)
    return None if user_id is None else get_user(ctx, user_id)


@endpoint("application.create", scope="candidatesWrite")
def application_create(ctx: Ctx, body: Json):
    candidate_id = uuid_value(body, "candidateId")
    job_id = uuid_value(body, "jobId")
    if candidate_id in ctx.state.merged_into:
        raise not_found("candidate", candidate_id)
    candidate = find_candidate(ctx, candidate_id)
    job = get_job(ctx, job_id)

    plan_id = uuid_value(body, "interviewPlanId", required=False)
    if plan_id is not None:
        if ctx.state.get("interview_plans", plan_id) is None:
            raise not_found("interview_plan", plan_id)
        if plan_id not in job_plan_ids(job):
            raise invalid_input(
                f"Invalid value for interviewPlanId: {plan_id} is not an interview plan of job {job_id}"
            )
    else:
        plan_id = job.get("defaultInterviewPlanId")
        if not plan_id or ctx.state.get("interview_plans", plan_id) is None:
            raise invalid_input(f"Job {job_id} has no default interview plan: pass interviewPlanId")
    source = _optional_source(ctx, body)
    credited = _optional_user(ctx, body, "creditedToUserId")
    created_at = datetime_value(body, "createdAt") or iso()

    stage_id = field_value(body, "interviewStageId", str)
    stage = None
    if stage_id == FIRST_PRE_INTERVIEW_SCREEN:
        stage = next((s for s in plan_stages(ctx.state, plan_id) if s.get("type") == "PreInterviewScreen"), None)
        if stage is None:
            raise not_found("interview_stage", f"{FIRST_PRE_INTERVIEW_SCREEN} (plan {plan_id} has none)")
    elif stage_id is not None:
        stage = stage_in_plan(ctx, stage_id, plan_id, "interviewStageId")

    history_input = body.get("applicationHistory")
    if history_input is not None:
        parsed = parse_history(ctx, history_input, plan_id, "applicationHistory")
        if stage is not None and parsed[-1]["stage"]["id"] != stage["id"]:
            raise invalid_input(
                "Invalid value for interviewStageId: it must be the stage of the last applicationHistory event "
                f"({parsed[-1]['stage']['id']})"
            )
    else:
        if stage is None:
            stage = next((s for s in plan_stages(ctx.state, plan_id) if s.get("type") == "Lead"), None)
            if stage is None:
                raise invalid_input(f"Interview plan {plan_id} has no Lead stage: pass interviewStageId")
        if stage.get("type") == "Archived":
            raise invalid_input(f"{ARCHIVE_REASON_REQUIRED}: create an archived application through applicationHistory")
        parsed = None

    actor = acting_user(ctx)
    app: Json = {
        "id": new_id(),
        "createdAt": created_at,
        "updatedAt": iso(),
        "candidate": {"id": candidate["id"], "name": candidate.get("name")},
        "status": "Lead",
        "customFields": [],
        "currentInterviewStage": None,
        "source": source_shape(source) if source else None,
        "creditedToUser": user_shape(credited) if credited else None,
        "archiveReason": None,
        "job": job_shape(job),
        "hiringTeam": [],
        "appliedViaJobPostingId": None,
        "submitterClientIp": None,
        "submitterUserAgent": None,
        "_interviewPlanId": plan_id,
        "_historyIds": [],
    }
    if parsed is None:
        events = [new_event(app, stage, 0, created_at, actor["id"], None)]
    else:
        # imported history: no one in this org moved the application through those stages
        events = [new_event(app, p["stage"], p["stageNumber"], p["enteredStageAt"], None, p["reason"]) for p in parsed]
    for event in events:
        ctx.state.add("application_history", event)
        app["_historyIds"].append(event["id"])
    follow_current_stage(ctx.state, app)
    ctx.state.add("applications", app)

    candidate.setdefault("applicationIds", []).append(app["id"])
    ctx.state.touch(candidate)
    return render(ctx, app, "create")


# ---- stage changes and updates ----------------------------------------------------------------------


@endpoint("application.changeStage", scope="candidatesWrite")
def application_change_stage(ctx: Ctx, body: Json):
    app = get_application(ctx, uuid_value(body, "applicationId"))
    stage_id = field_value(body, "interviewStageId", str, required=True)
    stage = stage_in_plan(ctx, stage_id, app["_interviewPlanId"], "interviewStageId")
    reason_id = uuid_value(body, "archiveReasonId", required=False)
    archive_email = field_value(body, "archiveEmail", dict)
    if stage.get("type") == "Archived":
        if reason_id is None:
            raise invalid_input(ARCHIVE_REASON_REQUIRED)
    elif reason_id is not None or archive_email is not None:
        raise invalid_input(ARCHIVE_FIELDS_NOT_ALLOWED)
    reason = get_archive_reason(ctx, reason_id, "archiveReasonId") if reason_id is not None else None
    if archive_email is not None:
        template_id = uuid_value(archive_email, "communicationTemplateId")
        templates = ctx.state.collections.get("communication_templates", {})
        if template_id not in templates:
            # "If email send fails, the application stage will not be updated"
            raise not_found("communication_template", template_id)

    events = history_of(ctx.state, app)
    current = events[-1]
    if current["stageId"] == stage["id"]:
        # already there: only an archive reason can change
        if reason is not None and current.get("_archiveReasonId") != reason["id"]:
            current["_archiveReasonId"] = reason["id"]
            ctx.state.touch(current)
            follow_current_stage(ctx.state, app)
            ctx.state.touch(app)
        return render(ctx, app, "changeStage")
    actor = acting_user(ctx)
    event = new_event(app, stage, len(events), iso(), actor["id"], reason)
    ctx.state.add("application_history", event)
    app["_historyIds"].append(event["id"])
    follow_current_stage(ctx.state, app)
    ctx.state.touch(app)
    return render(ctx, app, "changeStage")


@endpoint("application.update", scope="candidatesWrite")
def application_update(ctx: Ctx, body: Json):
    app = get_application(ctx, uuid_value(body, "applicationId"))
    if "archiveReasonId" in body:
        raise invalid_input(
            "Invalid field archiveReasonId: application.update cannot archive; use application.changeStage "
            "with an Archived stage"
        )
    source = _optional_source(ctx, body)
    credited = _optional_user(ctx, body, "creditedToUserId")
    created_at = datetime_value(body, "createdAt")
    field_value(body, "sendNotifications", bool, default=True)
    if source is not None:
        app["source"] = source_shape(source)
    if credited is not None:
        app["creditedToUser"] = user_shape(credited)
    if created_at is not None:
        app["createdAt"] = created_at
    if source is not None or credited is not None or created_at is not None:
        ctx.state.touch(app)
    return render(ctx, app)


@endpoint("application.changeSource", scope="candidatesWrite")
def application_change_source(ctx: Ctx, body: Json):
    app = get_application(ctx, uuid_value(body, "applicationId"))
    if "sourceId" not in body:
        raise invalid_input("Missing required field: sourceId (pass null to unset the source)")
    source = _optional_source(ctx, body)
    app["source"] = source_shape(source) if source else None
    ctx.state.touch(app)
    return render(ctx, app)


@endpoint("application.transfer", scope="candidatesWrite")
def application_transfer(ctx: Ctx, body: Json):
    app = get_application(ctx, uuid_value(body, "applicationId"))
    job = get_job(ctx, uuid_value(body, "jobId"))
    plan_id = uuid_value(body, "interviewPlanId")
    if ctx.state.get("interview_plans", plan_id) is None:
        raise not_found("interview_plan", plan_id)
    if plan_id not in job_plan_ids(job):
        raise invalid_input(f"Invalid value for interviewPlanId: {plan_id} is not an interview plan of job {job['id']}")
    stage = stage_in_plan(ctx, field_value(body, "interviewStageId", str, required=True), plan_id, "interviewStageId")
    if stage.get("type") == "Archived":
        raise invalid_input(
            "Invalid value for interviewStageId: an application cannot be transferred into an Archived stage"
        )
    field_value(body, "startAutomaticActivities", bool, default=True)
    actor = acting_user(ctx)
    events = history_of(ctx.state, app)
    event = new_event(app, stage, len(events), iso(), actor["id"], None)
    ctx.state.add("application_history", event)
    app["_historyIds"].append(event["id"])
    app["_interviewPlanId"] = plan_id
    app["job"] = job_shape(job)
    follow_current_stage(ctx.state, app)
    ctx.state.touch(app)
    return render(ctx, app)


# ---- reads ------------------------------------------------------------------------------------------


@endpoint("application.info", scope="candidatesRead")
def application_info(ctx: Ctx, body: Json):
    app_id = uuid_value(body, "applicationId", required=False)
    if app_id is None:
        form_id = uuid_value(body, "submittedFormInstanceId", required=False)
        if form_id is None:
            raise invalid_input("Missing required field: applicationId")
        # no application in the sandbox came through an application form
        raise AshbyError("application_not_found", f"Application not found for submitted form instance {form_id}")
    return render(ctx, get_application(ctx, app_id))


@endpoint("application.list", scope="candidatesRead")
def application_list(ctx: Ctx, body: Json):
    status = field_value(body, "status", str)
    if status is not None and status not in APPLICATION_STATUSES:
        raise invalid_input(f"Invalid value for status: expected one of {', '.join(APPLICATION_STATUSES)}")
    job_id = uuid_value(body, "jobId", required=False)
    created_after = epoch_ms_value(body, "createdAfter")
    apps = [
        app
        for app in ctx.state["applications"].values()
        if application_visible(ctx, app)
        and (status is None or app["status"] == status)
        and (job_id is None or app["job"]["id"] == job_id)
        and (created_after is None or created_ms(app) > created_after)
    ]
    listing = paginate(ctx, body, "application.list", apps, syncable=True)
    listing.results = [render(ctx, app) for app in listing.results]
    return listing


@endpoint("application.listHistory", scope="candidatesRead")
def application_list_history(ctx: Ctx, body: Json):
    app = get_application(ctx, uuid_value(body, "applicationId"))
    events = history_shape(history_of(ctx.state, app))
    return paginate(ctx, body, f"application.listHistory:{app['id']}", events, syncable=False)


@endpoint("application.updateHistory", scope="candidatesWrite")
def application_update_history(ctx: Ctx, body: Json):
    require_toggle(ctx, "update-history", "to update application history")
    app = get_application(ctx, uuid_value(body, "applicationId"))
    if body.get("applicationHistory") is None:
        raise invalid_input("Missing required field: applicationHistory")
    events = history_of(ctx.state, app)
    existing = {e["id"]: e for e in events}
    parsed = parse_history(ctx, body["applicationHistory"], app["_interviewPlanId"], "applicationHistory", existing)
    kept = {p["applicationHistoryId"] for p in parsed if p["applicationHistoryId"] is not None}
    current = events[-1]
    if current["id"] not in kept:
        raise invalid_input(
            f"Invalid value for applicationHistory: history event {current['id']} (the current stage) cannot be "
            "deleted; its allowedActions are [set_entered_at]"
        )
    new_ids = []
    for p in parsed:
        reason_id = p["reason"]["id"] if p["reason"] else None
        if p["applicationHistoryId"] is not None:
            event = existing[p["applicationHistoryId"]]
            changed = (event["stageNumber"], event["enteredStageAt"], event.get("_archiveReasonId")) != (
                p["stageNumber"],
                p["enteredStageAt"],
                reason_id,
            )
            if changed:
                event["stageNumber"] = p["stageNumber"]
                event["enteredStageAt"] = p["enteredStageAt"]
                event["_archiveReasonId"] = reason_id
                ctx.state.touch(event)
        else:
            event = new_event(app, p["stage"], p["stageNumber"], p["enteredStageAt"], None, p["reason"])
            ctx.state.add("application_history", event)
        new_ids.append(event["id"])
    for event_id in existing:
        if event_id not in kept:
            ctx.state.remove("application_history", event_id)
    app["_historyIds"] = new_ids
    follow_current_stage(ctx.state, app)
    ctx.state.touch(app)
    return render(ctx, app)


# ---- hiring teams -----------------------------------------------------------------------------------


def _member_shape(user: Json, role: Json) -> Json:
    return {
        "email": user.get("email"),
        "firstName": user.get("firstName"),
        "lastName": user.get("lastName"),
        "role": role["title"],
        "userId": user["id"],
    }


def add_hiring_team_member(ctx: Ctx, target_kind: str, target: Json, body: Json) -> Json:
    """Add user `teamMemberId` with role `roleId` to the hiring team of `target` (an application, job or
    opening); adding the same user in the same role again changes nothing."""
    user = get_user(ctx, uuid_value(body, "teamMemberId"))
    role = existing(ctx, body, "roleId", "hiring_team_roles", "hiring_team_role")
    link = {"applications": "_applicationId", "jobs": "_jobId", "openings": "_openingId"}[target_kind]
    for member in ctx.state["hiring_team_members"].values():
        if member.get(link) == target["id"] and member["userId"] == user["id"] and member["_roleId"] == role["id"]:
            return _member_shape(user, role)
    member = {"id": new_id(), **_member_shape(user, role), link: target["id"], "_roleId": role["id"]}
    ctx.state.add("hiring_team_members", member)
    target.setdefault("hiringTeam", []).append(_member_shape(user, role))
    ctx.state.touch(target)
    return _member_shape(user, role)


@endpoint("hiringTeam.addMember", scope="organizationWrite")
def hiring_team_add_member(ctx: Ctx, body: Json):
    given = [name for name in ("applicationId", "jobId", "openingId") if body.get(name) is not None]
    if len(given) != 1:
        raise invalid_input("Pass exactly one of applicationId, jobId or openingId")
    if given == ["applicationId"]:
        return add_hiring_team_member(
            ctx, "applications", get_application(ctx, uuid_value(body, "applicationId")), body
        )
    if given == ["jobId"]:
        return add_hiring_team_member(ctx, "jobs", get_job(ctx, uuid_value(body, "jobId")), body)
    opening_id = uuid_value(body, "openingId")
    opening = ctx.state.collections.get("openings", {}).get(opening_id)
    if opening is None:
        raise not_found("opening", opening_id)
    return add_hiring_team_member(ctx, "openings", opening, body)


# The reference spells this endpoint's scope `candidateWrite` (sic); the sandbox's scopes are the
# module scopes, and the Candidates module's write scope is `candidatesWrite`.
@endpoint("application.addHiringTeamMember", scope="candidatesWrite")
def application_add_hiring_team_member(ctx: Ctx, body: Json):
    app = get_application(ctx, uuid_value(body, "applicationId"))
    return add_hiring_team_member(ctx, "applications", app, body)


@endpoint("applicationHiringTeamRole.list", scope="candidatesRead")
def application_hiring_team_role_list(ctx: Ctx, body: Json):
    roles = sorted(ctx.state["hiring_team_roles"].values(), key=lambda r: r["_seq"])
    return [{"id": role["id"], "title": role["title"]} for role in roles]
