"""Ashby endpoints: hiring-process metadata (interview plans, stages and stage groups, archive and
close reasons, sources, feedback forms) and custom field definitions.

Everything but custom fields is read-only through the API: it is seeded from the org setup.
Private custom fields exist only for keys with the private-fields toggle.
"""

from __future__ import annotations

from migration_pipeline.sandbox.ashby.endpoints.organization import flag, text
from migration_pipeline.sandbox.ashby.rpc import (
    Ctx,
    Listing,
    endpoint,
    existing,
    field_value,
    invalid_input,
    not_found,
    paginate,
    require_toggle,
    uuid_value,
)
from migration_pipeline.sandbox.ashby.state import AshbyState, Json, new_id

FIELD_TYPES = ("Boolean", "CompensationRange", "Currency", "Date", "LongText", "MultiValueSelect", "Number",
               "NumberRange", "String", "ValueSelect", "Url", "UUID")  # fmt: skip
SELECT_FIELD_TYPES = ("ValueSelect", "MultiValueSelect")
# customField.create's objectType enum, and the objectType the definition then reports.
CREATE_OBJECT_TYPES = {
    "Application": "Application",
    "Candidate": "Candidate",
    "Job": "Job",
    "Employee": "Employee",
    "Talent_Project": "Talent_Project",
    "Opening_Version": "Opening",
    "Offer_Version": "Offer",
}


def by_seq(items) -> list[Json]:
    return sorted(items, key=lambda item: item["_seq"])


def unarchived(items, include_archived: bool) -> list[Json]:
    return [item for item in items if include_archived or not item.get("isArchived")]


# ---- interview plans, stages, stage groups --------------------------------------------------------


@endpoint("interviewPlan.list", scope="interviewsRead")
def interview_plan_list(ctx: Ctx, body: Json):
    plans = unarchived(ctx.state["interview_plans"].values(), flag(body, "includeArchived"))
    return paginate(ctx, body, "interviewPlan.list", plans, syncable=True)


def plan_stages(state: AshbyState, plan_id: str) -> list[Json]:
    """The stages of a plan, in plan order."""
    stages = [s for s in state["interview_stages"].values() if s.get("interviewPlanId") == plan_id]
    return sorted(stages, key=lambda s: (s.get("orderInInterviewPlan", 0), s["_seq"]))


@endpoint("interviewStage.list", scope="interviewsRead")
def interview_stage_list(ctx: Ctx, body: Json):
    plan_id = uuid_value(body, "interviewPlanId")
    if ctx.state.get("interview_plans", plan_id) is None:
        raise not_found("interview_plan", plan_id)
    # Not paged: the whole plan, `moreDataAvailable: false`, no cursor or sync token.
    return Listing(plan_stages(ctx.state, plan_id), False)


@endpoint("interviewStage.info", scope="interviewsRead")
def interview_stage_info(ctx: Ctx, body: Json):
    return existing(ctx, body, "interviewStageId", "interview_stages", "interview_stage")


@endpoint("interviewStageGroup.list", scope="interviewsRead")
def interview_stage_group_list(ctx: Ctx, body: Json):
    groups = ctx.state["interview_stage_groups"].values()
    return sorted(groups, key=lambda g: (g.get("order", 0), g["_seq"]))


# ---- reasons, sources -----------------------------------------------------------------------------


@endpoint("archiveReason.list", scope="hiringProcessMetadataRead")
def archive_reason_list(ctx: Ctx, body: Json):
    return by_seq(unarchived(ctx.state["archive_reasons"].values(), flag(body, "includeArchived")))


@endpoint("closeReason.list", scope="hiringProcessMetadataRead")
def close_reason_list(ctx: Ctx, body: Json):
    # The response schema carries the paging fields, the request takes no cursor: one full page.
    reasons = by_seq(unarchived(ctx.state["close_reasons"].values(), flag(body, "includeArchived")))
    return Listing([served_close_reason(r) for r in reasons], False)


def served_close_reason(reason: Json) -> Json:
    """`{id, reasonText, isArchived}` as the schema has it (a setup may spell the text `text`)."""
    return {
        "id": reason["id"],
        "reasonText": reason.get("reasonText", reason.get("text")),
        "isArchived": bool(reason.get("isArchived")),
    }


@endpoint("source.list", scope="hiringProcessMetadataRead")
def source_list(ctx: Ctx, body: Json):
    # As recorded: `moreDataAvailable: false` and no syncToken.
    return Listing(by_seq(unarchived(ctx.state["sources"].values(), flag(body, "includeArchived"))), False)


# ---- feedback forms -------------------------------------------------------------------------------


@endpoint("feedbackFormDefinition.list", scope="hiringProcessMetadataRead")
def feedback_form_list(ctx: Ctx, body: Json):
    forms = unarchived(ctx.state["feedback_forms"].values(), flag(body, "includeArchived"))
    return paginate(ctx, body, "feedbackFormDefinition.list", forms, syncable=True)


@endpoint("feedbackFormDefinition.info", scope="hiringProcessMetadataRead")
def feedback_form_info(ctx: Ctx, body: Json):
    return existing(ctx, body, "feedbackFormDefinitionId", "feedback_forms", "feedback_form_definition")


