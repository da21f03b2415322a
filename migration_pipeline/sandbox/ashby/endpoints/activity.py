"""Ashby endpoints: what happens around applications — interviews and interview schedules, job postings,
offers, projects and survey submissions.

Objects live in their own collections (`interviews`, `interview_schedules`, `interview_events`,
`job_postings`, `offers`, `projects`, `survey_submissions`) in Ashby's response shape:

- `interviewSchedule.create` stores a schedule (with `_eventIds`) and its events (`interview_events`,
  the `interviewEvent.list` item shape plus `_applicationId`); a schedule is served with its events and
  each event's `hasSubmittedFeedback` follows `applicationFeedback.submit` calls naming it. An event
  without `interviewId` uses the org's default interview, created on first use (a shared interview
  scored with the org's default feedback form), so `interview.list` serves every interview an event names.
- Job postings: the reference documents no way to create one (`jobPosting.update` only) and does not say
  that `job.create` makes one, so the sandbox creates none; `jobPosting.list` / `jobPosting.info` serve
  whatever the state holds (`_published`, `_jobBoardId` bookkeeping), normally nothing.
- Offers, projects and survey submissions cannot be created through the endpoints the sandbox serves;
  their lists page and sync over what the state holds (empty for a fresh org).

Objects tied to an application (schedules, offers, survey submissions) or a job (postings) disappear with
it for keys without the confidential toggle; confidential projects (`confidential: true`) likewise.
"""

from __future__ import annotations

import copy
from typing import Any

from migration_pipeline.sandbox.ashby.endpoints.applications import (
    application_visible,
    created_ms,
    epoch_ms_value,
    get_application,
    user_shape,
)
from migration_pipeline.sandbox.ashby.endpoints.candidates import acting_user
from migration_pipeline.sandbox.ashby.endpoints.jobs import get_job, served, visible
from migration_pipeline.sandbox.ashby.endpoints.organization import flag
from migration_pipeline.sandbox.ashby.rpc import (
    AshbyError,
    Ctx,
    endpoint,
    field_value,
    invalid_input,
    not_found,
    paginate,
    uuid_value,
)
from migration_pipeline.sandbox.ashby.state import AshbyState, Json, iso, new_id, parse_iso

SURVEY_TYPES = ("CandidateExperience", "Questionnaire")
OFFER_STATUSES = (
    "WaitingOnApprovalStart",
    "WaitingOnOfferApproval",
    "WaitingOnApprovalDefinition",
    "WaitingOnCandidateResponse",
    "CandidateRejected",
    "CandidateAccepted",
    "OfferCancelled",
)
ACCEPTANCE_STATUSES = ("Accepted", "Declined", "Pending", "Created", "Cancelled", "WaitingOnResponse")
APPROVAL_STATUSES = ("Approved", "WaitingOnApprovals", "Declined")
FEEDBACK_LINK = "https://app.ashbyhq.com/interview-briefings/{}/feedback"
DEFAULT_INTERVIEW_TITLE = "Interview"


def _enum_list(body: Json, name: str, allowed: tuple[str, ...]) -> set[str] | None:
    """An optional filter array (`minItems: 1`) of enum values."""
    values = field_value(body, name, list)
    if values is None:
        return None
    if not values:
        raise invalid_input(f"Invalid value for {name}: must contain at least one value")
    for value in values:
        if value not in allowed:
            raise invalid_input(f"Invalid value for {name}: {value!r} is not one of {', '.join(allowed)}")
    return set(values)


def _after(obj: Json, key: str, created_after: int | None) -> bool:
    if created_after is None:
        return True
    value = obj.get(key)
    return bool(value) and created_ms(obj, key) > created_after


def _visible_app_id(ctx: Ctx, app_id: Any) -> bool:
    return application_visible(ctx, ctx.state.get("applications", app_id))


# ---- interviews -----------------------------------------------------------------------------------


