"""Ashby sandbox: applications, their stage history and hiring teams, over HTTP."""

from __future__ import annotations

import time

import pytest

from migration_pipeline.sandbox.ashby.state import iso, new_id
from migration_pipeline_tests.conftest import ASHBY_NO_CONFIDENTIAL_KEY, ASHBY_READ_ONLY_KEY

# Keys as recorded (§8.1): application.create, application.changeStage, application.info (archived).
CREATE_KEYS = {
    "id", "createdAt", "updatedAt", "candidate", "status", "customFields", "currentInterviewStage", "source",
    "creditedToUser", "archiveReason", "job", "hiringTeam", "appliedViaJobPostingId", "applicationHistory",
    "submitterClientIp", "submitterUserAgent",
}  # fmt: skip
CHANGE_STAGE_KEYS = CREATE_KEYS - {"applicationHistory"}
INFO_KEYS = CREATE_KEYS
ARCHIVED_INFO_KEYS = CREATE_KEYS | {"archivedAt"}
STAGE_KEYS = {"id", "title", "type", "interviewPlanId", "orderInInterviewPlan", "interviewStageGroupId"}
JOB_KEYS = {"id", "title", "locationId", "departmentId"}
ARCHIVE_REASON_KEYS = {"id", "text", "reasonType", "isArchived", "customFields"}
SOURCE_KEYS = {"id", "title", "isArchived", "sourceType"}
HISTORY_KEYS = {"id", "stageId", "title", "stageNumber", "enteredStageAt", "allowedActions", "actorId"}
MEMBER_KEYS = {"email", "firstName", "lastName", "role", "userId"}
ZERO_ID = "00000000-0000-0000-0000-000000000000"


# ---- helpers shared with test_custom_field_values.py and test_feedback.py ------------------------------


def the_plan(ashby) -> dict:
    return next(iter(ashby.state["interview_plans"].values()))


def stages(ashby, plan_id: str | None = None) -> list[dict]:
    plan_id = plan_id or the_plan(ashby)["id"]
    found = [s for s in ashby.state["interview_stages"].values() if s["interviewPlanId"] == plan_id]
    return sorted(found, key=lambda s: s["orderInInterviewPlan"])


def stage_of(ashby, kind: str, index: int = 0) -> dict:
    return [s for s in stages(ashby) if s["type"] == kind][index]


def reason(ashby, index: int = 0) -> dict:
    return [r for r in ashby.state["archive_reasons"].values() if not r["isArchived"]][index]


def source(ashby, title: str = "LinkedIn") -> dict:
    return next(s for s in ashby.state["sources"].values() if s["title"] == title)


def user(ashby, index: int = 0) -> dict:
    return [u for u in ashby.state["users"].values() if u["isEnabled"]][index]


def role(ashby, title: str = "Recruiter") -> dict:
    return next(r for r in ashby.state["hiring_team_roles"].values() if r["title"] == title)


def make_job(ashby, title: str = "Backend Engineer", *, open_it: bool = True, confidential: bool = False) -> dict:
    department = next(iter(ashby.state["departments"].values()))
    location = next(iter(ashby.state["locations"].values()))
    body = {"title": title, "teamId": department["id"], "locationId": location["id"],
            "defaultInterviewPlanId": the_plan(ashby)["id"]}  # fmt: skip
    job = ashby.results("job.create", body)
    if open_it:
        job = ashby.results("job.setStatus", {"jobId": job["id"], "status": "Open"})
    if confidential:
        ashby.state["jobs"][job["id"]]["_confidential"] = True
    return job


def make_candidate(ashby, name: str = "Ada Lovelace", **extra) -> dict:
    return ashby.results("candidate.create", {"name": name, **extra})


def make_application(ashby, job: dict | None = None, candidate: dict | None = None, **extra) -> dict:
    job = job or make_job(ashby)
    candidate = candidate or make_candidate(ashby)
    return ashby.results("application.create", {"candidateId": candidate["id"], "jobId": job["id"], **extra})


def archived_history(ashby) -> list[dict]:
    """A Lead -> Active -> Archived history over three days in 2024."""
    return [
        {"stageId": stage_of(ashby, "Lead")["id"], "stageNumber": 0, "enteredStageAt": "2024-02-01T10:00:00Z"},
        {"stageId": stage_of(ashby, "Active")["id"], "stageNumber": 1, "enteredStageAt": "2024-02-02T10:00:00.000Z"},
        {"stageId": stage_of(ashby, "Archived")["id"], "stageNumber": 2, "enteredStageAt": "2024-02-03T10:00:00Z",
         "archiveReasonId": reason(ashby)["id"]},
    ]  # fmt: skip


