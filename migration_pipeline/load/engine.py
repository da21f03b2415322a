"""The write path every loader shares: exactly-once writes into Ashby through the ledger.

For each item (one Ashby object that should exist, keyed by its Lever lineage):
- done with the same payload hash: skipped (`unchanged`);
- done with another hash: updated where the loader can (`updated`), else reported (`changed_not_updatable`);
  a loader that tracks fields first compares Ashby with what it last wrote (conflicts.py): `conflict` when the
  policy holds the write back; an update that crashed or failed is sent again (updates are idempotent);
- an intent without a result, or a failure (a crash, a lost response, a timeout after retries): the loader
  first reads Ashby (`find_existing`) and adopts what it finds (`adopted`); only if nothing is there, it writes;
- never seen: intent journaled (fsync'd), the call made, the result journaled (`created`).
A business error (`success: false`) ends the item as `failed` with code, message and requestId and never stops
the others; a missing dependency (its candidate or job failed) is a failure with code `dependency_missing`;
auth and permission errors stop the whole load (`LoadAborted`). A `*_not_found` on a candidate id (Ashby merged
the candidate) re-resolves the candidate once and retries.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from migration_pipeline.ashby.client import AshbyClient
from migration_pipeline.ashby.errors import (
    AshbyAuthError,
    AshbyBusinessError,
    AshbyError,
    AshbyPermissionError,
    AshbyTransientError,
)
from migration_pipeline.load.conflicts import ConflictLog, decide, parse_written
from migration_pipeline.store import ledger as ledger_store
from migration_pipeline.store.journal import Journal

Json = dict[str, Any]
AMBIGUOUS_ATTEMPTS = 5  # writes whose answer was lost: look in Ashby, then write again, this many times


def payload_hash(payload: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class Item:
    """One Ashby object that should exist. `payload` is what decides "changed" (its hash is in the ledger)."""

    object_type: str
    lever_key: str
    payload: Mapping[str, Any]
    lever_type: str
    lever_id: str
    opportunity_id: str | None = None
    candidate_key: str | None = None
    partition_key: str | None = None
    context: Mapping[str, Any] = field(default_factory=dict)  # not hashed: what the loader needs besides

    @property
    def payload_hash(self) -> str:
        return payload_hash(self.payload)

    def lineage(self) -> Json:
        return {
            "object_type": self.object_type,
            "lever_key": self.lever_key,
            "lever_type": self.lever_type,
            "lever_id": self.lever_id,
            "lever_opportunity_id": self.opportunity_id,
            "candidate_key": self.candidate_key,
            "partition_key": self.partition_key,
        }


class DependencyMissing(Exception):
    """An object this item needs (its candidate, job, ...) has no Ashby id yet (failed or not loaded)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class LoadAborted(RuntimeError):
    """The key cannot do what the load needs (auth or permission): nothing more is attempted."""


class LiveLedger:
    """The ledger rows this load reads and writes: loaded from DuckDB at the start, kept current in memory,
    every change journaled before it is relied on."""

    def __init__(
        self, rows: dict[tuple[str, str], Json], journal: Journal | None, partition: str | None = None
    ) -> None:
        self.rows = rows
        self.journal = journal
        self.partition = partition
        self._lock = threading.Lock()

    def row(self, object_type: str, lever_key: str) -> Json | None:
        return self.rows.get((object_type, lever_key))

    def ashby_id(self, object_type: str, lever_key: str) -> str | None:
        row = self.rows.get((object_type, lever_key))
        return row["ashby_id"] if row and row["status"] == "done" else None

    def _event(self, event: Json) -> None:
        if self.journal is not None:
            self.journal.record(event)
        with self._lock:
            event = {"at": _now(), **event}
            ledger_store.apply_events(self.rows, [event])

    def intent(self, item: Item) -> None:
        self._event({**item.lineage(), "op": "intent", "payload_hash": item.payload_hash})

    def done(self, item: Item, ashby_id: str | None, written: Mapping[str, Any] | None = None) -> None:
        event = {**item.lineage(), "op": "result", "status": "done", "ashby_id": ashby_id}
        event["payload_hash"] = item.payload_hash
        if written is not None:
            event["written"] = json.dumps(written, sort_keys=True, default=str)
        self._event(event)

    def removed(self, object_type: str, lever_key: str, run_id: str | None = None) -> None:
        """The object was taken off in Ashby (a tag Lever no longer has): loading it again is a new write."""
        self._event({"object_type": object_type, "lever_key": lever_key, "op": "result", "status": "removed",
                     "run_id": run_id})  # fmt: skip

    def failed(self, item: Item, code: str, message: str, request_id: str = "") -> None:
        self._event(
            {
                **item.lineage(),
                "op": "result",
                "status": "failed",
                "error_code": code,
                "error_message": message[:2000],
                "request_id": request_id,
            }
        )

    def reassign(self, object_type: str, lever_key: str, ashby_id: str) -> None:
        """Record that an object now has another Ashby id (a candidate merged in Ashby)."""
        row = self.rows[(object_type, lever_key)]
        self._event(
            {
                "object_type": object_type,
                "lever_key": lever_key,
                "op": "result",
                "status": "done",
                "ashby_id": ashby_id,
                "payload_hash": row["payload_hash"],
            }
        )


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat()


