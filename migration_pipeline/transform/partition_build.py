"""Posting partitions built in worker processes while the main process reads and merges.

Building a partition (parsing its records; notes as Ashby shows them, feedback, files, form values) is Python,
and most of a big org's transform; DuckDB's reads and merges are the rest. The main process streams a slice's
records into one spool file per chunk of partitions (so no process holds a whole slice); a chunk is built into
rows, staged in an in-memory DuckDB (typed, one per key, hashed: `tables.stage_rows`) and spooled as one
Parquet file per table; the main process merges a slice's files in one statement per table. With more than one
worker the chunks are built in spawned processes (none holds the store's lock), so the main process reads the
next slice and merges the last one meanwhile; with one, the same build runs in-process.

Each partition is built with a resolution of its own, so what it reports (problems, unmapped values) depends on
its records only, never on which process built it or what that process built before.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import resource
import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import orjson

from migration_pipeline.transform.context import Context
from migration_pipeline.transform.outcomes import gc_paused, problem_rows, skip_rows, value_use_rows
from migration_pipeline.transform.records import RECORD_TYPES, FileIndex, Owner, build_partition
from migration_pipeline.transform.tables import TABLES, stage_rows

Json = dict[str, Any]
RawSlice = list[tuple[str, str, str, str]]  # (record type or "applications", partition, opportunity id, JSON)

PARTITION_TABLES = (
    "notes",
    "feedback",
    "files",
    "archived_records",
    "custom_field_values",
    "skipped",
    "value_uses",
    "problems",
)
WORKERS_ENV = "MIGRATION_TRANSFORM_WORKERS"
CHUNKS_PER_WORKER = 2  # chunks a slice is cut into per worker at least: the faster worker takes the spare one
CHUNK_RECORDS = 25_000  # records built at a time by one process: its memory follows this, not the slice
WORKER_DUCKDB_MEMORY = "256MB"


def default_workers() -> int:
    """`MIGRATION_TRANSFORM_WORKERS`, else one per core up to 2 (the main process reads and merges besides)."""
    configured = os.environ.get(WORKERS_ENV, "").strip()
    if configured:
        try:
            workers = int(configured)
        except ValueError as exc:
            raise ValueError(f"{WORKERS_ENV} must be a whole number of processes, got {configured!r}") from exc
        if workers < 1:
            raise ValueError(f"{WORKERS_ENV} must be at least 1, got {workers}")
        return workers
    return max(1, min(2, os.cpu_count() or 1))


@dataclass(frozen=True)
class Shared:
    """What every chunk's build needs: sent to each worker once."""

    base: Context
    spool: Path  # where chunks' records and built Parquet files go (next to the store, never /tmp: it may be RAM)


@dataclass
class Chunk:
    """Partitions to build together: their records in a spool file (deleted once read), and only the part of the
    org's owners and file index those records need, so a worker's memory follows its chunk, not the org."""

    keys: list[str]
    records: Path
    owners: dict[str, Owner]
    files: FileIndex


class ChunkSpool:
    """A chunk's records written to its spool file a query's result at a time as the main process reads them,
    so no process holds a whole slice; notes their opportunities (every one has an `applications` record)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.opportunities: set[str] = set()
        self._file = path.open("wb")

    def write(self, records: RawSlice) -> None:
        if records:
            pickle.dump(records, self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self.opportunities.update(r[2] for r in records if r[0] == "applications")

    def close(self) -> None:
        self._file.close()


def read_spool(path: Path) -> RawSlice:
    """A chunk's records from its spool file, which is then deleted."""
    raw: RawSlice = []
    with path.open("rb") as file:
        while True:
            try:
                raw += pickle.load(file)
            except EOFError:
                break
    path.unlink()
    return raw


@dataclass
class BuiltChunk:
    keys: list[str]
    files: dict[str, str]  # table -> Parquet file of its staged rows
    rows: dict[str, int]
    skipped: Counter = field(default_factory=Counter)
    blocking: set[str] = field(default_factory=set)
    pid: int = 0
    peak_mb: float = 0.0  # the building process's peak RSS so far


def parse_partition(raw: RawSlice) -> tuple[dict[str, dict[str, list[Json]]], dict[str, list[Json]]]:
    """(record type -> opportunity id -> payloads, opportunity id -> expanded applications) of one partition."""
    records: dict[str, dict[str, list[Json]]] = defaultdict(lambda: defaultdict(list))
    applications: dict[str, list[Json]] = {}
    for kind, _, opp_id, text in raw:
        if kind == "applications":
            applications[opp_id] = [a for a in orjson.loads(text or "[]") or [] if isinstance(a, dict)]
        else:
            records[kind][opp_id].append(orjson.loads(text))
    return records, applications


