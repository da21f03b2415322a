"""Jobs: one per canonical job in scope. Ashby creates every job as a Draft; the loader then moves it to its
target status along Ashby's transitions (Draft->Open|Archived, Open->Closed, Closed->Draft|Archived,
Archived->Draft), so a Closed job goes Draft->Open->Closed.

Creating and setting the status are two calls, and a crash, a lost answer or a refused status change can come
between them. The job is never created twice for that: `find_existing` recognises our job in Ashby (same
title, department, location and default plan, in any status, not standing for another Lever posting); at its
target status it is adopted, otherwise the loader remembers it and `create` moves that job on instead of
creating another. Title, department, location and plan are updated with `job.update`, the status by the same
status walk.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from migration_pipeline.ashby.errors import AshbyBusinessError
from migration_pipeline.load.claims import Claims, Refused
from migration_pipeline.load.engine import Item, LoadContext, Loader
from migration_pipeline.transform.names import name_key

Json = dict[str, Any]
OBJECT_TYPE = "job"
STATUSES = ("Draft", "Open", "Closed", "Archived")
# what `job.setStatus` allows (Ashby's documentation); the loader walks these instead of asking for the target
TRANSITIONS = {
    "Draft": ("Open", "Archived"),
    "Open": ("Closed",),
    "Closed": ("Draft", "Archived"),
    "Archived": ("Draft",),
}


def _place(row: Json, kind: str) -> Json:
    return {"how": row[f"{kind}_how"], "id": row[f"{kind}_id"], "name": row[f"{kind}_name"]}


def job_item(row: Json) -> Item:
    payload = {
        "title": row["title"],
        "department": _place(row, "department"),
        "location": _place(row, "location"),
        "defaultInterviewPlanId": row["interview_plan_id"],
        "status": row["target_status"],
    }
    return Item(
        object_type=OBJECT_TYPE,
        lever_key=row["job_key"],
        payload=payload,
        lever_type="postings",
        lever_id=row["lever_posting_id"] or row["job_key"],
        partition_key=row["partition_key"],
    )


def status_path(current: str, target: str) -> list[str]:
    """The statuses to set, in order, to go from `current` to `target` (shortest walk)."""
    if target not in TRANSITIONS:
        raise Refused("invalid_status", f"{target!r} is not an Ashby job status ({', '.join(STATUSES)})")
    paths: dict[str, list[str]] = {current: []}
    queue = deque([current])
    while queue:
        status = queue.popleft()
        for following in TRANSITIONS.get(status, ()):
            if following not in paths:
                paths[following] = [*paths[status], following]
                queue.append(following)
    if target not in paths:
        raise Refused("invalid_status", f"a {current} job cannot be made {target}")
    return paths[target]


def set_status(ctx: LoadContext, job_id: str, current: str, target: str) -> None:
    for step in status_path(current, target):
        try:
            ctx.client.call("job.setStatus", {"jobId": job_id, "status": step})
        except AshbyBusinessError:
            # the client retries a lost answer: the retry of a status change that went through is refused
            if ctx.client.call("job.info", {"id": job_id})["status"] != step:
                raise


def _place_id(ctx: LoadContext, kind: str, place: Json) -> str:
    if place["how"] == "create":
        return ctx.need(kind, name_key(place["name"]))
    if place["id"]:
        return place["id"]
    raise Refused("job_incomplete", f"the job has no Ashby {kind} (set {kind}s.fallback in the mapping)")


def job_body(ctx: LoadContext, item: Item) -> Json:
    """`job.create`'s fields, with the ids of the department and location the load created."""
    body = {
        "title": item.payload["title"],
        "teamId": _place_id(ctx, "department", item.payload["department"]),
        "locationId": _place_id(ctx, "location", item.payload["location"]),
        "defaultInterviewPlanId": item.payload["defaultInterviewPlanId"],
    }
    return {k: v for k, v in body.items() if v is not None}


def _same_job(job: Json, body: Json) -> bool:
    return (
        name_key(job.get("title")) == name_key(body["title"])
        and job.get("departmentId") == body["teamId"]
        and job.get("locationId") == body["locationId"]
        # a job created without a plan (the mapping had none) is still ours once the mapping gives one
        and job.get("defaultInterviewPlanId") in (None, body.get("defaultInterviewPlanId"))
    )


def _searched(ctx: LoadContext, title: str) -> list[Json]:
    return ctx.client.call("job.search", {"title": title}) or []


def _listed(ctx: LoadContext, title: str) -> list[Json]:
    """Every job: `job.list` leaves drafts out unless asked, and `job.search` may not show them either."""
    return list(ctx.client.paginate("job.list", {"status": list(STATUSES)}))


class JobLoader(Loader):
    object_type = OBJECT_TYPE
    updatable = True

    def __init__(self) -> None:
        self.claims = Claims(OBJECT_TYPE)
        self._unfinished: dict[str, str] = {}  # lever_key -> our job in Ashby, not yet at its target status

    def find_existing(self, ctx: LoadContext, item: Item) -> str | None:
        try:
            body = job_body(ctx, item)
        except Refused:
            return None  # create refuses it
        found = self._ours(ctx, item, body)
        if found is None:
            return None
        finished = found["status"] == item.payload["status"]
        if finished and found.get("defaultInterviewPlanId") == body.get("defaultInterviewPlanId"):
            return found["id"]
        self._unfinished[item.lever_key] = found["id"]
        return None

    def _ours(self, ctx: LoadContext, item: Item, body: Json) -> Json | None:
        for read in (_searched, _listed):
            matches = {job["id"]: job for job in read(ctx, body["title"]) if _same_job(job, body)}
            taken = self.claims.take(ctx, item.lever_key, matches)
            if taken is not None:
                return matches[taken]
        return None

    def create(self, ctx: LoadContext, item: Item) -> str:
        job_id = self._unfinished.get(item.lever_key)
        if job_id is None:
            job = ctx.client.write("job.create", job_body(ctx, item))
            job_id, status = job["id"], job["status"]
            self._unfinished[item.lever_key] = job_id  # a retry after this point moves this job on
            self.claims.record(ctx, item.lever_key, job_id)
        else:  # our job from an earlier attempt: made what the row says now, then moved on
            status = ctx.client.call("job.update", {"jobId": job_id, **job_body(ctx, item)})["status"]
        set_status(ctx, job_id, status, item.payload["status"])
        self._unfinished.pop(item.lever_key, None)
        return job_id

    def update(self, ctx: LoadContext, item: Item, ashby_id: str, fields: frozenset[str] | None = None) -> None:
        job = ctx.client.call("job.update", {"jobId": ashby_id, **job_body(ctx, item)})
        set_status(ctx, ashby_id, job["status"], item.payload["status"])
