"""Ashby endpoints: custom field values (`customField.setValue`, `customField.setValues`).

A value is stored in the `customFields` list of the object it is set on, in the `CustomFieldValue`
shape (`{id, isPrivate, title, valueLabel?, value}`, `id` being the field's id; `valueLabel` only for
select fields), replacing an earlier value of the same field. The value checks per field type are
shared with feedback submissions (`feedback.py`).
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from migration_pipeline.sandbox.ashby.endpoints.applications import get_application
from migration_pipeline.sandbox.ashby.endpoints.candidates import find_candidate
from migration_pipeline.sandbox.ashby.endpoints.jobs import get_job
from migration_pipeline.sandbox.ashby.rpc import (
    UUID_RE,
    Ctx,
    endpoint,
    field_value,
    invalid_input,
    not_found,
    require_toggle,
    uuid_value,
)
from migration_pipeline.sandbox.ashby.state import Json, iso, parse_iso

OBJECT_TYPES = ("Application", "Candidate", "Job", "Opening")
# The custom field `objectType`s whose values can be set on each kind of object.
FIELD_OBJECT_TYPES = {
    "Application": ("Application",),
    "Candidate": ("Candidate",),
    "Job": ("Job",),
    "Opening": ("Opening", "Opening_Version"),
}

# ISO 4217 currency codes in use (plus funds and precious-metal codes, which are valid ISO 4217 too).
_ISO_4217_TEXT = """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD
    CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS
    GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT
    LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD
    OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC
    SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU
    XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XUA YER ZAR ZMW ZWG ZWL
"""
ISO_4217 = frozenset(_ISO_4217_TEXT.split())
# Compensation intervals as Ashby spells them (job posting compensation, CompensationRange values).
COMPENSATION_INTERVALS = (
    "NONE",
    "1 TIME",
    "1 HOUR",
    "1 DAY",
    "1 WEEK",
    "2 WEEK",
    "0.5 MONTH",
    "1 MONTH",
    "2 MONTH",
    "3 MONTH",
    "6 MONTH",
    "1 YEAR",
)
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# ---- value checks shared with feedback --------------------------------------------------------------


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def check_string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise invalid_input(f"Invalid value for {where}: expected a string")
    return value


def check_email(value: Any, where: str) -> str:
    if not isinstance(value, str) or not EMAIL_RE.match(value.strip()):
        raise invalid_input(f"Invalid value for {where}: expected a valid email address")
    return value


def check_url(value: Any, where: str, *, allow_empty: bool) -> str:
    if not isinstance(value, str):
        raise invalid_input(f"Invalid value for {where}: expected a URL string")
    if value == "" and allow_empty:
        return value
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise invalid_input(f"Invalid value for {where}: {value!r} is not a valid http(s) URL")
    return value


def check_uuid(value: Any, where: str) -> str:
    if not isinstance(value, str) or not UUID_RE.match(value):
        raise invalid_input(f"Invalid value for {where}: expected a UUID")
    return value


def check_date_only(value: Any, where: str) -> str:
    """A `YYYY-MM-DD` calendar date."""
    if not isinstance(value, str) or not DATE_RE.match(value):
        raise invalid_input(f"Invalid value for {where}: expected a date formatted YYYY-MM-DD")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise invalid_input(f"Invalid value for {where}: {value!r} is not a calendar date") from None
    return value


def check_iso_date(value: Any, where: str) -> str:
    """An ISO date (`YYYY-MM-DD`) or date-time, stored as Ashby's date-time string."""
    if isinstance(value, str) and DATE_RE.match(value):
        check_date_only(value, where)
        return f"{value}T00:00:00.000Z"
    try:
        return iso(parse_iso(value).timestamp() * 1000)
    except (ValueError, TypeError):
        raise invalid_input(f"Invalid value for {where}: expected an ISO 8601 date string") from None


def check_currency_code(value: Any, where: str) -> str:
    if not isinstance(value, str) or value not in ISO_4217:
        raise invalid_input(f"Invalid value for {where}.currencyCode: {value!r} is not an ISO 4217 currency code")
    return value