def add_second_plan(ashby) -> tuple[dict, dict]:
    """Another interview plan (not on any job) with one Lead stage."""
    now = iso()
    plan = ashby.state.add(
        "interview_plans",
        {"id": new_id(), "title": "Sales plan", "isArchived": False, "createdAt": now, "updatedAt": now},
    )
    stage = ashby.state.add(
        "interview_stages",
        {"id": new_id(), "title": "Prospect", "type": "Lead", "orderInInterviewPlan": 5,
         "interviewStageGroupId": None, "interviewPlanId": plan["id"]},
    )  # fmt: skip
    return plan, stage


# ---- application.create ---------------------------------------------------------------------------


def test_create_answers_the_recorded_shape_in_the_first_lead_stage(ashby):
    job = make_job(ashby)
    candidate = make_candidate(ashby)
    response = ashby.call("application.create", {"candidateId": candidate["id"], "jobId": job["id"]})
    assert response.status_code == 200
    payload = response.json()
    assert set(payload) == {"success", "results"}
    app = payload["results"]
    assert set(app) == CREATE_KEYS
    lead = stage_of(ashby, "Lead")
    assert app["status"] == "Lead"
    assert app["candidate"] == {"id": candidate["id"], "name": "Ada Lovelace"}
    assert app["currentInterviewStage"] == {"id": lead["id"]}
    assert app["job"] == {"id": job["id"], "title": "Backend Engineer"}
    assert app["source"] is None and app["creditedToUser"] is None and app["archiveReason"] is None
    assert app["customFields"] == [] and app["hiringTeam"] == []
    assert app["appliedViaJobPostingId"] is None
    assert app["submitterClientIp"] is None and app["submitterUserAgent"] is None
    [event] = app["applicationHistory"]
    assert set(event) == HISTORY_KEYS
    assert event["stageId"] == lead["id"] and event["title"] == lead["title"] and event["stageNumber"] == 0
    assert event["enteredStageAt"] == app["createdAt"]
    assert event["allowedActions"] == ["set_entered_at"]
    api_user = next(u for u in ashby.state["users"].values() if u["globalRole"] == "Organization Admin")
    assert event["actorId"] == api_user["id"]


def test_create_adds_the_application_to_the_candidate_and_touches_it(ashby):
    candidate = make_candidate(ashby)
    _, last, _ = ashby.walk("candidate.list", {}, 100)
    app = make_application(ashby, candidate=candidate)
    assert ashby.results("candidate.info", {"id": candidate["id"]})["applicationIds"] == [app["id"]]
    changed = ashby.call("candidate.list", {"syncToken": last["syncToken"]}).json()["results"]
    assert [c["id"] for c in changed] == [candidate["id"]]


def test_create_uses_the_jobs_default_plan_and_refuses_a_plan_not_on_the_job(ashby):
    job = make_job(ashby)
    app = make_application(ashby, job=job)
    info = ashby.results("application.info", {"applicationId": app["id"]})
    assert info["currentInterviewStage"]["interviewPlanId"] == job["defaultInterviewPlanId"]
    plan, _ = add_second_plan(ashby)
    candidate = make_candidate(ashby)
    error = ashby.error(
        "application.create", {"candidateId": candidate["id"], "jobId": job["id"], "interviewPlanId": plan["id"]}
    )
    assert error["code"] == "invalid_input" and "interviewPlanId" in error["message"]


def test_create_with_an_unknown_plan_is_interview_plan_not_found(ashby):
    job, candidate = make_job(ashby), make_candidate(ashby)
    error = ashby.error(
        "application.create", {"candidateId": candidate["id"], "jobId": job["id"], "interviewPlanId": ZERO_ID}
    )
    assert error["code"] == "interview_plan_not_found"


def test_create_in_the_first_pre_interview_screen_stage(ashby):
    app = make_application(ashby, interviewStageId="FirstPreInterviewScreen")
    assert app["currentInterviewStage"]["id"] == stage_of(ashby, "PreInterviewScreen")["id"]
    assert app["status"] == "Active"


def test_create_in_a_given_stage_takes_its_status(ashby):
    app = make_application(ashby, interviewStageId=stage_of(ashby, "Offer")["id"])
    info = ashby.results("application.info", {"applicationId": app["id"]})
    assert info["status"] == "Active" and info["currentInterviewStage"]["type"] == "Offer"
    hired = make_application(ashby, interviewStageId=stage_of(ashby, "Hired")["id"])
    assert hired["status"] == "Hired"


def test_create_with_an_unknown_stage_is_interview_stage_not_found(ashby):
    job, candidate = make_job(ashby), make_candidate(ashby)
    error = ashby.error(
        "application.create", {"candidateId": candidate["id"], "jobId": job["id"], "interviewStageId": ZERO_ID}
    )
    assert error["code"] == "interview_stage_not_found"


def test_create_with_a_stage_of_another_plan_is_invalid_input(ashby):
    _, other_stage = add_second_plan(ashby)
    job, candidate = make_job(ashby), make_candidate(ashby)
    body = {"candidateId": candidate["id"], "jobId": job["id"], "interviewStageId": other_stage["id"]}
    error = ashby.error("application.create", body)
    assert error["code"] == "invalid_input" and "interviewStageId" in error["message"]


