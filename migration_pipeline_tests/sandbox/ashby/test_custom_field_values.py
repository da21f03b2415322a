"""Ashby sandbox: setting custom field values (`customField.setValue`, `customField.setValues`), over HTTP."""

from __future__ import annotations

import pytest

from migration_pipeline.sandbox.ashby.state import new_id
from migration_pipeline_tests.conftest import ASHBY_NO_CONFIDENTIAL_KEY, ASHBY_NO_PRIVATE_KEY, ASHBY_READ_ONLY_KEY
from migration_pipeline_tests.sandbox.ashby.test_applications import (
    make_application,
    make_candidate,
    make_job,
)

VALUE_KEYS = {"id", "isPrivate", "title", "value"}
SELECT_VALUE_KEYS = VALUE_KEYS | {"valueLabel"}
ZERO_ID = "00000000-0000-0000-0000-000000000000"


def field_titled(ashby, title: str) -> dict:
    return next(f for f in ashby.state["custom_fields"].values() if f["title"] == title)


def new_field(ashby, field_type: str, object_type: str = "Application", options: list[str] | None = None) -> dict:
    """A custom field made through customField.create (or inserted, for types it cannot make)."""
    body = {"fieldType": field_type, "objectType": object_type, "title": f"{field_type} on {object_type}"}
    if options is not None:
        body["selectableValues"] = [{"label": o.title(), "value": o} for o in options]
    response = ashby.call("customField.create", body).json()
    if response["success"]:
        return response["results"]
    field = {"id": new_id(), "isPrivate": False, "title": body["title"], "objectType": object_type,
             "isArchived": False, "fieldType": field_type, "isRequired": False, "selectableValues": []}  # fmt: skip
    return ashby.state.add("custom_fields", field)


def set_value(ashby, obj_id: str, field: dict, value, object_type: str = "Application", key=None):
    body = {"objectId": obj_id, "objectType": object_type, "fieldId": field["id"], "fieldValue": value}
    return ashby.call("customField.setValue", body, **({"key": key} if key else {})).json()


def test_set_value_on_an_application_answers_and_stores_the_value(ashby):
    app = make_application(ashby)
    field = field_titled(ashby, "Lever opportunity id")
    response = ashby.call(
        "customField.setValue",
        {"objectId": app["id"], "objectType": "Application", "fieldId": field["id"], "fieldValue": "opp-123"},
    )
    payload = response.json()
    assert response.status_code == 200 and set(payload) == {"success", "results"}
    value = payload["results"]
    assert set(value) == VALUE_KEYS
    assert value == {"id": field["id"], "isPrivate": False, "title": "Lever opportunity id", "value": "opp-123"}
    assert ashby.results("application.info", {"applicationId": app["id"]})["customFields"] == [value]


def test_setting_a_field_again_replaces_its_value(ashby):
    app = make_application(ashby)
    field = field_titled(ashby, "Lever opportunity id")
    set_value(ashby, app["id"], field, "first")
    set_value(ashby, app["id"], field, "second")
    values = ashby.results("application.info", {"applicationId": app["id"]})["customFields"]
    assert [v["value"] for v in values] == ["second"]


def test_set_value_touches_the_object_for_incremental_sync(ashby):
    app, other = make_application(ashby), make_application(ashby)
    _, last, _ = ashby.walk("application.list", {}, 100)
    set_value(ashby, app["id"], field_titled(ashby, "Lever opportunity id"), "opp-1")
    changed = ashby.call("application.list", {"syncToken": last["syncToken"]}).json()["results"]
    assert [a["id"] for a in changed] == [app["id"]]
    assert other["id"] not in [a["id"] for a in changed]


def test_value_select_takes_an_option_value_and_answers_its_label(ashby):
    app = make_application(ashby)
    field = field_titled(ashby, "Lever origin")
    value = set_value(ashby, app["id"], field, "referred")["results"]
    assert set(value) == SELECT_VALUE_KEYS and value["valueLabel"] == "referred" and value["value"] == "referred"
    error = set_value(ashby, app["id"], field, "walked in")["errorInfo"]
    assert error["code"] == "invalid_input" and "walked in" in error["message"]


def test_value_select_refuses_an_archived_option(ashby):
    app = make_application(ashby)
    field = field_titled(ashby, "Lever origin")
    keep = [{"label": o["label"], "value": o["value"]} for o in field["selectableValues"] if o["value"] != "agency"]
    ashby.results("customField.updateSelectableValues", {"customFieldId": field["id"], "selectableValues": keep})
    assert set_value(ashby, app["id"], field, "agency")["errorInfo"]["code"] == "invalid_input"


