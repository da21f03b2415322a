"""Ashby sandbox: interview plans and stages, reasons, sources, feedback forms and custom field
definitions, over HTTP."""

from __future__ import annotations

import pytest

from migration_pipeline.sandbox.ashby.state import iso, new_id
from migration_pipeline_tests.conftest import ASHBY_NO_PRIVATE_KEY, ASHBY_READ_ONLY_KEY
from migration_pipeline_tests.conftest import walk_to_sync_token as walk

# Keys per §8.1 (source.list items) and §8.2.
PLAN_KEYS = {"id", "title", "isArchived", "createdAt", "updatedAt"}
STAGE_KEYS = {"id", "title", "type", "orderInInterviewPlan", "interviewStageGroupId", "interviewPlanId"}
GROUP_KEYS = {"id", "title", "order", "stageType"}
ARCHIVE_REASON_KEYS = {"id", "text", "reasonType", "isArchived"}
CLOSE_REASON_KEYS = {"id", "reasonText", "isArchived"}
SOURCE_KEYS = {"id", "title", "isArchived", "sourceType"}
FORM_KEYS = {"id", "organizationId", "title", "isArchived", "isDefaultForm", "formDefinition"}
FIELD_KEYS = {"id", "isPrivate", "title", "objectType", "isArchived", "fieldType", "isRequired"}
ZERO_ID = "00000000-0000-0000-0000-000000000000"


def the_plan(ashby) -> dict:
    return next(iter(ashby.state["interview_plans"].values()))


def add_archived_plan(ashby) -> dict:
    now = iso()
    plan = {"id": new_id(), "title": "Old plan", "isArchived": True, "createdAt": now, "updatedAt": now}
    return ashby.state.add("interview_plans", plan)


def field_titled(ashby, title: str) -> dict:
    return next(f for f in ashby.state["custom_fields"].values() if f["title"] == title)


def add_private_field(ashby) -> dict:
    field = {"id": new_id(), "isPrivate": True, "title": "Salary expectation", "objectType": "Candidate",
             "isArchived": False, "fieldType": "Number", "isRequired": False}  # fmt: skip
    return ashby.state.add("custom_fields", field)


# ---- permissions ----------------------------------------------------------------------------------

INTERVIEWS_READ = [
    ("interviewPlan.list", {}),
    ("interviewStage.list", {"interviewPlanId": ZERO_ID}),
    ("interviewStage.info", {"interviewStageId": ZERO_ID}),
    ("interviewStageGroup.list", {}),
]
METADATA_READ = [
    ("archiveReason.list", {}),
    ("closeReason.list", {}),
    ("source.list", {}),
    ("feedbackFormDefinition.list", {}),
    ("feedbackFormDefinition.info", {"feedbackFormDefinitionId": ZERO_ID}),
    ("customField.list", {}),
    ("customField.info", {"customFieldId": ZERO_ID}),
]
METADATA_WRITE = [
    ("customField.create", {"fieldType": "String", "objectType": "Candidate", "title": "X"}),
    ("customField.updateSelectableValues", {"customFieldId": ZERO_ID, "selectableValues": []}),
]


@pytest.mark.parametrize(
    ("method", "body", "scope"),
    [(m, b, "interviewsRead") for m, b in INTERVIEWS_READ]
    + [(m, b, "hiringProcessMetadataRead") for m, b in METADATA_READ]
    + [(m, b, "hiringProcessMetadataWrite") for m, b in METADATA_WRITE],
)
def test_endpoints_need_their_scope(ashby, method, body, scope):
    response = ashby.call(method, body, key=ashby.key_without(scope))
    assert response.status_code == 403
    assert response.json()["errorInfo"]["code"] == "missing_endpoint_permission"


@pytest.mark.parametrize(("method", "body"), METADATA_WRITE)
def test_read_only_key_cannot_write_metadata(ashby, method, body):
    response = ashby.call(method, body, key=ASHBY_READ_ONLY_KEY)
    assert response.status_code == 403
    assert response.json()["errorInfo"]["code"] == "missing_endpoint_permission"


# ---- interview plans ------------------------------------------------------------------------------


def test_interview_plan_list_envelope_and_shape(ashby):
    page = ashby.call("interviewPlan.list", {}).json()
    assert set(page) == {"success", "results", "moreDataAvailable", "syncToken"}
    assert [p["id"] for p in page["results"]] == [the_plan(ashby)["id"]]
    assert set(page["results"][0]) == PLAN_KEYS


