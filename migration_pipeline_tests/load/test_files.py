"""Resumes and files: uploaded and attached once, byte-identical; a file missing on disk is its own failure;
lost answers and crashes never attach a file twice, even among several files of one name."""

import hashlib
from collections import Counter

import requests

from migration_pipeline.load.phases import Scope
from migration_pipeline.store.files import content_path
from migration_pipeline_tests.load.conftest import client, load
from migration_pipeline_tests.load.records import (
    ashby_ids,
    crashed_intent,
    items_of,
    ledger_row,
    load_under_faults,
    only,
    query,
    some_partitions,
)

FILES = only("candidates", "files")


def _attached(prepared) -> Counter:
    """(Ashby candidate id, file name) of every attached file."""
    return Counter((c["id"], h["name"]) for c in prepared.candidates() for h in c["fileHandles"])


def _expected(data_dir, items) -> Counter:
    candidates = ashby_ids(data_dir, "candidate")
    return Counter((candidates[i.candidate_key], i.payload["filename"]) for i in items)


def _download(prepared, handle: str) -> bytes:
    url = prepared.call("file.info", {"fileHandle": handle})["url"]
    response = requests.get(url, timeout=30)
    response.raise_for_status()
    return response.content


def test_resumes_and_files_are_attached_once_byte_identical_and_a_rerun_changes_nothing(prepared, data_dir):
    items = items_of(data_dir, "files")
    assert len(items) == query(data_dir, "SELECT count(*) FROM canonical.files WHERE status = 'ready'")[0][0]
    report = load(prepared, data_dir, phases=FILES)
    assert report.stats["files"].outcomes == Counter({"created": len(items)})
    assert _attached(prepared) == _expected(data_dir, items)
    files = ashby_ids(data_dir, "file")
    handles = {h["id"]: h["handle"] for c in prepared.candidates() for h in c["fileHandles"]}
    for item in items:
        assert hashlib.sha256(_download(prepared, handles[files[item.lever_key]])).hexdigest() == item.payload["sha256"]
    candidates = ashby_ids(data_dir, "candidate")
    resumes = {
        candidates[i.candidate_key]: i.payload["filename"] for i in items if i.payload["context"] == "CandidateResume"
    }
    assert {c["id"]: c["resumeFileHandle"]["name"] for c in prepared.candidates() if "resumeFileHandle" in c} == resumes
    again = load(prepared, data_dir, "run-2", phases=FILES)
    assert again.stats["files"].outcomes == Counter({"unchanged": len(items)})
    assert _attached(prepared) == _expected(data_dir, items)


def test_a_file_missing_on_disk_is_a_file_missing_failure_and_the_rest_load(prepared, data_dir):
    items = items_of(data_dir, "files")
    gone = items[0].payload["sha256"]
    content_path(data_dir, gone).unlink()
    missing = [i for i in items if i.payload["sha256"] == gone]  # content is stored once for every copy
    report = load(prepared, data_dir, phases=FILES)
    stats = report.stats["files"]
    assert stats.errors == Counter({"file_missing": len(missing)})
    assert stats.outcomes["created"] == len(items) - len(missing)
    assert ledger_row(data_dir, "file", missing[0].lever_key)["code"] == "file_missing"
    assert _attached(prepared) == _expected(data_dir, [i for i in items if i not in missing])


def test_lost_answers_and_dropped_connections_never_attach_a_file_twice(prepared, data_dir):
    partitions = some_partitions(data_dir, "files")
    load(prepared, data_dir, phases=only("candidates"))
    load_under_faults(prepared, data_dir, "files", partitions)
    assert _attached(prepared) == _expected(data_dir, items_of(data_dir, "files", Scope(partitions)))


def test_a_crashed_intent_adopts_the_attached_file_with_its_content_among_files_of_one_name(prepared, data_dir):
    items = items_of(data_dir, "files")
    names = Counter((i.candidate_key, i.payload["filename"]) for i in items)
    (candidate_key, name), count = names.most_common(1)[0]
    assert count > 1
    same_name = [i for i in items if (i.candidate_key, i.payload["filename"]) == (candidate_key, name)]
    load(prepared, data_dir, phases=only("candidates"))
    # a crashed run attached the last of them and lost its result; the first had its intent only
    reached, lost = same_name[-1], same_name[0]
    data = content_path(data_dir, reached.payload["sha256"]).read_bytes()
    candidate_id = ashby_ids(data_dir, "candidate")[candidate_key]
    with client(prepared, data_dir) as crashed:
        handle = crashed.upload_file(reached.payload["context"], name, reached.payload["contentType"], data)
        resume = reached.payload["context"] == "CandidateResume"
        attached = (crashed.attach_resume if resume else crashed.attach_file)(candidate_id, handle)
    [file_id] = [h["id"] for h in attached["fileHandles"] if h["handle"] == handle]
    crashed_intent(data_dir, lost)
    crashed_intent(data_dir, reached)
    report = load(prepared, data_dir, "run-2", phases=FILES)
    assert report.stats["files"].outcomes["adopted"] == 1 and report.stats["files"].outcomes["failed"] == 0
    assert ledger_row(data_dir, "file", reached.lever_key)["ashby_id"] == file_id
    assert ledger_row(data_dir, "file", lost.lever_key)["ashby_id"] != file_id
    assert _attached(prepared) == _expected(data_dir, items)
