"""Custom field conversion rules and the mismatch policies."""

import pytest

from migration_pipeline.transform.custom_fields import convert
from migration_pipeline.transform.records import FileIndex, Owner, build_partition
from migration_pipeline_tests.transform.conftest import make_context

SINGLE = {
    "fieldType": "ValueSelect",
    "selectableValues": [{"label": "Remote", "value": "remote"}, {"label": "Office", "value": "office"}],
}
MULTI = {**SINGLE, "fieldType": "MultiValueSelect"}


@pytest.mark.parametrize(
    ("value", "field_type", "field", "expected"),
    [
        ("yes", "Boolean", None, True),
        ("no", "Boolean", None, False),
        (1_763_596_800_000, "Date", None, "2025-11-20"),
        ("2025-01-02T10:00:00Z", "Date", None, "2025-01-02"),
        ("71,000", "Number", None, 71000),
        (["a", "b"], "String", None, "a, b"),
        ("REMOTE", "ValueSelect", SINGLE, "remote"),
        (["Remote", "office"], "MultiValueSelect", MULTI, ["remote", "office"]),
    ],
)
def test_values_convert_to_the_ashby_field_type(value, field_type, field, expected):
    converted = convert(value, field_type, field)
    assert converted.value == expected and converted.mismatch is None


def test_currency_carries_the_lever_currency_code():
    assert convert(214000, "Currency", None, currency="USD").value == {"value": 214000, "currencyCode": "USD"}


def test_multi_select_into_single_select_follows_the_policy():
    skip = convert(["Remote", "Office"], "ValueSelect", SINGLE, policy="skip")
    assert skip.value is None and skip.mismatch == "2 values into a single-select"
    first = convert(["Remote", "Office"], "ValueSelect", SINGLE, policy="first")
    assert first.value == "remote" and first.mismatch


def test_an_option_ashby_does_not_offer_is_a_mismatch():
    assert convert("Moon base", "ValueSelect", SINGLE).mismatch == "no option 'Moon base'"
    partial = convert(["Remote", "Moon base"], "MultiValueSelect", MULTI, policy="first")
    assert partial.value == ["remote"] and "Moon base" in partial.mismatch
    assert convert("lots", "Number", None).mismatch == "'lots' is not a number"


def test_a_form_value_that_does_not_fit_is_listed_and_stays_in_the_form_note():
    ctx = make_context(
        custom_fields={
            "forms": [
                {
                    "lever_form": "Logistics",
                    "lever_field": "Work mode",
                    "ashby_field": "Lever origin",
                    "object": "Application",
                }
            ]
        }
    )
    form = {
        "id": "f-1",
        "text": "Logistics",
        "user": "u-1",
        "createdAt": 1,
        "deletedAt": None,
        "fields": [{"type": "multiple-select", "text": "Work mode", "value": ["remote", "office"]}],
    }
    out = build_partition("p-1", {"forms": {"o-1": [form]}}, {}, {"o-1": Owner("c-1", True)}, FileIndex(), ctx)
    assert out.field_values == []  # "Lever origin" is a single-select without those options
    [skip] = [s for s in ctx.skipped if s.reason_code == "custom_field_mismatch"]
    assert skip.lever_id == "f-1/Lever origin" and "the full value is in the form's note" in skip.reason
    assert "remote, office" in out.notes[0]["body_html"]
