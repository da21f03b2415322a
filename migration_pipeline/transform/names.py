"""Name matching between Lever and Ashby: case, spacing and Unicode width never decide whether two names match."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable


@functools.lru_cache(maxsize=8192)  # the same few titles and names are keyed hundreds of thousands of times
def name_key(name: str | None) -> str:
    """The key two names share when they are the same name written differently ("New  Lead" == "new lead")."""
    if not name:
        return ""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def email_key(email: str | None) -> str:
    """Lever and Ashby compare emails trimmed and case-folded; so do we (the same rule as the sandbox)."""
    return (email or "").strip().casefold()


def index_by_name(items: Iterable[dict], field: str) -> dict[str, list[dict]]:
    """Items grouped by the name key of `field`; a key with two items is ambiguous and never auto-matched."""
    index: dict[str, list[dict]] = {}
    for item in items:
        key = name_key(item.get(field))
        if key:
            index.setdefault(key, []).append(item)
    return index