@dataclass
class LoadContext:
    client: AshbyClient
    ledger: LiveLedger
    dry_run: bool = False
    # set by the candidate loader: re-resolves a candidate whose Ashby id stopped resolving (merged)
    refresh_candidate: Callable[[str], str | None] | None = None
    conflict_policy: str = "report"  # what an update does to a field someone changed in Ashby meanwhile
    conflicts: ConflictLog = field(default_factory=ConflictLog)

    def need(self, object_type: str, lever_key: str | None) -> str:
        """The Ashby id of a dependency, or DependencyMissing."""
        ashby_id = self.ledger.ashby_id(object_type, lever_key) if lever_key else None
        if ashby_id is None:
            raise DependencyMissing(f"{object_type} {lever_key} has no Ashby id (not loaded or failed)")
        return ashby_id


class Loader:
    """One Ashby object type. Subclasses implement `create` and, where Ashby allows, `update`; `find_existing`
    reads Ashby for an object written before a crash or a lost response."""

    object_type: str = ""
    updatable: bool = False

    def create(self, ctx: LoadContext, item: Item) -> str | None:
        raise NotImplementedError

    def update(self, ctx: LoadContext, item: Item, ashby_id: str, fields: frozenset[str] | None = None) -> None:
        """Bring the Ashby object in line with the item: every field, or only `fields` of `tracked`."""
        raise NotImplementedError

    def tracked(self, item: Item) -> Json | None:
        """The values of the fields an update compares with Ashby first (see conflicts.py); None: none."""
        return None

    def current(self, ctx: LoadContext, ashby_id: str) -> Json:
        """Ashby's values now of the `tracked` fields."""
        raise NotImplementedError

    def find_existing(self, ctx: LoadContext, item: Item) -> str | None:
        return None


@dataclass
class LoadStats:
    object_type: str
    outcomes: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)  # error code -> count
    failed_ids: list[str] = field(default_factory=list)  # Lever ids (never names or emails)

    def as_metadata(self) -> Json:
        meta: Json = {f"{self.object_type}_{k}": v for k, v in sorted(self.outcomes.items())}
        if self.errors:
            meta[f"{self.object_type}_errors_by_code"] = dict(self.errors)
        return meta


def _error_parts(exc: AshbyError) -> tuple[str, str, str]:
    return exc.code or type(exc).__name__, exc.message or str(exc), exc.request_id or ""


def load_one(loader: Loader, ctx: LoadContext, item: Item) -> str:
    """Write one item through the ledger; returns its outcome (see the module docstring)."""
    row = ctx.ledger.row(item.object_type, item.lever_key)
    if row and row["status"] == "done" and row["payload_hash"] == item.payload_hash:
        return "unchanged"
    if row and row["ashby_id"] and loader.updatable and row["status"] != "removed":
        # done and changed, or an update that crashed or failed: the object exists, bring it in line
        return _update(loader, ctx, item, row)
    if row and row["status"] == "done":
        return "changed_not_updatable"
    if ctx.dry_run:
        return "would_create"
    if row is not None and row["status"] != "removed":  # an intent without a result, or a failure
        try:
            existing = loader.find_existing(ctx, item)
        except DependencyMissing as exc:
            ctx.ledger.failed(item, "dependency_missing", exc.what)
            return "failed"
        except (AshbyAuthError, AshbyPermissionError) as exc:
            raise LoadAborted(str(exc)) from exc
        except AshbyError as exc:  # Ashby could not be read: never write blind, the next run looks again
            ctx.ledger.failed(item, *_error_parts(exc))
            return "failed"
        if existing is not None:
            ctx.ledger.done(item, existing, loader.tracked(item))
            return "adopted"
    ctx.ledger.intent(item)
    return _attempt(loader, ctx, item, lambda: loader.create(ctx, item), "created")


