"""Ashby endpoints: jobs and their interview plans.

Jobs are created as drafts and move only along the documented status transitions; `openedAt` and
`closedAt` are stamped by `job.setStatus` (the API cannot back-date them). A job marked
`_confidential` does not exist for keys without the confidential toggle.
"""

from __future__ import annotations

from migration_pipeline.sandbox.ashby.endpoints.candidates import acting_user
from migration_pipeline.sandbox.ashby.endpoints.hiring_process import plan_stages
from migration_pipeline.sandbox.ashby.endpoints.organization import flag, text
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
from migration_pipeline.sandbox.ashby.state import Json, iso, new_id, parse_iso, public

STATUSES = ("Draft", "Open", "Closed", "Archived")
TRANSITIONS = {
    "Draft": ("Open", "Archived"),
    "Open": ("Closed",),
    "Closed": ("Draft", "Archived"),
    "Archived": ("Draft",),
}
EXPANDS = ("location", "openings")
AUTHOR_FIELDS = ("id", "firstName", "lastName", "email", "globalRole", "isEnabled", "updatedAt")


def visible(ctx: Ctx, job: Json) -> bool:
    return ctx.key.confidential or not job.get("_confidential")


def get_job(ctx: Ctx, job_id: str | None) -> Json:
    """The job, or `job_not_found` (also for a confidential job the key may not see)."""
    job = ctx.state.get("jobs", job_id)
    if job is None or not visible(ctx, job):
        raise not_found("job", job_id)
    return job


def served(job: Json) -> Json:
    """The job as served: `confidential` mirrors the `_confidential` bookkeeping flag."""
    return {**job, "confidential": bool(job.get("_confidential"))}


def _department(ctx: Ctx, body: Json, name: str, *, required: bool) -> str | None:
    dept_id = uuid_value(body, name, required=required)
    if dept_id is not None and ctx.state.get("departments", dept_id) is None:
        raise not_found("department", dept_id)
    return dept_id


def _location(ctx: Ctx, body: Json, name: str, *, required: bool) -> str | None:
    location_id = uuid_value(body, name, required=required)
    if location_id is None:
        return None
    location = ctx.state.get("locations", location_id)
    if location is None:
        raise not_found("location", location_id)
    if location.get("type", "Location") == "LocationHierarchy":
        raise invalid_input(f"Invalid value for {name}: a job needs a location, not a location hierarchy")
    return location_id


def _plan(ctx: Ctx, body: Json, name: str) -> str | None:
    plan_id = uuid_value(body, name, required=False)
    if plan_id is not None and ctx.state.get("interview_plans", plan_id) is None:
        raise not_found("interview_plan", plan_id)
    return plan_id


def _author(ctx: Ctx) -> Json:
    """The user a job created through the API is credited to (the `X-On-Behalf-Of` user, else the key's)."""
    user = acting_user(ctx)
    return {name: user[name] for name in AUTHOR_FIELDS if name in user}


def _expand(ctx: Ctx, body: Json) -> list[str]:
    expand = field_value(body, "expand", list, default=[])
    for item in expand:
        if item not in EXPANDS:
            raise invalid_input(f"Invalid value for expand: {item!r} is not one of {', '.join(EXPANDS)}")
    flag(body, "includeUnpublishedJobPostingsIds")  # accepted; the sandbox has no job postings
    return expand


def _expanded(ctx: Ctx, job: Json, expand: list[str]) -> Json:
    result = served(job)
    if "location" in expand:
        location = ctx.state.get("locations", job.get("locationId"))
        result["location"] = public(location) if location is not None else None
    if "openings" in expand:
        result["openings"] = []
    return result


# ---- create / update / status ---------------------------------------------------------------------


@endpoint("job.create", scope="jobsWrite")
def job_create(ctx: Ctx, body: Json):
    title = text(body, "title", required=True)
    department_id = _department(ctx, body, "teamId", required=True)
    location_id = _location(ctx, body, "locationId", required=True)
    plan_id = _plan(ctx, body, "defaultInterviewPlanId")
    template_id = uuid_value(body, "jobTemplateId", required=False)
    brand_id = uuid_value(body, "brandId", required=False)
    author = _author(ctx)
    now = iso()
    job: Json = {
        "id": new_id(),
        "title": title,
        "confidential": False,
        "status": "Draft",
        "employmentType": "FullTime",
        "locationId": location_id,
        "departmentId": department_id,
        "defaultInterviewPlanId": plan_id,
        "interviewPlanIds": [plan_id] if plan_id else [],
        "jobPostingIds": [],
        "customFields": [],
        "hiringTeam": [],
        "customRequisitionId": None,
        "brandId": brand_id,
        "author": author,
        "createdAt": now,
        "updatedAt": now,
        "_jobTemplateId": template_id,  # accepted; the sandbox has no job templates to copy from
    }
    return served(ctx.state.add("jobs", job))


