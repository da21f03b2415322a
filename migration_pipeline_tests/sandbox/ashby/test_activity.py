"""Ashby sandbox: interviews, interview schedules, job postings, offers, projects and survey submissions
(`interview.list/info`, `interviewSchedule.create/list`, `jobPosting.list/info`, `offer.list/info`,
`project.list`, `surveySubmission.list`), over HTTP.

Objects the API cannot create (postings, offers, projects, survey submissions, job-specific interviews)
are put into the org's state directly, as an Ashby admin would have made them in the app.
"""

from __future__ import annotations

import time

import pytest

from migration_pipeline.sandbox.ashby.state import iso, new_id
from migration_pipeline_tests.conftest import ASHBY_NO_CONFIDENTIAL_KEY, ASHBY_READ_ONLY_KEY, walk_to_sync_token
from migration_pipeline_tests.sandbox.ashby.test_applications import make_application, make_job, user

ZERO_ID = "00000000-0000-0000-0000-000000000000"
USER_KEYS = {"id", "firstName", "lastName", "email", "globalRole", "isEnabled", "updatedAt"}
# interviewSchedule.create results (§7.6) and interviewEvent.list items.
SCHEDULE_KEYS = {"id", "status", "applicationId", "interviewStageId", "scheduledBy", "createdAt", "updatedAt",
                 "interviewEvents"}  # fmt: skip
EVENT_KEYS = {"id", "interviewId", "interviewScheduleId", "interviewerUserIds", "interviewers", "createdAt",
              "updatedAt", "startTime", "endTime", "feedbackLink", "location", "meetingLink",
              "hasSubmittedFeedback"}  # fmt: skip
INTERVIEWER_KEYS = USER_KEYS | {"trainingRole", "interviewerPool", "isFeedbackRequired"}
INTERVIEW_KEYS = {"id", "title", "externalTitle", "isArchived", "isDebrief", "isFeedbackRequired",
                  "isFeedbackRequested", "jobId", "feedbackFormDefinitionId"}  # fmt: skip
POSTING_SUMMARY_KEYS = {"id", "title", "jobId", "departmentName", "teamName", "locationName", "locationIds",
                        "employmentType", "isListed", "publishedDate", "applyLink",
                        "shouldDisplayCompensationOnJobBoard", "updatedAt"}  # fmt: skip
OFFER_KEYS = {"id", "decidedAt", "applicationId", "acceptanceStatus", "offerStatus", "latestVersion"}
PROJECT_KEYS = {"id", "title", "description", "isArchived", "confidential", "authorId", "createdAt",
                "customFieldEntries"}  # fmt: skip
SURVEY_KEYS = {"id", "surveyFormDefinitionId", "submittedAt", "candidateId", "applicationId", "surveyType",
               "formDefinition", "submittedValues"}  # fmt: skip


def event(ashby, *, start: str = "2024-02-02T10:00:00Z", end: str = "2024-02-02T11:00:00.000Z", **extra) -> dict:
    return {"startTime": start, "endTime": end, "interviewers": [{"email": user(ashby)["email"]}], **extra}


def schedule(ashby, app: dict | None = None, events: list[dict] | None = None, **key) -> dict:
    app = app or make_application(ashby)
    body = {"applicationId": app["id"], "interviewEvents": events or [event(ashby)]}
    return ashby.call("interviewSchedule.create", body, **key).json()


def add(ashby, kind: str, obj: dict) -> dict:
    obj.setdefault("id", new_id())
    return ashby.state.add(kind, obj)


def add_interview(ashby, job: dict | None = None, *, archived: bool = False) -> dict:
    form = next(iter(ashby.state["feedback_forms"].values()))
    return add(ashby, "interviews", {
        "title": "Technical Phone Interview", "externalTitle": "Technical Interview", "isArchived": archived,
        "isDebrief": False, "isFeedbackRequired": True, "isFeedbackRequested": True,
        "jobId": job["id"] if job else None, "feedbackFormDefinitionId": form["id"],
    })  # fmt: skip


