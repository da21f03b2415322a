"""Opportunities Lever deleted: taken out of `lever_raw` (with their applications and per-opportunity records),
so that the raw tables hold what Lever holds now and the transform no longer produces them. Lever's deletion
record itself stays in `lever_raw.opportunities_deleted`, and the ledger keeps what was written to Ashby."""

from __future__ import annotations

import duckdb

from migration_pipeline.store.schema import RAW_OBJECT_TYPES, ensure_schema

CHILD_TYPES = tuple(t for t in RAW_OBJECT_TYPES[RAW_OBJECT_TYPES.index("applications") :])


def purge_opportunities(con: duckdb.DuckDBPyConnection, opportunity_ids: list[str]) -> dict[str, str]:
    """Remove the opportunities and everything under them; returns {opportunity id: the partition it was in}
    for those that were there."""
    if not opportunity_ids:
        return {}
    ensure_schema(con)
    marks = ", ".join("?" for _ in opportunity_ids)
    found = con.execute(
        f"SELECT lever_id, partition_key FROM lever_raw.opportunities WHERE lever_id IN ({marks})", opportunity_ids
    ).fetchall()
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"DELETE FROM lever_raw.opportunities WHERE lever_id IN ({marks})", opportunity_ids)
        for object_type in CHILD_TYPES:
            con.execute(f"DELETE FROM lever_raw.{object_type} WHERE opportunity_id IN ({marks})", opportunity_ids)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return {str(opp): str(partition) for opp, partition in found}
