"""The DuckDB store: schema, raw upserts, watermarks, files, and concurrent writers from several processes."""

from __future__ import annotations

import json
import multiprocessing
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from migration_pipeline.store import (
    RAW_OBJECT_TYPES,
    BadRecordError,
    Store,
    StoreLockTimeout,
    payload_hash,
    store_file_bytes,
)
from migration_pipeline.store.connection import lock_path


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "db" / "migration.duckdb")


def opp(i: int, **extra: object) -> dict[str, object]:
    return {"id": f"opp-{i}", "name": f"Person {i}", "contact": f"contact-{i}", "updatedAt": 1_700_000_000_000 + i,
            **extra}  # fmt: skip


def test_schema_idempotent(store: Store) -> None:
    store.ensure_schema()
    store.upsert_raw("users", [{"id": "u1"}], partition_key=None)
    store.ensure_schema()
    Store(store.path).ensure_schema()  # a fresh process-like instance on an existing file
    counts = store.raw_counts()
    assert set(counts) == set(RAW_OBJECT_TYPES)
    assert counts["users"] == 1
    with store.connect() as con:
        tables = {r[0] for r in con.execute("SELECT schema_name || '.' || table_name FROM duckdb_tables()").fetchall()}
    assert {f"lever_raw.{t}" for t in RAW_OBJECT_TYPES} <= tables
    assert {"meta.watermarks", "meta.unprocessable_files", "meta.file_contents"} <= tables


def test_insert_update_unchanged_counts(store: Store) -> None:
    first = store.upsert_raw("opportunities", [opp(i) for i in range(10)], partition_key="posting-a")
    assert (first.inserted, first.updated, first.unchanged) == (10, 0, 0)
    records = [opp(i) for i in range(12)]
    records[3]["name"] = "Renamed"
    again = store.upsert_raw("opportunities", records, partition_key="posting-a")
    assert (again.inserted, again.updated, again.unchanged) == (2, 1, 9)
    assert again.rejected == [] and again.duplicates == 0
    assert store.raw_counts()["opportunities"] == 12


def test_changed_payload_visible_as_changed(store: Store) -> None:
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    store.upsert_raw("opportunities", [opp(1), opp(2)], partition_key="p", fetched_at=t0)
    before = store.raw_rows("opportunities").set_index("lever_id")
    assert list(before["change_count"]) == [0, 0]
    time.sleep(0.01)
    changed = opp(1, name="New name", updatedAt=1_800_000_000_000)
    store.upsert_raw("opportunities", [changed, opp(2)], partition_key="p", fetched_at=t0 + timedelta(hours=1))
    after = store.raw_rows("opportunities").set_index("lever_id")

    row = after.loc["opp-1"]
    assert row["change_count"] == 1
    assert row["changed_at"] > before.loc["opp-1", "changed_at"]
    assert row["first_seen_at"] == before.loc["opp-1", "first_seen_at"]
    assert json.loads(row["payload"]) == changed
    assert row["payload_hash"] == payload_hash(changed)
    assert row["updated_at"] == 1_800_000_000_000
    assert row["contact_id"] == "contact-1"
    assert row["fetched_at"] == datetime(2024, 1, 1, 1)

    same = after.loc["opp-2"]  # unchanged: only fetched_at moves
    assert same["change_count"] == 0
    assert same["changed_at"] == before.loc["opp-2", "changed_at"]
    assert same["fetched_at"] == datetime(2024, 1, 1, 1)

    # a page fetched before the stored one (folded in late) does not overwrite the newer payload
    late = store.upsert_raw("opportunities", [opp(1)], partition_key="p", fetched_at=t0)
    assert (late.stale, late.updated) == (1, 0)
    assert json.loads(store.raw_rows("opportunities").set_index("lever_id").loc["opp-1", "payload"]) == changed