def add_posting(ashby, job: dict, **extra) -> dict:
    posting = {
        "title": job["title"], "jobId": job["id"], "departmentName": "Engineering", "teamName": "Engineering",
        "locationName": "Remote", "locationIds": {"primaryLocationId": job["locationId"], "secondaryLocationIds": []},
        "employmentType": "FullTime", "isListed": True, "publishedDate": "2024-01-15",
        "applyLink": "https://jobs.example.com/apply", "shouldDisplayCompensationOnJobBoard": False,
        "updatedAt": iso(), "descriptionPlain": "Build things.", "descriptionHtml": "<p>Build things.</p>",
        "descriptionParts": {"descriptionOpening": None, "descriptionBody": {"html": "<p>Build things.</p>",
                                                                             "plain": "Build things."},
                             "descriptionClosing": None},
        "linkedData": {"@context": "https://schema.org/", "@type": "JobPosting"},
        "applicationFormDefinition": {"sections": []}, "surveyFormDefinitions": [],
        "compensation": {"compensationTiers": [], "shouldDisplayCompensationOnJobBoard": False},
    }  # fmt: skip
    posting.update(extra)
    return add(ashby, "job_postings", posting)


def add_offer(ashby, app: dict, *, status: str = "WaitingOnCandidateResponse", acceptance: str = "Pending",
              approval: str | None = "Approved", created: str | None = None) -> dict:  # fmt: skip
    created = created or iso()
    version = {"id": new_id(), "startDate": "2024-03-01T00:00:00.000Z",
               "salary": {"currencyCode": "USD", "value": 150000}, "createdAt": created, "openingId": None,
               "customFields": [], "fileHandles": [], "author": user(ashby), "approvalStatus": approval}  # fmt: skip
    return add(ashby, "offers", {
        "id": new_id(), "decidedAt": None, "applicationId": app["id"], "acceptanceStatus": acceptance,
        "offerStatus": status, "latestVersion": version, "versions": [version],
        "formDefinition": {"sections": []}, "_createdAt": created,
    })  # fmt: skip


def add_project(ashby, title: str = "Office Event", *, confidential: bool = False, created: str | None = None):
    return add(ashby, "projects", {
        "title": title, "description": "Folks invited to the office", "isArchived": False,
        "confidential": confidential, "authorId": user(ashby)["id"], "createdAt": created or iso(),
        "customFieldEntries": [],
    })  # fmt: skip


def add_survey(ashby, app: dict, survey_type: str = "CandidateExperience", submitted: str | None = None) -> dict:
    return add(ashby, "survey_submissions", {
        "surveyFormDefinitionId": new_id(), "submittedAt": submitted or iso(), "candidateId": app["candidate"]["id"],
        "applicationId": app["id"], "surveyType": survey_type, "formDefinition": {"sections": []},
        "submittedValues": {"_systemfield_name": "Ada"},
    })  # fmt: skip


def touch(ashby, kind: str, obj_id: str) -> None:
    ashby.state.touch(ashby.state[kind][obj_id])


def forbidden(ashby, method: str, body: dict, key: str) -> None:
    response = ashby.call(method, body, key)
    assert response.status_code == 403
    assert response.json()["errorInfo"]["code"] == "missing_endpoint_permission"


# ---- interviewSchedule.create ---------------------------------------------------------------------


def test_schedule_create_answers_the_schedule_shape_with_its_events(ashby):
    app = make_application(ashby)
    payload = schedule(
        ashby,
        app,
        [event(ashby), event(ashby, start="2024-02-03T09:00:00Z", end="2024-02-03T10:00:00Z", extraData={"room": "A"})],
    )
    assert payload["success"] is True
    result = payload["results"]
    assert set(result) == SCHEDULE_KEYS
    assert result["status"] == "Scheduled"
    assert result["applicationId"] == app["id"]
    assert result["interviewStageId"] == app["currentInterviewStage"]["id"]
    assert set(result["scheduledBy"]) == USER_KEYS
    assert len(result["interviewEvents"]) == 2
    first, second = result["interviewEvents"]
    assert set(first) == EVENT_KEYS and set(second) == EVENT_KEYS | {"extraData"}
    assert first["interviewScheduleId"] == result["id"]
    assert first["startTime"] == "2024-02-02T10:00:00.000Z" and first["endTime"] == "2024-02-02T11:00:00.000Z"
    assert first["interviewerUserIds"] == [user(ashby)["id"]]
    assert set(first["interviewers"][0]) == INTERVIEWER_KEYS
    assert first["interviewers"][0]["isFeedbackRequired"] is True
    assert first["hasSubmittedFeedback"] is False
    assert first["feedbackLink"].endswith(f"/{first['id']}/feedback")


