"""Ashby sandbox: application feedback (`applicationFeedback.submit`, `applicationFeedback.list`), over HTTP."""

from __future__ import annotations

import copy
import time

from migration_pipeline.sandbox.ashby.state import new_id
from migration_pipeline_tests.conftest import ASHBY_NO_CONFIDENTIAL_KEY, ASHBY_READ_ONLY_KEY
from migration_pipeline_tests.sandbox.ashby.test_applications import make_application, make_job, user

# §8.2 ApplicationFeedback (applicationFeedback.list item) and applicationFeedback.submit result.
FEEDBACK_KEYS = {
    "id", "formDefinition", "submittedValues", "submittedByUser", "interviewId", "interviewEventId",
    "feedbackFormDefinitionId", "applicationHistoryId", "applicationId", "submittedAt",
}  # fmt: skip
INSTANCE_KEYS = {"id", "formDefinition", "submittedValues"}
USER_KEYS = {"id", "firstName", "lastName", "email", "globalRole", "isEnabled", "updatedAt"}
ZERO_ID = "00000000-0000-0000-0000-000000000000"


def form_titled(ashby, title: str = "Migrated Lever feedback") -> dict:
    return next(f for f in ashby.state["feedback_forms"].values() if f["title"] == title)


def lever_feedback(**overrides) -> list[dict]:
    values = {"feedback": {"type": "PlainText", "value": "Strong systems design."}, "overall_score": {"score": 3},
              "recommendation": "Hire", "interviewer": "Grace Hopper", "interview_date": "2024-02-02",
              "lever_feedback_id": "fb-1"}  # fmt: skip
    values.update(overrides)
    return [{"path": path, "value": value} for path, value in values.items() if value is not ...]


def submit(ashby, app: dict, submissions: list[dict], form: dict | None = None, **extra) -> dict:
    form = form or form_titled(ashby)
    key = {"key": extra.pop("key")} if "key" in extra else {}
    body = {"formDefinitionId": form["id"], "applicationId": app["id"],
            "feedbackForm": {"fieldSubmissions": submissions}, **extra}  # fmt: skip
    return ashby.call("applicationFeedback.submit", body, **key).json()


def all_types_form(ashby) -> dict:
    """A feedback form with one optional field of every submittable type (forms cannot be made via the API)."""
    kinds = ["Boolean", "CompensationRange", "Currency", "Date", "Email", "LongText", "Phone", "String",
             "MultiValueSelect", "Number", "NumberRange", "RichText", "Score", "Url", "UUID",
             "ValueSelect"]  # fmt: skip
    fields = []
    for kind in kinds:
        field = {"id": new_id(), "type": kind, "path": kind.lower(), "humanReadablePath": kind, "title": kind,
                 "isNullable": True}  # fmt: skip
        if kind.endswith("ValueSelect"):
            field["selectableValues"] = [{"label": "Yes", "value": "yes"}, {"label": "No", "value": "no"}]
        fields.append({"isRequired": False, "descriptionHtml": "", "descriptionPlain": "", "field": field})
    form = copy.deepcopy(form_titled(ashby))
    form.update({"id": new_id(), "title": "Every type", "isDefaultForm": False})
    form["formDefinition"] = {
        "sections": [{"title": "All", "descriptionHtml": "", "descriptionPlain": "", "fields": fields}]
    }
    for key in ("_seq", "_rev"):
        form.pop(key, None)
    return ashby.state.add("feedback_forms", form)


def test_submit_answers_the_submitted_form_instance(ashby):
    app = make_application(ashby)
    response = ashby.call(
        "applicationFeedback.submit",
        {"formDefinitionId": form_titled(ashby)["id"], "applicationId": app["id"],
         "feedbackForm": {"fieldSubmissions": lever_feedback()}},
    )  # fmt: skip
    payload = response.json()
    assert response.status_code == 200 and set(payload) == {"success", "results"}
    assert set(payload["results"]) == {"submittedFormInstance"}
    instance = payload["results"]["submittedFormInstance"]
    assert set(instance) == INSTANCE_KEYS
    assert instance["formDefinition"] == form_titled(ashby)["formDefinition"]
    assert instance["submittedValues"] == {
        "feedback": {"type": "PlainText", "value": "Strong systems design."}, "overall_score": {"score": 3},
        "recommendation": "Hire", "interviewer": "Grace Hopper", "interview_date": "2024-02-02",
        "lever_feedback_id": "fb-1",
    }  # fmt: skip
    assert list(ashby.state["feedback"]) == [instance["id"]]