def test_payload_kept_as_sent_and_hash_canonical(store: Store) -> None:
    record = {"id": "n1", "zeta": 1, "alpha": {"b": "é", "a": [1, 2]}}
    store.upsert_raw("notes", [record], partition_key="p", opportunity_id_of=lambda r: "opp-1")
    row = store.raw_rows("notes").iloc[0]
    assert list(json.loads(row["payload"])) == ["id", "zeta", "alpha"]
    assert row["payload_hash"] == payload_hash({"alpha": {"a": [1, 2], "b": "é"}, "zeta": 1, "id": "n1"})
    # the same content with another key order is not a change
    result = store.upsert_raw(
        "notes", [{"alpha": {"a": [1, 2], "b": "é"}, "id": "n1", "zeta": 1}], partition_key="p",
        opportunity_id_of=lambda r: "opp-1",
    )  # fmt: skip
    assert result.unchanged == 1


def test_null_parent_uniqueness(store: Store) -> None:
    users = [{"id": f"u{i}", "name": f"U{i}"} for i in range(5)]
    for _ in range(3):
        store.upsert_raw("users", users, partition_key=None)
    assert store.raw_ids("users") == {(f"u{i}", None) for i in range(5)}
    assert store.raw_counts()["users"] == 5
    tags = [{"text": "Remote", "count": 3}, {"text": "Senior", "count": 1}]
    store.upsert_raw("tags", tags, partition_key=None)
    second = store.upsert_raw("tags", tags, partition_key=None)
    assert second.unchanged == 2
    assert store.raw_ids("tags") == {("Remote", None), ("Senior", None)}
    # the same child id under two opportunities is two rows; under the same one, one row
    for parent in ("opp-1", "opp-2", "opp-1"):
        store.upsert_raw("feedback", [{"id": "f1"}], partition_key="p", opportunity_id_of=lambda r, p=parent: p)
    assert store.raw_ids("feedback") == {("f1", "opp-1"), ("f1", "opp-2")}


def test_batch_duplicates_last_wins(store: Store) -> None:
    records = [opp(1, name="first"), opp(2), opp(1, name="last")]
    result = store.upsert_raw("opportunities", records, partition_key="p")
    assert (result.inserted, result.duplicates) == (2, 1)
    rows = store.raw_rows("opportunities").set_index("lever_id")
    assert json.loads(rows.loc["opp-1", "payload"])["name"] == "last"
    result = store.upsert_raw("opportunities", records, partition_key="p")
    assert (result.inserted, result.unchanged, result.duplicates) == (0, 2, 1)