def test_schedule_create_uses_the_default_interview_which_interview_list_then_serves(ashby):
    assert ashby.results("interview.list", {}) == []
    first = schedule(ashby)["results"]["interviewEvents"][0]
    second = schedule(ashby)["results"]["interviewEvents"][0]
    assert first["interviewId"] == second["interviewId"]
    interviews = ashby.results("interview.list", {})
    assert [i["id"] for i in interviews] == [first["interviewId"]]
    assert set(interviews[0]) == INTERVIEW_KEYS and interviews[0]["jobId"] is None


def test_schedule_create_with_a_named_interview_and_feedback_flag(ashby):
    interview = add_interview(ashby)
    payload = schedule(
        ashby,
        events=[
            event(
                ashby,
                interviewId=interview["id"],
                interviewers=[{"email": user(ashby)["email"], "feedbackRequired": False}],
            )
        ],
    )
    created = payload["results"]["interviewEvents"][0]
    assert created["interviewId"] == interview["id"]
    assert created["interviewers"][0]["isFeedbackRequired"] is False


def test_schedule_create_refuses_an_interview_of_another_job(ashby):
    interview = add_interview(ashby, make_job(ashby, "Designer"))
    payload = schedule(ashby, events=[event(ashby, interviewId=interview["id"])])
    assert payload["errorInfo"]["code"] == "invalid_input" and "interviewId" in payload["errorInfo"]["message"]


def test_schedule_create_with_an_unknown_interview_is_interview_not_found(ashby):
    payload = schedule(ashby, events=[event(ashby, interviewId=ZERO_ID)])
    assert payload["errorInfo"]["code"] == "interview_not_found"


def test_schedule_create_requires_application_id(ashby):
    error = ashby.error("interviewSchedule.create", {"interviewEvents": [event(ashby)]})
    assert error["code"] == "invalid_input" and "applicationId" in error["message"]


def test_schedule_create_requires_interview_events(ashby):
    error = ashby.error("interviewSchedule.create", {"applicationId": make_application(ashby)["id"]})
    assert error["code"] == "invalid_input" and "interviewEvents" in error["message"]


def test_schedule_create_refuses_an_empty_event_list(ashby):
    error = ashby.error(
        "interviewSchedule.create", {"applicationId": make_application(ashby)["id"], "interviewEvents": []}
    )
    assert error["code"] == "invalid_input" and "interviewEvents" in error["message"]


def test_schedule_create_requires_start_time(ashby):
    bad = event(ashby)
    del bad["startTime"]
    payload = schedule(ashby, events=[bad])
    assert payload["errorInfo"]["code"] == "invalid_input" and "startTime" in payload["errorInfo"]["message"]


def test_schedule_create_refuses_a_non_iso_time(ashby):
    payload = schedule(ashby, events=[event(ashby, end="tomorrow")])
    assert payload["errorInfo"]["code"] == "invalid_input" and "endTime" in payload["errorInfo"]["message"]


def test_schedule_create_refuses_an_end_before_the_start(ashby):
    payload = schedule(ashby, events=[event(ashby, start="2024-02-02T11:00:00Z", end="2024-02-02T10:00:00Z")])
    assert payload["errorInfo"]["code"] == "invalid_input" and "endTime" in payload["errorInfo"]["message"]


def test_schedule_create_requires_interviewers(ashby):
    bad = event(ashby)
    del bad["interviewers"]
    payload = schedule(ashby, events=[bad])
    assert payload["errorInfo"]["code"] == "invalid_input" and "interviewers" in payload["errorInfo"]["message"]


def test_schedule_create_requires_an_interviewer_email(ashby):
    payload = schedule(ashby, events=[event(ashby, interviewers=[{"feedbackRequired": True}])])
    assert payload["errorInfo"]["code"] == "invalid_input" and "email" in payload["errorInfo"]["message"]


