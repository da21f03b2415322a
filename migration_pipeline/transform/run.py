"""Run the transform against the store: `transform_org` (candidates, applications, jobs, tags, org-level
custom field values, resolutions) and `transform_partitions` (per posting: notes, feedback, files, form
values). Each reads under a short connection, computes without one, then merges its scope in one write."""

from __future__ import annotations

import gc
import os
import tempfile
import uuid
from collections import Counter, defaultdict, deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import orjson

from migration_pipeline.lever.streams import NO_POSTING
from migration_pipeline.store import Store
from migration_pipeline.store import ashby_org as ashby_org_store
from migration_pipeline.transform.applications import build_applications
from migration_pipeline.transform.context import Context, LeverReference
from migration_pipeline.transform.jobs import build_jobs
from migration_pipeline.transform.mapping import MappingConfig
from migration_pipeline.transform.names import name_key
from migration_pipeline.transform.outcomes import gc_paused, problem_rows, skip_rows, value_use_rows
from migration_pipeline.transform.partition_build import (
    BuiltChunk,
    Chunk,
    ChunkSpool,
    PartitionBuilder,
    RawSlice,
    Shared,
    default_workers,
    grouped_by_size,
)
from migration_pipeline.transform.people import build_people
from migration_pipeline.transform.phones import normalize_phone
from migration_pipeline.transform.records import RECORD_TYPES, FileIndex, Owner
from migration_pipeline.transform.resolve import AshbyOrg
from migration_pipeline.transform.tables import (
    TABLES,
    MergeResult,
    ensure_tables,
    merge_rows,
    merge_staged,
    stage_files,
)

Json = dict[str, Any]

ORG_SCOPE = "org"
ORG_SKIP_TYPES = ("contacts", "opportunities", "applications", "postings")
ORG_VALUE_TYPES = ("contacts", "opportunities")
REFERENCE_TYPES = ("users", "stages", "archive_reasons", "feedback_templates", "postings")


# The transform's connections. DuckDB's buffer pool would otherwise keep every block a slice's scans read (up to
# 80% of RAM): reads stream, so a small pool does; merges (hash joins over whole tables) get more and spill to
# disk beyond it. A checkpoint only when the connection closes: DuckDB checkpoints when the WAL passes 16 MB, so
# a slice's writes would be checkpointed mid-way and again at the close, each rewriting the tables' last row
# groups.
READ_MEMORY_LIMIT = "64MB"
WRITE_MEMORY_LIMIT = "256MB"
CHECKPOINT_THRESHOLD = "4GB"


