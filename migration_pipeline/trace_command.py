"""`migration-pipeline trace <lever id>`: the chain of one Lever record (contact, opportunity, note, feedback,
file, ...) raw -> canonical -> ledger -> Ashby id(s), with errors and the runs that touched it. Ids only:
names and emails are never printed."""

from __future__ import annotations

from typing import Any

import duckdb

from migration_pipeline.store import RAW_OBJECT_TYPES, Store
from migration_pipeline.store import ledger as ledger_store
from migration_pipeline.transform.tables import ensure_tables

# canonical table -> (columns shown, the condition that ties a row to the id)
CANONICAL = {
    "candidates": (
        "candidate_key, created_at",
        "candidate_key = $id OR list_contains(CAST(lever_contact_ids AS VARCHAR[]), $id)"
        " OR list_contains(CAST(lever_opportunity_ids AS VARCHAR[]), $id)",
    ),
    "candidate_merges": (
        "lever_contact_id, candidate_key, reason_code",
        "lever_contact_id = $id OR candidate_key = $id",
    ),
    "applications": (
        "lever_opportunity_id, candidate_key, job_key, status, current_stage_title, archive_reason_id",
        "lever_opportunity_id = $id OR candidate_key = $id OR lever_contact_id = $id",
    ),
    "jobs": ("job_key, target_status, department_how, location_how", "job_key = $id"),
    "notes": ("lever_type, lever_id, lever_opportunity_id, created_at", "lever_id = $id OR lever_opportunity_id = $id"),
    "feedback": (
        "lever_feedback_id, lever_opportunity_id, mode, form_title",
        "lever_feedback_id = $id OR lever_opportunity_id = $id",
    ),
    "files": ("lever_type, lever_file_id, upload_context, status", "lever_file_id = $id OR lever_opportunity_id = $id"),
    "custom_field_values": ("object_type, object_key, field_title", "object_key = $id OR lever_id = $id"),
    "skipped": ("lever_type, lever_id, reason_code, reason", "lever_id = $id OR lever_opportunity_id = $id"),
}
LEDGER_WHERE = "lever_key = $id OR lever_id = $id OR lever_opportunity_id = $id OR candidate_key = $id"
LEDGER_WHERE_L = "l.lever_key = $id OR l.lever_id = $id OR l.lever_opportunity_id = $id OR l.candidate_key = $id"
SHOWN = 25


def _table(con: duckdb.DuckDBPyConnection, sql: str, lever_id: str) -> tuple[list[str], list[tuple]]:
    cur = con.execute(sql, {"id": lever_id})
    return [d[0] for d in cur.description], cur.fetchall()


def _section(title: str, names: list[str], rows: list[tuple]) -> list[str]:
    if not rows:
        return []
    lines = [f"  {title} ({len(rows)}):"]
    for row in rows[:SHOWN]:
        lines.append("    " + ", ".join(f"{n}={_short(v)}" for n, v in zip(names, row, strict=True) if v is not None))
    if len(rows) > SHOWN:
        lines.append(f"    ... {len(rows) - SHOWN} more")
    return lines


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 90 else text[:87] + "..."


def trace_lines(store: Store, lever_id: str) -> list[str]:
    lines = [f"Lever id {lever_id}"]
    with store.connect() as con:
        ensure_tables(con)
        ledger_store.ensure(con)
        lines.append("raw (lever_raw):")
        for object_type in RAW_OBJECT_TYPES:
            names, rows = _table(
                con,
                f"""SELECT lever_id, opportunity_id, contact_id, partition_key, change_count, changed_at
                    FROM lever_raw.{object_type}
                    WHERE lever_id = $id OR opportunity_id = $id OR contact_id = $id ORDER BY lever_id""",
                lever_id,
            )
            lines += _section(object_type, names, rows)
        lines.append("canonical:")
        for table, (columns, where) in CANONICAL.items():
            names, rows = _table(con, f"SELECT {columns} FROM canonical.{table} WHERE {where}", lever_id)
            lines += _section(table, names, rows)
        lines.append("ledger (ashby):")
        names, rows = _table(
            con,
            f"""SELECT object_type, lever_key, status, ashby_id, attempts, last_error_code, last_error_message,
                       last_request_id, run_id, partition_key FROM ashby.ledger WHERE {LEDGER_WHERE}
                ORDER BY object_type, lever_key""",
            lever_id,
        )
        lines += _section("objects", names, rows)
        names, runs = _table(
            con,
            f"""SELECT run_id, count(*) AS events, min(event_at) AS first, max(event_at) AS last,
                       count(*) FILTER (WHERE status = 'failed') AS failures
                FROM ashby.ledger_events e WHERE EXISTS
                     (SELECT 1 FROM ashby.ledger l WHERE l.object_type = e.object_type
                      AND l.lever_key = e.lever_key AND ({LEDGER_WHERE_L}))
                GROUP BY run_id ORDER BY first""",
            lever_id,
        )
        lines += _section("runs that touched it", names, runs)
    if len(lines) == 4:
        lines.append("  nothing found: not extracted yet, or not a Lever id")
    return lines