def test_interview_plan_list_leaves_out_archived_unless_asked(ashby):
    archived = add_archived_plan(ashby)
    assert archived["id"] not in {p["id"] for p in ashby.results("interviewPlan.list", {})}
    assert archived["id"] in {p["id"] for p in ashby.results("interviewPlan.list", {"includeArchived": True})}


def test_interview_plan_list_pages_and_syncs(ashby):
    archived = add_archived_plan(ashby)
    plans, token, pages = walk(ashby, "interviewPlan.list", {"includeArchived": True}, limit=1)
    assert pages == 2
    assert [p["id"] for p in plans] == [the_plan(ashby)["id"], archived["id"]]
    plan = the_plan(ashby)
    plan["title"] = "Renamed plan"
    ashby.state.touch(plan)
    changed = ashby.results("interviewPlan.list", {"syncToken": token, "includeArchived": True})
    assert [(p["id"], p["title"]) for p in changed] == [(plan["id"], "Renamed plan")]


# ---- interview stages and groups ------------------------------------------------------------------


def test_interview_stage_list_gives_the_plan_in_order(ashby):
    plan = the_plan(ashby)
    page = ashby.call("interviewStage.list", {"interviewPlanId": plan["id"]}).json()
    assert set(page) == {"success", "results", "moreDataAvailable"}
    assert page["moreDataAvailable"] is False
    stages = page["results"]
    assert len(stages) == len(ashby.state["interview_stages"])
    assert all(set(s) == STAGE_KEYS for s in stages)
    orders = [s["orderInInterviewPlan"] for s in stages]
    assert orders == sorted(orders)
    assert {s["type"] for s in stages} == {"Lead", "PreInterviewScreen", "Active", "Offer", "Hired", "Archived"}


def test_interview_stage_list_only_the_plans_stages(ashby):
    other = add_archived_plan(ashby)
    stage = {"id": new_id(), "title": "Screen", "type": "Active", "orderInInterviewPlan": 1,
             "interviewStageGroupId": None, "interviewPlanId": other["id"]}  # fmt: skip
    ashby.state.add("interview_stages", stage)
    assert [s["id"] for s in ashby.results("interviewStage.list", {"interviewPlanId": other["id"]})] == [stage["id"]]
    assert stage["id"] not in {
        s["id"] for s in ashby.results("interviewStage.list", {"interviewPlanId": the_plan(ashby)["id"]})
    }


def test_interview_stage_list_requires_the_plan_id(ashby):
    error = ashby.error("interviewStage.list", {})
    assert error["code"] == "invalid_input"
    assert "interviewPlanId" in error["message"]


def test_interview_stage_list_unknown_plan(ashby):
    assert ashby.error("interviewStage.list", {"interviewPlanId": new_id()})["code"] == "interview_plan_not_found"


def test_interview_stage_info_shape(ashby):
    stage = next(iter(ashby.state["interview_stages"].values()))
    result = ashby.results("interviewStage.info", {"interviewStageId": stage["id"]})
    assert set(result) == STAGE_KEYS
    assert result["interviewPlanId"] == the_plan(ashby)["id"]


def test_interview_stage_info_unknown(ashby):
    assert ashby.error("interviewStage.info", {"interviewStageId": new_id()})["code"] == "interview_stage_not_found"


def test_interview_stage_info_rejects_a_non_uuid(ashby):
    error = ashby.error("interviewStage.info", {"interviewStageId": "lead-new"})
    assert error["code"] == "invalid_input"
    assert "interviewStageId" in error["message"]


def test_interview_stage_group_list_is_one_ordered_page(ashby):
    response = ashby.call("interviewStageGroup.list", {}).json()
    assert set(response) == {"success", "results"}
    groups = response["results"]
    assert len(groups) == len(ashby.state["interview_stage_groups"])
    assert all(set(g) == GROUP_KEYS for g in groups)
    assert [g["order"] for g in groups] == sorted(g["order"] for g in groups)


# ---- reasons, sources -----------------------------------------------------------------------------