def test_create_with_unknown_candidate_or_job(ashby):
    job, candidate = make_job(ashby), make_candidate(ashby)
    assert (
        ashby.error("application.create", {"candidateId": ZERO_ID, "jobId": job["id"]})["code"] == "candidate_not_found"
    )
    assert (
        ashby.error("application.create", {"candidateId": candidate["id"], "jobId": ZERO_ID})["code"] == "job_not_found"
    )
    error = ashby.error("application.create", {"candidateId": candidate["id"]})
    assert error["code"] == "invalid_input" and "jobId" in error["message"]
    error = ashby.error("application.create", {"candidateId": "not-a-uuid", "jobId": job["id"]})
    assert error["code"] == "invalid_input" and "candidateId" in error["message"]


def test_create_for_a_merged_away_candidate_is_candidate_not_found(ashby):
    old, survivor = make_candidate(ashby, "Ada L."), make_candidate(ashby)
    assert ashby.admin("POST", "/merge", json={"from": old["id"], "into": survivor["id"]}).status_code == 200
    error = ashby.error("application.create", {"candidateId": old["id"], "jobId": make_job(ashby)["id"]})
    assert error["code"] == "candidate_not_found"


def test_create_with_source_credit_and_back_dated_created_at(ashby):
    credited = user(ashby, 1)
    app = make_application(
        ashby, sourceId=source(ashby)["id"], creditedToUserId=credited["id"], createdAt="2023-05-01T08:00:00+02:00"
    )
    assert app["createdAt"] == "2023-05-01T06:00:00.000Z"
    assert app["applicationHistory"][0]["enteredStageAt"] == "2023-05-01T06:00:00.000Z"
    assert set(app["source"]) == SOURCE_KEYS and app["source"]["title"] == "LinkedIn"
    assert app["creditedToUser"]["id"] == credited["id"]
    assert {"id", "firstName", "lastName", "email", "globalRole", "isEnabled", "updatedAt"} <= set(
        app["creditedToUser"]
    )
    job, candidate = make_job(ashby, "Other"), make_candidate(ashby)
    base = {"candidateId": candidate["id"], "jobId": job["id"]}
    assert ashby.error("application.create", {**base, "sourceId": ZERO_ID})["code"] == "source_not_found"
    assert ashby.error("application.create", {**base, "creditedToUserId": ZERO_ID})["code"] == "user_not_found"
    error = ashby.error("application.create", {**base, "createdAt": "yesterday"})
    assert error["code"] == "invalid_input" and "createdAt" in error["message"]


def test_create_with_history_archives_and_info_answers_the_recorded_archived_shape(ashby):
    app = make_application(ashby, applicationHistory=archived_history(ashby))
    info = ashby.results("application.info", {"applicationId": app["id"]})
    assert set(info) == ARCHIVED_INFO_KEYS
    assert info["status"] == "Archived"
    assert info["archivedAt"] == "2024-02-03T10:00:00.000Z"
    assert set(info["archiveReason"]) == ARCHIVE_REASON_KEYS and info["archiveReason"]["id"] == reason(ashby)["id"]
    assert set(info["currentInterviewStage"]) == STAGE_KEYS and info["currentInterviewStage"]["type"] == "Archived"
    assert set(info["job"]) == JOB_KEYS
    first, middle, last = info["applicationHistory"]
    assert [e["stageNumber"] for e in info["applicationHistory"]] == [0, 1, 2]
    assert first["leftStageAt"] == middle["enteredStageAt"] == "2024-02-02T10:00:00.000Z"
    assert middle["leftStageAt"] == last["enteredStageAt"]
    assert "leftStageAt" not in last
    assert first["allowedActions"] == ["set_entered_at", "delete"] and last["allowedActions"] == ["set_entered_at"]
    assert first["actorId"] is None


def test_create_history_in_any_order_sorts_by_stage_number(ashby):
    history = list(reversed(archived_history(ashby)))
    app = make_application(ashby, applicationHistory=history)
    assert [e["stageNumber"] for e in app["applicationHistory"]] == [0, 1, 2]
    assert app["status"] == "Archived"


def test_history_archive_stage_without_reason_is_refused(ashby):
    history = archived_history(ashby)
    del history[2]["archiveReasonId"]
    error = ashby.error("application.create", {**_ids(ashby), "applicationHistory": history})
    assert error["code"] == "invalid_input"
    assert error["message"].startswith("Archive reason ID is required for archive stages")


def test_history_reason_on_a_non_archive_stage_is_refused(ashby):
    history = archived_history(ashby)
    history[1]["archiveReasonId"] = reason(ashby)["id"]
    error = ashby.error("application.create", {**_ids(ashby), "applicationHistory": history})
    assert error["code"] == "invalid_input"
    assert error["message"].startswith("Archive fields are not allowed for non-archive stages")