# ---- custom field definitions ---------------------------------------------------------------------


def visible_field(ctx: Ctx, field: Json) -> bool:
    return ctx.key.private_fields or not field.get("isPrivate")


def served_field(field: Json) -> Json:
    """The definition as served: the schema says that for fields that are not selects, `selectableValues`
    "will not be present in the response" (a setup may store an empty list)."""
    if field.get("fieldType") in SELECT_FIELD_TYPES:
        return field
    return {k: v for k, v in field.items() if k != "selectableValues"}


def get_custom_field(ctx: Ctx, field_id: str) -> Json:
    field = ctx.state.get("custom_fields", field_id)
    if field is None or not visible_field(ctx, field):
        raise not_found("custom_field", field_id)
    return field


@endpoint("customField.list", scope="hiringProcessMetadataRead")
def custom_field_list(ctx: Ctx, body: Json):
    fields = [
        served_field(f)
        for f in unarchived(ctx.state["custom_fields"].values(), flag(body, "includeArchived"))
        if visible_field(ctx, f)
    ]
    return paginate(ctx, body, "customField.list", fields, syncable=True)


@endpoint("customField.info", scope="hiringProcessMetadataRead")
def custom_field_info(ctx: Ctx, body: Json):
    return served_field(get_custom_field(ctx, uuid_value(body, "customFieldId")))


def _selectable_values(body: Json, *, with_archived: bool) -> list[Json]:
    values = field_value(body, "selectableValues", list, required=True)
    seen: set[str] = set()
    result: list[Json] = []
    for i, item in enumerate(values):
        where = f"selectableValues[{i}]"
        if not isinstance(item, dict):
            raise invalid_input(f"Invalid value for {where}: expected object with label and value")
        label, value = item.get("label"), item.get("value")
        if not isinstance(label, str) or not label.strip():
            raise invalid_input(f"Invalid value for {where}.label: expected a non-empty string")
        if not isinstance(value, str) or not value.strip():
            raise invalid_input(f"Invalid value for {where}.value: expected a non-empty string")
        if value in seen:
            raise invalid_input(f"Invalid value for {where}.value: duplicate value {value!r}")
        seen.add(value)
        archived = item.get("isArchived", False) if with_archived else False
        if archived is None:
            archived = False
        if not isinstance(archived, bool):
            raise invalid_input(f"Invalid value for {where}.isArchived: expected boolean")
        result.append({"label": label, "value": value, "isArchived": archived})
    return result


@endpoint("customField.create", scope="hiringProcessMetadataWrite")
def custom_field_create(ctx: Ctx, body: Json):
    field_type = field_value(body, "fieldType", str, required=True)
    if field_type not in FIELD_TYPES:
        raise invalid_input(f"Invalid value for fieldType: {field_type!r} is not one of {', '.join(FIELD_TYPES)}")
    object_type = field_value(body, "objectType", str, required=True)
    if object_type not in CREATE_OBJECT_TYPES:
        raise invalid_input(
            f"Invalid value for objectType: {object_type!r} is not one of {', '.join(CREATE_OBJECT_TYPES)}"
        )
    title = text(body, "title", required=True)
    description = text(body, "description")
    is_private = flag(body, "isPrivate")
    if is_private:
        require_toggle(ctx, "private-fields", "to create private custom fields")
    is_date_only = flag(body, "isDateOnlyField")
    exposable = flag(body, "isExposableToCandidate")
    field: Json = {
        "id": new_id(),
        "isPrivate": is_private,
        "title": title,
        "objectType": CREATE_OBJECT_TYPES[object_type],
        "isArchived": False,
        "fieldType": field_type,
        "isRequired": False,
    }
    if field_type in SELECT_FIELD_TYPES:
        if body.get("selectableValues") is None:
            raise invalid_input(f"Missing required field: selectableValues (required for {field_type} fields)")
        field["selectableValues"] = _selectable_values(body, with_archived=False)
        if not field["selectableValues"]:
            raise invalid_input(f"Invalid value for selectableValues: a {field_type} field needs at least one value")
    field["_description"] = description
    field["_isDateOnlyField"] = is_date_only
    field["_isExposableToCandidate"] = exposable
    return served_field(ctx.state.add("custom_fields", field))


@endpoint("customField.updateSelectableValues", scope="hiringProcessMetadataWrite")
def custom_field_update_selectable_values(ctx: Ctx, body: Json):
    field = get_custom_field(ctx, uuid_value(body, "customFieldId"))
    if field.get("fieldType") not in SELECT_FIELD_TYPES:
        raise invalid_input(
            f"Invalid value for customFieldId: a {field.get('fieldType')} field has no selectable values"
        )
    requested = _selectable_values(body, with_archived=True)
    by_value = {item["value"]: item for item in requested}
    merged: list[Json] = []
    for current in field.get("selectableValues") or []:
        update = by_value.pop(current["value"], None)
        if update is None:
            merged.append({**current, "isArchived": True})  # omitted: archived
        else:
            merged.append({**current, "label": update["label"], "isArchived": update["isArchived"]})
    merged.extend(item for item in requested if item["value"] in by_value)  # new values, in request order
    field["selectableValues"] = merged
    ctx.state.touch(field)
    return field
