"""Custom field values: all the values of one Ashby object (a candidate or an application) in ONE
`customField.setValues` call, as Ashby recommends against the races of several `setValue` calls.

The field is the row's `field_id` (a field Ashby had when the plan was made) or, for a field the load creates,
the Ashby id the ledger holds for `custom_field` `"<objectType>:<name_key(title)>"`; the hashed payload names
fields by that key only. Values arrive converted to
the field's shape by the transform (`transform/custom_fields.py`). Two rows for one field of one object (two
Lever forms answering it) keep one value, the last by Lever type and id, since Ashby refuses a field twice.

`setValues` sets the given fields and leaves the others alone, so writing the same values again changes
nothing: a changed value is an update (the same call), and `find_existing` does not read Ashby. Reading the
object's `customFields` back could only save one idempotent write after a crash or a lost answer, at the price
of a read on every reconciliation, and its comparison would depend on how Ashby echoes each type (dates come
back as date-times, selects with labels), a second place where a mismatch could wrongly skip a write."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from migration_pipeline.load.custom_fields import OBJECT_TYPE as FIELD_OBJECT_TYPE
from migration_pipeline.load.custom_fields import field_key
from migration_pipeline.load.engine import Item, LoadContext, Loader

Json = dict[str, Any]
OBJECT_TYPE = "custom_field_value"
# the ledger object type whose Ashby id an object's values are set on, by Ashby objectType
OWNER_TYPES = {"Candidate": "candidate", "Application": "application"}
LEVER_TYPES = {"Candidate": "contacts", "Application": "opportunities"}


def object_item(object_type: str, object_key: str, rows: Iterable[Json], candidate_key: str | None = None) -> Item:
    """One object's values; `rows` are canonical value rows (`value` decoded), ordered by Lever type and id.
    The payload names each field by its key, never by its Ashby id: a field the load created has an id in the
    next plan, and that must not make the values look changed."""
    by_field: dict[str, Json] = {}
    field_ids: dict[str, str] = {}
    for row in rows:
        key = field_key(row["object_type"], row["field_title"])
        by_field[key] = {"fieldKey": key, "fieldValue": row["value"]}  # the last row of a field wins
        if row.get("field_id"):
            field_ids[key] = row["field_id"]
    application = object_type == "Application"
    return Item(
        object_type=OBJECT_TYPE,
        lever_key=f"{object_type}:{object_key}",
        payload={"objectType": object_type, "values": [by_field[k] for k in sorted(by_field)]},
        lever_type=LEVER_TYPES.get(object_type, object_type),
        lever_id=object_key,
        opportunity_id=object_key if application else None,
        candidate_key=candidate_key if application else object_key,
        context={"field_ids": field_ids},
    )


class FieldValuesLoader(Loader):
    object_type = OBJECT_TYPE
    updatable = True  # setValues again

    def _body(self, ctx: LoadContext, item: Item) -> Json:
        object_type = item.payload["objectType"]
        owner = OWNER_TYPES.get(object_type, object_type.lower())
        values = [
            {"fieldId": self._field_id(ctx, item, v["fieldKey"]), "fieldValue": v["fieldValue"]}
            for v in item.payload["values"]
        ]
        object_id = ctx.need(owner, item.lever_id)
        return {"objectId": object_id, "objectType": object_type, "values": values}

    @staticmethod
    def _field_id(ctx: LoadContext, item: Item, key: str) -> str:
        return item.context.get("field_ids", {}).get(key) or ctx.need(FIELD_OBJECT_TYPE, key)

    def create(self, ctx: LoadContext, item: Item) -> str:
        body = self._body(ctx, item)
        ctx.client.call("customField.setValues", body)  # idempotent: `call` may retry it after a lost answer
        return body["objectId"]

    def update(self, ctx: LoadContext, item: Item, ashby_id: str, fields: frozenset[str] | None = None) -> None:
        self.create(ctx, item)  # the object's current id (a merged candidate's new one), not the ledger's old one