def default_interview(state: AshbyState) -> Json:
    """The org's default interview (used by events that name none), created on first use."""
    for interview in state["interviews"].values():
        if interview.get("_default"):
            return interview
    forms = sorted(state["feedback_forms"].values(), key=lambda f: f.get("_seq", 0))
    form = next((f for f in forms if f.get("isDefaultForm") and not f.get("isArchived")), None)
    form = form or next((f for f in forms if not f.get("isArchived")), None)
    interview = {
        "id": new_id(),
        "title": DEFAULT_INTERVIEW_TITLE,
        "externalTitle": DEFAULT_INTERVIEW_TITLE,
        "isArchived": False,
        "isDebrief": False,
        "isFeedbackRequired": True,
        "isFeedbackRequested": True,
        "jobId": None,
        "feedbackFormDefinitionId": form["id"] if form else None,
        "_default": True,
    }
    return state.add("interviews", interview)


@endpoint("interview.list", scope="interviewsRead")
def interview_list(ctx: Ctx, body: Json):
    include_archived = flag(body, "includeArchived")
    include_non_shared = flag(body, "includeNonSharedInterviews")
    flag(body, "excludeArchivedScheduleTemplateInterviews")  # the sandbox has no schedule templates
    items = []
    for interview in ctx.state["interviews"].values():
        if interview.get("isArchived") and not include_archived:
            continue
        job_id = interview.get("jobId")
        if job_id is not None:
            job = ctx.state.get("jobs", job_id)
            if not include_non_shared or (job is not None and not visible(ctx, job)):
                continue
        items.append(interview)
    return paginate(ctx, body, "interview.list", items, syncable=True)


@endpoint("interview.info", scope="interviewsRead")
def interview_info(ctx: Ctx, body: Json):
    interview_id = uuid_value(body, "id")
    interview = ctx.state.get("interviews", interview_id)
    if interview is None:
        raise not_found("interview", interview_id)
    job_id = interview.get("jobId")
    job = ctx.state.get("jobs", job_id) if job_id else None
    if job is not None and not visible(ctx, job):
        raise not_found("interview", interview_id)
    return interview


# ---- interview schedules --------------------------------------------------------------------------


def _time(entry: Json, name: str, where: str) -> str:
    value = entry.get(name)
    if value is None:
        raise invalid_input(f"Missing required field: {where}.{name}")
    if not isinstance(value, str):
        raise invalid_input(f"Invalid value for {where}.{name}: expected an ISO 8601 date-time string")
    try:
        parsed = parse_iso(value)
    except ValueError:
        raise invalid_input(f"Invalid value for {where}.{name}: {value!r} is not an ISO 8601 date-time") from None
    return iso(parsed.timestamp() * 1000)


def _interviewers(ctx: Ctx, entry: Json, where: str) -> list[tuple[Json, bool]]:
    raw = entry.get("interviewers")
    if raw is None:
        raise invalid_input(f"Missing required field: {where}.interviewers")
    if not isinstance(raw, list):
        raise invalid_input(f"Invalid value for {where}.interviewers: expected array")
    by_email = {
        (u.get("email") or "").casefold(): u for u in sorted(ctx.state["users"].values(), key=lambda u: u["_seq"])
    }
    chosen: list[tuple[Json, bool]] = []
    for index, item in enumerate(raw):
        here = f"{where}.interviewers[{index}]"
        if not isinstance(item, dict):
            raise invalid_input(f"Invalid value for {here}: expected object")
        email = item.get("email")
        if email is None:
            raise invalid_input(f"Missing required field: {here}.email")
        if not isinstance(email, str) or not email.strip():
            raise invalid_input(f"Invalid value for {here}.email: expected a non-empty string")
        required = item.get("feedbackRequired")
        if required is not None and not isinstance(required, bool):
            raise invalid_input(f"Invalid value for {here}.feedbackRequired: expected boolean")
        user = by_email.get(email.strip().casefold())
        if user is None:
            raise AshbyError("user_not_found", f"User not found: no Ashby user has the email {email!r} ({here})")
        if not user.get("isEnabled", True):
            raise invalid_input(f"Invalid value for {here}.email: user {email!r} is deactivated")
        if any(existing["id"] == user["id"] for existing, _ in chosen):
            raise invalid_input(f"Invalid value for {here}.email: {email!r} is listed twice")
        chosen.append((user, required))
    return chosen