def test_history_unknown_archive_reason_is_archive_reason_not_found(ashby):
    history = archived_history(ashby)
    history[2]["archiveReasonId"] = ZERO_ID
    assert ashby.error("application.create", {**_ids(ashby), "applicationHistory": history})["code"] == (
        "archive_reason_not_found"
    )


def test_history_stage_numbers_must_run_from_zero_without_gaps(ashby):
    history = archived_history(ashby)
    history[2]["stageNumber"] = 5
    error = ashby.error("application.create", {**_ids(ashby), "applicationHistory": history})
    assert error["code"] == "invalid_input" and "stageNumber" in error["message"]


def test_history_entered_times_must_not_go_backwards(ashby):
    history = archived_history(ashby)
    history[1]["enteredStageAt"] = "2024-01-01T00:00:00Z"
    error = ashby.error("application.create", {**_ids(ashby), "applicationHistory": history})
    assert error["code"] == "invalid_input" and "enteredStageAt" in error["message"]


def test_history_entered_time_must_be_iso(ashby):
    history = archived_history(ashby)
    history[0]["enteredStageAt"] = "1706781600000"
    error = ashby.error("application.create", {**_ids(ashby), "applicationHistory": history})
    assert error["code"] == "invalid_input" and "applicationHistory[0].enteredStageAt" in error["message"]


def test_history_stage_must_be_in_the_plan(ashby):
    _, other_stage = add_second_plan(ashby)
    history = archived_history(ashby)
    history[0]["stageId"] = other_stage["id"]
    error = ashby.error("application.create", {**_ids(ashby), "applicationHistory": history})
    assert error["code"] == "invalid_input" and "applicationHistory[0].stageId" in error["message"]
    history[0]["stageId"] = ZERO_ID
    assert ashby.error("application.create", {**_ids(ashby), "applicationHistory": history})["code"] == (
        "interview_stage_not_found"
    )


def _ids(ashby) -> dict:
    return {"candidateId": make_candidate(ashby)["id"], "jobId": make_job(ashby)["id"]}


# ---- confidential jobs ----------------------------------------------------------------------------


def test_applications_to_confidential_jobs_are_invisible_without_the_toggle(ashby):
    secret_job = make_job(ashby, "Secret", confidential=True)
    secret = make_application(ashby, job=secret_job)
    public = make_application(ashby)
    key = ASHBY_NO_CONFIDENTIAL_KEY
    assert ashby.error("application.info", {"applicationId": secret["id"]}, key=key)["code"] == "application_not_found"
    listed, _, _ = ashby.walk("application.list", {}, 100, key=key)
    assert [a["id"] for a in listed] == [public["id"]]
    body = {"candidateId": make_candidate(ashby)["id"], "jobId": secret_job["id"]}
    assert ashby.error("application.create", body, key=key)["code"] == "job_not_found"
    stage = {"applicationId": secret["id"], "interviewStageId": stage_of(ashby, "Active")["id"]}
    assert ashby.error("application.changeStage", stage, key=key)["code"] == "application_not_found"
    assert ashby.results("application.info", {"applicationId": secret["id"]})["id"] == secret["id"]


# ---- application.changeStage ----------------------------------------------------------------------


def test_change_stage_answers_the_recorded_shape_and_adds_history(ashby):
    candidate = make_candidate(ashby, email="ada@example.com")
    app = make_application(ashby, candidate=candidate)
    active = stage_of(ashby, "Active")
    moved = ashby.results("application.changeStage", {"applicationId": app["id"], "interviewStageId": active["id"]})
    assert set(moved) == CHANGE_STAGE_KEYS
    assert moved["status"] == "Active"
    assert moved["currentInterviewStage"] == {k: active[k] for k in STAGE_KEYS}
    assert moved["candidate"]["primaryEmailAddress"]["value"] == "ada@example.com"
    assert set(moved["job"]) >= JOB_KEYS
    history = ashby.results("application.listHistory", {"applicationId": app["id"]})
    assert [e["stageId"] for e in history] == [stage_of(ashby, "Lead")["id"], active["id"]]
    assert history[0]["leftStageAt"] == history[1]["enteredStageAt"]
    assert history[1]["stageNumber"] == 1


def test_change_stage_to_hired_and_archived_sets_status(ashby):
    app = make_application(ashby)
    hired = ashby.results(
        "application.changeStage", {"applicationId": app["id"], "interviewStageId": stage_of(ashby, "Hired")["id"]}
    )
    assert hired["status"] == "Hired"
    body = {
        "applicationId": app["id"],
        "interviewStageId": stage_of(ashby, "Archived")["id"],
        "archiveReasonId": reason(ashby, 2)["id"],
    }
    archived = ashby.results("application.changeStage", body)
    assert archived["status"] == "Archived"
    assert archived["archiveReason"]["text"] == reason(ashby, 2)["text"]
    info = ashby.results("application.info", {"applicationId": app["id"]})
    assert info["archivedAt"] == info["applicationHistory"][-1]["enteredStageAt"]
    back = ashby.results(
        "application.changeStage", {"applicationId": app["id"], "interviewStageId": stage_of(ashby, "Active")["id"]}
    )
    assert back["status"] == "Active" and back["archiveReason"] is None and "archivedAt" not in back