def test_multi_value_select_takes_an_array_of_option_values(ashby):
    app = make_application(ashby)
    field = new_field(ashby, "MultiValueSelect", options=["backend", "frontend", "data"])
    value = set_value(ashby, app["id"], field, ["backend", "data"])["results"]
    assert value["value"] == ["backend", "data"] and value["valueLabel"] == ["Backend", "Data"]
    assert set_value(ashby, app["id"], field, "backend")["errorInfo"]["code"] == "invalid_input"
    assert set_value(ashby, app["id"], field, ["backend", "ops"])["errorInfo"]["code"] == "invalid_input"


def test_boolean_number_and_string_types(ashby):
    app = make_application(ashby)
    boolean, number = new_field(ashby, "Boolean"), new_field(ashby, "Number")
    text, long_text = field_titled(ashby, "Lever opportunity id"), new_field(ashby, "LongText")
    assert set_value(ashby, app["id"], boolean, True)["results"]["value"] is True
    assert set_value(ashby, app["id"], boolean, "true")["errorInfo"]["code"] == "invalid_input"
    assert set_value(ashby, app["id"], number, 42.5)["results"]["value"] == 42.5
    assert set_value(ashby, app["id"], number, "42")["errorInfo"]["code"] == "invalid_input"
    assert set_value(ashby, app["id"], number, True)["errorInfo"]["code"] == "invalid_input"
    assert set_value(ashby, app["id"], text, 7)["errorInfo"]["code"] == "invalid_input"
    assert set_value(ashby, app["id"], long_text, "line 1\nline 2")["results"]["value"] == "line 1\nline 2"


def test_email_and_phone_fields_take_strings(ashby):
    candidate = make_candidate(ashby)
    email, phone = new_field(ashby, "Email", "Candidate"), new_field(ashby, "Phone", "Candidate")
    assert set_value(ashby, candidate["id"], email, "a@example.com", "Candidate")["success"] is True
    assert set_value(ashby, candidate["id"], phone, "+1 555 0100", "Candidate")["success"] is True
    assert set_value(ashby, candidate["id"], phone, 15550100, "Candidate")["errorInfo"]["code"] == "invalid_input"


def test_date_takes_an_iso_date_string(ashby):
    candidate = make_candidate(ashby)
    field = field_titled(ashby, "Consent expires")
    assert set_value(ashby, candidate["id"], field, "2027-03-01", "Candidate")["results"]["value"] == (
        "2027-03-01T00:00:00.000Z"
    )
    value = set_value(ashby, candidate["id"], field, "2027-03-01T12:30:00+01:00", "Candidate")["results"]["value"]
    assert value == "2027-03-01T11:30:00.000Z"
    for bad in ("01/03/2027", "2027-02-30", 1772323200000):
        error = set_value(ashby, candidate["id"], field, bad, "Candidate")["errorInfo"]
        assert error["code"] == "invalid_input" and "fieldValue" in error["message"], bad


def test_currency_takes_value_and_an_iso_4217_code(ashby):
    app = make_application(ashby)
    field = new_field(ashby, "Currency")
    value = set_value(ashby, app["id"], field, {"value": 120000, "currencyCode": "EUR"})["results"]
    assert value["value"] == {"value": 120000, "currencyCode": "EUR"}
    assert (
        set_value(ashby, app["id"], field, {"value": 1, "currencyCode": "EURO"})["errorInfo"]["code"] == "invalid_input"
    )
    assert set_value(ashby, app["id"], field, {"value": "1", "currencyCode": "EUR"})["errorInfo"]["code"] == (
        "invalid_input"
    )
    assert set_value(ashby, app["id"], field, 120000)["errorInfo"]["code"] == "invalid_input"


def test_number_range_needs_its_type_and_ordered_bounds(ashby):
    app = make_application(ashby)
    field = new_field(ashby, "NumberRange")
    good = {"type": "number-range", "minValue": 2, "maxValue": 5}
    assert set_value(ashby, app["id"], field, good)["results"]["value"] == good
    assert set_value(ashby, app["id"], field, {**good, "type": "range"})["errorInfo"]["code"] == "invalid_input"
    assert set_value(ashby, app["id"], field, {**good, "minValue": 9})["errorInfo"]["code"] == "invalid_input"