def test_archive_reason_list_shape_and_archived_filter(ashby):
    response = ashby.call("archiveReason.list", {}).json()
    assert set(response) == {"success", "results"}
    archived = {r["id"] for r in ashby.state["archive_reasons"].values() if r["isArchived"]}
    assert archived
    assert all(set(r) == ARCHIVE_REASON_KEYS for r in response["results"])
    assert not {r["id"] for r in response["results"]} & archived
    everything = ashby.results("archiveReason.list", {"includeArchived": True})
    assert {r["id"] for r in everything} == set(ashby.state["archive_reasons"])


def test_close_reason_list_shape(ashby):
    response = ashby.call("closeReason.list", {}).json()
    assert set(response) == {"success", "results", "moreDataAvailable"}
    assert response["moreDataAvailable"] is False
    assert len(response["results"]) == len(ashby.state["close_reasons"])
    assert all(set(r) == CLOSE_REASON_KEYS and isinstance(r["reasonText"], str) for r in response["results"])


def test_close_reason_list_archived_filter(ashby):
    reason = next(iter(ashby.state["close_reasons"].values()))
    reason["isArchived"] = True
    ashby.state.touch(reason)
    assert reason["id"] not in {r["id"] for r in ashby.results("closeReason.list", {})}
    assert reason["id"] in {r["id"] for r in ashby.results("closeReason.list", {"includeArchived": True})}


def test_source_list_envelope_as_recorded(ashby):
    response = ashby.call("source.list", {"includeArchived": True}).json()
    assert set(response) == {"success", "results", "moreDataAvailable"}
    assert response["moreDataAvailable"] is False
    assert len(response["results"]) == len(ashby.state["sources"])
    for source in response["results"]:
        assert set(source) == SOURCE_KEYS
        assert set(source["sourceType"]) == {"id", "title", "isArchived"}


def test_source_list_archived_filter(ashby):
    source = next(iter(ashby.state["sources"].values()))
    source["isArchived"] = True
    ashby.state.touch(source)
    assert source["id"] not in {s["id"] for s in ashby.results("source.list", {})}
    assert source["id"] in {s["id"] for s in ashby.results("source.list", {"includeArchived": True})}


# ---- feedback forms -------------------------------------------------------------------------------


def test_feedback_form_list_pages_and_shape(ashby):
    forms, _, pages = walk(ashby, "feedbackFormDefinition.list", {}, limit=1)
    assert pages == 2
    assert [f["id"] for f in forms] == list(ashby.state["feedback_forms"])
    assert all(set(f) >= FORM_KEYS for f in forms)
    assert "Migrated Lever feedback" in {f["title"] for f in forms}


def test_feedback_form_list_incremental_sync_and_archived_filter(ashby):
    _, token, _ = walk(ashby, "feedbackFormDefinition.list", {}, limit=100)
    form = next(iter(ashby.state["feedback_forms"].values()))
    form["isArchived"] = True
    ashby.state.touch(form)
    assert ashby.results("feedbackFormDefinition.list", {"syncToken": token}) == []
    changed = ashby.results("feedbackFormDefinition.list", {"syncToken": token, "includeArchived": True})
    assert [f["id"] for f in changed] == [form["id"]]


def test_feedback_form_info_shape(ashby):
    form = next(iter(ashby.state["feedback_forms"].values()))
    result = ashby.results("feedbackFormDefinition.info", {"feedbackFormDefinitionId": form["id"]})
    assert set(result) >= FORM_KEYS
    field = result["formDefinition"]["sections"][0]["fields"][0]
    assert {"isRequired", "field"} <= set(field)
    assert {"id", "type", "path", "title"} <= set(field["field"])


def test_feedback_form_info_unknown(ashby):
    error = ashby.error("feedbackFormDefinition.info", {"feedbackFormDefinitionId": new_id()})
    assert error["code"] == "feedback_form_definition_not_found"


# ---- custom fields: reads -------------------------------------------------------------------------


def test_custom_field_list_envelope_and_shape(ashby):
    page = ashby.call("customField.list", {}).json()
    assert set(page) == {"success", "results", "moreDataAvailable", "syncToken"}
    assert len(page["results"]) == len(ashby.state["custom_fields"])
    for field in page["results"]:
        select = field["fieldType"] in ("ValueSelect", "MultiValueSelect")
        assert set(field) == FIELD_KEYS | ({"selectableValues"} if select else set())