@endpoint("job.setStatus", scope="jobsWrite")
def job_set_status(ctx: Ctx, body: Json):
    job_id = uuid_value(body, "jobId")
    status = field_value(body, "status", str, required=True)
    if status not in STATUSES:
        raise invalid_input(f"Invalid value for status: {status!r} is not one of {', '.join(STATUSES)}")
    job = get_job(ctx, job_id)
    current = job["status"]
    if status not in TRANSITIONS[current]:
        allowed = " or ".join(TRANSITIONS[current])
        raise invalid_input(f"Invalid value for status: a {current} job can only be changed to {allowed}, not {status}")
    if status == "Open" and not job.get("defaultInterviewPlanId"):
        raise invalid_input("A job cannot be opened without a default interview plan")
    now = iso()
    job["status"] = status
    if status == "Open":
        job["openedAt"] = now
        job.pop("closedAt", None)
    elif status == "Closed":
        job["closedAt"] = now
    ctx.state.touch(job)
    return served(job)


@endpoint("job.update", scope="jobsWrite")
def job_update(ctx: Ctx, body: Json):
    job_id = uuid_value(body, "jobId")
    title = text(body, "title")
    if title is not None and not title.strip():
        raise invalid_input("Invalid value for title: must not be empty")
    department_id = _department(ctx, body, "teamId", required=False)
    location_id = _location(ctx, body, "locationId", required=False)
    plan_id = _plan(ctx, body, "defaultInterviewPlanId")
    requisition_id = text(body, "customRequisitionId")
    job = get_job(ctx, job_id)
    changes: Json = {}
    if title is not None:
        changes["title"] = title
    if department_id is not None:
        changes["departmentId"] = department_id
    if location_id is not None:
        changes["locationId"] = location_id
    if plan_id is not None:
        changes["defaultInterviewPlanId"] = plan_id
    if requisition_id is not None:
        changes["customRequisitionId"] = requisition_id
    if changes:
        job.update(changes)
        if plan_id is not None and plan_id not in job["interviewPlanIds"]:
            job["interviewPlanIds"].append(plan_id)
        ctx.state.touch(job)
    return served(job)


# ---- reads ----------------------------------------------------------------------------------------


@endpoint("job.info", scope="jobsRead")
def job_info(ctx: Ctx, body: Json):
    job = get_job(ctx, uuid_value(body, "id"))
    return _expanded(ctx, job, _expand(ctx, body))


def _epoch_ms(body: Json, name: str) -> int | None:
    value = field_value(body, name, int)
    if value is not None and value < 0:
        raise invalid_input(f"Invalid value for {name}: expected milliseconds since the epoch")
    return value


def _ms(value: str | None) -> float | None:
    return parse_iso(value).timestamp() * 1000 if value else None


@endpoint("job.list", scope="jobsRead")
def job_list(ctx: Ctx, body: Json):
    statuses = field_value(body, "status", list)
    if statuses is not None:
        for status in statuses:
            if status not in STATUSES:
                raise invalid_input(f"Invalid value for status: {status!r} is not one of {', '.join(STATUSES)}")
    wanted = set(statuses) if statuses else {"Open", "Closed", "Archived"}
    created_after = _epoch_ms(body, "createdAfter")
    windows = [
        ("openedAt", _epoch_ms(body, "openedAfter"), _epoch_ms(body, "openedBefore")),
        ("closedAt", _epoch_ms(body, "closedAfter"), _epoch_ms(body, "closedBefore")),
    ]
    expand = _expand(ctx, body)

    def selected(job: Json) -> bool:
        if not visible(ctx, job) or job["status"] not in wanted:
            return False
        if created_after is not None and not (_ms(job.get("createdAt")) or 0) > created_after:
            return False
        for name, after, before in windows:
            if after is None and before is None:
                continue
            moment = _ms(job.get(name))
            if moment is None or (after is not None and moment <= after) or (before is not None and moment >= before):
                return False
        return True

    jobs = [_expanded(ctx, job, expand) for job in ctx.state["jobs"].values() if selected(job)]
    return paginate(ctx, body, "job.list", jobs, syncable=True)


@endpoint("job.search", scope="jobsRead")
def job_search(ctx: Ctx, body: Json):
    title = field_value(body, "title", str)
    requisition_id = field_value(body, "requisitionId", str)
    if title is None and requisition_id is None:
        raise invalid_input("Missing required field: title (or requisitionId)")
    needle = title.strip().casefold() if title is not None else None
    found = [
        served(job)
        for job in ctx.state["jobs"].values()
        if visible(ctx, job)
        and (needle is None or needle in job["title"].casefold())
        and (requisition_id is None or job.get("customRequisitionId") == requisition_id)
    ]
    return sorted(found, key=lambda job: job["_seq"])


@endpoint("jobInterviewPlan.info", scope="jobsRead")
def job_interview_plan_info(ctx: Ctx, body: Json):
    job = get_job(ctx, uuid_value(body, "jobId"))
    plan_id = job.get("defaultInterviewPlanId")
    if not plan_id or ctx.state.get("interview_plans", plan_id) is None:
        raise AshbyError("interview_plan_not_found", f"Job {job['id']} has no default interview plan")
    stages = [
        {
            "id": stage["id"],
            "title": stage["title"],
            "type": stage["type"],
            "orderInInterviewPlan": stage.get("orderInInterviewPlan", 0),
            "interviewStageGroupId": stage.get("interviewStageGroupId"),
            "activities": stage.get("_activities", []),
        }
        for stage in plan_stages(ctx.state, plan_id)
    ]
    return {"jobId": job["id"], "interviewPlanId": plan_id, "stages": stages}
