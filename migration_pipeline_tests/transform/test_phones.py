"""Free-form Lever phone values to E.164, with the raw text kept whenever a number cannot be read."""

from __future__ import annotations

import dataclasses

import pytest

from migration_pipeline.transform.phones import PhoneNumber, display_phone, normalize_phone


@pytest.mark.parametrize(
    ("value", "e164", "extension", "valid"),
    [
        pytest.param("(555) 123-4567", "+15551234567", None, False, id="us-parentheses"),  # 555: no real area code
        pytest.param("+44 20 7946 0123", "+442079460123", None, True, id="uk-plus"),
        pytest.param("0049 30 1234567", "+49301234567", None, True, id="de-00-prefix"),
        pytest.param("00 44 20 7946 0123", "+442079460123", None, True, id="uk-00-prefix-spaced"),
        pytest.param("555.123.4567", "+15551234567", None, False, id="us-dots"),
        pytest.param("555-123-4567 ext. 123", "+15551234567", "123", False, id="us-extension"),
        pytest.param("5555550100", "+15555550100", None, False, id="us-digits-only"),
        pytest.param("(415) 555-2671", "+14155552671", None, True, id="us-valid"),
        pytest.param("  +1 415 555 2671  ", "+14155552671", None, True, id="surrounding-spaces"),
        pytest.param("(415) 555-2671 x12", "+14155552671", "12", True, id="us-x-extension"),
    ],
)
def test_examples_with_region_us(value: str, e164: str, extension: str | None, valid: bool) -> None:
    assert normalize_phone(value, "US") == PhoneNumber(raw=value.strip(), e164=e164, extension=extension, valid=valid)


@pytest.mark.parametrize(
    ("value", "e164"),
    [
        pytest.param("(555) 123-4567", None, id="us-parentheses"),
        pytest.param("+44 20 7946 0123", "+442079460123", id="uk-plus"),
        pytest.param("0049 30 1234567", "+49301234567", id="de-00-prefix"),
        pytest.param("555.123.4567", None, id="us-dots"),
        pytest.param("555-123-4567 ext. 123", None, id="us-extension"),
        pytest.param("5555550100", None, id="us-digits-only"),
    ],
)
def test_examples_without_region(value: str, e164: str | None) -> None:
    # Without a region only international numbers can be read; the rest keep their raw text.
    phone = normalize_phone(value)
    assert phone.raw == value
    assert phone.e164 == e164
    assert phone.valid is (e164 is not None)
    assert display_phone(phone) == (e164 or value)


def test_region_is_case_insensitive() -> None:
    assert normalize_phone("(415) 555-2671", "us").e164 == "+14155552671"


def test_a_regions_own_00_prefix_still_works() -> None:
    assert normalize_phone("0049 30 1234567", "DE").e164 == "+49301234567"
    assert normalize_phone("030 1234567", "DE").e164 == "+49301234567"


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("n/a", id="n/a"),
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param("+", id="plus"),
        pytest.param("1" * 500, id="500-digits"),
        pytest.param("+999 123", id="unknown-country"),
        pytest.param("12", id="too-short"),
        pytest.param("00", id="bare-00"),
        pytest.param("call me maybe", id="words"),
        pytest.param("\x00\ud800", id="control-and-surrogate"),
    ],
)
@pytest.mark.parametrize("region", ["US", None, "ZZ"])
def test_garbage_never_raises_and_keeps_raw(value: str, region: str | None) -> None:
    phone = normalize_phone(value, region)
    assert phone == PhoneNumber(raw=value.strip(), e164=None, extension=None, valid=False)
    assert display_phone(phone) == value.strip()


def test_non_string_value_does_not_raise() -> None:
    assert normalize_phone(None).raw == ""  # type: ignore[arg-type]


def test_display_phone() -> None:
    assert display_phone(normalize_phone("555-123-4567 ext. 123", "US")) == "+15551234567 ext. 123"
    assert display_phone(normalize_phone("+44 20 7946 0123")) == "+442079460123"
    assert display_phone(normalize_phone("n/a", "US")) == "n/a"


def test_phone_number_is_frozen_with_plain_fields() -> None:
    phone = normalize_phone("+44 20 7946 0123")
    with pytest.raises(dataclasses.FrozenInstanceError):
        phone.e164 = "x"  # type: ignore[misc]
    # The transform stores the fields as JSON (people.py reads __dict__).
    assert phone.__dict__ == {"raw": "+44 20 7946 0123", "e164": "+442079460123", "extension": None, "valid": True}