def check_currency(value: Any, where: str) -> Json:
    if not isinstance(value, dict):
        raise invalid_input(f"Invalid value for {where}: expected an object {{value, currencyCode}}")
    if not is_number(value.get("value")):
        raise invalid_input(f"Invalid value for {where}.value: expected a number")
    return {"value": value["value"], "currencyCode": check_currency_code(value.get("currencyCode"), where)}


def _range_bounds(value: Any, where: str, kind: str) -> tuple[float, float]:
    if not isinstance(value, dict):
        raise invalid_input(f"Invalid value for {where}: expected an object with type {kind!r}, minValue, maxValue")
    if value.get("type") != kind:
        raise invalid_input(f"Invalid value for {where}.type: expected {kind!r}")
    for bound in ("minValue", "maxValue"):
        if not is_number(value.get(bound)):
            raise invalid_input(f"Invalid value for {where}.{bound}: expected a number")
    if value["minValue"] > value["maxValue"]:
        raise invalid_input(f"Invalid value for {where}: minValue is greater than maxValue")
    return value["minValue"], value["maxValue"]


def check_number_range(value: Any, where: str) -> Json:
    low, high = _range_bounds(value, where, "number-range")
    return {"type": "number-range", "minValue": low, "maxValue": high}


def check_compensation_range(value: Any, where: str) -> Json:
    low, high = _range_bounds(value, where, "compensation-range")
    code = check_currency_code(value.get("currencyCode"), where)
    interval = value.get("interval")
    if interval not in COMPENSATION_INTERVALS:
        raise invalid_input(
            f"Invalid value for {where}.interval: {interval!r} is not a compensation interval "
            f"({', '.join(COMPENSATION_INTERVALS)})"
        )
    return {"type": "compensation-range", "minValue": low, "maxValue": high, "currencyCode": code, "interval": interval}


def selectable_options(field: Json) -> dict[str, Json]:
    """A select field's options that can still be chosen, by value."""
    return {o["value"]: o for o in field.get("selectableValues") or [] if not o.get("isArchived")}


def check_select(value: Any, field: Json, where: str) -> tuple[str, str]:
    options = selectable_options(field)
    if not isinstance(value, str):
        raise invalid_input(f"Invalid value for {where}: expected one option value (a string)")
    if value not in options:
        raise invalid_input(
            f"Invalid value for {where}: {value!r} is not an option of {field.get('title')!r} "
            f"(options: {', '.join(options)})"
        )
    return value, options[value].get("label", value)


def check_multi_select(value: Any, field: Json, where: str) -> tuple[list[str], list[str]]:
    options = selectable_options(field)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid_input(f"Invalid value for {where}: expected an array of option values (strings)")
    unknown = [v for v in value if v not in options]
    if unknown:
        raise invalid_input(
            f"Invalid value for {where}: {unknown!r} are not options of {field.get('title')!r} "
            f"(options: {', '.join(options)})"
        )
    chosen = list(dict.fromkeys(value))
    return chosen, [options[v].get("label", v) for v in chosen]


# ---- custom field values ----------------------------------------------------------------------------

_NO_LABEL = object()


def check_custom_value(field: Json, value: Any, where: str) -> tuple[Any, Any]:
    """`(value to store, valueLabel or _NO_LABEL)` for `value` in custom field `field`."""
    kind = field.get("fieldType")
    if value is None:
        raise invalid_input(f"Missing required field: {where}")
    if kind == "Boolean":
        if not isinstance(value, bool):
            raise invalid_input(f"Invalid value for {where}: expected a boolean")
        return value, _NO_LABEL
    if kind == "Date":
        return check_iso_date(value, where), _NO_LABEL
    if kind in ("Email", "LongText", "Phone", "String"):
        return check_string(value, where), _NO_LABEL
    if kind == "ValueSelect":
        return check_select(value, field, where)
    if kind == "MultiValueSelect":
        return check_multi_select(value, field, where)
    if kind == "Number":
        if not is_number(value):
            raise invalid_input(f"Invalid value for {where}: expected a number")
        return value, _NO_LABEL
    if kind == "Currency":
        return check_currency(value, where), _NO_LABEL
    if kind == "NumberRange":
        return check_number_range(value, where), _NO_LABEL
    if kind == "CompensationRange":
        return check_compensation_range(value, where), _NO_LABEL
    if kind == "Url":
        return check_url(value, where, allow_empty=False), _NO_LABEL
    if kind == "UUID":
        return check_uuid(value, where), _NO_LABEL
    raise invalid_input(f"Invalid value for {where}: fields of type {kind!r} cannot be set through the API")