def test_compensation_range_needs_currency_and_interval(ashby):
    app = make_application(ashby)
    field = new_field(ashby, "CompensationRange")
    good = {"type": "compensation-range", "minValue": 100000, "maxValue": 150000, "currencyCode": "USD",
            "interval": "1 YEAR"}  # fmt: skip
    assert set_value(ashby, app["id"], field, good)["results"]["value"] == good
    error = set_value(ashby, app["id"], field, {**good, "interval": "yearly"})["errorInfo"]
    assert error["code"] == "invalid_input" and "interval" in error["message"]
    assert set_value(ashby, app["id"], field, {**good, "currencyCode": "XYZ"})["errorInfo"]["code"] == "invalid_input"


def test_url_and_uuid_types(ashby):
    app = make_application(ashby)
    url, uuid = new_field(ashby, "Url"), new_field(ashby, "UUID")
    assert set_value(ashby, app["id"], url, "https://example.com/x")["results"]["value"] == "https://example.com/x"
    assert set_value(ashby, app["id"], url, "example dot com")["errorInfo"]["code"] == "invalid_input"
    assert set_value(ashby, app["id"], uuid, ZERO_ID)["results"]["value"] == ZERO_ID
    assert set_value(ashby, app["id"], uuid, "1234")["errorInfo"]["code"] == "invalid_input"


def test_null_value_is_refused(ashby):
    app = make_application(ashby)
    error = set_value(ashby, app["id"], field_titled(ashby, "Lever opportunity id"), None)["errorInfo"]
    assert error["code"] == "invalid_input" and "fieldValue" in error["message"]


def test_field_object_type_must_match(ashby):
    app = make_application(ashby)
    error = set_value(ashby, app["id"], field_titled(ashby, "Lever contact id"), "c-1")["errorInfo"]
    assert error["code"] == "invalid_input" and "Candidate" in error["message"]


def test_archived_field_is_refused(ashby):
    app = make_application(ashby)
    field = field_titled(ashby, "Lever opportunity id")
    ashby.state["custom_fields"][field["id"]]["isArchived"] = True
    assert set_value(ashby, app["id"], field, "x")["errorInfo"]["code"] == "invalid_input"


def test_private_fields_need_the_private_fields_toggle(ashby):
    app = make_application(ashby)
    field = field_titled(ashby, "Lever opportunity id")
    ashby.state["custom_fields"][field["id"]]["isPrivate"] = True
    error = set_value(ashby, app["id"], field, "secret", key=ASHBY_NO_PRIVATE_KEY)["errorInfo"]
    assert error["code"] == "missing_endpoint_permission"
    value = set_value(ashby, app["id"], field, "secret")["results"]
    assert value["isPrivate"] is True
    assert ashby.results("application.info", {"applicationId": app["id"]})["customFields"] == [value]
    hidden = ashby.results("application.info", {"applicationId": app["id"]}, key=ASHBY_NO_PRIVATE_KEY)
    assert hidden["customFields"] == []


def test_unknown_ids_and_object_types(ashby):
    app = make_application(ashby)
    field = field_titled(ashby, "Lever opportunity id")
    base = {"objectId": app["id"], "objectType": "Application", "fieldId": field["id"], "fieldValue": "x"}
    assert ashby.error("customField.setValue", {**base, "fieldId": ZERO_ID})["code"] == "custom_field_not_found"
    assert ashby.error("customField.setValue", {**base, "objectId": ZERO_ID})["code"] == "application_not_found"
    for object_type, code in (("Candidate", "candidate_not_found"), ("Job", "job_not_found"),
                              ("Opening", "opening_not_found")):  # fmt: skip
        assert (
            ashby.error("customField.setValue", {**base, "objectId": ZERO_ID, "objectType": object_type})["code"]
            == code
        )
    error = ashby.error("customField.setValue", {**base, "objectType": "Employee"})
    assert error["code"] == "invalid_input" and "objectType" in error["message"]
    error = ashby.error("customField.setValue", {k: v for k, v in base.items() if k != "fieldValue"})
    assert error["code"] == "invalid_input" and "fieldValue" in error["message"]


def test_confidential_application_is_not_found_without_the_toggle(ashby):
    app = make_application(ashby, job=make_job(ashby, confidential=True))
    field = field_titled(ashby, "Lever opportunity id")
    assert set_value(ashby, app["id"], field, "x", key=ASHBY_NO_CONFIDENTIAL_KEY)["errorInfo"]["code"] == (
        "application_not_found"
    )


