"""`ashby.conflicts`: every conflict a load met (a field changed in both Lever and Ashby since our last write),
with the sync run, both values, the policy and what it did. The sync report and the Dagster metadata list them;
this table keeps them all."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import duckdb
import pandas as pd

from migration_pipeline.load.conflicts import Conflict

DDL = """CREATE TABLE IF NOT EXISTS ashby.conflicts (
    run_id VARCHAR NOT NULL,
    object_type VARCHAR NOT NULL,
    lever_type VARCHAR,
    lever_id VARCHAR NOT NULL,
    ashby_id VARCHAR,
    field VARCHAR NOT NULL,
    lever_value VARCHAR,
    ashby_value VARCHAR,
    last_written VARCHAR,
    policy VARCHAR NOT NULL,
    resolution VARCHAR NOT NULL,
    recorded_at TIMESTAMP NOT NULL
)"""
COLUMNS = ("object_type", "lever_type", "lever_id", "ashby_id", "field", "lever_value", "ashby_value",
           "last_written", "policy", "resolution")  # fmt: skip


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS ashby")
    con.execute(DDL)


def record_conflicts(con: duckdb.DuckDBPyConnection, run_id: str, conflicts: Sequence[Conflict]) -> None:
    ensure(con)
    if not conflicts:
        return
    now = datetime.now(UTC).replace(tzinfo=None)
    frame = pd.DataFrame([{"run_id": run_id, **c.as_row(), "recorded_at": now} for c in conflicts])
    con.register("conflict_rows", frame)
    try:
        cols = ", ".join(("run_id", *COLUMNS, "recorded_at"))
        con.execute(f"INSERT INTO ashby.conflicts ({cols}) SELECT {cols} FROM conflict_rows")
    finally:
        con.unregister("conflict_rows")


def conflicts_of(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict]:
    ensure(con)
    cur = con.execute("SELECT * FROM ashby.conflicts WHERE run_id = ? ORDER BY lever_id, field", [run_id])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
