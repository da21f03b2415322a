"""The snapshot of the Ashby org's metadata (users, plans, stages, reasons, ...) the transform maps onto:
schema `ashby_org`, one row per object, replaced whole on every read of the org."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import duckdb
import pandas as pd

DDL = """
CREATE TABLE IF NOT EXISTS ashby_org.objects (
    kind VARCHAR NOT NULL,
    ashby_id VARCHAR,
    payload JSON NOT NULL,
    read_at TIMESTAMP NOT NULL
)"""


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS ashby_org")
    con.execute(DDL)


def replace_snapshot(con: duckdb.DuckDBPyConnection, kinds: Mapping[str, Iterable[Mapping[str, Any]]]) -> int:
    """Replace the snapshot with `kinds` (kind -> Ashby objects); returns the number of objects stored."""
    ensure(con)
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        (kind, item.get("id"), json.dumps(item, sort_keys=True, ensure_ascii=False), now)
        for kind, items in kinds.items()
        for item in items
    ]
    df = pd.DataFrame(rows, columns=["kind", "ashby_id", "payload", "read_at"])
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM ashby_org.objects")
        con.register("snapshot_rows", df)
        con.execute("INSERT INTO ashby_org.objects SELECT kind, ashby_id, payload::JSON, read_at FROM snapshot_rows")
        con.unregister("snapshot_rows")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return len(rows)


def read_snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[dict[str, Any]]]:
    ensure(con)
    out: dict[str, list[dict[str, Any]]] = {}
    for kind, payload in con.execute("SELECT kind, payload FROM ashby_org.objects ORDER BY kind, ashby_id").fetchall():
        out.setdefault(kind, []).append(json.loads(payload))
    return out