def test_change_stage_to_an_archive_stage_needs_a_reason(ashby):
    app = make_application(ashby)
    body = {"applicationId": app["id"], "interviewStageId": stage_of(ashby, "Archived")["id"]}
    error = ashby.error("application.changeStage", body)
    assert error == {**error, "code": "invalid_input", "message": "Archive reason ID is required for archive stages"}


def test_change_stage_refuses_a_reason_for_other_stages(ashby):
    app = make_application(ashby)
    body = {
        "applicationId": app["id"],
        "interviewStageId": stage_of(ashby, "Active")["id"],
        "archiveReasonId": reason(ashby)["id"],
    }
    error = ashby.error("application.changeStage", body)
    assert error["code"] == "invalid_input"
    assert error["message"] == "Archive fields are not allowed for non-archive stages"


def test_change_stage_unknown_ids(ashby):
    app = make_application(ashby)
    archived = stage_of(ashby, "Archived")["id"]
    body = {"applicationId": app["id"], "interviewStageId": archived, "archiveReasonId": ZERO_ID}
    assert ashby.error("application.changeStage", body)["code"] == "archive_reason_not_found"
    body = {"applicationId": app["id"], "interviewStageId": ZERO_ID}
    assert ashby.error("application.changeStage", body)["code"] == "interview_stage_not_found"
    body = {"applicationId": ZERO_ID, "interviewStageId": archived}
    assert ashby.error("application.changeStage", body)["code"] == "application_not_found"
    _, other_stage = add_second_plan(ashby)
    error = ashby.error("application.changeStage", {"applicationId": app["id"], "interviewStageId": other_stage["id"]})
    assert error["code"] == "invalid_input" and "interviewStageId" in error["message"]


def test_change_stage_with_archive_email_needs_a_known_template(ashby):
    app = make_application(ashby)
    body = {"applicationId": app["id"], "interviewStageId": stage_of(ashby, "Archived")["id"],
            "archiveReasonId": reason(ashby)["id"], "archiveEmail": {"communicationTemplateId": ZERO_ID}}  # fmt: skip
    assert ashby.error("application.changeStage", body)["code"] == "communication_template_not_found"
    assert ashby.results("application.info", {"applicationId": app["id"]})["status"] == "Lead"


def test_change_stage_attributes_the_move_to_the_on_behalf_of_user(ashby):
    app = make_application(ashby)
    someone = user(ashby, 2)
    response = ashby.call(
        "application.changeStage",
        {"applicationId": app["id"], "interviewStageId": stage_of(ashby, "Active")["id"]},
        headers={"X-On-Behalf-Of": someone["id"]},
    )
    assert response.json()["success"] is True
    history = ashby.results("application.listHistory", {"applicationId": app["id"]})
    assert history[-1]["actorId"] == someone["id"]


# ---- application.update / changeSource / transfer ------------------------------------------------


def test_update_sets_source_credit_and_created_at(ashby):
    app = make_application(ashby)
    credited = user(ashby, 1)
    body = {"applicationId": app["id"], "sourceId": source(ashby, "Referral")["id"], "creditedToUserId": credited["id"],
            "createdAt": "2022-01-02T03:04:05Z", "sendNotifications": False}  # fmt: skip
    updated = ashby.results("application.update", body)
    assert set(updated) == INFO_KEYS
    assert updated["source"]["title"] == "Referral"
    assert updated["creditedToUser"]["id"] == credited["id"]
    assert updated["createdAt"] == "2022-01-02T03:04:05.000Z"


def test_update_refuses_archive_reason(ashby):
    app = make_application(ashby)
    error = ashby.error("application.update", {"applicationId": app["id"], "archiveReasonId": reason(ashby)["id"]})
    assert error["code"] == "invalid_input" and "archiveReasonId" in error["message"]


def test_update_unknown_ids(ashby):
    app = make_application(ashby)
    assert (
        ashby.error("application.update", {"applicationId": app["id"], "sourceId": ZERO_ID})["code"]
        == "source_not_found"
    )
    body = {"applicationId": app["id"], "creditedToUserId": ZERO_ID}
    assert ashby.error("application.update", body)["code"] == "user_not_found"
    assert ashby.error("application.update", {"applicationId": ZERO_ID})["code"] == "application_not_found"
    error = ashby.error("application.update", {"applicationId": app["id"], "sendNotifications": "yes"})
    assert error["code"] == "invalid_input" and "sendNotifications" in error["message"]


