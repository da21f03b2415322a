"""Ashby sandbox: jobs (create, status transitions, update, reads) and job interview plans, over HTTP."""

from __future__ import annotations

import time

import pytest

from migration_pipeline.sandbox.ashby.state import new_id
from migration_pipeline_tests.conftest import ASHBY_NO_CONFIDENTIAL_KEY, ASHBY_READ_ONLY_KEY
from migration_pipeline_tests.conftest import walk_to_sync_token as walk

# The keys of the recorded job.info payload (§8.1); a draft has no openedAt/closedAt yet.
JOB_KEYS = {"id", "title", "confidential", "status", "employmentType", "locationId", "departmentId",
            "defaultInterviewPlanId", "interviewPlanIds", "jobPostingIds", "customFields", "hiringTeam",
            "customRequisitionId", "brandId", "author", "createdAt", "updatedAt", "openedAt", "closedAt"}  # fmt: skip
DRAFT_KEYS = JOB_KEYS - {"openedAt", "closedAt"}
AUTHOR_KEYS = {"id", "firstName", "lastName", "email", "globalRole", "isEnabled", "updatedAt"}
ZERO_ID = "00000000-0000-0000-0000-000000000000"


def first(ashby, kind: str) -> dict:
    return next(iter(ashby.state[kind].values()))


