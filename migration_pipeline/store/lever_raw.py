"""Raw Lever records: validate and hash a batch in Python (no connection held), then MERGE it in one statement.

Semantics of `merge_raw` for each `(lever_id, opportunity_id)` key of the batch:
- new key: inserted with `first_seen_at = changed_at = now`, `change_count = 0`;
- known key, different payload hash: payload, hash, `updated_at`, `fetched_at` replaced, `changed_at = now`,
  `change_count + 1`;
- known key, same hash: only `fetched_at` (and `partition_key`/`contact_id` when given) refreshed, so
  `fetched_at` always says when Lever last returned this payload;
- known key whose stored `fetched_at` is newer than the batch's (an old landed page folded in late): left
  alone and counted as `stale`, so an older fetch never overwrites a newer one.
`now` is the store's clock when the batch is folded in; `fetched_at` is when the payload left Lever.

The payload is stored as Lever sent it (key order kept, compact separators). The hash is sha256 of the canonical
JSON: keys sorted, no spaces, UTF-8 (`canonical_json`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import duckdb
import pandas as pd

from migration_pipeline.store.schema import DEFAULT_ID_FIELD, RAW_OBJECT_TYPES, check_object_type, raw_table

# Objects that only exist under an opportunity: their rows must name it.
CHILD_OBJECT_TYPES: frozenset[str] = frozenset(RAW_OBJECT_TYPES[RAW_OBJECT_TYPES.index("applications") :])

RecordFn = Callable[[Mapping[str, Any]], Any]
OnError = Literal["raise", "skip"]


@dataclass
class UpsertResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0  # stored row was fetched later than this batch: kept as is
    duplicates: int = 0  # records dropped because a later record in the batch had the same key
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (index in the input, reason)

    @property
    def written(self) -> int:
        return self.inserted + self.updated

    def __add__(self, other: UpsertResult) -> UpsertResult:
        return UpsertResult(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.stale + other.stale,
            self.duplicates + other.duplicates,
            [*self.rejected, *other.rejected],
        )


class BadRecordError(ValueError):
    """A record cannot be stored; the message names the object type, the record index and the field."""

    def __init__(self, object_type: str, index: int, reason: str) -> None:
        super().__init__(f"{object_type} record {index}: {reason}")
        self.object_type = object_type
        self.index = index
        self.reason = reason


def canonical_json(obj: Any) -> str:
    """Keys sorted, no spaces, UTF-8 kept as is, NaN/Infinity refused: the text a payload hash is taken of."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def payload_hash(obj: Any) -> str:
    return hashlib.sha256(canonical_json(obj).encode("utf-8")).hexdigest()


def utc_naive(ts: datetime | None) -> datetime:
    """DuckDB TIMESTAMP columns hold naive UTC: convert aware datetimes, take naive ones as UTC already."""
    if ts is None:
        return datetime.now(UTC).replace(tzinfo=None)
    if ts.tzinfo is not None:
        return ts.astimezone(UTC).replace(tzinfo=None)
    return ts


@dataclass
class PreparedBatch:
    object_type: str
    frame: pd.DataFrame  # lever_id, opportunity_id, contact_id, partition_key, payload, payload_hash, updated_at
    rejected: list[tuple[int, str]]
    duplicates: int


class _Reject(Exception):
    pass


def _as_id(value: Any, what: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, Mapping):  # an expanded reference, e.g. opportunity.contact with expand=contact
        value = value.get("id")
        if value is None:
            raise _Reject(f"{what} is an object without 'id'")
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _Reject(f"{what} is a {type(value).__name__}, not an id")
    text = str(value)
    if not text:
        raise _Reject(f"{what} is empty")
    return text


def _default_contact_of(object_type: str) -> RecordFn | None:
    if object_type == "opportunities":
        return lambda record: record.get("contact")
    return None