def test_list_answers_the_application_feedback_shape(ashby):
    app = make_application(ashby)
    instance = submit(ashby, app, lever_feedback())["results"]["submittedFormInstance"]
    [item] = ashby.results("applicationFeedback.list", {"applicationId": app["id"]})
    assert set(item) == FEEDBACK_KEYS
    assert item["id"] == instance["id"] and item["applicationId"] == app["id"]
    assert item["feedbackFormDefinitionId"] == form_titled(ashby)["id"]
    assert item["submittedValues"] == instance["submittedValues"]
    assert item["applicationHistoryId"] == app["applicationHistory"][-1]["id"]
    assert item["interviewId"] is None and item["interviewEventId"] is None
    assert set(item["submittedByUser"]) >= USER_KEYS
    api_user = next(u for u in ashby.state["users"].values() if u["globalRole"] == "Organization Admin")
    assert item["submittedByUser"]["id"] == api_user["id"]
    assert item["submittedAt"].endswith("Z")


def test_submit_credits_the_given_user(ashby):
    app = make_application(ashby)
    interviewer = user(ashby, 4)
    submit(ashby, app, lever_feedback(), userId=interviewer["id"])
    [item] = ashby.results("applicationFeedback.list", {"applicationId": app["id"]})
    assert item["submittedByUser"]["id"] == interviewer["id"]
    assert submit(ashby, app, lever_feedback(), userId=ZERO_ID)["errorInfo"]["code"] == "user_not_found"


def test_unknown_path_is_refused_by_name(ashby):
    app = make_application(ashby)
    error = submit(ashby, app, [*lever_feedback(), {"path": "culture_fit", "value": "great"}])["errorInfo"]
    assert error["code"] == "invalid_input" and "culture_fit" in error["message"]


def test_required_fields_must_be_answered(ashby):
    app = make_application(ashby)
    error = submit(ashby, app, lever_feedback(feedback=...))["errorInfo"]
    assert error["code"] == "invalid_input" and "feedback" in error["message"]
    error = submit(ashby, app, lever_feedback(feedback=None))["errorInfo"]
    assert error["code"] == "invalid_input" and "feedback" in error["message"]
    assert ashby.state["feedback"] == {}


def test_optional_fields_may_be_left_out(ashby):
    app = make_application(ashby)
    only_required = [{"path": "feedback", "value": {"type": "PlainText", "value": "ok"}}]
    values = submit(ashby, app, only_required)["results"]["submittedFormInstance"]["submittedValues"]
    assert values == {"feedback": {"type": "PlainText", "value": "ok"}}


def test_score_is_an_object_from_1_to_4(ashby):
    app = make_application(ashby)
    for bad in (3, {"score": 5}, {"score": 0}, {"score": "4"}, {"score": True}):
        error = submit(ashby, app, lever_feedback(overall_score=bad))["errorInfo"]
        assert error["code"] == "invalid_input" and "overall_score" in error["message"], bad
    assert submit(ashby, app, lever_feedback(overall_score={"score": 4}))["success"] is True


def test_rich_text_is_plain_text_only(ashby):
    app = make_application(ashby)
    for bad in ("just a string", {"type": "text/html", "value": "<b>x</b>"}, {"type": "PlainText"}):
        assert submit(ashby, app, lever_feedback(feedback=bad))["errorInfo"]["code"] == "invalid_input", bad


def test_date_is_year_month_day(ashby):
    app = make_application(ashby)
    for bad in ("2024-02-02T10:00:00Z", "02/02/2024", "2024-02-30"):
        error = submit(ashby, app, lever_feedback(interview_date=bad))["errorInfo"]
        assert error["code"] == "invalid_input" and "interview_date" in error["message"], bad


def test_value_select_takes_an_option_value(ashby):
    app = make_application(ashby)
    error = submit(ashby, app, lever_feedback(recommendation="Maybe"))["errorInfo"]
    assert error["code"] == "invalid_input" and "recommendation" in error["message"]


def test_string_fields_take_strings(ashby):
    app = make_application(ashby)
    assert submit(ashby, app, lever_feedback(interviewer=42))["errorInfo"]["code"] == "invalid_input"


def test_every_field_type(ashby):
    app = make_application(ashby)
    form = all_types_form(ashby)
    good = {
        "boolean": False,
        "compensationrange": {"type": "compensation-range", "minValue": 1, "maxValue": 2, "currencyCode": "GBP",
                              "interval": "1 HOUR"},
        "currency": {"value": 100000, "currencyCode": "USD"},
        "date": "2024-01-31", "email": "grace@example.com", "longtext": "long", "phone": "+1 555", "string": "s",
        "multivalueselect": ["yes", "no"], "number": 7,
        "numberrange": {"type": "number-range", "minValue": 1, "maxValue": 3},
        "richtext": {"type": "PlainText", "value": "x"}, "score": {"score": 1}, "url": "", "uuid": {"value": ZERO_ID},
        "valueselect": "no",
    }  # fmt: skip
    result = submit(ashby, app, [{"path": p, "value": v} for p, v in good.items()], form=form)
    assert result["success"] is True, result
    assert result["results"]["submittedFormInstance"]["submittedValues"] == good
    bad = {
        "boolean": "false", "compensationrange": {**good["compensationrange"], "interval": "weekly"},
        "currency": {"value": 1, "currencyCode": "usd"}, "email": "not-an-email", "multivalueselect": ["maybe"],
        "number": 7.5, "numberrange": {"type": "number-range", "minValue": 5, "maxValue": 3}, "url": "nope",
        "uuid": "123", "valueselect": ["yes"],
    }  # fmt: skip
    for path, value in bad.items():
        error = submit(ashby, app, [{"path": path, "value": value}], form=form)["errorInfo"]
        assert error["code"] == "invalid_input" and path in error["message"], (path, error)