def _event_interview(ctx: Ctx, entry: Json, app: Json, where: str) -> Json:
    interview_id = entry.get("interviewId")
    if interview_id is None:
        return default_interview(ctx.state)
    interview_id = uuid_value({"interviewId": interview_id}, "interviewId")
    interview = ctx.state.get("interviews", interview_id)
    if interview is None:
        raise not_found("interview", interview_id)
    if interview.get("isArchived"):
        raise invalid_input(f"Invalid value for {where}.interviewId: interview {interview_id} is archived")
    if interview.get("jobId") and interview["jobId"] != app["job"]["id"]:
        raise invalid_input(
            f"Invalid value for {where}.interviewId: interview {interview_id} belongs to another job "
            "and can only be scheduled for applications to that job"
        )
    return interview


def _interviewer_shape(user: Json, feedback_required: bool) -> Json:
    return {**user_shape(user), "trainingRole": None, "interviewerPool": None, "isFeedbackRequired": feedback_required}


def render_event(state: AshbyState, event: Json) -> Json:
    shown = dict(event)
    shown["hasSubmittedFeedback"] = any(f.get("interviewEventId") == event["id"] for f in state["feedback"].values())
    return shown


def render_schedule(state: AshbyState, schedule: Json) -> Json:
    shown = dict(schedule)
    events = [state.get("interview_events", event_id) for event_id in schedule.get("_eventIds", [])]
    shown["interviewEvents"] = [render_event(state, event) for event in events if event is not None]
    return shown


@endpoint("interviewSchedule.create", scope="interviewsWrite")
def interview_schedule_create(ctx: Ctx, body: Json):
    app_id = uuid_value(body, "applicationId")
    entries = field_value(body, "interviewEvents", list, required=True)
    app = get_application(ctx, app_id)
    if not entries:
        raise invalid_input("Invalid value for interviewEvents: must contain at least one event")
    stage = app.get("currentInterviewStage") or {}
    scheduler = acting_user(ctx)
    planned = []
    for index, entry in enumerate(entries):
        where = f"interviewEvents[{index}]"
        if not isinstance(entry, dict):
            raise invalid_input(f"Invalid value for {where}: expected object")
        start = _time(entry, "startTime", where)
        end = _time(entry, "endTime", where)
        if parse_iso(end) <= parse_iso(start):
            raise invalid_input(f"Invalid value for {where}.endTime: must be after startTime")
        interviewers = _interviewers(ctx, entry, where)
        extra = entry.get("extraData")
        if extra is not None and not isinstance(extra, dict):
            raise invalid_input(f"Invalid value for {where}.extraData: expected object")
        interview = _event_interview(ctx, entry, app, where)
        planned.append((start, end, interviewers, extra, interview))

    now = iso()
    schedule_id = new_id()
    event_ids = []
    for start, end, interviewers, extra, interview in planned:
        default_required = bool(interview.get("isFeedbackRequired", True))
        event: Json = {
            "id": new_id(),
            "interviewId": interview["id"],
            "interviewScheduleId": schedule_id,
            "interviewerUserIds": [user["id"] for user, _ in interviewers],
            "interviewers": [
                _interviewer_shape(user, default_required if required is None else required)
                for user, required in interviewers
            ],
            "createdAt": now,
            "updatedAt": now,
            "startTime": start,
            "endTime": end,
            "feedbackLink": "",
            "location": None,
            "meetingLink": None,
            "hasSubmittedFeedback": False,
            "_applicationId": app["id"],
        }
        event["feedbackLink"] = FEEDBACK_LINK.format(event["id"])
        if extra is not None:
            event["extraData"] = copy.deepcopy(extra)
        ctx.state.add("interview_events", event)
        event_ids.append(event["id"])
    schedule: Json = {
        "id": schedule_id,
        "status": "Scheduled",
        "applicationId": app["id"],
        "interviewStageId": stage.get("id"),
        "scheduledBy": user_shape(scheduler),
        "createdAt": now,
        "updatedAt": now,
        "interviewEvents": [],
        "_eventIds": event_ids,
    }
    ctx.state.add("interview_schedules", schedule)
    return render_schedule(ctx.state, schedule)


