"""`Store`: the one owner of connections to the pipeline's DuckDB file. Each method opens a short connection
under the file lock (`connection.locked_connection`), does its work and closes it. Python-side work (JSON,
hashing, reading landed files) happens before the lock is taken."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from migration_pipeline.store import files, lever_raw, watermarks
from migration_pipeline.store.connection import DEFAULT_LOCK_TIMEOUT_S, locked_connection
from migration_pipeline.store.lever_raw import OnError, RecordFn, UpsertResult, utc_naive
from migration_pipeline.store.schema import RAW_OBJECT_TYPES, ensure_schema, raw_table


class Store:
    def __init__(self, path: Path | str, *, lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S) -> None:
        self.path = Path(path)
        self.lock_timeout_s = lock_timeout_s
        self._schema_ready = False
        self._schema_guard = threading.Lock()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short connection under the store's file lock, with the schema in place. Close it fast: never hold
        it across a network call or a rate-limiter wait."""
        with locked_connection(self.path, lock_timeout_s=self.lock_timeout_s) as con:
            if not self._schema_ready:
                with self._schema_guard:
                    ensure_schema(con)
                    self._schema_ready = True
            yield con

    def ensure_schema(self) -> None:
        with locked_connection(self.path, lock_timeout_s=self.lock_timeout_s) as con:
            ensure_schema(con)
        self._schema_ready = True

    # raw Lever records ------------------------------------------------------------------------------------

    def upsert_raw(
        self,
        object_type: str,
        records: Sequence[Mapping[str, Any]],
        *,
        partition_key: str | RecordFn | None,
        opportunity_id_of: RecordFn | None = None,
        contact_id_of: RecordFn | None = None,
        id_of: RecordFn | None = None,
        fetched_at: datetime | None = None,
        on_error: OnError = "raise",
    ) -> UpsertResult:
        """Insert new records, update changed ones, refresh `fetched_at` of unchanged ones (see `lever_raw`).

        Raises ValueError for an unknown object type, and `BadRecordError` (a ValueError naming the type, record
        index and field) for a bad record unless `on_error="skip"`, which stores the others and lists the bad
        ones in `UpsertResult.rejected`.
        """
        batch = lever_raw.prepare_raw(
            object_type,
            records,
            partition_key=partition_key,
            opportunity_id_of=opportunity_id_of,
            contact_id_of=contact_id_of,
            id_of=id_of,
            on_error=on_error,
        )
        return self._merge(batch, fetched_at)

    def upsert_raw_from_files(
        self,
        object_type: str,
        paths: Sequence[str | os.PathLike[str]],
        *,
        partition_key: str | RecordFn | None,
        opportunity_id_of: RecordFn | None = None,
        contact_id_of: RecordFn | None = None,
        id_of: RecordFn | None = None,
        fetched_at: datetime | None = None,
        on_error: OnError = "raise",
    ) -> UpsertResult:
        """`upsert_raw` over newline-delimited JSON files (one record per line), in the order given."""
        batch = lever_raw.prepare_raw_from_files(
            object_type,
            paths,
            partition_key=partition_key,
            opportunity_id_of=opportunity_id_of,
            contact_id_of=contact_id_of,
            id_of=id_of,
            on_error=on_error,
        )
        return self._merge(batch, fetched_at)

    def upsert_many(
        self, batches: Sequence[tuple[str, Sequence[Mapping[str, Any]], dict[str, Any]]]
    ) -> list[UpsertResult]:
        """Several `upsert_raw` calls (object type, records, keyword arguments) in ONE short connection: what a
        partition's fold writes at once. Records are checked and hashed before the lock is taken."""
        prepared = [lever_raw.prepare_raw(object_type, records, **{"partition_key": None, **kwargs})
                    for object_type, records, kwargs in batches]  # fmt: skip
        results: list[UpsertResult] = []
        now = utc_naive(None)
        with self.connect() as con:
            for batch in prepared:
                if batch.frame.empty:
                    results.append(lever_raw.UpsertResult(duplicates=batch.duplicates, rejected=list(batch.rejected)))
                else:
                    results.append(lever_raw.merge_raw(con, batch, fetched_at=now, now=now))
        return results

    def _merge(self, batch: lever_raw.PreparedBatch, fetched_at: datetime | None) -> UpsertResult:
        if batch.frame.empty:
            return lever_raw.UpsertResult(duplicates=batch.duplicates, rejected=list(batch.rejected))
        now = utc_naive(None)
        fetched = now if fetched_at is None else utc_naive(fetched_at)
        with self.connect() as con:
            return lever_raw.merge_raw(con, batch, fetched_at=fetched, now=now)

    def raw_counts(self) -> dict[str, int]:
        """Rows per raw table, for every Lever object type (0 for empty tables)."""
        query = " UNION ALL ".join(
            f"SELECT '{t}' AS object_type, count(*) AS n FROM {raw_table(t)}" for t in RAW_OBJECT_TYPES
        )
        with self.connect() as con:
            rows = con.execute(query).fetchall()
        return {t: int(n) for t, n in rows}

    def raw_ids(self, object_type: str) -> set[tuple[str, str | None]]:
        with self.connect() as con:
            rows = con.execute(f"SELECT lever_id, opportunity_id FROM {raw_table(object_type)}").fetchall()
        return {(lever_id, opp_id) for lever_id, opp_id in rows}

    def raw_index(self, object_type: str, *, partition_key: str | None = None) -> pd.DataFrame:
        """Keys and bookkeeping of a raw table without payloads (lever_id, opportunity_id, contact_id,
        partition_key, payload_hash, updated_at, fetched_at, changed_at, change_count), optionally of one
        partition only: cheap enough to scan 100k+ opportunities."""
        table = raw_table(object_type)
        where, params = ("WHERE partition_key = ?", [partition_key]) if partition_key is not None else ("", [])
        with self.connect() as con:
            return con.execute(
                f"""SELECT lever_id, opportunity_id, contact_id, partition_key, payload_hash, updated_at,
                           fetched_at, changed_at, change_count
                    FROM {table} {where} ORDER BY lever_id, opportunity_id NULLS FIRST""",
                params,
            ).df()

    def raw_rows(self, object_type: str) -> pd.DataFrame:
        """Every row of a raw table (payload as JSON text), ordered by key."""
        table = raw_table(object_type)
        with self.connect() as con:
            return con.sql(f"SELECT * FROM {table} ORDER BY lever_id, opportunity_id NULLS FIRST").df()

    # watermarks -------------------------------------------------------------------------------------------

    def get_watermark(self, object_type: str) -> int | None:
        with self.connect() as con:
            return watermarks.get_watermark(con, object_type)

    def advance_watermark(self, object_type: str, value: int) -> int:
        """Move the watermark of `object_type` up to `value` (never down); return the watermark now in force."""
        with self.connect() as con:
            return watermarks.advance_watermark(con, object_type, value, now=utc_naive(None))

    def max_updated_at(self, object_type: str) -> int | None:
        with self.connect() as con:
            return watermarks.max_updated_at(con, object_type)

    # files ------------------------------------------------------------------------------------------------

    def record_unprocessable(
        self, kind: str, file_id: str, opportunity_id: str | None, status: int | None, message: str | None
    ) -> None:
        with self.connect() as con:
            files.record_unprocessable(con, kind, file_id, opportunity_id, status, message, now=utc_naive(None))

    def unprocessable(self) -> pd.DataFrame:
        """kind, file_id, opportunity_id, status, message, recorded_at of every file Lever would not serve."""
        with self.connect() as con:
            return files.unprocessable(con)

    def record_file_content(
        self, kind: str, file_id: str, opportunity_id: str | None, sha256: str, size: int, path: str | Path
    ) -> None:
        with self.connect() as con:
            files.record_file_content(con, kind, file_id, opportunity_id, sha256, size, str(path), now=utc_naive(None))

    def record_files(self, items: Iterable[Mapping[str, Any]]) -> int:
        """`record_file_content` for many files in one short connection. Each item has `kind`, `file_id`,
        `sha256`, `size`, `path` and optionally `opportunity_id`; returns how many distinct files were recorded."""
        frame = files.file_frame(items)
        if not frame.empty:
            with self.connect() as con:
                files.record_file_contents(con, frame, now=utc_naive(None))
        return len(frame)

    def file_contents(self) -> pd.DataFrame:
        with self.connect() as con:
            return files.file_contents(con)

    def handled_file_ids(self, kind: str) -> set[str]:
        with self.connect() as con:
            return files.handled_file_ids(con, kind)