def test_unknown_form_and_application(ashby):
    app = make_application(ashby)
    body = {"formDefinitionId": ZERO_ID, "applicationId": app["id"], "feedbackForm": {"fieldSubmissions": []}}
    assert ashby.error("applicationFeedback.submit", body)["code"] == "feedback_form_definition_not_found"
    body = {**body, "formDefinitionId": form_titled(ashby)["id"], "applicationId": ZERO_ID}
    assert ashby.error("applicationFeedback.submit", body)["code"] == "application_not_found"
    error = ashby.error("applicationFeedback.submit", {**body, "applicationId": app["id"], "feedbackForm": None})
    assert error["code"] == "invalid_input" and "feedbackForm" in error["message"]


def test_interview_event_needs_a_user_and_an_existing_event(ashby):
    app = make_application(ashby)
    error = submit(ashby, app, lever_feedback(), interviewEventId=ZERO_ID)["errorInfo"]
    assert error["code"] == "invalid_input" and "userId" in error["message"]
    error = submit(ashby, app, lever_feedback(), interviewEventId=ZERO_ID, userId=user(ashby)["id"])["errorInfo"]
    assert error["code"] == "interview_event_not_found"


def test_list_pages_filters_and_syncs(ashby):
    first, second = make_application(ashby), make_application(ashby)
    ids = [
        submit(ashby, app, lever_feedback())["results"]["submittedFormInstance"]["id"] for app in (first, second, first)
    ]
    items, last, pages = ashby.walk("applicationFeedback.list", {}, 1)
    assert pages == 3 and [i["id"] for i in items] == ids
    by_app, _, _ = ashby.walk("applicationFeedback.list", {"applicationId": first["id"]}, 100)
    assert [i["id"] for i in by_app] == [ids[0], ids[2]]
    newer = submit(ashby, second, lever_feedback())["results"]["submittedFormInstance"]["id"]
    changed = ashby.call("applicationFeedback.list", {"syncToken": last["syncToken"]}).json()
    assert [i["id"] for i in changed["results"]] == [newer] and "syncToken" in changed
    assert ashby.error("applicationFeedback.list", {"applicationId": ZERO_ID})["code"] == "application_not_found"


def test_list_created_after(ashby):
    app = make_application(ashby)
    before = submit(ashby, app, lever_feedback())["results"]["submittedFormInstance"]["id"]
    ashby.state["feedback"][before]["submittedAt"] = "2021-06-01T00:00:00.000Z"
    after = submit(ashby, app, lever_feedback())["results"]["submittedFormInstance"]["id"]
    cutoff = int(time.time() * 1000) - 60_000
    items, _, _ = ashby.walk("applicationFeedback.list", {"createdAfter": cutoff}, 100)
    assert [i["id"] for i in items] == [after]


def test_feedback_on_confidential_applications_is_hidden_without_the_toggle(ashby):
    secret = make_application(ashby, job=make_job(ashby, "Secret", confidential=True))
    public = make_application(ashby)
    submit(ashby, secret, lever_feedback())
    visible = submit(ashby, public, lever_feedback())["results"]["submittedFormInstance"]["id"]
    items, _, _ = ashby.walk("applicationFeedback.list", {}, 100, key=ASHBY_NO_CONFIDENTIAL_KEY)
    assert [i["id"] for i in items] == [visible]
    error = submit(ashby, secret, lever_feedback(), key=ASHBY_NO_CONFIDENTIAL_KEY)["errorInfo"]
    assert error["code"] == "application_not_found"


def test_permissions(ashby):
    response = ashby.call("applicationFeedback.submit", {}, key=ASHBY_READ_ONLY_KEY)
    assert response.status_code == 403 and response.json()["errorInfo"]["code"] == "missing_endpoint_permission"
    assert ashby.call("applicationFeedback.list", {}, key=ASHBY_READ_ONLY_KEY).json()["success"] is True
    no_read = ashby.key_with("all,-candidatesRead")
    response = ashby.call("applicationFeedback.list", {}, key=no_read)
    assert response.status_code == 403 and response.json()["errorInfo"]["code"] == "missing_endpoint_permission"
