"""The store's tables: one raw table per Lever object type (schema `lever_raw`) and the bookkeeping tables
(schema `meta`). `ensure_schema` creates whatever is missing; it is idempotent and cheap.

Raw tables key rows on `(lever_id, opportunity_id)`. Top-level objects (users, postings, opportunities, ...)
store `opportunity_id` as SQL NULL, not ''. DuckDB cannot put a nullable column in a PRIMARY KEY, so the raw
tables carry no key constraint: uniqueness is kept by the only writer, `lever_raw.merge_raw`, which matches with
`IS NOT DISTINCT FROM` (NULL equals NULL) under the store's file lock and de-duplicates each batch first.
"""

from __future__ import annotations

import duckdb

# Every Lever object type that gets a raw table, in the order Lever's data model nests them.
RAW_OBJECT_TYPES: tuple[str, ...] = (
    "users",
    "postings",
    "stages",
    "archive_reasons",
    "sources",
    "tags",
    "feedback_templates",
    "requisitions",
    "opportunities",
    "opportunities_deleted",
    "applications",
    "notes",
    "feedback",
    "forms",
    "interviews",
    "panels",
    "offers",
    "referrals",
    "resumes",
    "files",
)

# The field that holds a record's Lever id. Sources and tags have no id: their text is the key.
DEFAULT_ID_FIELD: dict[str, str] = {"sources": "text", "tags": "text"}

RAW_COLUMNS: tuple[str, ...] = (
    "lever_id",
    "opportunity_id",
    "contact_id",
    "partition_key",
    "payload",
    "payload_hash",
    "updated_at",
    "fetched_at",
    "first_seen_at",
    "changed_at",
    "change_count",
)


def check_object_type(object_type: str) -> str:
    """Return `object_type` if it has a raw table, else raise ValueError naming it (also guards SQL text)."""
    if object_type not in RAW_OBJECT_TYPES:
        raise ValueError(f"unknown Lever object type {object_type!r}; expected one of {', '.join(RAW_OBJECT_TYPES)}")
    return object_type


def raw_table(object_type: str) -> str:
    return f"lever_raw.{check_object_type(object_type)}"


def _raw_table_ddl(object_type: str) -> str:
    return f"""
        CREATE TABLE IF NOT EXISTS lever_raw.{object_type} (
            lever_id VARCHAR NOT NULL,
            opportunity_id VARCHAR,
            contact_id VARCHAR,
            partition_key VARCHAR,
            payload JSON NOT NULL,
            payload_hash VARCHAR NOT NULL,
            updated_at BIGINT,
            fetched_at TIMESTAMP NOT NULL,
            first_seen_at TIMESTAMP NOT NULL,
            changed_at TIMESTAMP NOT NULL,
            change_count INTEGER NOT NULL DEFAULT 0
        )"""


META_DDL: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS meta.watermarks (
        object_type VARCHAR PRIMARY KEY,
        max_updated_at BIGINT NOT NULL,
        recorded_at TIMESTAMP NOT NULL
    )""",
    """
    CREATE TABLE IF NOT EXISTS meta.unprocessable_files (
        kind VARCHAR NOT NULL,
        file_id VARCHAR NOT NULL,
        opportunity_id VARCHAR,
        status INTEGER,
        message VARCHAR,
        recorded_at TIMESTAMP NOT NULL,
        PRIMARY KEY (kind, file_id)
    )""",
    """
    CREATE TABLE IF NOT EXISTS meta.file_contents (
        kind VARCHAR NOT NULL,
        file_id VARCHAR NOT NULL,
        opportunity_id VARCHAR,
        sha256 VARCHAR NOT NULL,
        size BIGINT NOT NULL,
        path VARCHAR NOT NULL,
        recorded_at TIMESTAMP NOT NULL,
        PRIMARY KEY (kind, file_id)
    )""",
)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the `lever_raw` and `meta` schemas and every table that is missing. Safe to call any time."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("CREATE SCHEMA IF NOT EXISTS lever_raw")
        con.execute("CREATE SCHEMA IF NOT EXISTS meta")
        for object_type in RAW_OBJECT_TYPES:
            con.execute(_raw_table_ddl(object_type))
        for ddl in META_DDL:
            con.execute(ddl)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