def test_unknown_object_type(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown Lever object type 'candidates'"):
        store.upsert_raw("candidates", [{"id": "x"}], partition_key=None)
    with pytest.raises(ValueError, match="'candidates'"):
        store.raw_ids("candidates")


def test_bad_record_names_type_and_index_and_skip_keeps_others(store: Store) -> None:
    records = [opp(0), {"name": "no id"}, opp(2), opp(3, updatedAt="yesterday"), "not an object", opp(5)]
    with pytest.raises(BadRecordError, match=r"opportunities record 1: has no 'id' field") as info:
        store.upsert_raw("opportunities", records, partition_key="p")
    assert (info.value.object_type, info.value.index) == ("opportunities", 1)
    assert isinstance(info.value, ValueError)
    assert store.raw_counts()["opportunities"] == 0  # nothing written in raise mode

    result = store.upsert_raw("opportunities", records, partition_key="p", on_error="skip")
    assert result.inserted == 3
    assert [i for i, _ in result.rejected] == [1, 3, 4]
    assert "record 1" in result.rejected[0][1] and "'id'" in result.rejected[0][1]
    assert "updatedAt" in result.rejected[1][1]
    assert store.raw_ids("opportunities") == {("opp-0", None), ("opp-2", None), ("opp-5", None)}


def test_child_objects_need_their_opportunity(store: Store) -> None:
    with pytest.raises(ValueError, match="notes belong to an opportunity"):
        store.upsert_raw("notes", [{"id": "n1"}], partition_key="p")
    result = store.upsert_raw(
        "notes", [{"id": "n1", "opp": "o1"}, {"id": "n2"}], partition_key="p",
        opportunity_id_of=lambda r: r["opp"], contact_id_of=lambda r: "c1", on_error="skip",
    )  # fmt: skip
    assert result.inserted == 1
    assert result.rejected[0][0] == 1 and "opportunity_id_of failed: KeyError" in result.rejected[0][1]
    assert store.raw_rows("notes")[["lever_id", "opportunity_id", "contact_id"]].values.tolist() == [["n1", "o1", "c1"]]


def test_upsert_from_files(store: Store, tmp_path: Path) -> None:
    page1 = tmp_path / "page1.jsonl"
    page2 = tmp_path / "page2.jsonl"
    page1.write_text("\n".join(json.dumps(opp(i)) for i in range(3)) + "\n\n")
    page2.write_text(json.dumps(opp(3)) + "\n{broken\n" + json.dumps({"name": "no id"}) + "\n")
    with pytest.raises(BadRecordError, match=r"record 4: .*page2.jsonl:2 is not JSON"):
        store.upsert_raw_from_files("opportunities", [page1, page2], partition_key="p")
    result = store.upsert_raw_from_files("opportunities", [page1, page2], partition_key="p", on_error="skip")
    assert result.inserted == 4
    assert [i for i, _ in result.rejected] == [4, 5]
    assert "page2.jsonl:3" in result.rejected[1][1] and "'id'" in result.rejected[1][1]


def test_watermark_never_moves_back(store: Store) -> None:
    assert store.get_watermark("opportunities") is None
    assert store.advance_watermark("opportunities", 1_000) == 1_000
    assert store.advance_watermark("opportunities", 500) == 1_000
    assert store.get_watermark("opportunities") == 1_000
    assert store.advance_watermark("opportunities", 2_000) == 2_000
    assert store.get_watermark("opportunities") == 2_000
    assert store.get_watermark("notes") is None
    with pytest.raises(ValueError):
        store.advance_watermark("opportunities", "2000")  # type: ignore[arg-type]

    assert store.max_updated_at("opportunities") is None
    store.upsert_raw("opportunities", [opp(1), opp(7), {"id": "old", "updatedAt": None}], partition_key="p")
    assert store.max_updated_at("opportunities") == 1_700_000_000_007


def test_unprocessable_idempotent(store: Store) -> None:
    for _ in range(3):
        store.record_unprocessable("files", "file-1", "opp-1", 422, "Unprocessable file")
    store.record_unprocessable("resumes", "file-1", "opp-2", 422, "Unprocessable resume")
    rows = store.unprocessable()
    assert rows[["kind", "file_id", "opportunity_id", "status"]].values.tolist() == [
        ["files", "file-1", "opp-1", 422],
        ["resumes", "file-1", "opp-2", 422],
    ]
    assert store.handled_file_ids("files") == {"file-1"}
    # a later successful download takes the file off the unprocessable list
    store.record_file_content("files", "file-1", "opp-1", "ab" * 32, 3, "data/files/ab/x")
    assert store.unprocessable()["kind"].tolist() == ["resumes"]
    assert store.handled_file_ids("files") == {"file-1"}


def test_file_bytes_stored_once(store: Store, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    sha, path = store_file_bytes(data_dir, b"%PDF-1.4 resume")
    assert path == data_dir / "files" / sha[:2] / sha
    assert path.read_bytes() == b"%PDF-1.4 resume"
    mtime = path.stat().st_mtime_ns
    sha2, path2 = store_file_bytes(data_dir, b"%PDF-1.4 resume")
    assert (sha2, path2) == (sha, path)
    assert path.stat().st_mtime_ns == mtime  # not rewritten
    store_file_bytes(data_dir, b"other")
    assert sorted(p.name for p in (data_dir / "files").rglob("*") if p.is_file()) == sorted(
        [sha, store_file_bytes(data_dir, b"other")[0]]
    )
    store.record_file_content("files", "f1", "opp-1", sha, 15, path)
    store.record_file_content("files", "f2", "opp-2", sha, 15, path)  # two Lever files, one content
    store.record_file_content("files", "f1", "opp-1", sha, 15, path)
    contents = store.file_contents()
    assert contents["file_id"].tolist() == ["f1", "f2"]
    assert set(contents["sha256"]) == {sha}


def test_record_files_in_bulk(store: Store, tmp_path: Path) -> None:
    sha, path = store_file_bytes(tmp_path / "data", b"content")
    store.record_unprocessable("resumes", "r1", "opp-1", 422, "Unprocessable")
    items = [
        {"kind": "files", "file_id": "f1", "opportunity_id": "opp-1", "sha256": sha, "size": 7, "path": path},
        {"kind": "resumes", "file_id": "r1", "opportunity_id": "opp-1", "sha256": sha, "size": 7, "path": path},
        {"kind": "files", "file_id": "f1", "opportunity_id": "opp-1", "sha256": sha, "size": 7, "path": path},
    ]
    assert store.record_files(items) == 2
    assert store.record_files(items) == 2
    assert store.record_files([]) == 0
    assert store.file_contents()[["kind", "file_id"]].values.tolist() == [["files", "f1"], ["resumes", "r1"]]
    assert store.unprocessable().empty
    with pytest.raises(ValueError, match="file record 0: missing field 'sha256'"):
        store.record_files([{"kind": "files", "file_id": "f2", "size": 1, "path": "x"}])


def test_raw_index_by_partition(store: Store) -> None:
    store.upsert_raw("opportunities", [opp(1), opp(2)], partition_key="posting-a")
    store.upsert_raw("opportunities", [opp(3)], partition_key="posting-b")
    index = store.raw_index("opportunities", partition_key="posting-a")
    assert index[["lever_id", "contact_id"]].values.tolist() == [["opp-1", "contact-1"], ["opp-2", "contact-2"]]
    assert "payload" not in index.columns
    assert len(store.raw_index("opportunities")) == 3


def test_lock_timeout_is_clear(store: Store) -> None:
    import filelock

    store.ensure_schema()
    quick = Store(store.path, lock_timeout_s=0.2)
    with filelock.FileLock(str(lock_path(store.path))), pytest.raises(StoreLockTimeout, match="could not lock"):
        quick.raw_counts()


def test_threads_share_one_store(store: Store) -> None:
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for batch in range(10):
                records = [{"id": f"t{worker}-{batch}-{i}"} for i in range(10)]
                store.upsert_raw("users", records, partition_key=None)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.raw_counts()["users"] == 400


PROCESSES = 4
BATCHES = 25
PER_BATCH = 40


def _writer(db_path: str, worker: int) -> int:
    store = Store(Path(db_path))
    for batch in range(BATCHES):
        own = [{"id": f"w{worker}-b{batch}-r{i}", "updatedAt": batch} for i in range(PER_BATCH)]
        shared = [{"id": f"shared-{i}", "by": worker, "batch": batch} for i in range(5)]  # contended keys
        store.upsert_raw("opportunities", own + shared, partition_key=f"w{worker}")
        store.advance_watermark("opportunities", worker * 1000 + batch)
    return worker


@pytest.mark.slow
def test_two_processes_writing_at_once(tmp_path: Path) -> None:
    db_path = tmp_path / "shared.duckdb"
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(PROCESSES) as pool:
        done = pool.starmap(_writer, [(str(db_path), w) for w in range(PROCESSES)])
    assert sorted(done) == list(range(PROCESSES))
    store = Store(db_path)
    ids = store.raw_ids("opportunities")
    assert len(ids) == PROCESSES * BATCHES * PER_BATCH + 5
    assert ("w3-b24-r39", None) in ids
    assert store.get_watermark("opportunities") == (PROCESSES - 1) * 1000 + BATCHES - 1


@pytest.mark.slow
def test_100k_upsert(store: Store) -> None:
    records = [
        {"id": f"opp-{i:06d}", "name": f"Candidate {i}", "contact": f"c-{i}", "updatedAt": 1_700_000_000_000 + i,
         "tags": ["a", "b"], "stageChanges": [{"toStageId": "lead-new", "updatedAt": 1_700_000_000_000}]}
        for i in range(100_000)
    ]  # fmt: skip
    start = time.perf_counter()
    first = store.upsert_raw("opportunities", records, partition_key="p")
    inserted_s = time.perf_counter() - start
    for r in records[::10]:
        r["name"] = "changed"
    start = time.perf_counter()
    second = store.upsert_raw("opportunities", records, partition_key="p")
    merged_s = time.perf_counter() - start
    print(f"\n100k upsert: insert {inserted_s:.2f} s, re-upsert with 10% changed {merged_s:.2f} s")
    assert first.inserted == 100_000
    assert (second.updated, second.unchanged) == (10_000, 90_000)
    assert store.raw_counts()["opportunities"] == 100_000
