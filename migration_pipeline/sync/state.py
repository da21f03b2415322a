"""The sync watermarks (`meta.sync_state`): up to which Lever time (epoch ms) everything has been loaded into
Ashby, per stream (`opportunities` by `updatedAt`, `opportunities_deleted` by `deletedAt`).

They move only after the data they cover has been loaded (never when extraction alone succeeded), so a sync
that fails (Lever in maintenance, a crash, a kill) leaves them where they were and the next one starts from
the same point. Before the first sync they start at what the full extraction saw (`meta.watermarks`)."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb

STREAMS = ("opportunities", "opportunities_deleted")
DDL = """CREATE TABLE IF NOT EXISTS meta.sync_state (
    stream VARCHAR PRIMARY KEY,
    watermark_ms BIGINT NOT NULL,
    run_id VARCHAR,
    recorded_at TIMESTAMP NOT NULL
)"""


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute(DDL)


def watermarks(con: duckdb.DuckDBPyConnection) -> dict[str, int | None]:
    """The watermark of each stream, or the full extraction's where no sync has stored one (None: nothing)."""
    ensure(con)
    stored = dict(con.execute("SELECT stream, watermark_ms FROM meta.sync_state").fetchall())
    extracted = con.execute("SELECT max_updated_at FROM meta.watermarks WHERE object_type = 'opportunities'").fetchone()
    start = extracted[0] if extracted else None
    return {stream: stored.get(stream, start) for stream in STREAMS}


def store_watermarks(con: duckdb.DuckDBPyConnection, values: dict[str, int | None], run_id: str) -> None:
    """Move each stream's watermark up to its value (never down)."""
    ensure(con)
    now = datetime.now(UTC).replace(tzinfo=None)
    for stream, value in values.items():
        if value is None:
            continue
        con.execute(
            """INSERT INTO meta.sync_state VALUES (?, ?, ?, ?)
               ON CONFLICT (stream) DO UPDATE SET
                   watermark_ms = greatest(meta.sync_state.watermark_ms, excluded.watermark_ms),
                   run_id = excluded.run_id, recorded_at = excluded.recorded_at""",
            [stream, value, run_id, now],
        )
