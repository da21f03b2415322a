"""Lever's free-form phone values (`(555) 123-4567`, `0049 30 1234567`, `555-123-4567 ext. 123`) to E.164.

A number we cannot read is never dropped or guessed at: it keeps its raw text (trimmed) and goes to Ashby as
typed, so nothing a recruiter entered is lost.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import phonenumbers

# `00` is the international call prefix in most of the world, but only the default region's own prefix is
# understood by phonenumbers: with region US, `0049 30 1234567` would read as a US number. No national number
# starts with 00, so it is read as `+`.
_INTERNATIONAL_00 = re.compile(r"^00\s*")


@dataclass(frozen=True)
class PhoneNumber:
    raw: str  # as Lever had it, trimmed
    e164: str | None  # +4930123456, when the number is possible for its country; else None
    extension: str | None
    valid: bool  # an assigned range (phonenumbers' is_valid_number), not just the right length


@functools.lru_cache(maxsize=65536)
def normalize_phone(value: str, default_region: str | None = None) -> PhoneNumber:
    """Parse `value`, numbers without a `+` or `00` in `default_region` (e.g. "US"); never raises. Cached: a
    contact's phones repeat on each of its opportunities, and parsing costs ~60 µs."""
    raw = value.strip() if isinstance(value, str) else ""
    region = default_region.strip().upper() if default_region and default_region.strip() else None
    candidates = [raw]
    if _INTERNATIONAL_00.match(raw):
        candidates.insert(0, _INTERNATIONAL_00.sub("+", raw))
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue  # no region, not a number, too long: try the next reading or keep the raw text
        if phonenumbers.is_possible_number(number):
            return PhoneNumber(
                raw=raw,
                e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
                extension=number.extension or None,
                valid=phonenumbers.is_valid_number(number),
            )
    return PhoneNumber(raw=raw, e164=None, extension=None, valid=False)


def display_phone(p: PhoneNumber) -> str:
    """What Ashby gets: E.164 (with ` ext. N`) when the number was read, else the raw text."""
    if p.e164 is None:
        return p.raw
    return f"{p.e164} ext. {p.extension}" if p.extension else p.e164