def test_custom_field_list_pages_and_syncs(ashby):
    fields, token, pages = walk(ashby, "customField.list", {}, limit=3)
    assert pages == 2
    assert [f["id"] for f in fields] == list(ashby.state["custom_fields"])
    created = ashby.results("customField.create", {"fieldType": "String", "objectType": "Job", "title": "Lever id"})
    assert [f["id"] for f in ashby.results("customField.list", {"syncToken": token})] == [created["id"]]


def test_custom_field_list_archived_filter(ashby):
    field = field_titled(ashby, "Consent expires")
    field["isArchived"] = True
    ashby.state.touch(field)
    assert field["id"] not in {f["id"] for f in ashby.results("customField.list", {})}
    assert field["id"] in {f["id"] for f in ashby.results("customField.list", {"includeArchived": True})}


def test_private_custom_fields_are_hidden_without_the_toggle(ashby):
    private = add_private_field(ashby)
    assert private["id"] in {f["id"] for f in ashby.results("customField.list", {})}
    hidden = ashby.results("customField.list", {}, key=ASHBY_NO_PRIVATE_KEY)
    assert private["id"] not in {f["id"] for f in hidden}
    error = ashby.error("customField.info", {"customFieldId": private["id"]}, key=ASHBY_NO_PRIVATE_KEY)
    assert error["code"] == "custom_field_not_found"


def test_custom_field_info_shape(ashby):
    field = field_titled(ashby, "Lever origin")
    result = ashby.results("customField.info", {"customFieldId": field["id"]})
    assert set(result) == FIELD_KEYS | {"selectableValues"}
    assert all(set(v) == {"label", "value", "isArchived"} for v in result["selectableValues"])


def test_custom_field_info_omits_selectable_values_of_plain_fields(ashby):
    field = field_titled(ashby, "Lever contact id")
    assert set(ashby.results("customField.info", {"customFieldId": field["id"]})) == FIELD_KEYS


def test_custom_field_info_unknown(ashby):
    assert ashby.error("customField.info", {"customFieldId": new_id()})["code"] == "custom_field_not_found"


# ---- custom fields: create ------------------------------------------------------------------------


def test_custom_field_create_shape(ashby):
    body = {"fieldType": "MultiValueSelect", "objectType": "Candidate", "title": "Skills",
            "description": "From Lever tags", "selectableValues": [{"label": "Go", "value": "go"}]}  # fmt: skip
    created = ashby.results("customField.create", body)
    assert set(created) == FIELD_KEYS | {"selectableValues"}
    assert created["fieldType"] == "MultiValueSelect"
    assert created["objectType"] == "Candidate"
    assert created["isPrivate"] is False and created["isArchived"] is False and created["isRequired"] is False
    assert created["selectableValues"] == [{"label": "Go", "value": "go", "isArchived": False}]
    assert ashby.results("customField.info", {"customFieldId": created["id"]}) == created


def test_custom_field_create_plain_field_has_no_selectable_values(ashby):
    created = ashby.results("customField.create", {"fieldType": "Date", "objectType": "Application", "title": "D"})
    assert set(created) == FIELD_KEYS


def test_custom_field_create_version_object_types_report_their_object(ashby):
    body = {"fieldType": "String", "objectType": "Opening_Version", "title": "Req code"}
    assert ashby.results("customField.create", body)["objectType"] == "Opening"


@pytest.mark.parametrize("field_type", ["string", "VALUESELECT", "Email", None])
def test_custom_field_create_field_type_is_a_case_sensitive_enum(ashby, field_type):
    body = {"fieldType": field_type, "objectType": "Candidate", "title": "X"}
    error = ashby.error("customField.create", body)
    assert error["code"] == "invalid_input"
    assert "fieldType" in error["message"]


@pytest.mark.parametrize("object_type", ["candidate", "Opening", "Offer", None])
def test_custom_field_create_object_type_enum(ashby, object_type):
    error = ashby.error("customField.create", {"fieldType": "String", "objectType": object_type, "title": "X"})
    assert error["code"] == "invalid_input"
    assert "objectType" in error["message"]


def test_custom_field_create_requires_title(ashby):
    error = ashby.error("customField.create", {"fieldType": "String", "objectType": "Candidate"})
    assert error["code"] == "invalid_input"
    assert "title" in error["message"]