@contextmanager
def _connect(store: Store, memory_limit: str = READ_MEMORY_LIMIT) -> Iterator[duckdb.DuckDBPyConnection]:
    with store.connect() as con:
        con.execute(f"SET memory_limit = '{memory_limit}'")
        con.execute(f"SET checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
        yield con


@contextmanager
def _run_memory_released() -> Iterator[None]:
    """A run's caches emptied and its cycles collected when it ends: their objects, scattered among the millions
    the run built and freed, would keep most of that memory from going back (a 100k org's transform_org left
    720 MB resident, 400 MB with this), and a long-lived process would carry them into the next run."""
    try:
        yield
    finally:
        normalize_phone.cache_clear()
        name_key.cache_clear()
        gc.collect()


class TransformError(RuntimeError):
    """The transform cannot run (e.g. the Ashby org was never read)."""


@dataclass
class TransformResult:
    scope: str
    tables: dict[str, MergeResult] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    skipped: Counter = field(default_factory=Counter)
    blocking: int = 0
    worker_peak_mb: float = 0.0  # the worker processes' peak RSS, added up (0 when built in this process)

    def as_metadata(self) -> dict[str, Any]:
        meta: dict[str, Any] = {f"rows_{k}": v for k, v in self.rows.items()}
        for name, merged in self.tables.items():
            meta[f"{name}_changed"] = merged.inserted + merged.updated + merged.deleted
        meta["skipped"] = sum(self.skipped.values())
        meta["blocking_problems"] = self.blocking
        return meta

    def add(self, name: str, merged: MergeResult, rows: int) -> None:
        """A table's merge and incoming rows, added to what earlier slices of this transform merged."""
        self.tables[name] = self.tables[name] + merged if name in self.tables else merged
        self.rows[name] = self.rows.get(name, 0) + rows


# the opportunity fields the org-level transform reads; the expanded applications shrink to id and posting
# (their answers, often most of the payload, are only needed per partition)
OPPORTUNITY_FIELDS = (
    "id",
    "contact",
    "name",
    "emails",
    "phones",
    "links",
    "location",
    "headline",
    "tags",
    "sources",
    "stage",
    "stageChanges",
    "origin",
    "sourcedBy",
    "owner",
    "followers",
    "createdAt",
    "updatedAt",
    "archived",
    "confidentiality",
    "isAnonymized",
    "dataProtection",
)
FETCH_ROWS = 5000


def _as_varchar(value: Any) -> str | None:
    """A JSON value as DuckDB's `json_transform` to VARCHAR gives it: text as is, other values as JSON text."""
    if value is None or isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


def _application_ref(application: Any) -> Json | None:
    """An expanded application shrunk to id and posting (a value that is not an object has neither)."""
    if application is None:
        return None
    if not isinstance(application, dict):
        return {"id": None, "posting": None}
    return {"id": _as_varchar(application.get("id")), "posting": _as_varchar(application.get("posting"))}


def _share_values(opportunity: Json, shared: dict[str, str]) -> None:
    """The ids and names that repeat across opportunities (users, stages, tags, sources, postings) as one string
    object each: a big org's opportunities take a good part less memory."""
    one = shared.setdefault
    for name in ("stage", "owner", "sourcedBy", "origin", "confidentiality"):
        if isinstance(opportunity[name], str):
            opportunity[name] = one(opportunity[name], opportunity[name])
    for name in ("followers", "tags", "sources"):
        if isinstance(opportunity[name], list):
            opportunity[name] = [one(v, v) if isinstance(v, str) else v for v in opportunity[name]]
    for change in opportunity["stageChanges"] if isinstance(opportunity["stageChanges"], list) else ():
        for name in ("toStageId", "userId"):
            if isinstance(change, dict) and isinstance(change.get(name), str):
                change[name] = one(change[name], change[name])
    for application in opportunity["applications"] or ():
        if application and application["posting"] is not None:
            application["posting"] = one(application["posting"], application["posting"])


def _opportunities(con: duckdb.DuckDBPyConnection) -> list[Json]:
    """Every opportunity, projected on `OPPORTUNITY_FIELDS` (a missing field is None). The payloads are parsed
    whole, a batch at a time, and projected in Python: extracting 22 fields in SQL parses each payload 22 times.
    In the order of their ids, sorted here: sorting in SQL would hold every payload in DuckDB's memory."""
    cur = con.execute("SELECT lever_id, payload FROM lever_raw.opportunities")
    out: list[tuple[str, Json]] = []
    shared: dict[str, str] = {}
    while batch := cur.fetchmany(FETCH_ROWS):
        for lever_id, text in batch:
            payload = orjson.loads(text)
            opportunity = {name: payload.get(name) for name in OPPORTUNITY_FIELDS}
            applications = payload.get("applications")
            opportunity["applications"] = (
                [_application_ref(a) for a in applications] if isinstance(applications, list) else None
            )
            _share_values(opportunity, shared)
            out.append((lever_id, opportunity))
    out.sort(key=lambda item: item[0])
    return [opportunity for _, opportunity in out]


def _payloads(con: duckdb.DuckDBPyConnection, object_type: str, where: str = "", params: Sequence = ()) -> list[Json]:
    rows = con.execute(f"SELECT payload FROM lever_raw.{object_type} {where} ORDER BY lever_id", list(params))
    return [orjson.loads(p) for (p,) in rows.fetchall()]


def _context(con: duckdb.DuckDBPyConnection, config: MappingConfig) -> Context:
    snapshot = ashby_org_store.read_snapshot(con)
    if not snapshot:
        raise TransformError(
            "the Ashby org has not been read yet: materialize `ashby_org_metadata` (or run `migration-pipeline plan`)"
            " so the transform knows the org's users, interview plans, stages, reasons and forms"
        )
    lever = LeverReference.from_payloads(**{t: _payloads(con, t) for t in REFERENCE_TYPES})
    return Context.build(config, AshbyOrg.from_kinds(snapshot), lever)


def _resolve_reference(ctx: Context) -> None:
    """Resolve every Lever user, source and archive reason, so the plan shows each decision once."""
    for user in ctx.lever.users.values():
        ctx.resolution.users.resolve(user["id"], user.get("email") or user["id"])
    for reason in ctx.lever.archive_reasons.values():
        if reason.get("type") != "hired":
            ctx.resolution.archive_reasons.resolve(reason["id"], reason.get("text") or "")


def _resolution_rows(ctx: Context) -> list[Json]:
    return [
        {
            "dimension": m.dimension,
            "scope": m.scope,
            "lever_key": m.lever_key,
            "lever_name": m.lever_name,
            "how": m.how,
            "ashby_id": m.ashby_id,
            "ashby_name": m.ashby_name,
        }
        for m in ctx.resolution.all_matches()
    ]


def _write(
    con: duckdb.DuckDBPyConnection,
    result: TransformResult,
    name: str,
    rows: list[Json],
    scope_sql: str = "TRUE",
    params: Sequence = (),
) -> None:
    result.add(name, merge_rows(con, TABLES[name], rows, scope_sql=scope_sql, scope_params=params), len(rows))


@_run_memory_released()
@gc_paused()
def transform_org(store: Store, config: MappingConfig) -> TransformResult:
    with _connect(store) as con:
        ensure_tables(con)
        ctx = _context(con, config)
        opportunities = _opportunities(con)
    _resolve_reference(ctx)
    people = build_people(opportunities, ctx)
    holding = config.policies.no_posting == "holding_job" and any(
        (o.get("applications") or []) == [] or not any(a.get("posting") for a in o.get("applications") or [])
        for o in opportunities
        if o["id"] in people.candidate_of
    )
    jobs = build_jobs(list(ctx.lever.postings.values()), ctx, holding_needed=holding)
    applications, app_values = build_applications(opportunities, people.candidate_of, jobs, ctx)
    del opportunities  # the org's largest object: free it before the writes build their frames
    result = TransformResult(ORG_SCOPE)
    skip_scope = "lever_type IN ({})".format(", ".join(f"'{t}'" for t in ORG_SKIP_TYPES))
    value_scope = "lever_type IN ({})".format(", ".join(f"'{t}'" for t in ORG_VALUE_TYPES))
    with _connect(store, WRITE_MEMORY_LIMIT) as con:
        # each table's rows are dropped once written: the next frame reuses their memory
        for name, rows in (
            ("candidates", people.candidates),
            ("candidate_merges", people.merges),
            ("candidate_tags", people.tags),
            ("jobs", jobs),
            ("applications", applications),
        ):
            _write(con, result, name, rows)
            rows.clear()
        values = people.field_values + app_values
        people.field_values.clear()
        app_values.clear()
        _write(con, result, "custom_field_values", values, value_scope)
        del values
        _write(con, result, "skipped", skip_rows(ctx, ORG_SKIP_TYPES), skip_scope)
        _write(con, result, "resolutions", _resolution_rows(ctx))
        _write(con, result, "value_uses", value_use_rows(ctx, ORG_SCOPE), "transform_scope = ?", [ORG_SCOPE])
        problems = problem_rows(ctx, ORG_SCOPE)
        _write(con, result, "problems", problems, "transform_scope = ?", [ORG_SCOPE])
    result.skipped = Counter(s.reason_code for s in ctx.skipped)
    result.blocking = sum(1 for p in problems if p["blocking"])
    return result


def _owners(con: duckdb.DuckDBPyConnection) -> dict[str, Owner]:
    rows = con.execute(
        """SELECT o.opportunity_id, c.candidate_key, a.lever_opportunity_id IS NOT NULL
           FROM (SELECT candidate_key, unnest(CAST(lever_opportunity_ids AS VARCHAR[])) AS opportunity_id
                 FROM canonical.candidates) o
           JOIN canonical.candidates c USING (candidate_key)
           LEFT JOIN canonical.applications a ON a.lever_opportunity_id = o.opportunity_id"""
    ).fetchall()
    return {opp: Owner(candidate, bool(has_app)) for opp, candidate, has_app in rows}


def _resume_choice(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Each candidate's most recent processable resume (across all their opportunities) becomes the resume."""
    rows = con.execute(
        """WITH owners AS (
               SELECT candidate_key, unnest(CAST(lever_opportunity_ids AS VARCHAR[])) AS opportunity_id
               FROM canonical.candidates)
           SELECT o.candidate_key, arg_max(r.lever_id, coalesce(CAST(r.payload->>'$.file.uploadedAt' AS BIGINT),
                  CAST(r.payload->>'$.createdAt' AS BIGINT), 0))
           FROM lever_raw.resumes r JOIN owners o ON o.opportunity_id = r.opportunity_id
           WHERE NOT EXISTS (SELECT 1 FROM meta.unprocessable_files u
                             WHERE u.kind = 'resumes' AND u.file_id = r.lever_id)
           GROUP BY o.candidate_key"""
    ).fetchall()
    return dict(rows)


SLICE_RECORDS = 200_000  # records read, built and merged at a time: memory stays flat with the org's size


@dataclass
class SharedInputs:
    """What every partition needs: who owns each opportunity, every file's content, 422 and first copy, and each
    opportunity's files (to hand a chunk only its part)."""

    owners: dict[str, Owner]
    files: FileIndex
    files_of: dict[str, list[tuple[str, str]]]  # opportunity id -> (kind, file id)

    def chunk(self, keys: list[str], spool: ChunkSpool) -> Chunk:
        opportunities = sorted(spool.opportunities)
        owners = {opp: self.owners[opp] for opp in opportunities if opp in self.owners}
        files = [f for opp in opportunities for f in self.files_of.get(opp, ())]
        subset = self.files.subset(files, {owner.candidate_key for owner in owners.values()})
        return Chunk(keys, spool.path, owners, subset)


def _shared_inputs(con: duckdb.DuckDBPyConnection) -> SharedInputs:
    owners = _owners(con)
    contents, owner_of = {}, {}
    files_of: dict[str, list[tuple[str, str]]] = defaultdict(list)
    query = "SELECT kind, file_id, opportunity_id, sha256, size, path FROM meta.file_contents"
    for kind, fid, opp, sha, size, path in con.execute(query).fetchall():
        contents[(kind, fid)] = {"sha256": sha, "size": size, "path": path}
        files_of[opp].append((kind, fid))
        if opp in owners:
            owner_of[(kind, fid)] = owners[opp].candidate_key
    unprocessable = {}
    query = "SELECT kind, file_id, opportunity_id, status FROM meta.unprocessable_files"
    for kind, fid, opp, status in con.execute(query).fetchall():
        unprocessable[(kind, fid)] = {"status": status}
        files_of[opp].append((kind, fid))
    files = FileIndex.build(contents, unprocessable, _resume_choice(con), owner_of)
    return SharedInputs(owners, files, dict(files_of))


def _record_counts(con: duckdb.DuckDBPyConnection) -> Counter:
    """How many records each partition has."""
    counts: Counter = Counter()
    for kind in RECORD_TYPES:
        for key, n in con.execute(f"SELECT partition_key, count(*) FROM lever_raw.{kind} GROUP BY 1").fetchall():
            counts[key] += n
    return counts


IN_KEYS = "SELECT unnest(CAST(? AS VARCHAR[]))"  # the keys of a slice, bound as one list


# Panels and resumes only as far as the transform reads them (a panel's id; a resume's id, file and time), which
# DuckDB extracts for much less than parsing and freeing the whole payloads (a resume's parsed profile) in Python.
PAYLOAD_FIELDS = {"panels": ("id",), "resumes": ("id", "file", "createdAt")}


def _payload_sql(kind: str) -> str:
    fields = PAYLOAD_FIELDS.get(kind)
    if fields is None:
        return "payload"
    return "json_object({})".format(", ".join(f"'{f}', payload->'$.{f}'" for f in fields))


def _slice_queries() -> list[str]:
    """Each record type's records of the partitions bound as one list, as JSON text, and the expanded applications
    of their opportunities (every opportunity of the partitions: an empty list where it has none)."""
    where = f"WHERE partition_key IN ({IN_KEYS})"  # a list parameter: an IN list of `?`s scans much slower
    queries = [
        f"SELECT '{kind}', partition_key, opportunity_id, {_payload_sql(kind)} FROM lever_raw.{kind} {where}"
        for kind in RECORD_TYPES
    ]
    applications = "'applications', partition_key, lever_id, payload->'$.applications'"
    return [f"SELECT {applications} FROM lever_raw.opportunities {where}", *queries]


def _spool_slice(con: duckdb.DuckDBPyConnection, chunks: list[list[str]], spool: Path) -> list[ChunkSpool]:
    """A slice's records, as JSON text, written into one spool file per chunk of its partitions a record type at
    a time, so this process holds one type's records of the slice at most."""
    spools = [ChunkSpool(spool / f"{uuid.uuid4().hex}.records") for _ in chunks]
    chunk_of = {key: i for i, keys in enumerate(chunks) for key in keys}
    keys = list(chunk_of)
    for sql in _slice_queries():
        parts: list[RawSlice] = [[] for _ in chunks]
        for record in con.execute(sql, [keys]).fetchall():
            parts[chunk_of[record[1]]].append(record)
        for chunk, records in zip(spools, parts, strict=True):
            chunk.write(records)
    for chunk in spools:
        chunk.close()
    return spools


def _record_scopes() -> dict[str, str]:
    """Each partition table's scope for a slice: its keys are bound as one list parameter."""
    in_keys = f"partition_key IN ({IN_KEYS})"
    types = ", ".join(f"'{t}'" for t in RECORD_TYPES)
    return {
        "notes": in_keys,
        "feedback": in_keys,
        "files": in_keys,
        "archived_records": in_keys,
        "custom_field_values": f"{in_keys} AND lever_type = 'forms'",
        "skipped": f"{in_keys} AND lever_type IN ({types})",
        "value_uses": f"transform_scope IN ({IN_KEYS})",
        "problems": f"transform_scope IN ({IN_KEYS})",
    }


@_run_memory_released()
@gc_paused()
def transform_partitions(
    store: Store,
    config: MappingConfig,
    keys: Sequence[str],
    *,
    slice_records: int = SLICE_RECORDS,
    workers: int | None = None,
) -> TransformResult:
    """Transform the given posting partitions, a slice of them at a time (read, build, one merge per table);
    the slices' partitions are built by `workers` processes (by default `default_workers()` when the keys have
    `POOL_MIN_RECORDS` records or more, else this one)."""
    keys = list(dict.fromkeys(keys))
    result = TransformResult(",".join(keys) if len(keys) <= 3 else f"{len(keys)} partitions")
    if not keys:
        return result
    with _connect(store) as con:
        ensure_tables(con)
        base = _context(con, config)
        inputs = _shared_inputs(con)
        counts = _record_counts(con)
    slices = grouped_by_size(keys, counts, slice_records)  # a big posting gets a slice of its own
    if workers is None:
        workers = default_workers() if sum(counts[k] for k in keys) >= POOL_MIN_RECORDS else 1
    blocking: set[str] = set()
    peaks: dict[int, float] = {}
    with (
        tempfile.TemporaryDirectory(prefix=".transform-spool-", dir=store.path.parent) as spool,
        PartitionBuilder(Shared(base, Path(spool)), workers) as builder,
    ):
        for part, chunks in _built_slices(store, slices, counts, inputs, builder):
            for chunk in chunks:
                blocking |= chunk.blocking
                result.skipped += chunk.skipped
                peaks[chunk.pid] = max(peaks.get(chunk.pid, 0.0), chunk.peak_mb)
            _merge_chunks(store, result, part, chunks)
    result.blocking = len(blocking)
    result.worker_peak_mb = sum(mb for pid, mb in peaks.items() if pid != os.getpid())
    return result


POOL_MIN_RECORDS = 20_000  # below this, starting worker processes (~1-2 s each) costs more than it saves


def _merge_chunks(store: Store, result: TransformResult, part: list[str], chunks: list[BuiltChunk]) -> None:
    """One merge per table of the slice's spooled chunks, then their files are gone."""
    with _connect(store, WRITE_MEMORY_LIMIT) as con:
        for name, scope in _record_scopes().items():
            table = TABLES[name]
            staged = stage_files(con, table, [c.files[name] for c in chunks])
            try:
                merged = merge_staged(con, table, staged, scope_sql=scope, scope_params=[part])
            finally:
                con.execute(f"DROP TABLE IF EXISTS {staged}")
            result.add(name, merged, sum(c.rows[name] for c in chunks))
    for chunk in chunks:
        for path in chunk.files.values():
            Path(path).unlink(missing_ok=True)


def _built_slices(
    store: Store, slices: list[list[str]], counts: Counter, inputs: SharedInputs, builder: PartitionBuilder
) -> Iterator[tuple[list[str], list[BuiltChunk]]]:
    """Each slice's built chunks. With workers, the next slice is spooled and handed to them before the last
    one's chunks are awaited, so they build while this process merges."""
    ahead = 1 if builder.workers > 1 else 0
    pending: deque[tuple[list[str], list[Future[BuiltChunk]]]] = deque()
    for part in slices:
        chunks = builder.chunks(counts, part)
        with _connect(store) as con:
            spools = _spool_slice(con, chunks, builder.shared.spool)
        futures = [builder.submit(inputs.chunk(keys, spool)) for keys, spool in zip(chunks, spools, strict=True)]
        pending.append((part, futures))
        while len(pending) > ahead:
            done, waiting = pending.popleft()
            yield done, [f.result() for f in waiting]
    while pending:
        done, waiting = pending.popleft()
        yield done, [f.result() for f in waiting]


def partition_keys(store: Store) -> list[str]:
    """Every posting partition with records (and the no-posting one)."""
    with _connect(store) as con:
        keys = {k for (k,) in con.execute("SELECT DISTINCT partition_key FROM lever_raw.opportunities").fetchall() if k}
    return sorted(keys - {NO_POSTING}) + ([NO_POSTING] if NO_POSTING in keys else [])
