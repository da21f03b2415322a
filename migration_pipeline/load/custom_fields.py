"""Custom field definitions the migration uses but the Ashby org lacks (canonical custom field values whose
`field_id` is NULL), created once for the org whatever partitions a load covers.

Ledger key: `field_key(object_type, title)` = `"<objectType>:<name key of the title>"` (e.g.
`"Candidate:leverheadline"`). The custom field values loader finds a created field's id with
`ctx.need("custom_field", field_key(row["object_type"], row["field_title"]))`.

A field is recognised in Ashby by its object type and title (case and spacing aside), before creating and
when reconciling; a select field whose used values grew since it was created gains the new options.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from migration_pipeline.load.engine import Item, LoadContext, Loader
from migration_pipeline.transform.names import name_key

Json = dict[str, Any]
OBJECT_TYPE = "custom_field"
SELECT_TYPES = frozenset({"ValueSelect", "MultiValueSelect"})


def field_key(object_type: str, title: str) -> str:
    return f"{object_type}:{name_key(title)}"


def _options(values: Iterable[Any]) -> list[str]:
    """The distinct option values used (a multi-select value is a list of them)."""
    found: set[str] = set()
    for value in values:
        value = json.loads(value) if isinstance(value, str) else value
        for option in value if isinstance(value, list) else [value]:
            if option not in (None, ""):
                found.add(str(option))
    return sorted(found)


def custom_field_items(rows: Iterable[Json]) -> list[Item]:
    """One item per missing field, from rows (object_type, field_title, field_type, value); `value` is only
    read for select fields, whose options are the values used."""
    grouped: dict[str, list[Json]] = {}
    for row in rows:
        grouped.setdefault(field_key(row["object_type"], row["field_title"]), []).append(row)
    return [_item(key, group) for key, group in sorted(grouped.items())]


def _item(key: str, group: list[Json]) -> Item:
    first = group[0]
    payload: Json = {
        "fieldType": first["field_type"],
        "objectType": first["object_type"],
        "title": first["field_title"],
    }
    if first["field_type"] in SELECT_TYPES:
        payload["selectableValues"] = [{"label": v, "value": v} for v in _options(r["value"] for r in group)]
    return Item(object_type=OBJECT_TYPE, lever_key=key, payload=payload, lever_type="custom_fields", lever_id=key)


def find_field(ctx: LoadContext, object_type: str, title: str) -> str | None:
    wanted = name_key(title)
    for field in ctx.client.paginate("customField.list", {}):
        same = field.get("objectType") == object_type and name_key(field.get("title")) == wanted
        if same and not field.get("isArchived"):
            return field["id"]
    return None


def merged_options(current: list[Json], wanted: list[Json]) -> list[Json]:
    """`customField.updateSelectableValues` archives what it is not given: send every option it has, with
    the ones the migration uses made selectable again, and the new ones."""
    used = {option["value"] for option in wanted}
    known = {option["value"] for option in current}
    kept = [{**o, "isArchived": o["isArchived"] and o["value"] not in used} for o in current]
    return kept + [{**option, "isArchived": False} for option in wanted if option["value"] not in known]


class CustomFieldLoader(Loader):
    object_type = OBJECT_TYPE
    updatable = True

    def find_existing(self, ctx: LoadContext, item: Item) -> str | None:
        return find_field(ctx, item.payload["objectType"], item.payload["title"])

    def create(self, ctx: LoadContext, item: Item) -> str:
        existing = self.find_existing(ctx, item)  # someone may have added it since the plan
        if existing is not None:
            return existing
        return ctx.client.write("customField.create", dict(item.payload))["id"]

    def update(self, ctx: LoadContext, item: Item, ashby_id: str, fields: frozenset[str] | None = None) -> None:
        """Only the options can change (the key is the title, Ashby cannot change a field's type)."""
        if item.payload["fieldType"] not in SELECT_TYPES:
            return
        field = ctx.client.call("customField.info", {"customFieldId": ashby_id})
        current = [
            {"label": o["label"], "value": o["value"], "isArchived": bool(o.get("isArchived"))}
            for o in field.get("selectableValues") or []
        ]
        options = merged_options(current, list(item.payload["selectableValues"]))
        if options != current:
            ctx.client.call(
                "customField.updateSelectableValues", {"customFieldId": ashby_id, "selectableValues": options}
            )