def test_change_source_sets_and_unsets(ashby):
    app = make_application(ashby)
    changed = ashby.results("application.changeSource", {"applicationId": app["id"], "sourceId": source(ashby)["id"]})
    assert changed["source"]["id"] == source(ashby)["id"]
    cleared = ashby.results("application.changeSource", {"applicationId": app["id"], "sourceId": None})
    assert cleared["source"] is None
    error = ashby.error("application.changeSource", {"applicationId": app["id"]})
    assert error["code"] == "invalid_input" and "sourceId" in error["message"]
    body = {"applicationId": app["id"], "sourceId": ZERO_ID}
    assert ashby.error("application.changeSource", body)["code"] == "source_not_found"


def test_transfer_moves_the_application_to_another_job(ashby):
    app = make_application(ashby)
    other = make_job(ashby, "Frontend Engineer")
    active = stage_of(ashby, "Active")
    body = {"applicationId": app["id"], "jobId": other["id"], "interviewPlanId": the_plan(ashby)["id"],
            "interviewStageId": active["id"]}  # fmt: skip
    moved = ashby.results("application.transfer", body)
    assert moved["job"]["id"] == other["id"] and moved["job"]["title"] == "Frontend Engineer"
    assert moved["status"] == "Active" and len(moved["applicationHistory"]) == 2
    plan, _ = add_second_plan(ashby)
    error = ashby.error("application.transfer", {**body, "interviewPlanId": plan["id"]})
    assert error["code"] == "invalid_input" and "interviewPlanId" in error["message"]
    assert ashby.error("application.transfer", {**body, "jobId": ZERO_ID})["code"] == "job_not_found"


# ---- application.list / info / listHistory --------------------------------------------------------


def test_list_pages_to_the_end_and_filters(ashby):
    job = make_job(ashby)
    other_job = make_job(ashby, "Designer")
    apps = [make_application(ashby, job=job) for _ in range(4)]
    archived = make_application(ashby, job=other_job, applicationHistory=archived_history(ashby))
    items, last, pages = ashby.walk("application.list", {}, 2)
    assert pages == 3
    assert [a["id"] for a in items] == [a["id"] for a in apps] + [archived["id"]]
    assert set(items[0]) == INFO_KEYS and "syncToken" in last
    by_status, _, _ = ashby.walk("application.list", {"status": "Archived"}, 100)
    assert [a["id"] for a in by_status] == [archived["id"]]
    by_job, _, _ = ashby.walk("application.list", {"jobId": other_job["id"]}, 100)
    assert [a["id"] for a in by_job] == [archived["id"]]
    error = ashby.error("application.list", {"status": "Rejected"})
    assert error["code"] == "invalid_input" and "status" in error["message"]


def test_list_created_after(ashby):
    old = make_application(ashby, createdAt="2020-01-01T00:00:00Z")
    new = make_application(ashby)
    cutoff = int(time.time() * 1000) - 60_000
    items, _, _ = ashby.walk("application.list", {"createdAfter": cutoff}, 100)
    assert [a["id"] for a in items] == [new["id"]]
    assert old["id"] not in [a["id"] for a in items]
    error = ashby.error("application.list", {"createdAfter": "2020-01-01"})
    assert error["code"] == "invalid_input" and "createdAfter" in error["message"]


def test_list_incremental_sync_returns_changed_applications(ashby):
    first, second = make_application(ashby), make_application(ashby)
    _, last, _ = ashby.walk("application.list", {}, 100)
    ashby.results(
        "application.changeStage", {"applicationId": second["id"], "interviewStageId": stage_of(ashby, "Active")["id"]}
    )
    third = make_application(ashby)
    changed = ashby.call("application.list", {"syncToken": last["syncToken"]}).json()
    assert [a["id"] for a in changed["results"]] == [second["id"], third["id"]]
    assert first["id"] not in [a["id"] for a in changed["results"]]
    again = ashby.call("application.list", {"syncToken": changed["syncToken"]}).json()
    assert again["results"] == []


def test_info_unknown_and_missing_id(ashby):
    assert ashby.error("application.info", {"applicationId": ZERO_ID})["code"] == "application_not_found"
    error = ashby.error("application.info", {})
    assert error["code"] == "invalid_input" and "applicationId" in error["message"]
    app = make_application(ashby)
    assert ashby.results("application.info", {"applicationId": app["id"], "expand": ["openings"]})["id"] == app["id"]


def test_info_reflects_the_candidates_current_name(ashby):
    candidate = make_candidate(ashby)
    app = make_application(ashby, candidate=candidate)
    ashby.results("candidate.update", {"candidateId": candidate["id"], "name": "Ada King"})
    assert ashby.results("application.info", {"applicationId": app["id"]})["candidate"]["name"] == "Ada King"


