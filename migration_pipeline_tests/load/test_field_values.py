"""Custom field values: one `setValues` per candidate or application, the values visible in `candidate.info` and
`application.info`, a changed value set again, a field that was not created a failure of its objects only."""

import json
from collections import Counter
from typing import Any

from migration_pipeline_tests.load.conftest import load
from migration_pipeline_tests.load.records import ashby_ids, items_of, ledger_row, only, query, through

INFO = {"Candidate": ("candidate.info", "id"), "Application": ("application.info", "applicationId")}


def _stored(prepared, object_type: str, object_id: str) -> dict[str, Any]:
    endpoint, name = INFO[object_type]
    return {v["id"]: v["value"] for v in prepared.call(endpoint, {name: object_id}).get("customFields") or []}


def _same(stored: Any, sent: Any) -> bool:
    """Ashby answers a Date field's value as a date-time."""
    return stored == sent or (isinstance(sent, str) and isinstance(stored, str) and stored.startswith(f"{sent}T"))


def test_every_value_shows_in_the_objects_info_and_a_rerun_changes_nothing(prepared, data_dir):
    items = items_of(data_dir, "custom_field_values")
    assert {i.payload["objectType"] for i in items} == {"Candidate", "Application"}
    report = load(prepared, data_dir, phases=through("custom_field_values"))
    assert report.stats["custom_field_values"].outcomes == Counter({"created": len(items)})  # one call per object
    owners = {"Candidate": ashby_ids(data_dir, "candidate"), "Application": ashby_ids(data_dir, "application")}
    fields = ashby_ids(data_dir, "custom_field")
    for item in items:
        kind = item.payload["objectType"]
        stored = _stored(prepared, kind, owners[kind][item.lever_id])
        for value in item.payload["values"]:
            field_id = item.context["field_ids"].get(value["fieldKey"]) or fields[value["fieldKey"]]
            assert _same(stored.get(field_id), value["fieldValue"]), (item.lever_key, value)
    again = load(prepared, data_dir, "run-2", phases=through("custom_field_values"))
    assert again.stats["custom_field_values"].outcomes == Counter({"unchanged": len(items)})


def test_a_changed_value_is_set_again(prepared, data_dir):
    phases = only("custom_fields", "candidates", "custom_field_values")
    load(prepared, data_dir, phases=phases)
    [(key, title)] = query(
        data_dir,
        """SELECT object_key, field_title FROM canonical.custom_field_values
           WHERE object_type = 'Candidate' AND field_type = 'String' ORDER BY object_key LIMIT 1""",
    )
    query(
        data_dir,
        "UPDATE canonical.custom_field_values SET value = ? WHERE object_key = ? AND field_title = ?",
        [json.dumps("changed in Lever"), key, title],
    )
    report = load(prepared, data_dir, "run-2", phases=phases)
    assert report.stats["custom_field_values"].outcomes["updated"] == 1
    candidate_id = ashby_ids(data_dir, "candidate")[key]
    field = next(f for f in prepared.sandbox.state["custom_fields"].values() if f["title"] == title)
    assert _stored(prepared, "Candidate", candidate_id)[field["id"]] == "changed in Lever"


def test_values_of_a_field_the_load_did_not_create_fail_as_dependency_missing_and_the_rest_load(prepared, data_dir):
    everything = items_of(data_dir, "custom_field_values")
    items = [i for i in everything if i.payload["objectType"] == "Candidate"]
    blocked = [i for i in items if any(v["fieldKey"] not in i.context["field_ids"] for v in i.payload["values"])]
    assert 0 < len(blocked) < len(items)
    # neither the custom_fields phase nor the applications phase: their objects' values cannot be set
    report = load(prepared, data_dir, phases=only("candidates", "custom_field_values"))
    stats = report.stats["custom_field_values"]
    assert stats.errors == Counter({"dependency_missing": len(blocked) + len(everything) - len(items)})
    assert stats.outcomes["created"] == len(items) - len(blocked)
    assert ledger_row(data_dir, "custom_field_value", blocked[0].lever_key)["code"] == "dependency_missing"
