"""Lever values into Ashby custom fields: the conversion rule for each Ashby field type, and what happens when
a value does not fit (several options into a single-select, an option Ashby does not offer, text into a
number): `first` keeps what fits, `note` moves the value into a candidate note, `skip` leaves it out; the
last two are listed with their reason.

Value shapes follow `customField.setValue`: Boolean, Date as `YYYY-MM-DD`, Number, String/LongText/Email/
Phone/Url as strings, ValueSelect as one option value, MultiValueSelect as a list of option values, Currency
as `{value, currencyCode}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from migration_pipeline.transform.names import name_key
from migration_pipeline.transform.timestamps import InvalidTimestamp, date_from_epoch_ms

Json = dict[str, Any]
TEXT_TYPES = frozenset({"String", "LongText", "Email", "Phone", "Url", "UUID"})


@dataclass(frozen=True)
class Converted:
    value: Any  # None: nothing to set
    mismatch: str | None = None  # why (part of) the value did not fit


def find_field(fields: list[Json], object_type: str, title: str) -> Json | None:
    wanted = name_key(title)
    found = [
        f
        for f in fields
        if f.get("objectType") == object_type and name_key(f.get("title")) == wanted and not f.get("isArchived")
    ]
    return found[0] if len(found) == 1 else None


_OPTIONS_CACHE: dict[int, tuple[Json, dict[str, str]]] = {}


def _options(field: Json) -> dict[str, str]:
    """Option name key -> option value, matching a Lever option by its value or its label (cached per field
    object: the same field converts hundreds of thousands of values)."""
    cached = _OPTIONS_CACHE.get(id(field))
    if cached is not None and cached[0] is field:
        return cached[1]
    out = _build_options(field)
    _OPTIONS_CACHE[id(field)] = (field, out)
    return out


def _build_options(field: Json) -> dict[str, str]:
    out: dict[str, str] = {}
    for option in field.get("selectableValues") or []:
        if option.get("isArchived"):
            continue
        for text in (option.get("label"), option.get("value")):
            if text:
                out.setdefault(name_key(str(text)), str(option.get("value")))
    return out


def _as_list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [v for v in value if v not in (None, "")]
    if isinstance(value, str) and "," in value and not value.strip().startswith("{"):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [value]


def _text(value: Any) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)


def _select(value: Any, field: Json, policy: str) -> Converted:
    options = _options(field)
    items = _as_list(value)
    known = [options[name_key(str(v))] for v in items if name_key(str(v)) in options]
    unknown = [str(v) for v in items if name_key(str(v)) not in options]
    if len(items) == 1 and known:
        return Converted(known[0])
    why = f"{len(items)} values into a single-select" if len(items) > 1 else f"no option {_text(unknown)!r}"
    if policy == "first" and known:
        return Converted(known[0], why)
    return Converted(None, why)


def _multi(value: Any, field: Json, policy: str) -> Converted:
    options = _options(field)
    items = _as_list(value)
    known = [options[name_key(str(v))] for v in items if name_key(str(v)) in options]
    unknown = [str(v) for v in items if name_key(str(v)) not in options]
    if not unknown:
        return Converted(known)
    why = f"no option {', '.join(map(repr, unknown))}"
    return Converted(known if policy == "first" and known else None, why)


def _number(value: Any) -> Converted:
    if isinstance(value, bool):
        return Converted(None, f"{value!r} is not a number")
    if isinstance(value, int | float):
        return Converted(value)
    try:
        number = float(str(value).replace(",", "").strip())
    except ValueError:
        return Converted(None, f"{_text(value)!r} is not a number")
    return Converted(int(number) if number.is_integer() else number)


def _boolean(value: Any) -> Converted:
    if isinstance(value, bool):
        return Converted(value)
    text = str(value).strip().casefold()
    if text in ("yes", "true", "y", "1"):
        return Converted(True)
    if text in ("no", "false", "n", "0"):
        return Converted(False)
    return Converted(None, f"{_text(value)!r} is not yes or no")


def _date(value: Any) -> Converted:
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        return Converted(value[:10])
    try:
        return Converted(date_from_epoch_ms(value))
    except InvalidTimestamp:
        return Converted(None, f"{_text(value)!r} is not a date")


def convert(
    value: Any, field_type: str, field: Json | None, *, currency: str | None = None, policy: str = "skip"
) -> Converted:
    """`value` (as Lever sent it) in the shape the Ashby field of `field_type` takes."""
    if value is None or value == "" or value == []:
        return Converted(None)
    field = field or {}
    if field_type in TEXT_TYPES:
        return Converted(_text(value))
    if field_type == "ValueSelect":
        return _select(value, field, policy)
    if field_type == "MultiValueSelect":
        return _multi(value, field, policy)
    if field_type == "Number":
        return _number(value)
    if field_type == "Boolean":
        return _boolean(value)
    if field_type == "Date":
        return _date(value)
    if field_type == "Currency":
        number = _number(value)
        if number.value is None or not currency:
            return Converted(None, number.mismatch or "no currency code")
        return Converted({"value": number.value, "currencyCode": currency})
    return Converted(None, f"Ashby field type {field_type!r} is not converted by the migration")


@dataclass(frozen=True)
class FieldValue:
    object_type: str  # Candidate | Application
    object_key: str
    title: str
    inferred_type: str  # the type the loader gives the field when Ashby does not have it yet
    value: Any
    lever_type: str
    lever_id: str
    opportunity_id: str | None
    partition_key: str | None
    on_mismatch: str = "skip"
    currency: str | None = None


def field_value_row(fields: list[Json], item: FieldValue) -> tuple[Json | None, str | None]:
    """(the canonical row or None, the mismatch reason or None) for one value, under its mismatch policy."""
    field = find_field(fields, item.object_type, item.title)
    field_type = field.get("fieldType") if field else item.inferred_type
    converted = convert(item.value, field_type or "String", field, currency=item.currency, policy=item.on_mismatch)
    row = None
    if converted.value is not None:
        row = {
            "object_type": item.object_type,
            "object_key": item.object_key,
            "field_title": field.get("title") if field else item.title,
            "field_id": field.get("id") if field else None,
            "field_type": field_type,
            "value": converted.value,
            "lever_type": item.lever_type,
            "lever_id": item.lever_id,
            "on_mismatch": item.on_mismatch,
            "partition_key": item.partition_key,
        }
    return row, converted.mismatch