def test_set_value_on_candidates_and_jobs(ashby):
    candidate, job = make_candidate(ashby), make_job(ashby)
    value = set_value(ashby, candidate["id"], field_titled(ashby, "Lever contact id"), "lc-9", "Candidate")["results"]
    assert ashby.results("candidate.info", {"id": candidate["id"]})["customFields"] == [value]
    job_field = new_field(ashby, "String", "Job")
    value = set_value(ashby, job["id"], job_field, "REQ-7", "Job")["results"]
    assert ashby.results("job.info", {"id": job["id"]})["customFields"] == [value]


def test_set_values_sets_several_fields_at_once(ashby):
    app = make_application(ashby)
    opp, origin = field_titled(ashby, "Lever opportunity id"), field_titled(ashby, "Lever origin")
    values = [{"fieldId": opp["id"], "fieldValue": "opp-5"}, {"fieldId": origin["id"], "fieldValue": "sourced"}]
    body = {"objectId": app["id"], "objectType": "Application", "values": values}
    values = ashby.results("customField.setValues", body)
    assert [v["value"] for v in values] == ["opp-5", "sourced"]
    assert set(values[0]) == VALUE_KEYS and set(values[1]) == SELECT_VALUE_KEYS
    assert ashby.results("application.info", {"applicationId": app["id"]})["customFields"] == values


def test_set_values_is_all_or_nothing(ashby):
    app = make_application(ashby)
    opp, origin = field_titled(ashby, "Lever opportunity id"), field_titled(ashby, "Lever origin")
    values = [{"fieldId": opp["id"], "fieldValue": "opp-5"}, {"fieldId": origin["id"], "fieldValue": "nope"}]
    body = {"objectId": app["id"], "objectType": "Application", "values": values}
    error = ashby.error("customField.setValues", body)
    assert error["code"] == "invalid_input" and "values[1].fieldValue" in error["message"]
    assert ashby.results("application.info", {"applicationId": app["id"]})["customFields"] == []


def test_set_values_checks_its_items(ashby):
    app = make_application(ashby)
    opp = field_titled(ashby, "Lever opportunity id")
    base = {"objectId": app["id"], "objectType": "Application"}
    twice = [{"fieldId": opp["id"], "fieldValue": "a"}, {"fieldId": opp["id"], "fieldValue": "b"}]
    error = ashby.error("customField.setValues", {**base, "values": twice})
    assert error["code"] == "invalid_input" and "values[1].fieldId" in error["message"]
    error = ashby.error("customField.setValues", {**base, "values": [{"fieldValue": "a"}]})
    assert error["code"] == "invalid_input" and "values[0].fieldId" in error["message"]
    error = ashby.error("customField.setValues", {**base, "values": []})
    assert error["code"] == "invalid_input" and "values" in error["message"]
    error = ashby.error("customField.setValues", {**base, "values": [{"fieldId": ZERO_ID, "fieldValue": "a"}]})
    assert error["code"] == "custom_field_not_found"


@pytest.mark.parametrize("method", ["customField.setValue", "customField.setValues"])
def test_read_only_key_cannot_set_values(ashby, method):
    response = ashby.call(method, {}, key=ASHBY_READ_ONLY_KEY)
    assert response.status_code == 403
    assert response.json()["errorInfo"]["code"] == "missing_endpoint_permission"


def test_private_values_are_hidden_on_every_object_from_keys_without_private_fields(ashby) -> None:
    private = ashby.results(
        "customField.create",
        {"fieldType": "String", "objectType": "Candidate", "title": "Salary notes", "isPrivate": True},
    )
    candidate = make_candidate(ashby)
    ashby.results(
        "customField.setValue",
        {"objectId": candidate["id"], "objectType": "Candidate", "fieldId": private["id"], "fieldValue": "secret"},
    )
    seen = ashby.results("candidate.info", {"id": candidate["id"]})
    assert [v["title"] for v in seen["customFields"]] == ["Salary notes"]
    hidden = ashby.results("candidate.info", {"id": candidate["id"]}, key=ASHBY_NO_PRIVATE_KEY)
    assert hidden["customFields"] == []
    listed = ashby.results("candidate.list", {}, key=ASHBY_NO_PRIVATE_KEY)
    assert all(c["customFields"] == [] for c in listed)
