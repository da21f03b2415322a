"""Jobs: one per Lever posting in scope (plus the holding job when the no-posting policy asks for one)."""

from __future__ import annotations

from typing import Any

from migration_pipeline.lever.streams import NO_POSTING
from migration_pipeline.transform.context import Context
from migration_pipeline.transform.resolve import Match, Problem

Json = dict[str, Any]

HOLDING_JOB_KEY = "holding-job"

# Lever posting state -> the status the Ashby job is set to after `job.create` (jobs start as Draft)
TARGET_STATUS = {
    "published": "Open",
    "internal": "Open",
    "closed": "Closed",
    "draft": "Draft",
    "pending": "Draft",
    "rejected": "Archived",
}


def _place(ctx: Context, dimension: str, name: str | None, job_key: str) -> Match | None:
    resolver = getattr(ctx.resolution, dimension)
    if not name:
        fallback = resolver.section.fallback
        if not fallback:
            return None
        name = fallback
    return ctx.note_unresolved(resolver.resolve(name, name, missing="create"), job_key)


def _job(ctx: Context, key: str, posting: Json | None, title: str, department: str | None, location: str | None):
    posting = posting or {}
    categories = posting.get("categories") or {}
    team = categories.get("team")
    dept = _place(ctx, "departments", department, key)
    loc = _place(ctx, "locations", location, key)
    plan = ctx.resolution.plan_for(key, team, department)
    problems = []
    for what, match in (("department", dept), ("location", loc)):
        if match is None:
            problems.append(f"no {what} (Ashby requires one; set {what}s.fallback in the mapping)")
    state = posting.get("state") or ("published" if key == HOLDING_JOB_KEY else "draft")
    return {
        "job_key": key,
        "lever_posting_id": posting.get("id"),
        "partition_key": posting.get("id") or NO_POSTING,
        "title": title,
        "department_name": dept.ashby_name if dept else None,
        "department_id": dept.ashby_id if dept else None,
        "department_how": dept.how if dept else "unmapped",
        "location_name": loc.ashby_name if loc else None,
        "location_id": loc.ashby_id if loc else None,
        "location_how": loc.how if loc else "unmapped",
        "interview_plan_id": plan.ashby_id,
        "interview_plan_title": plan.ashby_name,
        "lever_state": posting.get("state"),
        "target_status": TARGET_STATUS.get(state, "Draft"),
        "confidential": posting.get("confidentiality") == "confidential",
        "owner_user_id": ctx.ashby_user_id(posting.get("owner"), key),
        "hiring_manager_user_id": ctx.ashby_user_id(posting.get("hiringManager"), key),
        "created_at_lever": posting.get("createdAt"),
        "problems": problems,
    }


def build_jobs(postings: list[Json], ctx: Context, *, holding_needed: bool) -> list[Json]:
    jobs = []
    for posting in sorted(postings, key=lambda p: p["id"]):
        if posting.get("confidentiality") == "confidential" and ctx.policies.confidential_postings == "exclude":
            ctx.skip(
                "postings",
                posting["id"],
                None,
                posting["id"],
                "confidential_posting_excluded",
                "the posting is confidential (policies.confidential_postings: exclude)",
            )
            continue
        categories = posting.get("categories") or {}
        department = categories.get("department") or categories.get("team")
        title = (posting.get("text") or "").strip() or f"Untitled Lever posting {posting['id'][:8]}"
        jobs.append(_job(ctx, posting["id"], posting, title, department, categories.get("location")))
    if holding_needed:
        holding = ctx.policies.holding_job
        jobs.append(_job(ctx, HOLDING_JOB_KEY, None, holding.title, holding.department, holding.location))
    for job in jobs:
        for problem in job["problems"]:
            ctx.resolution.problems.append(
                Problem("job_incomplete", f"job {job['job_key']}: {problem}", blocking=True, dimension="jobs")
            )
    return jobs