def test_schedule_create_with_an_unknown_interviewer_is_user_not_found(ashby):
    payload = schedule(ashby, events=[event(ashby, interviewers=[{"email": "nobody@example.invalid"}])])
    assert payload["errorInfo"]["code"] == "user_not_found"


def test_schedule_create_with_an_unknown_application_is_application_not_found(ashby):
    error = ashby.error("interviewSchedule.create", {"applicationId": ZERO_ID, "interviewEvents": [event(ashby)]})
    assert error["code"] == "application_not_found"


def test_schedule_create_refuses_a_non_uuid_application_id(ashby):
    error = ashby.error("interviewSchedule.create", {"applicationId": "abc", "interviewEvents": [event(ashby)]})
    assert error["code"] == "invalid_input" and "applicationId" in error["message"]


def test_schedule_create_for_a_confidential_application_without_the_toggle_is_application_not_found(ashby):
    app = make_application(ashby, make_job(ashby, confidential=True))
    payload = schedule(ashby, app, key=ASHBY_NO_CONFIDENTIAL_KEY)
    assert payload["errorInfo"]["code"] == "application_not_found"


def test_schedule_create_needs_interviews_write(ashby):
    app = make_application(ashby)
    forbidden(ashby, "interviewSchedule.create", {"applicationId": app["id"], "interviewEvents": [event(ashby)]},
              ASHBY_READ_ONLY_KEY)  # fmt: skip


def test_feedback_on_a_scheduled_event_marks_it_submitted(ashby):
    app = make_application(ashby)
    created = schedule(ashby, app)["results"]
    event_id = created["interviewEvents"][0]["id"]
    form = next(f for f in ashby.state["feedback_forms"].values() if f["title"] == "Migrated Lever feedback")
    body = {"formDefinitionId": form["id"], "applicationId": app["id"], "interviewEventId": event_id,
            "userId": user(ashby)["id"], "feedbackForm": {"fieldSubmissions": [
                {"path": "feedback", "value": {"type": "PlainText", "value": "Good."}},
                {"path": "overall_score", "value": {"score": 3}}]}}  # fmt: skip
    response = ashby.call("applicationFeedback.submit", body).json()
    assert response["success"] is True, response
    listed = ashby.results("interviewSchedule.list", {"applicationId": app["id"]})
    assert listed[0]["interviewEvents"][0]["hasSubmittedFeedback"] is True


# ---- interviewSchedule.list -----------------------------------------------------------------------


def test_schedule_list_pages_to_the_end_and_syncs_changes(ashby):
    app = make_application(ashby)
    ids = [schedule(ashby, app)["results"]["id"] for _ in range(5)]
    items, token, pages = walk_to_sync_token(ashby, "interviewSchedule.list", {}, 2)
    assert [s["id"] for s in items] == ids and pages == 3 and token
    assert all(set(s) == SCHEDULE_KEYS for s in items)
    newer = schedule(ashby, app)["results"]["id"]
    delta = ashby.call("interviewSchedule.list", {"syncToken": token}).json()
    assert [s["id"] for s in delta["results"]] == [newer] and delta["syncToken"]


def test_schedule_list_filters_by_application_and_stage(ashby):
    first, second = make_application(ashby), make_application(ashby)
    mine = schedule(ashby, first)["results"]["id"]
    schedule(ashby, second)
    assert [s["id"] for s in ashby.results("interviewSchedule.list", {"applicationId": first["id"]})] == [mine]
    stage_id = first["currentInterviewStage"]["id"]
    assert len(ashby.results("interviewSchedule.list", {"interviewStageId": stage_id})) == 2
    other_stage = next(s for s in ashby.state["interview_stages"].values() if s["id"] != stage_id)
    assert ashby.results("interviewSchedule.list", {"interviewStageId": other_stage["id"]}) == []


def test_schedule_list_filters_by_created_after(ashby):
    app = make_application(ashby)
    schedule(ashby, app)
    cutoff = int(time.time() * 1000) + 1
    time.sleep(0.01)
    later = schedule(ashby, app)["results"]["id"]
    assert [s["id"] for s in ashby.results("interviewSchedule.list", {"createdAfter": cutoff})] == [later]


