"""The rows a transform writes about itself: records it left out (`skipped`), values it could not map or will
create (`value_uses`) and mapping problems (`problems`), for the org or one posting partition (`scope`)."""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from migration_pipeline.transform.context import Context

Json = dict[str, Any]


def value_use_rows(ctx: Context, scope: str) -> list[Json]:
    grouped: dict[tuple, list[str]] = defaultdict(list)
    names: dict[tuple, tuple[str, str | None]] = {}
    for match, example in ctx.unresolved:
        key = (match.dimension, match.scope, match.lever_key, match.how)
        grouped[key].append(example)
        names[key] = (match.lever_name, match.ashby_name)
    return [
        {
            "transform_scope": scope,
            "dimension": dim,
            "scope": sc,
            "lever_key": lk,
            "how": how,
            "lever_name": names[(dim, sc, lk, how)][0],
            "ashby_name": names[(dim, sc, lk, how)][1],
            "uses": len(examples),
            "example_ids": sorted(set(examples))[:5],
        }
        for (dim, sc, lk, how), examples in grouped.items()
    ]


def problem_rows(ctx: Context, scope: str) -> list[Json]:
    return [
        {
            "transform_scope": scope,
            **{k: getattr(p, k) for k in ("code", "message", "blocking", "dimension", "lever_value")},
        }
        for p in ctx.resolution.all_problems()
    ]


def skip_rows(ctx: Context, types: Iterable[str]) -> list[Json]:
    wanted = set(types)
    return [
        {
            "lever_type": s.lever_type,
            "lever_id": s.lever_id,
            "lever_opportunity_id": s.opportunity_id,
            "partition_key": s.partition_key,
            "reason_code": s.reason_code,
            "reason": s.reason,
        }
        for s in ctx.skipped
        if s.lever_type in wanted
    ]


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a transform builds millions of dicts and lists (refcounting frees
    them; none of them form cycles): with it on, each collection walks every live object of a big org, which took
    more time than parsing the payloads. Restored to what it was, whatever happens."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