def test_list_history_pages_and_does_not_sync(ashby):
    app = make_application(ashby, applicationHistory=archived_history(ashby))
    items, last, pages = ashby.walk("application.listHistory", {"applicationId": app["id"]}, 1)
    assert pages == 3 and "syncToken" not in last
    assert [e["stageNumber"] for e in items] == [0, 1, 2]
    assert set(items[0]) == HISTORY_KEYS | {"leftStageAt"} and set(items[2]) == HISTORY_KEYS
    assert ashby.error("application.listHistory", {"applicationId": ZERO_ID})["code"] == "application_not_found"


# ---- application.updateHistory --------------------------------------------------------------------


def _history_body(history: list[dict]) -> list[dict]:
    return [
        {"applicationHistoryId": e["id"], "stageId": e["stageId"], "stageNumber": e["stageNumber"],
         "enteredStageAt": e["enteredStageAt"]}
        for e in history
    ]  # fmt: skip


def test_update_history_sets_entered_times_and_deletes_events(ashby):
    app = make_application(ashby, applicationHistory=archived_history(ashby))
    history = ashby.results("application.listHistory", {"applicationId": app["id"]})
    body = _history_body(history)
    body[0]["enteredStageAt"] = "2024-01-15T09:00:00Z"
    del body[1]
    body[1]["stageNumber"] = 1
    updated = ashby.results("application.updateHistory", {"applicationId": app["id"], "applicationHistory": body})
    assert set(updated) == ARCHIVED_INFO_KEYS
    events = updated["applicationHistory"]
    assert [e["id"] for e in events] == [history[0]["id"], history[2]["id"]]
    assert events[0]["enteredStageAt"] == "2024-01-15T09:00:00.000Z"
    assert events[0]["leftStageAt"] == history[2]["enteredStageAt"]
    assert updated["status"] == "Archived" and updated["archiveReason"]["id"] == reason(ashby)["id"]


def test_update_history_needs_the_update_history_toggle(ashby):
    app = make_application(ashby)
    history = ashby.results("application.listHistory", {"applicationId": app["id"]})
    key = ashby.key_with("all,-update-history")
    body = {"applicationId": app["id"], "applicationHistory": _history_body(history)}
    assert ashby.error("application.updateHistory", body, key=key)["code"] == "missing_endpoint_permission"


def test_update_history_cannot_delete_the_current_stage(ashby):
    app = make_application(ashby, applicationHistory=archived_history(ashby))
    history = ashby.results("application.listHistory", {"applicationId": app["id"]})
    body = _history_body(history)[:2]
    error = ashby.error("application.updateHistory", {"applicationId": app["id"], "applicationHistory": body})
    assert error["code"] == "invalid_input" and "cannot be deleted" in error["message"]


def test_update_history_cannot_change_an_events_stage_or_name_unknown_events(ashby):
    app = make_application(ashby, applicationHistory=archived_history(ashby))
    history = ashby.results("application.listHistory", {"applicationId": app["id"]})
    body = _history_body(history)
    body[1]["stageId"] = stage_of(ashby, "Active", 1)["id"]
    error = ashby.error("application.updateHistory", {"applicationId": app["id"], "applicationHistory": body})
    assert error["code"] == "invalid_input" and "applicationHistory[1].stageId" in error["message"]
    body = _history_body(history)
    body[0]["applicationHistoryId"] = ZERO_ID
    error = ashby.error("application.updateHistory", {"applicationId": app["id"], "applicationHistory": body})
    assert error["code"] == "invalid_input" and "applicationHistoryId" in error["message"]


def test_update_history_applies_the_archive_rules_to_new_events(ashby):
    app = make_application(ashby)
    history = ashby.results("application.listHistory", {"applicationId": app["id"]})
    archive = {"stageId": stage_of(ashby, "Archived")["id"], "stageNumber": 1, "enteredStageAt": iso()}
    body = [*_history_body(history), archive]
    error = ashby.error("application.updateHistory", {"applicationId": app["id"], "applicationHistory": body})
    assert error["code"] == "invalid_input" and error["message"].startswith("Archive reason ID is required")
    body[1]["archiveReasonId"] = reason(ashby)["id"]
    updated = ashby.results("application.updateHistory", {"applicationId": app["id"], "applicationHistory": body})
    assert updated["status"] == "Archived" and len(updated["applicationHistory"]) == 2


# ---- hiring teams ---------------------------------------------------------------------------------


def test_hiring_team_add_member_to_an_application(ashby):
    app = make_application(ashby)
    member_user, recruiter = user(ashby, 1), role(ashby)
    body = {"applicationId": app["id"], "teamMemberId": member_user["id"], "roleId": recruiter["id"]}
    member = ashby.results("hiringTeam.addMember", body)
    assert set(member) == MEMBER_KEYS
    names = {"firstName": member_user["firstName"], "lastName": member_user["lastName"]}
    assert member == {"email": member_user["email"], **names, "role": "Recruiter", "userId": member_user["id"]}
    assert ashby.results("application.info", {"applicationId": app["id"]})["hiringTeam"] == [member]
    assert ashby.results("hiringTeam.addMember", body) == member  # again: no duplicate
    assert len(ashby.state["hiring_team_members"]) == 1
    assert len(ashby.results("application.info", {"applicationId": app["id"]})["hiringTeam"]) == 1