def test_schedule_list_with_an_unknown_application_is_application_not_found(ashby):
    assert ashby.error("interviewSchedule.list", {"applicationId": ZERO_ID})["code"] == "application_not_found"


def test_schedule_list_with_an_unknown_stage_is_interview_stage_not_found(ashby):
    assert ashby.error("interviewSchedule.list", {"interviewStageId": ZERO_ID})["code"] == "interview_stage_not_found"


def test_schedule_list_refuses_a_bad_created_after(ashby):
    error = ashby.error("interviewSchedule.list", {"createdAfter": "yesterday"})
    assert error["code"] == "invalid_input" and "createdAfter" in error["message"]


def test_schedule_list_hides_confidential_applications_without_the_toggle(ashby):
    schedule(ashby, make_application(ashby, make_job(ashby, confidential=True)))
    assert len(ashby.results("interviewSchedule.list", {})) == 1
    assert ashby.results("interviewSchedule.list", {}, key=ASHBY_NO_CONFIDENTIAL_KEY) == []


def test_schedule_list_needs_interviews_read(ashby):
    forbidden(ashby, "interviewSchedule.list", {}, ashby.key_without("interviewsRead"))


# ---- interview.list / interview.info --------------------------------------------------------------


def test_interview_list_shows_shared_unarchived_interviews_by_default(ashby):
    shared = add_interview(ashby)
    job_bound = add_interview(ashby, make_job(ashby))
    archived = add_interview(ashby, archived=True)
    payload = ashby.call("interview.list", {}).json()
    assert [i["id"] for i in payload["results"]] == [shared["id"]]
    assert set(payload["results"][0]) == INTERVIEW_KEYS
    assert payload["moreDataAvailable"] is False and payload["syncToken"]
    wide = ashby.results("interview.list", {"includeNonSharedInterviews": True, "includeArchived": True})
    assert [i["id"] for i in wide] == [shared["id"], job_bound["id"], archived["id"]]


def test_interview_list_pages_and_syncs(ashby):
    ids = [add_interview(ashby)["id"] for _ in range(3)]
    items, token, pages = walk_to_sync_token(ashby, "interview.list", {}, 2)
    assert [i["id"] for i in items] == ids and pages == 2
    touch(ashby, "interviews", ids[1])
    delta = ashby.call("interview.list", {"syncToken": token}).json()
    assert [i["id"] for i in delta["results"]] == [ids[1]]


def test_interview_list_refuses_a_non_boolean_flag(ashby):
    error = ashby.error("interview.list", {"includeArchived": "yes"})
    assert error["code"] == "invalid_input" and "includeArchived" in error["message"]


def test_interview_list_needs_interviews_read(ashby):
    forbidden(ashby, "interview.list", {}, ashby.key_without("interviewsRead"))


def test_interview_info_answers_the_interview_or_interview_not_found(ashby):
    interview = add_interview(ashby)
    result = ashby.results("interview.info", {"id": interview["id"]})
    assert set(result) == INTERVIEW_KEYS and result["id"] == interview["id"]
    assert ashby.error("interview.info", {"id": ZERO_ID})["code"] == "interview_not_found"
    assert ashby.error("interview.info", {})["code"] == "invalid_input"


# ---- jobPosting.list / jobPosting.info ------------------------------------------------------------


def test_job_posting_list_answers_only_success_and_results_and_job_create_makes_no_posting(ashby):
    job = make_job(ashby)
    assert job["jobPostingIds"] == []
    payload = ashby.call("jobPosting.list", {"limit": 100}).json()
    assert payload == {"success": True, "results": []}


def test_job_posting_list_serves_summaries_with_its_filters(ashby):
    job = make_job(ashby)
    listed = add_posting(ashby, job)
    unlisted = add_posting(ashby, job, isListed=False, locationName="Berlin", departmentName="Sales")
    add_posting(ashby, job, _published=False)
    board = new_id()
    on_board = add_posting(ashby, job, _jobBoardId=board)
    everything = ashby.results("jobPosting.list", {})
    assert [p["id"] for p in everything] == [listed["id"], unlisted["id"], on_board["id"]]
    assert set(everything[0]) == POSTING_SUMMARY_KEYS
    assert [p["id"] for p in ashby.results("jobPosting.list", {"listedOnly": True})] == [listed["id"], on_board["id"]]
    assert [p["id"] for p in ashby.results("jobPosting.list", {"location": "Berlin"})] == [unlisted["id"]]
    assert ashby.results("jobPosting.list", {"location": "berlin"}) == []  # case sensitive
    assert [p["id"] for p in ashby.results("jobPosting.list", {"department": "Sales"})] == [unlisted["id"]]
    assert [p["id"] for p in ashby.results("jobPosting.list", {"jobBoardId": board})] == [on_board["id"]]


