"""Ashby endpoints: application feedback (`applicationFeedback.submit`, `applicationFeedback.list`).

A submission is checked against its feedback form definition (every path must be a field of the form,
every required field must be answered, each value must fit its field type) and stored in
`state["feedback"]` in the `applicationFeedback.list` item shape. Feedback cannot be back-dated:
`submittedAt` is the time of the call.
"""

from __future__ import annotations

import copy
from typing import Any

from migration_pipeline.sandbox.ashby.endpoints.applications import (
    application_visible,
    created_ms,
    epoch_ms_value,
    get_application,
    get_user,
    user_shape,
)
from migration_pipeline.sandbox.ashby.endpoints.candidates import acting_user
from migration_pipeline.sandbox.ashby.endpoints.custom_field_values import (
    check_compensation_range,
    check_currency,
    check_date_only,
    check_email,
    check_multi_select,
    check_number_range,
    check_select,
    check_string,
    check_url,
    check_uuid,
    is_number,
)
from migration_pipeline.sandbox.ashby.rpc import (
    Ctx,
    endpoint,
    invalid_input,
    not_found,
    paginate,
    uuid_value,
)
from migration_pipeline.sandbox.ashby.state import Json, iso, new_id

SCORES = (1, 2, 3, 4)


def form_fields(form: Json) -> dict[str, Json]:
    """The form's fields by path: `{path: {"isRequired": ..., "field": {...}}}`."""
    fields: dict[str, Json] = {}
    for section in (form.get("formDefinition") or {}).get("sections") or []:
        for entry in section.get("fields") or []:
            fields[entry["field"]["path"]] = entry
    return fields


def check_feedback_value(field: Json, value: Any, where: str) -> Any:
    """`value` for a feedback form field, as stored in `submittedValues`."""
    kind = field.get("type")
    if kind == "Boolean":
        if not isinstance(value, bool):
            raise invalid_input(f"Invalid value for {where}: expected a boolean")
        return value
    if kind == "CompensationRange":
        return check_compensation_range(value, where)
    if kind == "Currency":
        return check_currency(value, where)
    if kind == "NumberRange":
        return check_number_range(value, where)
    if kind == "Date":
        return check_date_only(value, where)
    if kind == "Email":
        return check_email(value, where)
    if kind in ("LongText", "Phone", "String"):
        return check_string(value, where)
    if kind == "ValueSelect":
        return check_select(value, field, where)[0]
    if kind == "MultiValueSelect":
        return check_multi_select(value, field, where)[0]
    if kind == "Number":
        if not is_number(value) or value != int(value):
            raise invalid_input(f"Invalid value for {where}: expected an integer")
        return int(value)
    if kind == "RichText":
        if not isinstance(value, dict) or value.get("type") != "PlainText" or not isinstance(value.get("value"), str):
            raise invalid_input(
                f"Invalid value for {where}: rich text is submitted as {{type: 'PlainText', value: <string>}}"
            )
        return {"type": "PlainText", "value": value["value"]}
    if kind == "Score":
        score = value.get("score") if isinstance(value, dict) else None
        if isinstance(score, bool) or score not in SCORES:
            raise invalid_input(f"Invalid value for {where}: a score is submitted as {{score: 1..4}}")
        return {"score": int(score)}
    if kind == "Url":
        return check_url(value, where, allow_empty=True)
    if kind == "UUID":
        if isinstance(value, dict):
            return {"value": check_uuid(value.get("value"), f"{where}.value")}
        return check_uuid(value, where)
    raise invalid_input(f"Invalid value for {where}: fields of type {kind!r} cannot be submitted through the API")