def _partition_rows(key: str, raw: RawSlice, shared: Shared, chunk: Chunk, out: BuiltChunk, rows: dict) -> None:
    base = shared.base
    ctx = Context(base.config, base.resolution.fresh(), base.lever, base.as_of_ms)
    records, applications = parse_partition(raw)
    by_kind = {kind: dict(by_opp) for kind, by_opp in records.items()}
    built = build_partition(key, by_kind, applications, chunk.owners, chunk.files, ctx)
    del records, by_kind, applications
    rows["notes"] += built.notes
    rows["feedback"] += built.feedback
    rows["files"] += built.files
    rows["archived_records"] += built.archived
    rows["custom_field_values"] += built.field_values
    rows["skipped"] += skip_rows(ctx, RECORD_TYPES)
    rows["value_uses"] += value_use_rows(ctx, key)
    problems = problem_rows(ctx, key)
    rows["problems"] += problems
    out.blocking |= {p["message"] for p in problems if p["blocking"]}
    out.skipped += Counter(s.reason_code for s in ctx.skipped)


_staging: duckdb.DuckDBPyConnection | None = None


def _staging_connection() -> duckdb.DuckDBPyConnection:
    """This process's in-memory DuckDB for staging (one thread: the workers are the parallelism)."""
    global _staging
    if _staging is None:
        _staging = duckdb.connect()
        _staging.execute(f"SET memory_limit = '{WORKER_DUCKDB_MEMORY}'")
        _staging.execute("SET threads = 1")
        _staging.execute("SET preserve_insertion_order = false")
    return _staging


@gc_paused()
def build_chunk(shared: Shared, chunk: Chunk) -> BuiltChunk:
    """Build the chunk's partitions (each one's records dropped once parsed) and spool their rows."""
    out = BuiltChunk(list(chunk.keys), {}, {}, pid=os.getpid())
    rows: dict[str, list[Json]] = {name: [] for name in PARTITION_TABLES}
    by_key: dict[str, RawSlice] = defaultdict(list)
    for record in read_spool(chunk.records):
        by_key[record[1]].append(record)
    for key in chunk.keys:
        _partition_rows(key, by_key.pop(key, []), shared, chunk, out, rows)
    con = _staging_connection()
    prefix = uuid.uuid4().hex
    for name in PARTITION_TABLES:
        table = TABLES[name]
        out.rows[name] = len(rows[name])
        staged = stage_rows(con, table, rows.pop(name))
        path = shared.spool / f"{prefix}-{name}.parquet"
        con.execute(f"COPY {staged} TO '{path}' (FORMAT parquet)")
        con.execute(f"DROP TABLE {staged}")
        out.files[name] = str(path)
    out.peak_mb = peak_rss_mb()
    return out


def peak_rss_mb() -> float:
    """This process's peak RSS: Linux's VmHWM, which starts afresh at exec (getrusage's maxrss would carry a
    spawned worker's parent's peak over), else getrusage."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


# ---- where chunks are built -------------------------------------------------------------------------------

_shared: Shared | None = None


def _init_worker(shared: Shared) -> None:
    global _shared
    _shared = shared


def _build_in_worker(chunk: Chunk) -> BuiltChunk:
    assert _shared is not None, "the worker was started without its shared inputs"
    return build_chunk(_shared, chunk)


def grouped_by_size(keys: Sequence[str], counts: Mapping[str, int], budget: int) -> list[list[str]]:
    """The keys in order, in groups whose counts add up to at most `budget` (a key over it gets a group of its own)."""
    groups: list[list[str]] = [[]]
    size = 0
    for key in keys:
        if groups[-1] and size + counts.get(key, 0) > budget:
            groups.append([])
            size = 0
        groups[-1].append(key)
        size += counts.get(key, 0)
    return groups


class PartitionBuilder:
    """Builds chunks of partitions in `workers` spawned processes, or in this one when `workers` is 1."""

    def __init__(self, shared: Shared, workers: int) -> None:
        self.shared = shared
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        if workers > 1:
            self._pool = ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context("spawn"),  # never fork: DuckDB's threads hold locks
                initializer=_init_worker,
                initargs=(shared,),
            )

    def __enter__(self) -> PartitionBuilder:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def chunks(self, counts: Mapping[str, int], keys: Sequence[str]) -> list[list[str]]:
        """The slice's keys cut into chunks of similar record counts: at most `CHUNK_RECORDS` (a big posting
        gets a chunk of its own), and with workers at least `CHUNKS_PER_WORKER` per worker."""
        total = sum(counts.get(k, 0) for k in keys)
        target = CHUNK_RECORDS
        if self._pool is not None:
            target = min(target, -(-total // (self.workers * CHUNKS_PER_WORKER)))
        return grouped_by_size(keys, counts, target)

    def submit(self, chunk: Chunk) -> Future[BuiltChunk]:
        if self._pool is not None:
            return self._pool.submit(_build_in_worker, chunk)
        done: Future[BuiltChunk] = Future()
        done.set_result(build_chunk(self.shared, chunk))
        return done