def test_job_posting_list_hides_confidential_jobs_without_the_toggle(ashby):
    add_posting(ashby, make_job(ashby, confidential=True))
    assert len(ashby.results("jobPosting.list", {})) == 1
    assert ashby.results("jobPosting.list", {}, key=ASHBY_NO_CONFIDENTIAL_KEY) == []


def test_job_posting_list_refuses_a_non_uuid_job_board(ashby):
    error = ashby.error("jobPosting.list", {"jobBoardId": "main"})
    assert error["code"] == "invalid_input" and "jobBoardId" in error["message"]


def test_job_posting_list_needs_jobs_read(ashby):
    forbidden(ashby, "jobPosting.list", {}, ashby.key_without("jobsRead"))


def test_job_posting_info_answers_the_full_posting_and_expands_the_job(ashby):
    job = make_job(ashby)
    posting = add_posting(ashby, job)
    result = ashby.results("jobPosting.info", {"jobPostingId": posting["id"]})
    assert {"descriptionHtml", "descriptionParts", "linkedData", "applicationFormDefinition"} <= set(result)
    assert "job" not in result
    expanded = ashby.results("jobPosting.info", {"jobPostingId": posting["id"], "expand": ["job"]})
    assert expanded["job"]["id"] == job["id"]


def test_job_posting_info_with_an_unknown_id_is_job_posting_not_found(ashby):
    assert ashby.error("jobPosting.info", {"jobPostingId": ZERO_ID})["code"] == "job_posting_not_found"


def test_job_posting_info_requires_job_posting_id(ashby):
    error = ashby.error("jobPosting.info", {})
    assert error["code"] == "invalid_input" and "jobPostingId" in error["message"]


def test_job_posting_info_refuses_an_unknown_expand(ashby):
    posting = add_posting(ashby, make_job(ashby))
    error = ashby.error("jobPosting.info", {"jobPostingId": posting["id"], "expand": ["openings"]})
    assert error["code"] == "invalid_input" and "expand" in error["message"]


def test_job_posting_info_of_a_confidential_job_without_the_toggle_is_not_found(ashby):
    posting = add_posting(ashby, make_job(ashby, confidential=True))
    error = ashby.error("jobPosting.info", {"jobPostingId": posting["id"]}, key=ASHBY_NO_CONFIDENTIAL_KEY)
    assert error["code"] == "job_posting_not_found"


def test_job_posting_info_needs_jobs_read(ashby):
    forbidden(ashby, "jobPosting.info", {"jobPostingId": ZERO_ID}, ashby.key_without("jobsRead"))


# ---- offer.list / offer.info ----------------------------------------------------------------------


def test_offer_list_is_empty_for_a_fresh_org_with_a_sync_token(ashby):
    payload = ashby.call("offer.list", {}).json()
    assert payload["results"] == [] and payload["moreDataAvailable"] is False and payload["syncToken"]


def test_offer_list_pages_to_the_end_and_syncs_changes(ashby):
    app = make_application(ashby)
    ids = [add_offer(ashby, app)["id"] for _ in range(5)]
    items, token, pages = walk_to_sync_token(ashby, "offer.list", {}, 2)
    assert [o["id"] for o in items] == ids and pages == 3
    assert all(set(o) == OFFER_KEYS for o in items)
    touch(ashby, "offers", ids[3])
    delta = ashby.call("offer.list", {"syncToken": token}).json()
    assert [o["id"] for o in delta["results"]] == [ids[3]]