@pytest.mark.parametrize("field_type", ["ValueSelect", "MultiValueSelect"])
def test_custom_field_create_select_fields_need_selectable_values(ashby, field_type):
    error = ashby.error("customField.create", {"fieldType": field_type, "objectType": "Candidate", "title": "X"})
    assert error["code"] == "invalid_input"
    assert "selectableValues" in error["message"]


@pytest.mark.parametrize(
    "values",
    [[{"label": "A"}], [{"value": "a"}], ["a"], [{"label": "A", "value": "a"}, {"label": "B", "value": "a"}]],
)
def test_custom_field_create_rejects_malformed_selectable_values(ashby, values):
    body = {"fieldType": "ValueSelect", "objectType": "Candidate", "title": "X", "selectableValues": values}
    error = ashby.error("customField.create", body)
    assert error["code"] == "invalid_input"
    assert "selectableValues" in error["message"]


def test_custom_field_create_private_needs_the_private_fields_toggle(ashby):
    body = {"fieldType": "String", "objectType": "Candidate", "title": "Secret", "isPrivate": True}
    assert ashby.error("customField.create", body, key=ASHBY_NO_PRIVATE_KEY)["code"] == "missing_endpoint_permission"
    assert not any(f["title"] == "Secret" for f in ashby.state["custom_fields"].values())
    assert ashby.results("customField.create", body)["isPrivate"] is True


# ---- custom fields: updateSelectableValues --------------------------------------------------------


def test_update_selectable_values_merges(ashby):
    field = field_titled(ashby, "Lever origin")
    before = [v["value"] for v in field["selectableValues"]]
    body = {
        "customFieldId": field["id"],
        "selectableValues": [
            {"label": "Agency (recruiter)", "value": "agency"},  # relabelled
            {"label": "Applied", "value": "applied", "isArchived": True},  # archived on request
            {"label": "Event", "value": "event"},  # new
        ],
    }
    result = ashby.results("customField.updateSelectableValues", body)
    values = {v["value"]: v for v in result["selectableValues"]}
    assert [v["value"] for v in result["selectableValues"]] == [*before, "event"]
    assert values["agency"] == {"label": "Agency (recruiter)", "value": "agency", "isArchived": False}
    assert values["applied"]["isArchived"] is True
    assert values["event"] == {"label": "Event", "value": "event", "isArchived": False}
    omitted = [v for v in before if v not in ("agency", "applied")]
    assert all(values[v]["isArchived"] is True and values[v]["label"] == v for v in omitted)


def test_update_selectable_values_unarchives_a_value_sent_again(ashby):
    field = field_titled(ashby, "Lever origin")
    ashby.results("customField.updateSelectableValues", {"customFieldId": field["id"], "selectableValues": []})
    body = {"customFieldId": field["id"], "selectableValues": [{"label": "agency", "value": "agency"}]}
    values = {v["value"]: v for v in ashby.results("customField.updateSelectableValues", body)["selectableValues"]}
    assert values["agency"]["isArchived"] is False
    assert values["sourced"]["isArchived"] is True


def test_update_selectable_values_shows_in_incremental_sync(ashby):
    _, token, _ = walk(ashby, "customField.list", {}, limit=100)
    field = field_titled(ashby, "Lever origin")
    body = {"customFieldId": field["id"], "selectableValues": [{"label": "x", "value": "x"}]}
    ashby.results("customField.updateSelectableValues", body)
    assert [f["id"] for f in ashby.results("customField.list", {"syncToken": token})] == [field["id"]]


def test_update_selectable_values_only_for_select_fields(ashby):
    field = field_titled(ashby, "Lever contact id")
    body = {"customFieldId": field["id"], "selectableValues": [{"label": "x", "value": "x"}]}
    error = ashby.error("customField.updateSelectableValues", body)
    assert error["code"] == "invalid_input"
    assert "customFieldId" in error["message"]


def test_update_selectable_values_requires_the_values(ashby):
    field = field_titled(ashby, "Lever origin")
    error = ashby.error("customField.updateSelectableValues", {"customFieldId": field["id"]})
    assert error["code"] == "invalid_input"
    assert "selectableValues" in error["message"]


def test_update_selectable_values_unknown_field(ashby):
    body = {"customFieldId": new_id(), "selectableValues": [{"label": "x", "value": "x"}]}
    assert ashby.error("customField.updateSelectableValues", body)["code"] == "custom_field_not_found"