@endpoint("interviewSchedule.list", scope="interviewsRead")
def interview_schedule_list(ctx: Ctx, body: Json):
    created_after = epoch_ms_value(body, "createdAfter")
    app_id = uuid_value(body, "applicationId", required=False)
    if app_id is not None:
        get_application(ctx, app_id)
    stage_id = uuid_value(body, "interviewStageId", required=False)
    if stage_id is not None and ctx.state.get("interview_stages", stage_id) is None:
        raise not_found("interview_stage", stage_id)
    items = [
        schedule
        for schedule in ctx.state["interview_schedules"].values()
        if _visible_app_id(ctx, schedule["applicationId"])
        and (app_id is None or schedule["applicationId"] == app_id)
        and (stage_id is None or schedule.get("interviewStageId") == stage_id)
        and _after(schedule, "createdAt", created_after)
    ]
    listing = paginate(ctx, body, "interviewSchedule.list", items, syncable=True)
    listing.results = [render_schedule(ctx.state, schedule) for schedule in listing.results]
    return listing


# ---- job postings ---------------------------------------------------------------------------------

# The `jobPosting.list` item (the `jobPostingUpdate` webhook's JobPosting): what a full posting adds to it
# is served by `jobPosting.info` only.
POSTING_SUMMARY_KEYS = (
    "id", "title", "jobId", "departmentName", "teamName", "locationName", "locationIds", "workplaceType",
    "employmentType", "isListed", "publishedDate", "applicationDeadline", "externalLink", "applyLink",
    "compensationTierSummary", "shouldDisplayCompensationOnJobBoard", "updatedAt",
)  # fmt: skip


def _posting_visible(ctx: Ctx, posting: Json) -> bool:
    job = ctx.state.get("jobs", posting.get("jobId"))
    return job is None or visible(ctx, job)


def posting_summary(posting: Json) -> Json:
    summary = {key: copy.deepcopy(posting[key]) for key in POSTING_SUMMARY_KEYS if key in posting}
    if "compensationTierSummary" not in summary and isinstance(posting.get("compensation"), dict):
        compensation = posting["compensation"]
        if "compensationTierSummary" in compensation:
            summary["compensationTierSummary"] = compensation["compensationTierSummary"]
        if "shouldDisplayCompensationOnJobBoard" not in summary:
            summary["shouldDisplayCompensationOnJobBoard"] = compensation.get("shouldDisplayCompensationOnJobBoard")
    return summary


@endpoint("jobPosting.list", scope="jobsRead")
def job_posting_list(ctx: Ctx, body: Json):
    location = field_value(body, "location", str)
    department = field_value(body, "department", str)
    listed_only = flag(body, "listedOnly")
    board_id = uuid_value(body, "jobBoardId", required=False)
    postings = sorted(ctx.state["job_postings"].values(), key=lambda p: p["_seq"])
    return [
        posting_summary(posting)
        for posting in postings
        if posting.get("_published", True)
        and _posting_visible(ctx, posting)
        and (board_id is None or posting.get("_jobBoardId") == board_id)
        and (location is None or posting.get("locationName") == location)
        and (department is None or posting.get("departmentName") == department)
        and (not listed_only or posting.get("isListed"))
    ]


@endpoint("jobPosting.info", scope="jobsRead")
def job_posting_info(ctx: Ctx, body: Json):
    posting_id = uuid_value(body, "jobPostingId")
    board_id = uuid_value(body, "jobBoardId", required=False)
    expand = field_value(body, "expand", list, default=[])
    for item in expand:
        if item != "job":
            raise invalid_input(f"Invalid value for expand: {item!r} is not one of job")
    posting = ctx.state.get("job_postings", posting_id)
    if posting is None or not _posting_visible(ctx, posting):
        raise not_found("job_posting", posting_id)
    if board_id is not None and posting.get("_jobBoardId") != board_id:
        raise not_found("job_posting", posting_id)
    shown = dict(posting)
    if "job" in expand:
        shown["job"] = served(get_job(ctx, posting["jobId"]))
    return shown


