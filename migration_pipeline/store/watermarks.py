"""Delta-sync watermarks: the largest Lever `updatedAt` (epoch ms) seen per object type. They only move forward."""

from __future__ import annotations

from datetime import datetime

import duckdb

from migration_pipeline.store.schema import check_object_type, raw_table


def get_watermark(con: duckdb.DuckDBPyConnection, object_type: str) -> int | None:
    check_object_type(object_type)
    row = con.execute("SELECT max_updated_at FROM meta.watermarks WHERE object_type = ?", [object_type]).fetchone()
    return None if row is None else int(row[0])


def advance_watermark(con: duckdb.DuckDBPyConnection, object_type: str, value: int, *, now: datetime) -> int:
    """Raise the watermark to `value` if that is higher; return the watermark in force afterwards."""
    check_object_type(object_type)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"watermark for {object_type} must be epoch milliseconds (int), not {value!r}")
    row = con.execute(
        """
        INSERT INTO meta.watermarks (object_type, max_updated_at, recorded_at) VALUES (?, ?, ?)
        ON CONFLICT (object_type) DO UPDATE SET
            max_updated_at = greatest(meta.watermarks.max_updated_at, excluded.max_updated_at),
            recorded_at = CASE WHEN excluded.max_updated_at > meta.watermarks.max_updated_at
                               THEN excluded.recorded_at ELSE meta.watermarks.recorded_at END
        RETURNING max_updated_at
        """,
        [object_type, value, now],
    ).fetchone()
    assert row is not None
    return int(row[0])


def max_updated_at(con: duckdb.DuckDBPyConnection, object_type: str) -> int | None:
    """The largest `updatedAt` stored in the raw table of `object_type` (None when it has none)."""
    row = con.execute(f"SELECT max(updated_at) FROM {raw_table(object_type)}").fetchone()
    return None if row is None or row[0] is None else int(row[0])