def test_hiring_team_add_member_to_a_job(ashby):
    job = make_job(ashby)
    body = {"jobId": job["id"], "teamMemberId": user(ashby)["id"], "roleId": role(ashby, "Hiring Manager")["id"]}
    member = ashby.results("hiringTeam.addMember", body)
    assert member["role"] == "Hiring Manager"
    assert ashby.results("job.info", {"id": job["id"]})["hiringTeam"] == [member]


def test_hiring_team_add_member_takes_exactly_one_target(ashby):
    app = make_application(ashby)
    base = {"teamMemberId": user(ashby)["id"], "roleId": role(ashby)["id"]}
    error = ashby.error("hiringTeam.addMember", base)
    assert error["code"] == "invalid_input" and "applicationId" in error["message"]
    error = ashby.error("hiringTeam.addMember", {**base, "applicationId": app["id"], "jobId": app["job"]["id"]})
    assert error["code"] == "invalid_input"


def test_hiring_team_unknown_ids(ashby):
    app = make_application(ashby)
    base = {"applicationId": app["id"], "teamMemberId": user(ashby)["id"], "roleId": role(ashby)["id"]}
    assert ashby.error("hiringTeam.addMember", {**base, "teamMemberId": ZERO_ID})["code"] == "user_not_found"
    assert ashby.error("hiringTeam.addMember", {**base, "roleId": ZERO_ID})["code"] == "hiring_team_role_not_found"
    assert ashby.error("hiringTeam.addMember", {**base, "applicationId": ZERO_ID})["code"] == "application_not_found"
    body = {"openingId": ZERO_ID, "teamMemberId": user(ashby)["id"], "roleId": role(ashby)["id"]}
    assert ashby.error("hiringTeam.addMember", body)["code"] == "opening_not_found"
    body = {"jobId": ZERO_ID, "teamMemberId": user(ashby)["id"], "roleId": role(ashby)["id"]}
    assert ashby.error("hiringTeam.addMember", body)["code"] == "job_not_found"


def test_application_add_hiring_team_member(ashby):
    app = make_application(ashby)
    _, last, _ = ashby.walk("application.list", {}, 100)
    body = {
        "applicationId": app["id"],
        "teamMemberId": user(ashby, 3)["id"],
        "roleId": role(ashby, "Coordinator")["id"],
    }
    member = ashby.results("application.addHiringTeamMember", body)
    assert set(member) == MEMBER_KEYS and member["role"] == "Coordinator"
    changed = ashby.call("application.list", {"syncToken": last["syncToken"]}).json()["results"]
    assert [a["id"] for a in changed] == [app["id"]] and changed[0]["hiringTeam"] == [member]
    assert ashby.error("application.addHiringTeamMember", {**body, "roleId": ZERO_ID})["code"] == (
        "hiring_team_role_not_found"
    )


def test_application_hiring_team_role_list(ashby):
    roles = ashby.results("applicationHiringTeamRole.list")
    assert [set(r) for r in roles] == [{"id", "title"}] * len(ashby.state["hiring_team_roles"])
    assert {r["title"] for r in roles} == {"Hiring Manager", "Recruiter", "Coordinator", "Sourcer"}


# ---- permissions ----------------------------------------------------------------------------------

WRITES = [
    "application.create", "application.changeStage", "application.update", "application.changeSource",
    "application.transfer", "application.updateHistory", "application.addHiringTeamMember", "hiringTeam.addMember",
]  # fmt: skip
READS = ["application.list", "application.info", "application.listHistory", "applicationHiringTeamRole.list"]


@pytest.mark.parametrize("method", WRITES)
def test_read_only_key_cannot_write(ashby, method):
    response = ashby.call(method, {}, key=ASHBY_READ_ONLY_KEY)
    assert response.status_code == 403
    assert response.json()["errorInfo"]["code"] == "missing_endpoint_permission"


def test_scopes_of_each_endpoint(ashby):
    no_candidates_read = ashby.key_with("all,-candidatesRead")
    for method in READS:
        response = ashby.call(method, {}, key=no_candidates_read)
        assert response.status_code == 403, method
        assert response.json()["errorInfo"]["code"] == "missing_endpoint_permission"
    no_org_write = ashby.key_with("all,-organizationWrite")
    assert ashby.call("hiringTeam.addMember", {}, key=no_org_write).status_code == 403
    assert ashby.call("application.addHiringTeamMember", {}, key=no_org_write).json()["success"] is False
    no_candidates_write = ashby.key_with("all,-candidatesWrite")
    assert ashby.call("application.addHiringTeamMember", {}, key=no_candidates_write).status_code == 403
    assert ashby.call("hiringTeam.addMember", {}, key=no_candidates_write).status_code == 200