# ---- offers ---------------------------------------------------------------------------------------


def _offer_created_after(offer: Json, created_after: int | None) -> bool:
    if created_after is None:
        return True
    stamp = offer.get("_createdAt") or (offer.get("latestVersion") or {}).get("createdAt")
    return bool(stamp) and parse_iso(stamp).timestamp() * 1000 > created_after


def offer_summary(offer: Json) -> Json:
    """An `offer.list` item: the offer with its latest version only."""
    return {key: value for key, value in offer.items() if key not in ("versions", "formDefinition")}


@endpoint("offer.list", scope="offersRead")
def offer_list(ctx: Ctx, body: Json):
    created_after = epoch_ms_value(body, "createdAfter")
    offer_statuses = _enum_list(body, "offerStatus", OFFER_STATUSES)
    acceptance = _enum_list(body, "acceptanceStatus", ACCEPTANCE_STATUSES)
    approval = _enum_list(body, "approvalStatus", APPROVAL_STATUSES)
    app_id = uuid_value(body, "applicationId", required=False)
    if app_id is not None:
        get_application(ctx, app_id)
    items = [
        offer
        for offer in ctx.state["offers"].values()
        if _visible_app_id(ctx, offer.get("applicationId"))
        and (app_id is None or offer.get("applicationId") == app_id)
        and (offer_statuses is None or offer.get("offerStatus") in offer_statuses)
        and (acceptance is None or offer.get("acceptanceStatus") in acceptance)
        and (approval is None or (offer.get("latestVersion") or {}).get("approvalStatus") in approval)
        and _offer_created_after(offer, created_after)
    ]
    listing = paginate(ctx, body, "offer.list", items, syncable=True)
    listing.results = [offer_summary(offer) for offer in listing.results]
    return listing


@endpoint("offer.info", scope="offersRead")
def offer_info(ctx: Ctx, body: Json):
    offer_id = uuid_value(body, "offerId")
    exclude_form = flag(body, "excludeFormDefinition")
    offer = ctx.state.get("offers", offer_id)
    if offer is None or not _visible_app_id(ctx, offer.get("applicationId")):
        raise not_found("offer", offer_id)
    shown = dict(offer)
    if exclude_form:
        shown.pop("formDefinition", None)
    return shown


# ---- projects -------------------------------------------------------------------------------------


@endpoint("project.list", scope="candidatesRead")
def project_list(ctx: Ctx, body: Json):
    created_after = epoch_ms_value(body, "createdAfter")
    items = [
        project
        for project in ctx.state["projects"].values()
        if (ctx.key.confidential or not project.get("confidential")) and _after(project, "createdAt", created_after)
    ]
    return paginate(ctx, body, "project.list", items, syncable=True)


# ---- survey submissions ---------------------------------------------------------------------------


@endpoint("surveySubmission.list", scope="candidatesRead")
def survey_submission_list(ctx: Ctx, body: Json):
    survey_type = field_value(body, "surveyType", str, required=True)
    if survey_type not in SURVEY_TYPES:
        raise invalid_input(f"Invalid value for surveyType: {survey_type!r} is not one of {', '.join(SURVEY_TYPES)}")
    created_after = epoch_ms_value(body, "createdAfter")
    items = [
        submission
        for submission in ctx.state["survey_submissions"].values()
        if submission.get("surveyType") == survey_type
        and (submission.get("applicationId") is None or _visible_app_id(ctx, submission["applicationId"]))
        and _after(submission, "submittedAt", created_after)
    ]
    # a cursor or sync token belongs to the survey type it was cut for
    return paginate(ctx, body, f"surveySubmission.list:{survey_type}", items, syncable=True)
