"""The canonical tables (DuckDB schema `canonical`) and their write disposition: **merge by key within a scope**.

A transform computes the complete set of rows for its scope (the whole org, or one posting partition) and
`merge_rows` makes the table equal to it: new keys inserted, rows whose content hash changed updated (with
`changed_at`), keys gone from the scope deleted, everything else untouched. Re-running on unchanged input
changes nothing; on changed input, only what changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb
import orjson
import pandas as pd

SCHEMA = "canonical"


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...]
    columns: tuple[tuple[str, str], ...]  # (name, DuckDB type); JSON columns hold lists and objects
    partitioned: bool = False

    @property
    def qualified(self) -> str:
        return f"{SCHEMA}.{self.name}"

    @property
    def column_names(self) -> list[str]:
        return [c for c, _ in self.columns]


def _t(name: str, key: tuple[str, ...], spec: str, partitioned: bool = False) -> Table:
    cols = tuple(tuple(part.split()) for part in spec.split(","))  # "name TYPE, ..."
    return Table(name, key, tuple((c[0], c[1]) for c in cols), partitioned)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        _t(
            "candidates",
            ("candidate_key",),
            "candidate_key VARCHAR, lever_contact_ids JSON, lever_opportunity_ids JSON,"
            " name VARCHAR, primary_email VARCHAR, alternate_emails JSON, phones JSON, primary_phone VARCHAR,"
            " social_links JSON, linkedin_url VARCHAR, github_url VARCHAR, website VARCHAR, location JSON,"
            " headline VARCHAR, source_id VARCHAR, source_name VARCHAR, credited_user_id VARCHAR, created_at VARCHAR,"
            " is_anonymized BOOLEAN, consent_expires_at VARCHAR",
        ),
        _t(
            "candidate_merges",
            ("lever_contact_id",),
            "lever_contact_id VARCHAR, candidate_key VARCHAR, reason_code VARCHAR, reason VARCHAR",
        ),
        _t("candidate_tags", ("candidate_key", "tag"), "candidate_key VARCHAR, tag VARCHAR"),
        _t(
            "jobs",
            ("job_key",),
            "job_key VARCHAR, lever_posting_id VARCHAR, partition_key VARCHAR, title VARCHAR,"
            " department_name VARCHAR, department_id VARCHAR, department_how VARCHAR, location_name VARCHAR,"
            " location_id VARCHAR, location_how VARCHAR, interview_plan_id VARCHAR, interview_plan_title VARCHAR,"
            " lever_state VARCHAR, target_status VARCHAR, confidential BOOLEAN, owner_user_id VARCHAR,"
            " hiring_manager_user_id VARCHAR, created_at_lever BIGINT, problems JSON",
        ),
        _t(
            "applications",
            ("lever_opportunity_id",),
            "lever_opportunity_id VARCHAR, lever_application_id VARCHAR,"
            " lever_contact_id VARCHAR, candidate_key VARCHAR, partition_key VARCHAR, job_key VARCHAR,"
            " interview_plan_id VARCHAR, status VARCHAR, current_stage_id VARCHAR, current_stage_title VARCHAR,"
            " lever_stage_id VARCHAR, application_history JSON, archive_reason_id VARCHAR,"
            " lever_archive_reason_id VARCHAR, source_id VARCHAR, source_name VARCHAR, credited_user_id VARCHAR,"
            " owner_user_id VARCHAR, follower_user_ids JSON, created_at VARCHAR, archived_at VARCHAR, origin VARCHAR,"
            " confidential BOOLEAN, blocked_by JSON",
        ),
        _t(
            "custom_field_values",
            ("object_type", "object_key", "field_title", "lever_type", "lever_id"),
            "object_type VARCHAR, object_key VARCHAR, field_title VARCHAR, field_id VARCHAR, field_type VARCHAR,"
            " value JSON, lever_type VARCHAR, lever_id VARCHAR, on_mismatch VARCHAR, partition_key VARCHAR",
        ),
        _t(
            "notes",
            ("lever_type", "lever_id", "lever_opportunity_id"),
            "lever_type VARCHAR, lever_id VARCHAR,"
            " lever_opportunity_id VARCHAR, candidate_key VARCHAR, partition_key VARCHAR, body_html VARCHAR,"
            " created_at VARCHAR, author_lever_user_id VARCHAR, author_user_id VARCHAR, is_private BOOLEAN,"
            " content_sha256 VARCHAR",
            partitioned=True,
        ),
        _t(
            "feedback",
            ("lever_feedback_id", "lever_opportunity_id"),
            "lever_feedback_id VARCHAR,"
            " lever_opportunity_id VARCHAR, candidate_key VARCHAR, partition_key VARCHAR, form_definition_id VARCHAR,"
            " form_title VARCHAR, mode VARCHAR, lever_template VARCHAR, interviewer_lever_user_id VARCHAR,"
            " interviewer_user_id VARCHAR, completed_at VARCHAR, score INTEGER, field_submissions JSON",
            partitioned=True,
        ),
        _t(
            "files",
            ("lever_type", "lever_file_id", "lever_opportunity_id"),
            "lever_type VARCHAR,"
            " lever_file_id VARCHAR, lever_opportunity_id VARCHAR, candidate_key VARCHAR, partition_key VARCHAR,"
            " filename VARCHAR, content_type VARCHAR, size BIGINT, sha256 VARCHAR, path VARCHAR,"
            " upload_context VARCHAR, uploaded_at VARCHAR, status VARCHAR, reason VARCHAR",
            partitioned=True,
        ),
        _t(
            "archived_records",
            ("lever_type", "lever_id", "lever_opportunity_id"),
            "lever_type VARCHAR,"
            " lever_id VARCHAR, lever_opportunity_id VARCHAR, partition_key VARCHAR, destination VARCHAR",
            partitioned=True,
        ),
        _t(
            "skipped",
            ("lever_type", "lever_id", "lever_opportunity_id"),
            "lever_type VARCHAR, lever_id VARCHAR,"
            " lever_opportunity_id VARCHAR, partition_key VARCHAR, reason_code VARCHAR, reason VARCHAR",
        ),
        _t(
            "resolutions",
            ("dimension", "scope", "lever_key"),
            "dimension VARCHAR, scope VARCHAR, lever_key VARCHAR,"
            " lever_name VARCHAR, how VARCHAR, ashby_id VARCHAR, ashby_name VARCHAR",
        ),
        # values that did not resolve (or will be created), with how often and where: `transform_scope` is
        # "org" for the org-level transform or the posting partition that used them
        _t(
            "value_uses",
            ("transform_scope", "dimension", "scope", "lever_key", "how"),
            "transform_scope VARCHAR,"
            " dimension VARCHAR, scope VARCHAR, lever_key VARCHAR, lever_name VARCHAR, how VARCHAR, ashby_name VARCHAR,"
            " uses BIGINT, example_ids JSON",
        ),
        _t(
            "problems",
            ("transform_scope", "code", "message"),
            "transform_scope VARCHAR, code VARCHAR,"
            " message VARCHAR, blocking BOOLEAN, dimension VARCHAR, lever_value VARCHAR",
        ),
    )
}

BOOKKEEPING = (("row_hash", "VARCHAR"), ("first_seen_at", "TIMESTAMP"), ("changed_at", "TIMESTAMP"))


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    for table in TABLES.values():
        cols = ", ".join(f"{c} {t}" for c, t in (*table.columns, *BOOKKEEPING))
        con.execute(f"CREATE TABLE IF NOT EXISTS {table.qualified} ({cols})")


def _cell(value: Any, sql_type: str) -> Any:
    if sql_type == "JSON":
        # orjson: ~5x faster than json for the hundreds of thousands of cells of a big org; keys sorted so a
        # cell's text (and the row hash) depends on the content only
        return None if value is None else orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    return value


def frame(table: Table, rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Rows as a DataFrame in the table's column order, JSON columns serialized, plus the content hash."""
    records = []
    for row in rows:
        values = [_cell(row.get(c), t) for c, t in table.columns]
        # repr of str/int/bool/None cells is deterministic and much cheaper than encoding the row again
        digest = hashlib.sha256(repr(values).encode()).hexdigest()
        records.append([*values, digest])
    columns = [*table.column_names, "row_hash"]
    df = pd.DataFrame(records, columns=columns, dtype=object)  # object: None stays None (no NaN in ints)
    if not df.empty:
        df = df.drop_duplicates(subset=list(table.key), keep="last")
    return df