def test_offer_list_filters(ashby):
    first, second = make_application(ashby), make_application(ashby)
    accepted = add_offer(ashby, first, status="CandidateAccepted", acceptance="Accepted", approval="Approved")
    pending = add_offer(ashby, second, approval="WaitingOnApprovals", created="2020-01-01T00:00:00.000Z")

    def ids(body: dict) -> list[str]:
        return [o["id"] for o in ashby.results("offer.list", body)]

    assert ids({"applicationId": first["id"]}) == [accepted["id"]]
    assert ids({"offerStatus": ["CandidateAccepted"]}) == [accepted["id"]]
    assert ids({"acceptanceStatus": ["Pending", "Declined"]}) == [pending["id"]]
    assert ids({"approvalStatus": ["WaitingOnApprovals"]}) == [pending["id"]]
    assert ids({"createdAfter": 1600000000000}) == [accepted["id"]]


def test_offer_list_refuses_an_empty_status_filter(ashby):
    error = ashby.error("offer.list", {"offerStatus": []})
    assert error["code"] == "invalid_input" and "offerStatus" in error["message"]


def test_offer_list_refuses_an_unknown_acceptance_status(ashby):
    error = ashby.error("offer.list", {"acceptanceStatus": ["Maybe"]})
    assert error["code"] == "invalid_input" and "acceptanceStatus" in error["message"]


def test_offer_list_with_an_unknown_application_is_application_not_found(ashby):
    assert ashby.error("offer.list", {"applicationId": ZERO_ID})["code"] == "application_not_found"


def test_offer_list_hides_confidential_applications_without_the_toggle(ashby):
    add_offer(ashby, make_application(ashby, make_job(ashby, confidential=True)))
    assert len(ashby.results("offer.list", {})) == 1
    assert ashby.results("offer.list", {}, key=ASHBY_NO_CONFIDENTIAL_KEY) == []


def test_offer_list_needs_offers_read(ashby):
    forbidden(ashby, "offer.list", {}, ashby.key_without("offersRead"))


def test_offer_info_answers_the_offer_with_versions_and_form(ashby):
    offer = add_offer(ashby, make_application(ashby))
    result = ashby.results("offer.info", {"offerId": offer["id"]})
    assert set(result) == OFFER_KEYS | {"versions", "formDefinition"}
    slim = ashby.results("offer.info", {"offerId": offer["id"], "excludeFormDefinition": True})
    assert "formDefinition" not in slim


def test_offer_info_with_an_unknown_id_is_offer_not_found(ashby):
    assert ashby.error("offer.info", {"offerId": ZERO_ID})["code"] == "offer_not_found"


def test_offer_info_requires_offer_id(ashby):
    error = ashby.error("offer.info", {})
    assert error["code"] == "invalid_input" and "offerId" in error["message"]


def test_offer_info_needs_offers_read(ashby):
    forbidden(ashby, "offer.info", {"offerId": ZERO_ID}, ashby.key_without("offersRead"))


# ---- project.list ---------------------------------------------------------------------------------


def test_project_list_pages_to_the_end_and_syncs_changes(ashby):
    ids = [add_project(ashby, f"Project {n}")["id"] for n in range(3)]
    items, token, pages = walk_to_sync_token(ashby, "project.list", {}, 1)
    assert [p["id"] for p in items] == ids and pages == 3
    assert all(set(p) == PROJECT_KEYS for p in items)
    newer = add_project(ashby, "Later")["id"]
    delta = ashby.call("project.list", {"syncToken": token}).json()
    assert [p["id"] for p in delta["results"]] == [newer]


def test_project_list_filters_by_created_after(ashby):
    add_project(ashby, created="2020-01-01T00:00:00.000Z")
    recent = add_project(ashby)
    assert [p["id"] for p in ashby.results("project.list", {"createdAfter": 1600000000000})] == [recent["id"]]


def test_project_list_hides_confidential_projects_without_the_toggle(ashby):
    add_project(ashby, confidential=True)
    assert len(ashby.results("project.list", {})) == 1
    assert ashby.results("project.list", {}, key=ASHBY_NO_CONFIDENTIAL_KEY) == []


def test_project_list_refuses_a_bad_limit(ashby):
    assert ashby.error("project.list", {"limit": 0})["code"] == "invalid_input"


