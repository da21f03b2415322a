"""Custom field definitions the values need and the org lacks: created once for the org (whatever the scope),
found again instead of created twice, select fields with the options used (and later ones added)."""

import json
from collections import Counter

from migration_pipeline.load.custom_fields import field_key
from migration_pipeline.load.phases import PHASES
from migration_pipeline_tests.load.conftest import load
from migration_pipeline_tests.load.test_jobs import ledger_id, query

FIELD_PHASES = [p for p in PHASES if p.name == "custom_fields"]


def _missing(data_dir):
    return query(
        data_dir,
        """SELECT DISTINCT object_type, field_title, field_type FROM canonical.custom_field_values
           WHERE field_id IS NULL ORDER BY ALL""",
    )


def _fields(prepared, title):
    return [f for f in prepared.sandbox.state["custom_fields"].values() if f["title"].casefold() == title.casefold()]


def _add_value(data_dir, object_key, title, field_type, value):
    query(
        data_dir,
        """INSERT INTO canonical.custom_field_values (object_type, object_key, field_title, field_type, value,
                  lever_type, lever_id, on_mismatch, partition_key)
           VALUES ('Application', ?, ?, ?, ?, 'opportunities', ?, 'skip', 'p')""",
        [object_key, title, field_type, json.dumps(value), object_key],
    )


def test_missing_fields_are_created_once_for_the_org_whatever_the_scope(prepared, data_dir):
    missing = _missing(data_dir)
    assert missing  # the test org uses fields the Ashby org lacks
    report = load(prepared, data_dir, partitions=["no-such-posting"], phases=FIELD_PHASES)
    assert report.stats["custom_fields"].outcomes == Counter({"created": len(missing)})
    for object_type, title, field_type in missing:
        [field] = _fields(prepared, title)
        assert (field["objectType"], field["fieldType"]) == (object_type, field_type)
        assert ledger_id(data_dir, "custom_field", field_key(object_type, title)) == field["id"]
    again = load(prepared, data_dir, "run-2", phases=FIELD_PHASES)
    assert again.stats["custom_fields"].outcomes == Counter({"unchanged": len(missing)})
    assert all(len(_fields(prepared, title)) == 1 for _, title, _ in missing)


def test_a_field_the_org_gained_since_the_plan_is_reused(prepared, data_dir):
    object_type, title, field_type = _missing(data_dir)[0]
    existing = prepared.call(
        "customField.create", {"objectType": object_type, "title": title.upper(), "fieldType": field_type}
    )
    load(prepared, data_dir, phases=FIELD_PHASES)
    assert len(_fields(prepared, title)) == 1
    assert ledger_id(data_dir, "custom_field", field_key(object_type, title)) == existing["id"]


def test_select_fields_get_the_options_used_and_later_ones_are_added(prepared, data_dir):
    _add_value(data_dir, "o-1", "Lever priority", "ValueSelect", "High")
    _add_value(data_dir, "o-2", "Lever priority", "ValueSelect", "Low")
    _add_value(data_dir, "o-1", "Lever flags", "MultiValueSelect", ["Relocation", "Visa"])
    load(prepared, data_dir, phases=FIELD_PHASES)
    [priority] = _fields(prepared, "Lever priority")
    [flags] = _fields(prepared, "Lever flags")
    assert [o["value"] for o in priority["selectableValues"]] == ["High", "Low"]
    assert [o["value"] for o in flags["selectableValues"]] == ["Relocation", "Visa"]
    _add_value(data_dir, "o-3", "Lever priority", "ValueSelect", "Medium")
    report = load(prepared, data_dir, "run-2", phases=FIELD_PHASES)
    assert report.stats["custom_fields"].outcomes["updated"] == 1
    options = {o["value"]: o["isArchived"] for o in _fields(prepared, "Lever priority")[0]["selectableValues"]}
    assert options == {"High": False, "Low": False, "Medium": False}
