"""`merge_rows`, the canonical tables' write disposition: merge by key within a scope."""

from datetime import datetime

import duckdb
import pytest

from migration_pipeline.transform.tables import TABLES, MergeResult, batch, ensure_tables, merge_rows

NOTES = TABLES["notes"]
FIRST, LATER = datetime(2026, 1, 1), datetime(2026, 2, 1)


def _note(lever_id: str, body: str, partition: str = "p1", opportunity: str | None = "o1") -> dict:
    return {
        "lever_type": "notes",
        "lever_id": lever_id,
        "lever_opportunity_id": opportunity,
        "candidate_key": "c1",
        "partition_key": partition,
        "body_html": body,
        "created_at": "2026-01-01T00:00:00.000Z",
        "is_private": False,
    }


@pytest.fixture
def con():
    con = duckdb.connect()
    ensure_tables(con)
    yield con
    con.close()


def _rows(con, table) -> dict:
    keys = ", ".join(table.key)
    out = con.execute(f"SELECT {keys}, body_html, first_seen_at, changed_at FROM {table.qualified}").fetchall()
    return {tuple(r[: len(table.key)]): r[len(table.key) :] for r in out}


def test_first_merge_inserts_and_an_unchanged_rerun_changes_nothing(con):
    rows = [_note("n1", "a"), _note("n2", "b")]
    assert merge_rows(con, NOTES, rows, now=FIRST) == MergeResult(2, 0, 0, 0)
    assert merge_rows(con, NOTES, rows, now=LATER) == MergeResult(0, 0, 0, 2)
    assert {v[2] for v in _rows(con, NOTES).values()} == {FIRST}


def test_a_changed_row_is_the_only_one_updated_and_gets_changed_at(con):
    merge_rows(con, NOTES, [_note("n1", "a"), _note("n2", "b")], now=FIRST)
    assert merge_rows(con, NOTES, [_note("n1", "a"), _note("n2", "b, edited")], now=LATER) == MergeResult(0, 1, 0, 1)
    rows = _rows(con, NOTES)
    assert rows[("notes", "n2", "o1")] == ("b, edited", FIRST, LATER)
    assert rows[("notes", "n1", "o1")] == ("a", FIRST, FIRST)


def test_keys_gone_from_the_scope_are_deleted_and_rows_outside_it_kept(con):
    merge_rows(con, NOTES, [_note("n1", "a"), _note("n2", "b", partition="p2")], now=FIRST)
    merged = merge_rows(con, NOTES, [], scope_sql="partition_key = ?", scope_params=["p1"], now=LATER)
    assert merged == MergeResult(0, 0, 1, 0)
    assert list(_rows(con, NOTES)) == [("notes", "n2", "o1")]


def test_of_two_incoming_rows_with_one_key_the_last_wins(con):
    rows = [_note("n1", "first"), _note("n1", "second")]
    assert batch(NOTES, rows).duplicate_keys
    assert merge_rows(con, NOTES, rows, now=FIRST) == MergeResult(1, 0, 0, 0)
    assert _rows(con, NOTES)[("notes", "n1", "o1")][0] == "second"


def test_a_null_key_part_matches_itself(con):
    rows = [_note("n1", "a", opportunity=None)]
    merge_rows(con, NOTES, rows, now=FIRST)
    assert merge_rows(con, NOTES, rows, now=LATER) == MergeResult(0, 0, 0, 1)
    assert merge_rows(con, NOTES, [_note("n1", "b", opportunity=None)], now=LATER) == MergeResult(0, 1, 0, 0)


def test_json_cells_hash_by_content_not_key_order(con):
    candidates = TABLES["candidates"]  # location is a JSON object
    first = {"candidate_key": "c1", "name": "Ada", "location": {"city": "Oslo", "raw": "Oslo"}}
    reordered = {"candidate_key": "c1", "name": "Ada", "location": {"raw": "Oslo", "city": "Oslo"}}
    merge_rows(con, candidates, [first], now=FIRST)
    assert merge_rows(con, candidates, [reordered], now=LATER) == MergeResult(0, 0, 0, 1)
    moved = {**first, "location": {"city": "Bergen", "raw": "Bergen"}}
    assert merge_rows(con, candidates, [moved], now=LATER) == MergeResult(0, 1, 0, 0)


def test_a_null_cell_and_an_empty_one_are_different_content(con):
    merge_rows(con, NOTES, [_note("n1", "")], now=FIRST)
    assert merge_rows(con, NOTES, [_note("n1", None)], now=LATER) == MergeResult(0, 1, 0, 0)
    assert merge_rows(con, NOTES, [_note("n1", "")], now=LATER) == MergeResult(0, 1, 0, 0)


def test_unicode_and_100_kb_cells_round_trip(con):
    body = "Zoë 候选人 🚀 " * 8_000  # ~100 KB of text
    merge_rows(con, NOTES, [_note("n1", body)], now=FIRST)
    assert _rows(con, NOTES)[("notes", "n1", "o1")][0] == body
    assert merge_rows(con, NOTES, [_note("n1", body)], now=LATER) == MergeResult(0, 0, 0, 1)