def test_project_list_needs_candidates_read(ashby):
    forbidden(ashby, "project.list", {}, ashby.key_without("candidatesRead"))


# ---- surveySubmission.list ------------------------------------------------------------------------


def test_survey_submission_list_requires_survey_type(ashby):
    error = ashby.error("surveySubmission.list", {})
    assert error["code"] == "invalid_input" and "surveyType" in error["message"]


@pytest.mark.parametrize("survey_type", ["Diversity", "candidateexperience", 3])
def test_survey_submission_list_refuses_an_unsupported_survey_type(ashby, survey_type):
    error = ashby.error("surveySubmission.list", {"surveyType": survey_type})
    assert error["code"] == "invalid_input" and "surveyType" in error["message"]


def test_survey_submission_list_pages_one_type_and_syncs_changes(ashby):
    app = make_application(ashby)
    ids = [add_survey(ashby, app)["id"] for _ in range(3)]
    add_survey(ashby, app, "Questionnaire")
    body = {"surveyType": "CandidateExperience"}
    items, token, pages = walk_to_sync_token(ashby, "surveySubmission.list", body, 2)
    assert [s["id"] for s in items] == ids and pages == 2
    assert all(set(s) == SURVEY_KEYS for s in items)
    touch(ashby, "survey_submissions", ids[0])
    delta = ashby.call("surveySubmission.list", {**body, "syncToken": token}).json()
    assert [s["id"] for s in delta["results"]] == [ids[0]]
    other = ashby.call("surveySubmission.list", {"surveyType": "Questionnaire", "syncToken": token}).json()
    assert other["errorInfo"]["code"] == "sync_token_invalid"


def test_survey_submission_list_filters_by_created_after(ashby):
    app = make_application(ashby)
    add_survey(ashby, app, submitted="2020-01-01T00:00:00.000Z")
    recent = add_survey(ashby, app)
    body = {"surveyType": "CandidateExperience", "createdAfter": 1600000000000}
    assert [s["id"] for s in ashby.results("surveySubmission.list", body)] == [recent["id"]]


def test_survey_submission_list_hides_confidential_applications_without_the_toggle(ashby):
    add_survey(ashby, make_application(ashby, make_job(ashby, confidential=True)))
    body = {"surveyType": "CandidateExperience"}
    assert len(ashby.results("surveySubmission.list", body)) == 1
    assert ashby.results("surveySubmission.list", body, key=ASHBY_NO_CONFIDENTIAL_KEY) == []


def test_survey_submission_list_needs_candidates_read(ashby):
    forbidden(ashby, "surveySubmission.list", {"surveyType": "Questionnaire"}, ashby.key_without("candidatesRead"))


def _event_feedback(ashby, app, event_id, user_id):
    form = next(f for f in ashby.state["feedback_forms"].values() if f["title"] == "Migrated Lever feedback")
    return {"formDefinitionId": form["id"], "applicationId": app["id"], "interviewEventId": event_id,
            "userId": user_id, "feedbackForm": {"fieldSubmissions": [
                {"path": "feedback", "value": {"type": "PlainText", "value": "Good."}}]}}  # fmt: skip


def test_feedback_on_an_event_needs_an_interviewer_of_that_event(ashby):
    app = make_application(ashby)
    event_id = schedule(ashby, app)["results"]["interviewEvents"][0]["id"]
    interviewers = ashby.state["interview_events"][event_id]["interviewerUserIds"]
    outsider = next(u["id"] for u in ashby.state["users"].values() if u["id"] not in interviewers and u["isEnabled"])
    error = ashby.error("applicationFeedback.submit", _event_feedback(ashby, app, event_id, outsider))
    assert error["code"] == "invalid_input" and "interviewer" in error["message"]


def test_feedback_on_an_event_of_another_application_is_refused(ashby):
    app, other = make_application(ashby), make_application(ashby)
    event_id = schedule(ashby, app)["results"]["interviewEvents"][0]["id"]
    interviewer = ashby.state["interview_events"][event_id]["interviewerUserIds"][0]
    error = ashby.error("applicationFeedback.submit", _event_feedback(ashby, other, event_id, interviewer))
    assert error["code"] == "invalid_input" and "interviewEventId" in error["message"]