def target_object(ctx: Ctx, object_type: str, object_id: str) -> Json:
    if object_type == "Application":
        return get_application(ctx, object_id)
    if object_type == "Candidate":
        return find_candidate(ctx, object_id)
    if object_type == "Job":
        return get_job(ctx, object_id)
    opening = ctx.state.collections.get("openings", {}).get(object_id)
    if opening is None:
        raise not_found("opening", object_id)
    return opening


def prepare(ctx: Ctx, object_type: str, field_id: Any, value: Any, field_name: str, where: str) -> Json:
    """The `CustomFieldValue` to store for field `field_id`, after every check."""
    field = ctx.state.get("custom_fields", check_uuid(field_id, field_name))
    if field is None:
        raise not_found("custom_field", field_id)
    if field.get("isPrivate"):
        require_toggle(ctx, "private-fields", f"to set the private custom field {field.get('title')!r}")
    if field.get("objectType") not in FIELD_OBJECT_TYPES[object_type]:
        raise invalid_input(
            f"Invalid value for {field_name}: custom field {field.get('title')!r} belongs to {field.get('objectType')} "
            f"objects, not {object_type}"
        )
    if field.get("isArchived"):
        raise invalid_input(f"Invalid value for {field_name}: custom field {field.get('title')!r} is archived")
    stored, label = check_custom_value(field, value, where)
    result: Json = {"id": field["id"], "isPrivate": bool(field.get("isPrivate", False)), "title": field["title"]}
    if label is not _NO_LABEL:
        result["valueLabel"] = label
    result["value"] = stored
    return result


def store(ctx: Ctx, obj: Json, values: list[Json]) -> None:
    current = obj.setdefault("customFields", [])
    for value in values:
        index = next((i for i, v in enumerate(current) if v.get("id") == value["id"]), None)
        if index is None:
            current.append(dict(value))
        else:
            current[index] = dict(value)
    ctx.state.touch(obj)


def _target(ctx: Ctx, body: Json) -> tuple[str, Json]:
    object_id = uuid_value(body, "objectId")
    object_type = field_value(body, "objectType", str, required=True)
    if object_type not in OBJECT_TYPES:
        raise invalid_input(f"Invalid value for objectType: expected one of {', '.join(OBJECT_TYPES)}")
    return object_type, target_object(ctx, object_type, object_id)


@endpoint("customField.setValue", scope="candidatesWrite")
def custom_field_set_value(ctx: Ctx, body: Json):
    object_type, obj = _target(ctx, body)
    field_id = uuid_value(body, "fieldId")
    if "fieldValue" not in body:
        raise invalid_input("Missing required field: fieldValue")
    value = prepare(ctx, object_type, field_id, body["fieldValue"], "fieldId", "fieldValue")
    store(ctx, obj, [value])
    return value


@endpoint("customField.setValues", scope="candidatesWrite")
def custom_field_set_values(ctx: Ctx, body: Json):
    object_type, obj = _target(ctx, body)
    updates = field_value(body, "values", list, required=True)
    if not updates:
        raise invalid_input("Invalid value for values: expected at least one {fieldId, fieldValue}")
    prepared: list[Json] = []
    for index, update in enumerate(updates):
        where = f"values[{index}]"
        if not isinstance(update, dict):
            raise invalid_input(f"Invalid value for {where}: expected an object {{fieldId, fieldValue}}")
        if update.get("fieldId") is None:
            raise invalid_input(f"Missing required field: {where}.fieldId")
        if "fieldValue" not in update:
            raise invalid_input(f"Missing required field: {where}.fieldValue")
        value = prepare(
            ctx, object_type, update["fieldId"], update["fieldValue"], f"{where}.fieldId", f"{where}.fieldValue"
        )
        if any(p["id"] == value["id"] for p in prepared):
            raise invalid_input(f"Invalid value for {where}.fieldId: field {value['id']} appears twice")
        prepared.append(value)
    # all checked: apply them together
    store(ctx, obj, prepared)
    return prepared