def _update(loader: Loader, ctx: LoadContext, item: Item, row: Json) -> str:
    ashby_id = row["ashby_id"]
    if ctx.dry_run:
        return "would_update"
    new = loader.tracked(item)
    fields = None
    if new is not None:  # compare with Ashby first: never overwrite what someone changed there unasked
        try:
            current = loader.current(ctx, ashby_id)
        except (AshbyAuthError, AshbyPermissionError) as exc:
            raise LoadAborted(str(exc)) from exc
        except AshbyError as exc:
            ctx.ledger.failed(item, *_error_parts(exc))
            return "failed"
        lineage = (item.object_type, item.lever_type, item.lever_id, ashby_id)
        decision = decide(new, parse_written(row.get("written")), current, ctx.conflict_policy, lineage)
        ctx.conflicts.add(decision.conflicts)
        if decision.skip:
            return "conflict"
        if not decision.fields:
            ctx.ledger.done(item, ashby_id, new)
            return "updated" if not decision.conflicts else "conflict_resolved"
        fields = decision.fields
    ctx.ledger.intent(item)

    def call() -> str:
        loader.update(ctx, item, ashby_id, fields)
        return ashby_id

    return _attempt(loader, ctx, item, call, "updated")


def _attempt(loader: Loader, ctx: LoadContext, item: Item, call: Callable[[], str | None], outcome: str) -> str:
    refreshed = False
    for attempt in range(1, AMBIGUOUS_ATTEMPTS + 1):
        try:
            ashby_id = call()
        except DependencyMissing as exc:
            ctx.ledger.failed(item, "dependency_missing", exc.what)
            return "failed"
        except (AshbyAuthError, AshbyPermissionError) as exc:
            ctx.ledger.failed(item, *_error_parts(exc))
            raise LoadAborted(str(exc)) from exc
        except AshbyBusinessError as exc:
            if not refreshed and exc.code == "candidate_not_found" and _refresh(ctx, item):
                refreshed = True
                continue
            ctx.ledger.failed(item, *_error_parts(exc))
            return "failed"
        except AshbyTransientError as exc:
            # the client already retried what is safe; this answer may hide a committed write
            if attempt == AMBIGUOUS_ATTEMPTS:
                ctx.ledger.failed(item, f"transport_{exc.kind}", str(exc), exc.request_id or "")
                return "failed"
            time.sleep(min(0.25 * 2**attempt, 8.0))
            if not exc.ambiguous or outcome == "updated":  # an update is safe to send again
                continue
            readable, existing = _look(loader, ctx, item)
            if existing is not None:
                ctx.ledger.done(item, existing, loader.tracked(item))
                return "adopted"
            if not readable:  # Ashby may hold it and cannot be read now: never write blind, the next run looks
                ctx.ledger.failed(item, f"transport_{exc.kind}", f"{exc} (and Ashby could not be read to check)")
                return "failed"
            continue
        except AshbyError as exc:
            ctx.ledger.failed(item, *_error_parts(exc))
            return "failed"
        ctx.ledger.done(item, ashby_id, loader.tracked(item))
        return outcome
    raise AssertionError("unreachable")


def _look(loader: Loader, ctx: LoadContext, item: Item) -> tuple[bool, str | None]:
    """(whether Ashby could be read, the object found there)."""
    try:
        return True, loader.find_existing(ctx, item)
    except (AshbyAuthError, AshbyPermissionError):
        raise
    except (AshbyError, DependencyMissing):
        return False, None


def _refresh(ctx: LoadContext, item: Item) -> bool:
    if ctx.refresh_candidate is None or not item.candidate_key:
        return False
    return ctx.refresh_candidate(item.candidate_key) is not None


def run_loader(
    loader: Loader,
    ctx: LoadContext,
    items: Sequence[Item],
    *,
    threads: int = 8,
    on_item: Callable[[str], None] | None = None,
) -> LoadStats:
    """Load items concurrently (they are independent within one object type); one failure never stops the rest."""
    stats = LoadStats(loader.object_type)

    def one(item: Item) -> None:
        outcome = load_one(loader, ctx, item)
        stats.outcomes[outcome] += 1
        if on_item is not None:
            on_item(outcome)
        if outcome == "failed":
            row = ctx.ledger.row(item.object_type, item.lever_key) or {}
            stats.errors[row.get("last_error_code") or "unknown"] += 1
            if len(stats.failed_ids) < 100:
                stats.failed_ids.append(item.lever_id)

    if threads <= 1 or len(items) <= 1:
        for item in items:
            one(item)
        return stats
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix=f"load-{loader.object_type}") as pool:
        for future in [pool.submit(one, item) for item in items]:
            future.result()  # re-raises LoadAborted
    return stats


def unique(items: Iterable[Item]) -> list[Item]:
    """Items with distinct keys (the first of each)."""
    seen: dict[tuple[str, str], Item] = {}
    for item in items:
        seen.setdefault((item.object_type, item.lever_key), item)
    return list(seen.values())
