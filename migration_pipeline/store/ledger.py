"""The ledger (schema `ashby`): for every Ashby object the load writes, the Lever record it came from, the
Ashby id, the payload hash, the status, attempts, the last error (code, message, requestId), the run and the
partition. `ashby.ledger_events` keeps every intent and result, for `trace` and the runs that touched a record.

The loader never writes here directly while it talks to Ashby: it appends each intent and each result to a
journal file (`journal.py`, fsync'd before the next call) and `fold_journals` moves them into these tables in
one short transaction, recording how many lines of each journal it folded so a refold never applies a line
twice. A journal line is durable before the call it announces; this is what makes a `kill -9` at any instant
recoverable.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

LEDGER_COLUMNS = (
    "object_type",
    "lever_key",
    "lever_type",
    "lever_id",
    "lever_opportunity_id",
    "candidate_key",
    "ashby_id",
    "payload_hash",
    "status",
    "attempts",
    "last_error_code",
    "last_error_message",
    "last_request_id",
    "run_id",
    "partition_key",
    "first_attempt_at",
    "updated_at",
    "written",
)

DDL = (
    "CREATE SCHEMA IF NOT EXISTS ashby",
    """CREATE TABLE IF NOT EXISTS ashby.ledger (
        object_type VARCHAR NOT NULL,
        lever_key VARCHAR NOT NULL,
        lever_type VARCHAR,
        lever_id VARCHAR,
        lever_opportunity_id VARCHAR,
        candidate_key VARCHAR,
        ashby_id VARCHAR,
        payload_hash VARCHAR,
        status VARCHAR NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error_code VARCHAR,
        last_error_message VARCHAR,
        last_request_id VARCHAR,
        run_id VARCHAR,
        partition_key VARCHAR,
        first_attempt_at TIMESTAMP,
        updated_at TIMESTAMP,
        written VARCHAR,
        PRIMARY KEY (object_type, lever_key)
    )""",
    # a ledger made before `written` existed (what we last wrote of the fields a sync compares)
    "ALTER TABLE ashby.ledger ADD COLUMN IF NOT EXISTS written VARCHAR",
    """CREATE TABLE IF NOT EXISTS ashby.ledger_events (
        object_type VARCHAR NOT NULL,
        lever_key VARCHAR NOT NULL,
        op VARCHAR NOT NULL,
        status VARCHAR,
        ashby_id VARCHAR,
        payload_hash VARCHAR,
        error_code VARCHAR,
        error_message VARCHAR,
        request_id VARCHAR,
        run_id VARCHAR,
        partition_key VARCHAR,
        event_at TIMESTAMP NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS ashby.journal_folds (
        journal VARCHAR PRIMARY KEY,
        lines BIGINT NOT NULL,
        folded_at TIMESTAMP NOT NULL
    )""",
)

STATUSES = ("intent", "done", "failed", "removed")  # removed: undone in Ashby (a tag taken off)


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    for ddl in DDL:
        con.execute(ddl)


def _ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(UTC).replace(tzinfo=None) if value else None


def apply_events(rows: dict[tuple[str, str], dict[str, Any]], events: Iterable[Mapping[str, Any]]) -> None:
    """Apply journal events, in order, to ledger rows keyed by (object_type, lever_key) (in place)."""
    for event in events:
        key = (event["object_type"], event["lever_key"])
        row = rows.get(key) or {c: None for c in LEDGER_COLUMNS} | {
            "attempts": 0,
            "object_type": key[0],
            "lever_key": key[1],
        }
        at = _ts(event["at"])
        for name in ("lever_type", "lever_id", "lever_opportunity_id", "candidate_key", "run_id", "partition_key"):
            if event.get(name) is not None:
                row[name] = event[name]
        if event["op"] == "intent":
            # the call is announced: until its result, the row is an intent (also an update of a done row)
            row["attempts"] = int(row["attempts"] or 0) + 1
            row["status"] = "intent"
            row["first_attempt_at"] = row["first_attempt_at"] or at
        elif event["status"] == "done":
            row["status"] = "done"
            row["ashby_id"] = event.get("ashby_id") or row["ashby_id"]
            row["payload_hash"] = event.get("payload_hash") or row["payload_hash"]
            row["written"] = event.get("written") or row["written"]
            row["last_error_code"] = row["last_error_message"] = row["last_request_id"] = None
        elif event["status"] == "removed":
            row["status"] = "removed"
            row["payload_hash"] = None  # loading it again is a new write
            row["last_error_code"] = row["last_error_message"] = row["last_request_id"] = None
        else:
            row["status"] = "failed"
            row["ashby_id"] = event.get("ashby_id") or row["ashby_id"]
            row["last_error_code"] = event.get("error_code")
            row["last_error_message"] = event.get("error_message")
            row["last_request_id"] = event.get("request_id")
        row["updated_at"] = at
        rows[key] = row


def read_rows(con: duckdb.DuckDBPyConnection, keys: Iterable[tuple[str, str]] | None = None) -> dict:
    """Ledger rows by (object_type, lever_key): all of them, or those of `keys`."""
    ensure(con)
    if keys is None:
        df = con.execute("SELECT * FROM ashby.ledger").df()
    else:
        wanted = pd.DataFrame(list(keys), columns=["object_type", "lever_key"])
        con.register("wanted_keys", wanted)
        df = con.execute("SELECT l.* FROM ashby.ledger l JOIN wanted_keys USING (object_type, lever_key)").df()
        con.unregister("wanted_keys")
    df = df.astype(object).where(df.notna(), None)
    return {(r["object_type"], r["lever_key"]): r for r in df.to_dict("records")}


def fold(
    con: duckdb.DuckDBPyConnection, journals: Mapping[Path, list[dict[str, Any]]], already: Mapping[str, int]
) -> int:
    """Fold the new lines of each journal (after the `already` folded count) in one transaction; returns
    the number of events applied."""
    ensure(con)
    events = [e for path, lines in journals.items() for e in lines[already.get(str(path), 0) :]]
    if not events:
        return 0
    keys = {(e["object_type"], e["lever_key"]) for e in events}
    rows = read_rows(con, keys)
    apply_events(rows, events)
    now = datetime.now(UTC).replace(tzinfo=None)
    ledger = pd.DataFrame([{c: r.get(c) for c in LEDGER_COLUMNS} for r in rows.values()], columns=list(LEDGER_COLUMNS))
    event_df = pd.DataFrame(
        [
            {
                "object_type": e["object_type"], "lever_key": e["lever_key"], "op": e["op"],
                "status": e.get("status"), "ashby_id": e.get("ashby_id"), "payload_hash": e.get("payload_hash"),
                "error_code": e.get("error_code"), "error_message": e.get("error_message"),
                "request_id": e.get("request_id"), "run_id": e.get("run_id"), "partition_key": e.get("partition_key"),
                "event_at": _ts(e["at"]),
            }
            for e in events
        ]
    )  # fmt: skip
    folds = pd.DataFrame([{"journal": str(p), "lines": len(lines), "folded_at": now} for p, lines in journals.items()])
    con.execute("BEGIN TRANSACTION")
    try:
        con.register("ledger_rows", ledger)
        con.execute(
            "DELETE FROM ashby.ledger l USING ledger_rows r"
            " WHERE l.object_type = r.object_type AND l.lever_key = r.lever_key"
        )
        cols = ", ".join(LEDGER_COLUMNS)
        con.execute(f"INSERT INTO ashby.ledger ({cols}) SELECT {cols} FROM ledger_rows")
        con.register("event_rows", event_df)
        con.execute("INSERT INTO ashby.ledger_events SELECT * FROM event_rows")
        con.register("fold_rows", folds)
        con.execute("INSERT OR REPLACE INTO ashby.journal_folds SELECT * FROM fold_rows")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        for name in ("ledger_rows", "event_rows", "fold_rows"):
            con.unregister(name)
    return len(events)


def folded_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    ensure(con)
    return dict(con.execute("SELECT journal, lines FROM ashby.journal_folds").fetchall())


def event_json(event: Mapping[str, Any]) -> str:
    return json.dumps(event, sort_keys=True, default=str)
