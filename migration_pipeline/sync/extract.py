"""The delta extraction: what changed in Lever since a watermark, at a cost proportional to the change.

- the reference lists again, whole (a few pages: users, postings, stages, reasons, sources, tags, templates);
- the opportunities Lever lists with `updated_at_start` = watermark - overlap (applications expanded): new
  ones, stage changes, archive and unarchive, contact edits, tags, links and sources, and the interactions
  (notes, feedback, files) that move `lastInteractionAt` and so `updatedAt`;
- each of those opportunities' records (notes, feedback, forms, ..., files with their content), as the full
  extraction fetches them;
- `/opportunities/deleted` with `deleted_at_start` = watermark - overlap: recorded in
  `lever_raw.opportunities_deleted` and taken out of `lever_raw` (the transform then no longer has them).

Nothing else is walked: an unchanged opportunity costs no call. Re-reading a record inside the overlap is
harmless (the raw upserts and the ledger are idempotent).
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from migration_pipeline.extract.landing import Landing
from migration_pipeline.extract.lever_extract import (
    StreamResult,
    extract_list,
    fetch_opportunity,
    fold_opportunities,
    fold_opportunity_records,
)
from migration_pipeline.lever.client import LeverClient
from migration_pipeline.lever.streams import (
    DELETED_OPPORTUNITIES,
    OPPORTUNITIES,
    OPPORTUNITY_STREAMS,
    REFERENCE_STREAMS,
    partition_of,
)
from migration_pipeline.store import Store
from migration_pipeline.store.deletions import purge_opportunities

Json = dict[str, Any]
FOLD_EVERY = 200  # changed opportunities folded per DuckDB write


@dataclass
class DeltaExtract:
    since_ms: int  # the query's start (watermark - overlap)
    changed: dict[str, str] = field(default_factory=dict)  # opportunity id -> partition
    contacts: dict[str, str | None] = field(default_factory=dict)  # opportunity id -> contact id
    deleted: dict[str, Json] = field(default_factory=dict)  # opportunity id -> Lever's deleted record
    deleted_partitions: dict[str, str] = field(default_factory=dict)  # deleted id -> partition it had
    max_updated_ms: int | None = None
    max_deleted_ms: int | None = None
    results: dict[str, StreamResult] = field(default_factory=dict)

    @property
    def partitions(self) -> list[str]:
        """Every partition the delta touches (changed or deleted opportunities)."""
        return sorted(set(self.changed.values()) | set(self.deleted_partitions.values()))

    def counts(self) -> dict[str, int]:
        out = {"opportunities_changed": len(self.changed), "opportunities_deleted": len(self.deleted)}
        for name, result in self.results.items():
            if name in {s.name for s in OPPORTUNITY_STREAMS}:
                out[f"{name}_inserted"] = result.inserted
                out[f"{name}_updated"] = result.updated
        return out


def _max(values: list[Any]) -> int | None:
    ints = [v for v in values if isinstance(v, int)]
    return max(ints) if ints else None


def extract_delta(
    client: LeverClient, store: Store, landing: Landing, data_dir: Path, since_ms: int, *, workers: int = 8
) -> DeltaExtract:
    client.check_confidential_access()
    delta = DeltaExtract(since_ms=since_ms)
    for stream in REFERENCE_STREAMS:
        delta.results[stream.name] = extract_list(client, store, landing, stream)
    _changed_opportunities(client, store, delta)
    _deleted_opportunities(client, store, delta)
    _opportunity_records(client, store, landing, data_dir, delta, workers)
    return delta


def _changed_opportunities(client: LeverClient, store: Store, delta: DeltaExtract) -> None:
    stream = replace(OPPORTUNITIES, params={**OPPORTUNITIES.params, "updated_at_start": delta.since_ms})
    found = [item for page in client.pages(stream.path, dict(stream.params)) for item in page.items]
    result = StreamResult()
    for start in range(0, len(found), FOLD_EVERY):
        opportunities, _applications = fold_opportunities(store, found[start : start + FOLD_EVERY])
        result.add(opportunities)
    delta.results[OPPORTUNITIES.name] = result
    delta.changed = {opp["id"]: partition_of(opp) for opp in found}
    delta.contacts = {opp["id"]: opp.get("contact") for opp in found}
    delta.max_updated_ms = _max([opp.get("updatedAt") for opp in found])


def _deleted_opportunities(client: LeverClient, store: Store, delta: DeltaExtract) -> None:
    params = {"deleted_at_start": delta.since_ms}
    found = [item for page in client.pages(DELETED_OPPORTUNITIES.path, params) for item in page.items]
    delta.deleted = {item["id"]: item for item in found}
    delta.max_deleted_ms = _max([item.get("deletedAt") for item in found])
    if not found:
        return
    store.upsert_raw(DELETED_OPPORTUNITIES.name, found, partition_key="", on_error="skip")
    with store.connect() as con:
        delta.deleted_partitions = purge_opportunities(con, list(delta.deleted))
    for opp_id in delta.deleted:
        delta.changed.pop(opp_id, None)  # listed as changed, then deleted: nothing left to fetch


def _opportunity_records(
    client: LeverClient, store: Store, landing: Landing, data_dir: Path, delta: DeltaExtract, workers: int
) -> None:
    """Each changed opportunity's records, landed first (a crashed sync fetches only what it had not), then
    folded per partition."""
    results = {stream.name: StreamResult() for stream in OPPORTUNITY_STREAMS}
    by_partition: dict[str, list[str]] = defaultdict(list)
    for opp_id, partition in delta.changed.items():
        by_partition[partition].append(opp_id)
    for partition, opp_ids in sorted(by_partition.items()):
        area = landing.partition(partition)
        area.start()

        def land(opportunity_id: str, area: Any = area) -> None:
            records, files, unprocessable, missing = fetch_opportunity(client, data_dir, opportunity_id)
            area.add(opportunity_id, records, {"files": files, "unprocessable": unprocessable, "missing": missing})

        with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="lever-delta") as pool:
            for future in [pool.submit(land, opp) for opp in opp_ids if not area.has(opp)]:
                future.result()
        landed = [(opp, load) for opp, load in area.items() if opp in delta.changed]
        for start in range(0, len(landed), FOLD_EVERY):
            chunk = landed[start : start + FOLD_EVERY]
            fold_opportunity_records(store, chunk, partition, delta.contacts, results)
        area.mark_folded()
    delta.results.update(results)