def prepare_raw(
    object_type: str,
    records: Sequence[Mapping[str, Any]],
    *,
    partition_key: str | RecordFn | None,
    opportunity_id_of: RecordFn | None = None,
    contact_id_of: RecordFn | None = None,
    id_of: RecordFn | None = None,
    on_error: OnError = "raise",
) -> PreparedBatch:
    """Validate, serialize and hash `records` into a DataFrame ready for `merge_raw`. Pure Python, no DuckDB.

    `id_of`, `opportunity_id_of`, `contact_id_of` are functions of the record. By default the id is the record's
    `id` (`text` for sources and tags), the contact of an opportunity is its `contact`, and everything else is
    NULL. Child objects (notes, feedback, files, ...) must be given `opportunity_id_of`.

    A bad record (not an object, no id, an id function that fails, an `updatedAt` that is not epoch ms, a value
    JSON cannot hold) raises `BadRecordError` naming the type, the index and the field when `on_error="raise"`
    (nothing is written); with `on_error="skip"` it is left out and listed in `rejected` as `(index, reason)`.
    """
    check_object_type(object_type)
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', not {on_error!r}")
    if object_type in CHILD_OBJECT_TYPES and opportunity_id_of is None:
        raise ValueError(f"{object_type} belong to an opportunity: pass opportunity_id_of")
    id_field = DEFAULT_ID_FIELD.get(object_type, "id")
    contact_of = contact_id_of if contact_id_of is not None else _default_contact_of(object_type)

    lever_ids: list[str] = []
    partitions: list[str | None] = []
    opp_ids: list[str | None] = []
    contact_ids: list[str | None] = []
    payloads: list[str] = []
    hashes: list[str] = []
    updated: list[int | None] = []
    rejected: list[tuple[int, str]] = []
    dumps = json.dumps
    sha256 = hashlib.sha256

    for index, record in enumerate(records):
        try:
            if not isinstance(record, Mapping):
                raise _Reject(f"is a {type(record).__name__}, not a JSON object")
            if id_of is None:
                if id_field not in record:
                    raise _Reject(f"has no {id_field!r} field")
                lever_id = _as_id(record[id_field], f"field {id_field!r}")
            else:
                lever_id = _as_id(_call(id_of, record, "id_of"), "id_of(record)")
            if lever_id is None:
                raise _Reject(f"field {id_field!r} is null" if id_of is None else "id_of(record) returned None")
            opp_id = None
            if opportunity_id_of is not None:
                opp_id = _as_id(_call(opportunity_id_of, record, "opportunity_id_of"), "opportunity_id_of(record)")
                if opp_id is None and object_type in CHILD_OBJECT_TYPES:
                    raise _Reject("opportunity_id_of(record) returned None")
            contact_id = None
            if contact_of is not None:
                contact_id = _as_id(_call(contact_of, record, "contact_id_of"), "contact id")
            updated_at = record.get("updatedAt")
            if updated_at is not None:
                if isinstance(updated_at, float) and updated_at.is_integer():
                    updated_at = int(updated_at)
                if isinstance(updated_at, bool) or not isinstance(updated_at, int):
                    raise _Reject(f"field 'updatedAt' is {updated_at!r}, not epoch milliseconds")
            try:
                payload = dumps(record, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
                canonical = dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
            except (TypeError, ValueError) as exc:
                raise _Reject(f"is not JSON-serializable: {exc}") from None
        except _Reject as bad:
            if on_error == "raise":
                raise BadRecordError(object_type, index, str(bad)) from None
            rejected.append((index, f"{object_type} record {index}: {bad}"))
            continue
        lever_ids.append(lever_id)
        partitions.append(partition_key(record) if callable(partition_key) else partition_key)
        opp_ids.append(opp_id)
        contact_ids.append(contact_id)
        payloads.append(payload)
        hashes.append(sha256(canonical.encode("utf-8")).hexdigest())
        updated.append(updated_at)

    frame = pd.DataFrame(
        {
            "lever_id": pd.Series(lever_ids, dtype=object),
            "opportunity_id": pd.Series(opp_ids, dtype=object),
            "contact_id": pd.Series(contact_ids, dtype=object),
            "payload": pd.Series(payloads, dtype=object),
            "payload_hash": pd.Series(hashes, dtype=object),
            "updated_at": pd.array(updated, dtype="Int64"),
        }
    )
    frame["partition_key"] = pd.Series(partitions, dtype=object)
    before = len(frame)
    # Same key twice in one batch: the last one wins (pandas treats None == None here).
    frame = frame.drop_duplicates(subset=["lever_id", "opportunity_id"], keep="last")
    return PreparedBatch(object_type, frame.reset_index(drop=True), rejected, before - len(frame))


def _call(fn: RecordFn, record: Mapping[str, Any], name: str) -> Any:
    try:
        return fn(record)
    except Exception as exc:
        raise _Reject(f"{name} failed: {type(exc).__name__}: {exc}") from None


_CLASSIFY = """
SELECT
    count(*) FILTER (WHERE t.lever_id IS NULL) AS inserted,
    count(*) FILTER (WHERE t.lever_id IS NOT NULL AND t.fetched_at > s.fetched_at) AS stale,
    count(*) FILTER (WHERE t.lever_id IS NOT NULL AND t.fetched_at <= s.fetched_at
                           AND t.payload_hash <> s.payload_hash) AS updated,
    count(*) FILTER (WHERE t.lever_id IS NOT NULL AND t.fetched_at <= s.fetched_at
                           AND t.payload_hash = s.payload_hash) AS unchanged
FROM _raw_src AS s
LEFT JOIN {table} AS t
    ON t.lever_id = s.lever_id AND t.opportunity_id IS NOT DISTINCT FROM s.opportunity_id
"""

_MERGE = """
MERGE INTO {table} AS t
USING _raw_src AS s
ON t.lever_id = s.lever_id AND t.opportunity_id IS NOT DISTINCT FROM s.opportunity_id
WHEN MATCHED AND t.fetched_at > s.fetched_at THEN DO NOTHING
WHEN MATCHED AND t.payload_hash <> s.payload_hash THEN UPDATE SET
    payload = s.payload,
    payload_hash = s.payload_hash,
    updated_at = s.updated_at,
    fetched_at = s.fetched_at,
    partition_key = coalesce(s.partition_key, t.partition_key),
    contact_id = coalesce(s.contact_id, t.contact_id),
    changed_at = s.now,
    change_count = t.change_count + 1
WHEN MATCHED THEN UPDATE SET
    fetched_at = s.fetched_at,
    partition_key = coalesce(s.partition_key, t.partition_key),
    contact_id = coalesce(s.contact_id, t.contact_id)
WHEN NOT MATCHED THEN INSERT
    (lever_id, opportunity_id, contact_id, partition_key, payload, payload_hash, updated_at,
     fetched_at, first_seen_at, changed_at, change_count)
VALUES
    (s.lever_id, s.opportunity_id, s.contact_id, s.partition_key, s.payload, s.payload_hash, s.updated_at,
     s.fetched_at, s.now, s.now, 0)
"""


def merge_raw(
    con: duckdb.DuckDBPyConnection,
    batch: PreparedBatch,
    *,
    fetched_at: datetime,
    now: datetime,
) -> UpsertResult:
    """Fold a prepared batch into its raw table in one transaction (classify, then one MERGE)."""
    result = UpsertResult(duplicates=batch.duplicates, rejected=list(batch.rejected))
    if batch.frame.empty:
        return result
    table = raw_table(batch.object_type)
    con.register("_raw_src_df", batch.frame)
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(
                """
                CREATE OR REPLACE TEMP TABLE _raw_src AS
                SELECT lever_id::VARCHAR AS lever_id,
                       opportunity_id::VARCHAR AS opportunity_id,
                       contact_id::VARCHAR AS contact_id,
                       partition_key::VARCHAR AS partition_key,
                       payload::JSON AS payload,
                       payload_hash::VARCHAR AS payload_hash,
                       updated_at::BIGINT AS updated_at,
                       $1::TIMESTAMP AS fetched_at,
                       $2::TIMESTAMP AS now
                FROM _raw_src_df
                """,
                [fetched_at, now],
            )
            row = con.execute(_CLASSIFY.format(table=table)).fetchone()
            assert row is not None
            result.inserted, result.stale, result.updated, result.unchanged = (int(v) for v in row)
            con.execute(_MERGE.format(table=table))
            con.execute("DROP TABLE _raw_src")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.unregister("_raw_src_df")
    return result


def prepare_raw_from_files(
    object_type: str,
    paths: Sequence[str | os.PathLike[str]],
    *,
    on_error: OnError = "raise",
    **kwargs: Any,
) -> PreparedBatch:
    """`prepare_raw` over newline-delimited JSON files (landed pages), read in order, one record per line.

    Blank lines are skipped. Record indexes count the non-blank lines of all files together; every error and
    rejection reason also names `path:line`.
    """
    check_object_type(object_type)
    records: list[Any] = []
    origins: list[str] = []
    parse_errors: dict[int, str] = {}
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                origin = f"{os.fspath(path)}:{lineno}"
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    if on_error == "raise":
                        raise BadRecordError(object_type, len(records), f"{origin} is not JSON: {exc}") from None
                    parse_errors[len(records)] = f"is not JSON: {exc}"
                    records.append(None)
                origins.append(origin)
    try:
        batch = prepare_raw(object_type, records, on_error=on_error, **kwargs)
    except BadRecordError as exc:
        raise BadRecordError(object_type, exc.index, f"({origins[exc.index]}) {exc.reason}") from None
    batch.rejected = [
        (index, f"{object_type} record {index} ({origins[index]}): {parse_errors[index]}")
        if index in parse_errors
        else (index, reason.replace(f"record {index}:", f"record {index} ({origins[index]}):", 1))
        for index, reason in batch.rejected
    ]
    return batch