def job_body(ashby, **overrides) -> dict:
    body = {
        "title": "Backend Engineer",
        "teamId": first(ashby, "departments")["id"],
        "locationId": first(ashby, "locations")["id"],
        "defaultInterviewPlanId": first(ashby, "interview_plans")["id"],
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def create_job(ashby, status: str = "Draft", **overrides) -> dict:
    job = ashby.results("job.create", job_body(ashby, **overrides))
    path = {"Draft": [], "Open": ["Open"], "Closed": ["Open", "Closed"], "Archived": ["Archived"]}[status]
    for step in path:
        job = ashby.results("job.setStatus", {"jobId": job["id"], "status": step})
    return job


# ---- permissions ----------------------------------------------------------------------------------

READS = [
    ("job.info", {"id": ZERO_ID}),
    ("job.list", {}),
    ("job.search", {"title": "x"}),
    ("jobInterviewPlan.info", {"jobId": ZERO_ID}),
]
WRITES = [
    ("job.create", {"title": "x", "teamId": ZERO_ID, "locationId": ZERO_ID}),
    ("job.setStatus", {"jobId": ZERO_ID, "status": "Open"}),
    ("job.update", {"jobId": ZERO_ID, "title": "x"}),
]


@pytest.mark.parametrize(("method", "body"), READS)
def test_reads_need_jobs_read(ashby, method, body):
    response = ashby.call(method, body, key=ashby.key_without("jobsRead"))
    assert response.status_code == 403
    assert response.json()["errorInfo"]["code"] == "missing_endpoint_permission"


@pytest.mark.parametrize(("method", "body"), WRITES)
def test_writes_need_jobs_write(ashby, method, body):
    response = ashby.call(method, body, key=ASHBY_READ_ONLY_KEY)
    assert response.status_code == 403
    assert response.json()["errorInfo"]["code"] == "missing_endpoint_permission"


# ---- job.create -----------------------------------------------------------------------------------


def test_job_create_shape(ashby):
    body = job_body(ashby)
    job = ashby.results("job.create", body)
    assert set(job) == DRAFT_KEYS
    assert job["status"] == "Draft"
    assert job["confidential"] is False
    assert job["employmentType"] == "FullTime"
    assert job["departmentId"] == body["teamId"]
    assert job["locationId"] == body["locationId"]
    assert job["defaultInterviewPlanId"] == body["defaultInterviewPlanId"]
    assert job["interviewPlanIds"] == [body["defaultInterviewPlanId"]]
    assert job["jobPostingIds"] == [] and job["customFields"] == [] and job["hiringTeam"] == []
    assert job["customRequisitionId"] is None
    assert job["createdAt"] == job["updatedAt"] and job["createdAt"].endswith("Z")
    assert set(job["author"]) == AUTHOR_KEYS
    assert job["author"]["globalRole"] == "Organization Admin"
    assert ashby.results("job.info", {"id": job["id"]}) == job


def test_job_create_without_a_plan(ashby):
    job = ashby.results("job.create", job_body(ashby, defaultInterviewPlanId=None))
    assert job["defaultInterviewPlanId"] is None
    assert job["interviewPlanIds"] == []


def test_job_create_credits_the_on_behalf_of_user(ashby):
    user = list(ashby.state["users"].values())[-1]
    response = ashby.call("job.create", job_body(ashby), headers={"X-On-Behalf-Of": user["id"]})
    assert response.json()["results"]["author"]["id"] == user["id"]


def test_job_create_on_behalf_of_an_unknown_user(ashby):
    response = ashby.call("job.create", job_body(ashby), headers={"X-On-Behalf-Of": new_id()})
    assert response.json()["errorInfo"]["code"] == "user_not_found"
    assert not ashby.state["jobs"]


def test_job_create_keeps_the_brand(ashby):
    brand = new_id()
    assert ashby.results("job.create", job_body(ashby, brandId=brand))["brandId"] == brand


@pytest.mark.parametrize("field", ["title", "teamId", "locationId"])
def test_job_create_requires(ashby, field):
    error = ashby.error("job.create", job_body(ashby, **{field: None}))
    assert error["code"] == "invalid_input"
    assert field in error["message"]


def test_job_create_rejects_a_blank_title(ashby):
    error = ashby.error("job.create", job_body(ashby, title="   "))
    assert error["code"] == "invalid_input"
    assert "title" in error["message"]


def test_job_create_rejects_a_non_uuid_team(ashby):
    error = ashby.error("job.create", job_body(ashby, teamId="engineering"))
    assert error["code"] == "invalid_input"
    assert "teamId" in error["message"]


@pytest.mark.parametrize(
    ("field", "code"),
    [("teamId", "department_not_found"), ("locationId", "location_not_found"),
     ("defaultInterviewPlanId", "interview_plan_not_found")],
)  # fmt: skip
def test_job_create_unknown_reference(ashby, field, code):
    assert ashby.error("job.create", job_body(ashby, **{field: new_id()}))["code"] == code
    assert not ashby.state["jobs"]


def test_job_create_needs_a_location_not_a_region(ashby):
    region = ashby.results("location.create", {"name": "EMEA", "type": "LocationHierarchy"})
    error = ashby.error("job.create", job_body(ashby, locationId=region["id"]))
    assert error["code"] == "invalid_input"
    assert "locationId" in error["message"]


# ---- job.setStatus --------------------------------------------------------------------------------

ALLOWED = [("Draft", "Open"), ("Draft", "Archived"), ("Open", "Closed"), ("Closed", "Draft"), ("Closed", "Archived"),
           ("Archived", "Draft")]  # fmt: skip
FORBIDDEN = [(a, b) for a in ("Draft", "Open", "Closed", "Archived") for b in ("Draft", "Open", "Closed", "Archived")
             if (a, b) not in ALLOWED]  # fmt: skip


@pytest.mark.parametrize(("start", "target"), ALLOWED)
def test_set_status_documented_transitions(ashby, start, target):
    job = create_job(ashby, start)
    result = ashby.results("job.setStatus", {"jobId": job["id"], "status": target})
    assert result["status"] == target
    assert ashby.state["jobs"][job["id"]]["status"] == target


@pytest.mark.parametrize(("start", "target"), FORBIDDEN)
def test_set_status_other_transitions_are_invalid(ashby, start, target):
    job = create_job(ashby, start)
    error = ashby.error("job.setStatus", {"jobId": job["id"], "status": target})
    assert error["code"] == "invalid_input"
    assert "status" in error["message"]
    assert ashby.state["jobs"][job["id"]]["status"] == start


def test_set_status_cannot_open_without_a_default_plan(ashby):
    job = create_job(ashby, defaultInterviewPlanId=None)
    error = ashby.error("job.setStatus", {"jobId": job["id"], "status": "Open"})
    assert error["code"] == "invalid_input"
    assert error["message"] == "A job cannot be opened without a default interview plan"
    assert ashby.state["jobs"][job["id"]]["status"] == "Draft"


def test_set_status_stamps_opened_and_closed_at(ashby):
    job = create_job(ashby)
    opened = ashby.results("job.setStatus", {"jobId": job["id"], "status": "Open"})
    assert "openedAt" in opened and "closedAt" not in opened
    time.sleep(0.005)
    closed = ashby.results("job.setStatus", {"jobId": job["id"], "status": "Closed"})
    assert set(closed) == JOB_KEYS
    assert closed["openedAt"] == opened["openedAt"]
    assert closed["closedAt"] > closed["openedAt"]
    assert closed["updatedAt"] >= closed["closedAt"]


def test_set_status_rejects_an_unknown_status(ashby):
    job = create_job(ashby)
    error = ashby.error("job.setStatus", {"jobId": job["id"], "status": "open"})
    assert error["code"] == "invalid_input"
    assert "status" in error["message"]


def test_set_status_unknown_job(ashby):
    assert ashby.error("job.setStatus", {"jobId": new_id(), "status": "Open"})["code"] == "job_not_found"


# ---- job.update -----------------------------------------------------------------------------------


def test_job_update_changes_the_given_fields(ashby):
    job = create_job(ashby, defaultInterviewPlanId=None)
    department = list(ashby.state["departments"].values())[1]
    location = list(ashby.state["locations"].values())[1]
    plan = first(ashby, "interview_plans")
    time.sleep(0.005)
    body = {"jobId": job["id"], "title": "Staff Engineer", "teamId": department["id"], "locationId": location["id"],
            "defaultInterviewPlanId": plan["id"], "customRequisitionId": "REQ-42"}  # fmt: skip
    updated = ashby.results("job.update", body)
    assert updated["title"] == "Staff Engineer"
    assert updated["departmentId"] == department["id"]
    assert updated["locationId"] == location["id"]
    assert updated["defaultInterviewPlanId"] == plan["id"]
    assert updated["interviewPlanIds"] == [plan["id"]]
    assert updated["customRequisitionId"] == "REQ-42"
    assert updated["updatedAt"] > job["updatedAt"]
    assert updated["status"] == "Draft"
    assert ashby.results("job.info", {"id": job["id"]}) == updated


def test_job_update_leaves_other_fields(ashby):
    job = create_job(ashby)
    updated = ashby.results("job.update", {"jobId": job["id"], "title": "New title"})
    assert {k: v for k, v in updated.items() if k not in ("title", "updatedAt")} == {
        k: v for k, v in job.items() if k not in ("title", "updatedAt")
    }


@pytest.mark.parametrize(
    ("field", "code"),
    [("teamId", "department_not_found"), ("locationId", "location_not_found"),
     ("defaultInterviewPlanId", "interview_plan_not_found")],
)  # fmt: skip
def test_job_update_unknown_reference(ashby, field, code):
    job = create_job(ashby)
    assert ashby.error("job.update", {"jobId": job["id"], field: new_id()})["code"] == code


def test_job_update_rejects_a_blank_title(ashby):
    job = create_job(ashby)
    error = ashby.error("job.update", {"jobId": job["id"], "title": ""})
    assert error["code"] == "invalid_input"
    assert "title" in error["message"]


def test_job_update_unknown_job(ashby):
    assert ashby.error("job.update", {"jobId": new_id(), "title": "x"})["code"] == "job_not_found"


def test_job_update_requires_the_job_id(ashby):
    error = ashby.error("job.update", {"title": "x"})
    assert error["code"] == "invalid_input"
    assert "jobId" in error["message"]


# ---- job.info -------------------------------------------------------------------------------------


def test_job_info_closed_job_has_the_recorded_keys(ashby):
    job = create_job(ashby, "Closed")
    response = ashby.call("job.info", {"id": job["id"]}).json()
    assert set(response) == {"success", "results"}
    assert set(response["results"]) == JOB_KEYS


def test_job_info_expands_the_location(ashby):
    job = create_job(ashby)
    result = ashby.results("job.info", {"id": job["id"], "expand": ["location"]})
    assert result["location"]["id"] == job["locationId"]
    assert "openings" not in result
    assert ashby.results("job.info", {"id": job["id"], "expand": ["openings"]})["openings"] == []


def test_job_info_rejects_an_unknown_expand(ashby):
    job = create_job(ashby)
    error = ashby.error("job.info", {"id": job["id"], "expand": ["department"]})
    assert error["code"] == "invalid_input"
    assert "expand" in error["message"]


def test_job_info_unknown(ashby):
    assert ashby.error("job.info", {"id": new_id()})["code"] == "job_not_found"


def test_job_info_requires_the_id(ashby):
    error = ashby.error("job.info", {})
    assert error["code"] == "invalid_input"
    assert "id" in error["message"]


# ---- job.list -------------------------------------------------------------------------------------


def test_job_list_envelope_and_leaves_out_drafts(ashby):
    draft = create_job(ashby)
    jobs = {status: create_job(ashby, status, title=status) for status in ("Open", "Closed", "Archived")}
    page = ashby.call("job.list", {}).json()
    assert set(page) == {"success", "results", "moreDataAvailable", "syncToken"}
    listed = {j["id"]: j for j in page["results"]}
    assert set(listed) == {j["id"] for j in jobs.values()}
    assert draft["id"] not in listed
    assert set(listed[jobs["Closed"]["id"]]) == JOB_KEYS


def test_job_list_status_filter(ashby):
    draft = create_job(ashby)
    opened = create_job(ashby, "Open")
    create_job(ashby, "Closed")
    assert [j["id"] for j in ashby.results("job.list", {"status": ["Draft"]})] == [draft["id"]]
    both = ashby.results("job.list", {"status": ["Draft", "Open"]})
    assert [j["id"] for j in both] == [draft["id"], opened["id"]]


def test_job_list_rejects_an_unknown_status(ashby):
    error = ashby.error("job.list", {"status": ["Published"]})
    assert error["code"] == "invalid_input"
    assert "status" in error["message"]


def test_job_list_pages_to_the_end(ashby):
    created = [create_job(ashby, "Open", title=f"Job {i}")["id"] for i in range(7)]
    jobs, _, pages = walk(ashby, "job.list", {}, limit=3)
    assert pages == 3
    assert [j["id"] for j in jobs] == created


def test_job_list_incremental_sync_sees_status_changes(ashby):
    opened = create_job(ashby, "Open")
    create_job(ashby, "Open", title="Other")
    _, token, _ = walk(ashby, "job.list", {}, limit=100)
    assert ashby.results("job.list", {"syncToken": token}) == []
    ashby.results("job.setStatus", {"jobId": opened["id"], "status": "Closed"})
    changed = ashby.results("job.list", {"syncToken": token})
    assert [(j["id"], j["status"]) for j in changed] == [(opened["id"], "Closed")]


def test_job_list_time_filters(ashby):
    early = create_job(ashby, "Closed", title="Early")
    cut = int(time.time() * 1000) + 1
    time.sleep(0.01)
    late = create_job(ashby, "Open", title="Late")
    assert [j["id"] for j in ashby.results("job.list", {"createdAfter": cut})] == [late["id"]]
    assert [j["id"] for j in ashby.results("job.list", {"openedAfter": cut})] == [late["id"]]
    assert [j["id"] for j in ashby.results("job.list", {"openedBefore": cut})] == [early["id"]]
    assert [j["id"] for j in ashby.results("job.list", {"closedBefore": cut})] == [early["id"]]


def test_job_list_rejects_a_non_integer_time(ashby):
    error = ashby.error("job.list", {"createdAfter": "2024-01-01"})
    assert error["code"] == "invalid_input"
    assert "createdAfter" in error["message"]


# ---- job.search -----------------------------------------------------------------------------------


def test_job_search_by_title(ashby):
    draft = create_job(ashby, title="Backend Engineer")
    create_job(ashby, "Open", title="Designer")
    response = ashby.call("job.search", {"title": "backend engineer"}).json()
    assert set(response) == {"success", "results"}
    assert [j["id"] for j in response["results"]] == [draft["id"]]
    assert set(response["results"][0]) == DRAFT_KEYS


def test_job_search_by_requisition_id(ashby):
    job = create_job(ashby)
    ashby.results("job.update", {"jobId": job["id"], "customRequisitionId": "REQ-7"})
    assert [j["id"] for j in ashby.results("job.search", {"requisitionId": "REQ-7"})] == [job["id"]]
    assert ashby.results("job.search", {"requisitionId": "REQ-8"}) == []


def test_job_search_needs_a_title(ashby):
    error = ashby.error("job.search", {})
    assert error["code"] == "invalid_input"
    assert "title" in error["message"]


# ---- jobInterviewPlan.info ------------------------------------------------------------------------


def test_job_interview_plan_info_shape(ashby):
    job = create_job(ashby)
    result = ashby.results("jobInterviewPlan.info", {"jobId": job["id"]})
    assert set(result) == {"jobId", "interviewPlanId", "stages"}
    assert result["jobId"] == job["id"]
    assert result["interviewPlanId"] == job["defaultInterviewPlanId"]
    stages = result["stages"]
    assert len(stages) == len(ashby.state["interview_stages"])
    keys = {"id", "title", "type", "orderInInterviewPlan", "interviewStageGroupId", "activities"}
    assert all(set(s) == keys for s in stages)
    assert [s["orderInInterviewPlan"] for s in stages] == sorted(s["orderInInterviewPlan"] for s in stages)


def test_job_interview_plan_info_without_a_plan(ashby):
    job = create_job(ashby, defaultInterviewPlanId=None)
    assert ashby.error("jobInterviewPlan.info", {"jobId": job["id"]})["code"] == "interview_plan_not_found"


def test_job_interview_plan_info_unknown_job(ashby):
    assert ashby.error("jobInterviewPlan.info", {"jobId": new_id()})["code"] == "job_not_found"


# ---- confidential jobs ----------------------------------------------------------------------------


def confidential_job(ashby) -> dict:
    job = create_job(ashby, "Open", title="Secret project")
    stored = ashby.state["jobs"][job["id"]]
    stored["_confidential"] = True
    ashby.state.touch(stored)
    return job


def test_confidential_job_is_visible_with_the_toggle(ashby):
    job = confidential_job(ashby)
    assert ashby.results("job.info", {"id": job["id"]})["confidential"] is True
    assert job["id"] in {j["id"] for j in ashby.results("job.list", {})}


@pytest.mark.parametrize(
    ("method", "body"),
    [("job.info", {"id": "{id}"}), ("jobInterviewPlan.info", {"jobId": "{id}"}),
     ("job.setStatus", {"jobId": "{id}", "status": "Closed"}), ("job.update", {"jobId": "{id}", "title": "x"})],
)  # fmt: skip
def test_confidential_job_is_not_found_without_the_toggle(ashby, method, body):
    job = confidential_job(ashby)
    body = {k: (job["id"] if v == "{id}" else v) for k, v in body.items()}
    assert ashby.error(method, body, key=ASHBY_NO_CONFIDENTIAL_KEY)["code"] == "job_not_found"
    assert ashby.state["jobs"][job["id"]]["title"] == "Secret project"
    assert ashby.state["jobs"][job["id"]]["status"] == "Open"


def test_confidential_job_is_left_out_of_lists_without_the_toggle(ashby):
    job = confidential_job(ashby)
    other = create_job(ashby, "Open", title="Secret agent")
    assert [j["id"] for j in ashby.results("job.list", {}, key=ASHBY_NO_CONFIDENTIAL_KEY)] == [other["id"]]
    found = ashby.results("job.search", {"title": "secret"}, key=ASHBY_NO_CONFIDENTIAL_KEY)
    assert [j["id"] for j in found] == [other["id"]]
    assert job["id"] in {j["id"] for j in ashby.results("job.search", {"title": "secret"})}
