"""The canonical tables (DuckDB schema `canonical`) and their write disposition: **merge by key within a scope**.

A transform computes the complete set of rows for its scope (the whole org, or one posting partition) and
`merge_rows` makes the table equal to it: new keys inserted, rows whose content hash changed updated (with
`changed_at`), keys gone from the scope deleted, everything else untouched. Re-running on unchanged input
changes nothing; on changed input, only what changed.
"""

from __future__ import annotations

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
POSITION = "incoming_position"  # a row's place among the incoming rows: of two with one key, the last one wins


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    for table in TABLES.values():
        cols = ", ".join(f"{c} {t}" for c, t in (*table.columns, *BOOKKEEPING))
        con.execute(f"CREATE TABLE IF NOT EXISTS {table.qualified} ({cols})")


def _json_text(value: Any) -> str | None:
    # orjson: ~5x faster than json for the hundreds of thousands of cells of a big org; keys sorted so a
    # cell's text (and the row hash) depends on the content only
    return None if value is None else orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


@dataclass
class Batch:
    """A table's incoming rows column by column (JSON columns serialized): what DuckDB scans, and cheap to pickle
    (a worker process builds it). `duplicate_keys` says whether two rows share a key (then the last one wins)."""

    table: str
    columns: dict[str, list[Any]]
    duplicate_keys: bool


def batch(table: Table, rows: Sequence[dict[str, Any]]) -> Batch:
    columns: dict[str, list[Any]] = {}
    for column, sql_type in table.columns:
        values = [row.get(column) for row in rows]
        columns[column] = [_json_text(v) for v in values] if sql_type == "JSON" else values
    keys = [columns[k] for k in table.key]
    distinct = len(set(keys[0])) if len(keys) == 1 else len(set(zip(*keys, strict=True)))
    return Batch(table.name, columns, distinct != len(rows))


def frame(batch: Batch) -> pd.DataFrame:
    """The batch as a DataFrame of Python objects plus each row's position; DuckDB types, hashes and
    de-duplicates it in one vectorized statement (`_stage`), a fraction of the cost of doing it row by row."""
    df = pd.DataFrame(batch.columns, dtype=object)  # object: None stays None (no NaN in ints)
    df[POSITION] = range(len(df))
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
    rows: Sequence[dict[str, Any]] | Batch,
    *,
    scope_sql: str = "TRUE",
    scope_params: Sequence[Any] = (),
    now: datetime | None = None,
) -> MergeResult:
    """Make the rows of `table` that satisfy `scope_sql` equal to `rows` (see the module docstring)."""
    staged = stage_rows(con, table, rows)
    try:
        return merge_staged(con, table, staged, scope_sql=scope_sql, scope_params=scope_params, now=now)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {staged}")


def staged_name(table: Table) -> str:
    return f"staged_{table.name}"


def stage_rows(con: duckdb.DuckDBPyConnection, table: Table, rows: Sequence[dict[str, Any]] | Batch) -> str:
    """The rows as the temp table `staged_<table>`: typed, one per key (the last), each with a hash of its content.

    DuckDB's 64-bit `hash` of the typed columns, not a digest: it is only compared with the previous hash of the
    same key (a change goes unseen with odds of 2^-64), and is several times cheaper than md5 of the row as
    JSON. A DuckDB release that hashed differently would rewrite each row once, changing no content."""
    incoming = rows if isinstance(rows, Batch) else batch(table, rows)
    name, staged = f"incoming_{table.name}", staged_name(table)
    typed = ", ".join(f"CAST({c} AS {t}) AS {c}" for c, t in table.columns)
    names = ", ".join(table.column_names)
    last = f" QUALIFY row_number() OVER (PARTITION BY {', '.join(table.key)} ORDER BY {POSITION} DESC) = 1"
    con.register(name, frame(incoming))
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {staged} AS"
            f" SELECT {names}, CAST(hash({names}) AS VARCHAR) AS row_hash"
            f" FROM (SELECT {typed}, {POSITION} FROM {name}){last if incoming.duplicate_keys else ''}"
        )
    finally:
        con.unregister(name)
    return staged


def stage_files(con: duckdb.DuckDBPyConnection, table: Table, paths: Sequence[str]) -> str:
    """Parquet files written from `stage_rows` tables (by worker processes) as the temp table `staged_<table>`.
    Their keys must not repeat across files (each holds other partitions)."""
    staged = staged_name(table)
    cols = ", ".join(f"{c} {t}" for c, t in (*table.columns, BOOKKEEPING[0]))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {staged} ({cols})")
    if paths:
        names = ", ".join([*table.column_names, "row_hash"])
        con.execute(f"INSERT INTO {staged} SELECT {names} FROM read_parquet(?)", [list(paths)])
    return staged


def merge_staged(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    staged: str,
    *,
    scope_sql: str = "TRUE",
    scope_params: Sequence[Any] = (),
    now: datetime | None = None,
) -> MergeResult:
    """`merge_rows` from a table staged by `stage_rows` or `stage_files`."""
    now = (now or datetime.now(UTC)).replace(tzinfo=None)
    total = con.execute(f"SELECT count(*) FROM {staged}").fetchall()[0][0]
    return _merge(con, table, staged, scope_sql, list(scope_params), now, total)


def _merge(con, table: Table, staged: str, scope: str, params: list, now: datetime, total: int) -> MergeResult:
    key_match = " AND ".join(f"t.{k} IS NOT DISTINCT FROM i.{k}" for k in table.key)
    keys = ", ".join(table.key)
    names = ", ".join(table.column_names)
    con.execute("BEGIN TRANSACTION")
    try:
        deleted = con.execute(
            f"DELETE FROM {table.qualified} t WHERE ({scope}) AND NOT EXISTS"
            f" (SELECT 1 FROM {staged} i WHERE {key_match})",
            params,
        ).fetchone()[0]
        # keys and hashes only: the UPDATE and the INSERT, which read every column, run only when they have rows
        # to write (none to update on a first run, none at all when nothing changed)
        changed, new = con.execute(
            "SELECT count(*) FILTER (WHERE t.present AND t.row_hash IS DISTINCT FROM i.row_hash),"
            " count(*) FILTER (WHERE t.present IS NULL)"
            f" FROM (SELECT {keys}, row_hash FROM {staged}) i"
            f" LEFT JOIN (SELECT {keys}, row_hash, TRUE AS present FROM {table.qualified}) t ON {key_match}"
        ).fetchone()
        updated = inserted = 0
        if changed:
            sets = "".join(f"{c} = i.{c}, " for c in table.column_names if c not in table.key)
            updated = con.execute(
                f"UPDATE {table.qualified} t SET {sets}row_hash = i.row_hash, changed_at = ?"
                f" FROM {staged} i WHERE {key_match} AND t.row_hash IS DISTINCT FROM i.row_hash",
                [now],
            ).fetchone()[0]
        if new:
            inserted = con.execute(
                f"INSERT INTO {table.qualified} SELECT {names}, i.row_hash, ?, ? FROM {staged} i"
                f" WHERE NOT EXISTS (SELECT 1 FROM {table.qualified} t WHERE {key_match})",
                [now, now],
            ).fetchone()[0]
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return MergeResult(int(inserted), int(updated), int(deleted), total - int(inserted) - int(updated))