def check_submissions(form: Json, feedback_form: Any) -> Json:
    """`submittedValues` (by path) for `feedbackForm`, checked against `form`."""
    if not isinstance(feedback_form, dict):
        raise invalid_input("Invalid value for feedbackForm: expected an object {fieldSubmissions}")
    submissions = feedback_form.get("fieldSubmissions")
    if not isinstance(submissions, list):
        raise invalid_input("Invalid value for feedbackForm.fieldSubmissions: expected an array of {path, value}")
    fields = form_fields(form)
    values: Json = {}
    for index, submission in enumerate(submissions):
        where = f"feedbackForm.fieldSubmissions[{index}]"
        if not isinstance(submission, dict) or not isinstance(submission.get("path"), str):
            raise invalid_input(f"Invalid value for {where}: expected an object {{path, value}}")
        path = submission["path"]
        entry = fields.get(path)
        if entry is None:
            raise invalid_input(
                f"Invalid value for {where}.path: {path!r} is not a field of form {form['title']!r} "
                f"(fields: {', '.join(fields)})"
            )
        if path in values:
            raise invalid_input(f"Invalid value for {where}.path: {path!r} is submitted twice")
        value = submission.get("value")
        if value is None:
            if entry.get("isRequired") or not entry["field"].get("isNullable", True):
                raise invalid_input(f"Missing required field: {path} ({entry['field'].get('title')}) needs a value")
            values[path] = None
            continue
        values[path] = check_feedback_value(entry["field"], value, f"{where}.value ({path})")
    missing = [path for path, entry in fields.items() if entry.get("isRequired") and path not in values]
    if missing:
        raise invalid_input(f"Missing required field: feedbackForm.fieldSubmissions lacks {', '.join(missing)}")
    return values


@endpoint("applicationFeedback.submit", scope="candidatesWrite")
def application_feedback_submit(ctx: Ctx, body: Json):
    form_id = uuid_value(body, "formDefinitionId")
    app = get_application(ctx, uuid_value(body, "applicationId"))
    if "feedbackForm" not in body:
        raise invalid_input("Missing required field: feedbackForm")
    form = ctx.state.get("feedback_forms", form_id)
    if form is None:
        raise not_found("feedback_form_definition", form_id)
    user_id = uuid_value(body, "userId", required=False)
    event_id = uuid_value(body, "interviewEventId", required=False)
    if event_id is not None:
        if user_id is None:
            raise invalid_input("Missing required field: userId (required with interviewEventId)")
        get_user(ctx, user_id)
        event = ctx.state.collections.get("interview_events", {}).get(event_id)
        if event is None:
            raise not_found("interview_event", event_id)
        if event.get("_applicationId") != app["id"]:
            raise invalid_input(f"Invalid value for interviewEventId: {event_id} is not an event of this application")
        if user_id not in event.get("interviewerUserIds", []):
            raise invalid_input(f"Invalid value for userId: {user_id} must be an interviewer on the interview event")
    user = get_user(ctx, user_id) if user_id is not None else acting_user(ctx)
    values = check_submissions(form, body["feedbackForm"])

    history = app.get("_historyIds") or []
    feedback = {
        "id": new_id(),
        "formDefinition": copy.deepcopy(form["formDefinition"]),
        "submittedValues": values,
        "submittedByUser": user_shape(user),
        "interviewId": form.get("interviewId"),
        "interviewEventId": event_id,
        "feedbackFormDefinitionId": form["id"],
        "applicationHistoryId": history[-1] if history else None,
        "applicationId": app["id"],
        "submittedAt": iso(),
    }
    ctx.state.add("feedback", feedback)
    return {
        "submittedFormInstance": {
            "id": feedback["id"],
            "formDefinition": copy.deepcopy(feedback["formDefinition"]),
            "submittedValues": copy.deepcopy(values),
        }
    }


@endpoint("applicationFeedback.list", scope="candidatesRead")
def application_feedback_list(ctx: Ctx, body: Json):
    app_id = uuid_value(body, "applicationId", required=False)
    if app_id is not None:
        get_application(ctx, app_id)
    created_after = epoch_ms_value(body, "createdAfter")
    items = []
    for feedback in ctx.state["feedback"].values():
        if app_id is not None and feedback["applicationId"] != app_id:
            continue
        if not application_visible(ctx, ctx.state.get("applications", feedback["applicationId"])):
            continue
        if created_after is not None and created_ms(feedback, "submittedAt") <= created_after:
            continue
        items.append(feedback)
    return paginate(ctx, body, "applicationFeedback.list", items, syncable=True)
