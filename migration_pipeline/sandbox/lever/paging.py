"""Lever list paging: `limit` 1..100, opaque `offset` tokens that are valid only if this server
issued them, and the `{data, next, hasNext}` envelope (no `next` on the last page).

Tokens look like Lever's real ones, a percent-encoded JSON array of the last item's sort key
(`%5B3%2C1490220060000%2C%22<uuid>%22%5D`), and paging is keyset-based: a page starts after the
key in the token, so records created while a client pages do not shift what it has already read.
"""

from __future__ import annotations

import bisect
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

MAX_LIMIT = 100
DEFAULT_LIMIT = 100

SortKey = tuple[Any, ...]


class PagingError(ValueError):
    """A bad `limit` or `offset`: answered with Lever's 400 `{code, message}`."""


def parse_limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        raise PagingError(f"Invalid limit: {raw!r} is not an integer between 1 and {MAX_LIMIT}") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise PagingError(f"Invalid limit: {limit} is not between 1 and {MAX_LIMIT}")
    return limit


class OffsetTokens:
    """The tokens this server issued, each bound to the list it came from and the key it resumes after."""

    def __init__(self, capacity: int = 1_000_000) -> None:
        self._issued: OrderedDict[str, tuple[str, SortKey]] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def issue(self, scope: str, key: SortKey, display: Sequence[Any]) -> str:
        token = quote(json.dumps(list(display), separators=(",", ":")), safe="")
        with self._lock:
            self._issued[token] = (scope, key)
            self._issued.move_to_end(token)
            while len(self._issued) > self._capacity:
                self._issued.popitem(last=False)
        return token

    def resolve(self, scope: str, raw: str) -> SortKey:
        # Clients send the token back as received (already percent-encoded, so it arrives decoded
        # once) or decoded; accept both spellings.
        candidates = [raw, quote(raw, safe=""), quote(unquote(raw), safe="")]
        with self._lock:
            for token in candidates:
                found = self._issued.get(token)
                if found is not None and found[0] == scope:
                    return found[1]
        raise PagingError("Invalid offset token")


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_token: str | None

    def envelope(self, render: Callable[[Any], Any] = lambda item: item) -> dict[str, Any]:
        body: dict[str, Any] = {"data": [render(item) for item in self.items], "hasNext": self.next_token is not None}
        if self.next_token is not None:
            body["next"] = self.next_token
        return body


def paginate(
    items: Sequence[Any],
    keys: Sequence[SortKey],
    *,
    scope: str,
    tokens: OffsetTokens,
    limit: int,
    offset: str | None,
    display: Callable[[SortKey], Sequence[Any]] = lambda key: key,
) -> Page:
    """One page of `items`, which are sorted by `keys` (parallel sequences)."""
    start = 0
    if offset:
        start = bisect.bisect_right(keys, tokens.resolve(scope, offset))
    page_items = list(items[start : start + limit])
    end = start + len(page_items)
    next_token = None
    if page_items and end < len(items):
        last_key = keys[end - 1]
        next_token = tokens.issue(scope, last_key, display(last_key))
    return Page(page_items, next_token)