@dataclass(frozen=True)
class MergeResult:
    inserted: int
    updated: int
    deleted: int
    unchanged: int

    def __add__(self, other: MergeResult) -> MergeResult:
        return MergeResult(*(a + b for a, b in zip(self.__dict__.values(), other.__dict__.values(), strict=True)))

    def as_metadata(self, prefix: str = "") -> dict[str, int]:
        return {f"{prefix}{k}": v for k, v in self.__dict__.items()}


def merge_rows(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    scope_sql: str = "TRUE",
    scope_params: Sequence[Any] = (),
    now: datetime | None = None,
) -> MergeResult:
    """Make the rows of `table` that satisfy `scope_sql` equal to `rows` (see the module docstring)."""
    now = (now or datetime.now(UTC)).replace(tzinfo=None)
    df = frame(table, rows)
    name = f"incoming_{table.name}"
    con.register(name, df)
    try:
        return _merge(con, table, name, scope_sql, list(scope_params), now, len(df))
    finally:
        con.unregister(name)


def _merge(con, table: Table, incoming: str, scope: str, params: list, now: datetime, total: int) -> MergeResult:
    key_match = " AND ".join(f"t.{k} IS NOT DISTINCT FROM i.{k}" for k in table.key)
    keys = ", ".join(table.key)
    types = dict(table.columns)
    select = ", ".join(f"CAST(i.{c} AS {types[c]}) AS {c}" for c in table.column_names)
    con.execute("BEGIN TRANSACTION")
    try:
        deleted = con.execute(
            f"DELETE FROM {table.qualified} t WHERE ({scope}) AND NOT EXISTS"
            f" (SELECT 1 FROM {incoming} i WHERE {key_match})",
            params,
        ).fetchone()[0]
        # keys and hashes only: the UPDATE and the INSERT, which read every column, run only when they have rows
        # to write (none to update on a first run, none at all when nothing changed)
        changed, new = con.execute(
            "SELECT count(*) FILTER (WHERE t.present AND t.row_hash IS DISTINCT FROM i.row_hash),"
            " count(*) FILTER (WHERE t.present IS NULL)"
            f" FROM (SELECT {keys}, row_hash FROM {incoming}) i"
            f" LEFT JOIN (SELECT {keys}, row_hash, TRUE AS present FROM {table.qualified}) t ON {key_match}"
        ).fetchone()
        updated = inserted = 0
        if changed:
            sets = "".join(f"{c} = CAST(i.{c} AS {types[c]}), " for c in table.column_names if c not in table.key)
            updated = con.execute(
                f"UPDATE {table.qualified} t SET {sets}row_hash = i.row_hash, changed_at = ?"
                f" FROM {incoming} i WHERE {key_match} AND t.row_hash IS DISTINCT FROM i.row_hash",
                [now],
            ).fetchone()[0]
        if new:
            inserted = con.execute(
                f"INSERT INTO {table.qualified} SELECT {select}, i.row_hash, ?, ? FROM {incoming} i"
                f" WHERE NOT EXISTS (SELECT 1 FROM {table.qualified} t WHERE {key_match})",
                [now, now],
            ).fetchone()[0]
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return MergeResult(int(inserted), int(updated), int(deleted), total - int(inserted) - int(updated))
