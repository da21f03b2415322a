"""Extracting Lever into `lever_raw`: land what the client fetches, then fold it into DuckDB in short writes.

No DuckDB connection is ever open while the client waits on Lever or on the rate limiter: fetching
writes to the landing area only, and folding reads the landing and writes DuckDB only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migration_pipeline.extract.landing import Landing, ListLanding, Session
from migration_pipeline.lever.client import LeverClient
from migration_pipeline.lever.errors import LeverNotFound, LeverUnprocessableFile
from migration_pipeline.lever.streams import (
    OPPORTUNITIES,
    OPPORTUNITY_STREAMS,
    REFERENCE_STREAMS,
    Stream,
    applications_of,
    download_path,
    partition_of,
)
from migration_pipeline.store import Store, store_file_bytes


@dataclass
class StreamResult:
    """What one stream did: rows folded and how they compared with what was already there."""

    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    pages_fetched: int = 0
    resumed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    rejected: list[str] = field(default_factory=list)  # "index: reason" of records that could not be stored

    def add(self, upsert: Any) -> None:
        self.inserted += upsert.inserted
        self.updated += upsert.updated
        self.unchanged += upsert.unchanged
        self.rows += upsert.inserted + upsert.updated + upsert.unchanged
        self.rejected += [f"{index}: {reason}" for index, reason in upsert.rejected]

    def merge(self, part: StreamResult) -> None:
        """Add another run of the same stream (another partition) to this one."""
        for name in ("rows", "inserted", "updated", "unchanged", "pages_fetched"):
            setattr(self, name, getattr(self, name) + getattr(part, name))
        self.resumed = self.resumed or part.resumed
        self.rejected += part.rejected
        for key, value in part.extra.items():
            self.extra[key] = self.extra.get(key, 0) + value if isinstance(value, int | float) else value

    def as_metadata(self) -> dict[str, Any]:
        return {"rows": self.rows, "inserted": self.inserted, "updated": self.updated, "unchanged": self.unchanged,
                "pages_fetched": self.pages_fetched, "resumed": self.resumed, "rejected": len(self.rejected),
                "rejected_sample": self.rejected[:20], **self.extra}  # fmt: skip


def _land_list(client: LeverClient, landing: ListLanding, stream: Stream) -> StreamResult:
    """Fetch a list stream page by page into its landing, resuming after the last landed page."""
    result = StreamResult()
    checkpoint = landing.start()
    if landing.landed:
        result.resumed = True
        return result
    result.resumed = checkpoint.pages > 0
    for page in client.pages(stream.path_for(), dict(stream.params), start_offset=checkpoint.next_offset):
        landing.add_page(page.items, page.next_offset)
        result.pages_fetched += 1
    if not landing.landed:  # an empty last page without a token
        landing.finish_landing()
    return result


def _max_updated(records: Iterable[dict[str, Any]]) -> int | None:
    values = [r["updatedAt"] for r in records if isinstance(r.get("updatedAt"), int)]
    return max(values) if values else None


def _skipped() -> StreamResult:
    return StreamResult(resumed=True, extra={"skipped": "completed earlier in this run"})


def extract_list(
    client: LeverClient, store: Store, landing: Landing, stream: Stream, session: Session | None = None
) -> StreamResult:
    """A reference list (users, postings, stages, ...) into `lever_raw.<stream>`."""
    if session is not None and session.is_done(stream.name):
        return _skipped()
    listing = landing.list_stream(stream.name)
    result = _land_list(client, listing, stream)
    records = list(listing.records())
    result.add(store.upsert_raw(stream.name, records, partition_key="", id_of=stream.id_of, on_error="skip"))
    watermark = _max_updated(records)
    if watermark is not None:
        store.advance_watermark(stream.name, watermark)
    listing.mark_folded()
    if session is not None:
        session.mark_done(stream.name)
    return result


def extract_opportunities(
    client: LeverClient, store: Store, landing: Landing, session: Session | None = None
) -> tuple[StreamResult, dict[str, int]]:
    """The whole opportunity index (applications expanded) into `lever_raw.opportunities` and
    `lever_raw.applications`; returns the result and the number of opportunities per partition."""
    if session is not None and session.is_done(OPPORTUNITIES.name):
        counts = store.raw_index("opportunities")["partition_key"].value_counts()
        return _skipped(), {str(k): int(v) for k, v in counts.items()}
    listing = landing.list_stream(OPPORTUNITIES.name)
    result = _land_list(client, listing, OPPORTUNITIES)
    by_partition: dict[str, int] = defaultdict(int)
    applications = StreamResult()
    watermark: int | None = None
    # folded in chunks, so memory stays flat however many opportunities the org has
    for chunk in _chunks(listing.records(), FOLD_CHUNK):
        for opportunity in chunk:
            by_partition[partition_of(opportunity)] += 1
        folded_opportunities, folded_applications = fold_opportunities(store, chunk)
        result.add(folded_opportunities)
        applications.add(folded_applications)
        chunk_max = _max_updated(chunk)
        watermark = chunk_max if watermark is None else max(watermark, chunk_max or watermark)
    if watermark is not None:
        store.advance_watermark("opportunities", watermark)
    listing.mark_folded()
    if session is not None:
        session.mark_done(OPPORTUNITIES.name)
    result.extra["applications"] = applications.rows
    return result, dict(by_partition)


FOLD_CHUNK = 1_000  # opportunities folded per DuckDB write: memory stays flat however big the org is


def _chunks(records: Iterable[dict[str, Any]], size: int) -> Iterable[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for record in records:
        chunk.append(record)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def fold_opportunities(store: Store, opportunities: list[dict[str, Any]]) -> list[Any]:
    parents = {app["id"]: opp for opp in opportunities for app in applications_of(opp)}
    return store.upsert_many([
        ("opportunities", opportunities, {"partition_key": partition_of, "contact_id_of": lambda o: o.get("contact"),
                                          "on_error": "skip"}),
        ("applications", [a for opp in opportunities for a in applications_of(opp)],
         {"partition_key": lambda a: partition_of(parents[a["id"]]),
          "opportunity_id_of": lambda a: parents[a["id"]]["id"],
          "contact_id_of": lambda a: parents[a["id"]].get("contact"), "on_error": "skip"}),
    ])  # fmt: skip


def opportunities_in(store: Store, partition: str) -> list[tuple[str, str | None]]:
    """(opportunity id, contact id) of the opportunities of a partition, from the extracted index."""
    rows = store.raw_index("opportunities", partition_key=partition)
    return list(zip(rows["lever_id"], rows["contact_id"], strict=True))


def extract_partition(
    client: LeverClient,
    store: Store,
    landing: Landing,
    data_dir: Path,
    partition: str,
    *,
    workers: int = 8,
    session: Session | None = None,
) -> dict[str, StreamResult]:
    """Every per-opportunity record of one partition (notes, feedback, forms, interviews, panels, offers,
    referrals, resumes and files with their content) into `lever_raw`."""
    unit = f"partition:{partition}"
    if session is not None and session.is_done(unit):
        return {stream.name: _skipped() for stream in OPPORTUNITY_STREAMS}
    opportunities = opportunities_in(store, partition)
    area = landing.partition(partition)
    area.start()
    results = {stream.name: StreamResult() for stream in OPPORTUNITY_STREAMS}
    pending = [opp for opp, _contact in opportunities if not area.has(opp)]
    skipped = len(opportunities) - len(pending)

    def land(opportunity_id: str) -> None:
        records, files, unprocessable, missing = fetch_opportunity(client, data_dir, opportunity_id)
        area.add(opportunity_id, records, {"files": files, "unprocessable": unprocessable, "missing": missing})

    # Several opportunities in flight, so that at Lever's latency the shared rate budget, not the round
    # trips, sets the pace; each opportunity lands whole or not at all.
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="lever-extract") as pool:
        for future in [pool.submit(land, opp) for opp in pending]:
            future.result()
    _fold_partition(store, area, partition, dict(opportunities), results)
    for result in results.values():
        result.resumed = skipped > 0
        result.extra.update(opportunities=len(opportunities), opportunities_already_landed=skipped)
    if session is not None:
        session.mark_done(unit)
    return results


def fetch_opportunity(
    client: LeverClient, data_dir: Path, opportunity_id: str
) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    records: dict[str, list[dict[str, Any]]] = {}
    files: list[dict[str, Any]] = []
    unprocessable: list[dict[str, Any]] = []
    missing: list[str] = []
    for stream in OPPORTUNITY_STREAMS:
        try:
            records[stream.name] = [
                item
                for page in client.pages(stream.path_for(opportunity_id), dict(stream.params))
                for item in page.items
            ]
        except LeverNotFound:
            # deleted while we walked (Lever answers 404): nothing to land; the delta sync sees the deletion
            records[stream.name] = []
            missing.append(stream.name)
            continue
        if stream.download_kind is None:
            continue
        for record in records[stream.name]:
            if stream.download_kind == "resumes" and not isinstance(record.get("file"), dict):
                continue  # a resume parsed from an online profile has no file to download
            try:
                content = client.download(download_path(stream, opportunity_id, record))
            except LeverUnprocessableFile as exc:
                unprocessable.append({"kind": stream.download_kind, "file_id": record["id"], "status": 422,
                                      "message": exc.message})  # fmt: skip
                continue
            sha256, path = store_file_bytes(data_dir, content)
            files.append({"kind": stream.download_kind, "file_id": record["id"], "sha256": sha256,
                          "size": len(content), "path": str(path)})  # fmt: skip
    return records, files, unprocessable, missing


FOLD_OPPORTUNITIES = 200  # opportunities folded per DuckDB write: memory stays flat however big a posting is


def _fold_partition(
    store: Store, area: Any, partition: str, contacts: dict[str, str | None], results: dict[str, StreamResult]
) -> None:
    landed = list(area.items())
    for start in range(0, len(landed), FOLD_OPPORTUNITIES):
        fold_opportunity_records(store, landed[start : start + FOLD_OPPORTUNITIES], partition, contacts, results)
    area.mark_folded()


def fold_opportunity_records(
    store: Store, landed: list[tuple[str, Any]], partition: str, contacts: dict[str, str | None],
    results: dict[str, StreamResult],
) -> None:  # fmt: skip
    by_stream: dict[str, list[dict[str, Any]]] = defaultdict(list)
    parents: dict[str, dict[str, str]] = defaultdict(dict)
    files: list[dict[str, Any]] = []
    unprocessable: list[dict[str, Any]] = []
    for opportunity_id, load in landed:
        records = load()
        for name, items in records["records"].items():
            by_stream[name].extend(items)
            parents[name].update((item.get("id"), opportunity_id) for item in items)
        files += [{**f, "opportunity_id": opportunity_id} for f in records.get("files", [])]
        unprocessable += [{**u, "opportunity_id": opportunity_id} for u in records.get("unprocessable", [])]
    batches = []
    for stream in OPPORTUNITY_STREAMS:
        owner = parents[stream.name]
        batches.append((stream.name, by_stream[stream.name], {
            "partition_key": partition,
            "opportunity_id_of": lambda r, owner=owner: owner.get(r.get("id")),
            "contact_id_of": lambda r, owner=owner: contacts.get(owner.get(r.get("id"), "")),
            "on_error": "skip",
        }))  # fmt: skip
    for stream, upsert in zip(OPPORTUNITY_STREAMS, store.upsert_many(batches), strict=True):
        results[stream.name].add(upsert)
    store.record_files(files)
    for item in unprocessable:
        store.record_unprocessable(
            item["kind"], item["file_id"], item["opportunity_id"], item["status"], item["message"]
        )
    for kind in ("resumes", "files"):
        extra = results[kind].extra
        extra["files_stored"] = extra.get("files_stored", 0) + sum(f["kind"] == kind for f in files)
        extra["unprocessable"] = extra.get("unprocessable", 0) + sum(u["kind"] == kind for u in unprocessable)


def extract_all(client: LeverClient, store: Store, landing: Landing, data_dir: Path) -> dict[str, StreamResult]:
    """Everything, in the order the assets run it: reference lists, the opportunity index, every partition.
    (Dagster runs these as separate assets; this is the same work in one call, for tools and tests.)"""
    results: dict[str, StreamResult] = {}
    client.check_confidential_access()
    _, session = landing.open_session()  # a crashed call is resumed by the next one
    for stream in REFERENCE_STREAMS:
        results[stream.name] = extract_list(client, store, landing, stream, session)
    results["opportunities"], per_partition = extract_opportunities(client, store, landing, session)
    for partition in sorted(per_partition):
        for name, result in extract_partition(client, store, landing, data_dir, partition, session=session).items():
            results.setdefault(name, StreamResult()).merge(result)
    landing.close_session()
    return results
