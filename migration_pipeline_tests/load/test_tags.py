"""Tags: each tag created once for the org (an Ashby tag spelled differently is reused) and added to its
candidates; crashes are reconciled by reading Ashby."""

from collections import Counter

from migration_pipeline.transform.names import name_key
from migration_pipeline_tests.load.conftest import load
from migration_pipeline_tests.load.records import (
    ashby_ids,
    crashed_intent,
    items_of,
    ledger_row,
    only,
    query,
    through,
)

TAGS = only("candidates", "tags", "tag_assignments")


def _tags(prepared) -> list[dict]:
    return list(prepared.sandbox.state["candidate_tags"].values())


def _assigned(prepared) -> dict[str, set[str]]:
    """Ashby candidate id -> the name keys of its tags."""
    return {c["id"]: {name_key(t["title"]) for t in c["tags"]} for c in prepared.candidates() if c["tags"]}


def _expected(data_dir) -> dict[str, set[str]]:
    candidates = ashby_ids(data_dir, "candidate")
    wanted: dict[str, set[str]] = {}
    for key, tag in query(data_dir, "SELECT candidate_key, tag FROM canonical.candidate_tags"):
        wanted.setdefault(candidates[key], set()).add(name_key(tag))
    return wanted


def test_tags_are_created_once_and_assigned_and_a_rerun_changes_nothing(prepared, data_dir):
    distinct = {name_key(t) for (t,) in query(data_dir, "SELECT tag FROM canonical.candidate_tags")}
    assignments = query(data_dir, "SELECT count(*) FROM canonical.candidate_tags")[0][0]
    report = load(prepared, data_dir, phases=through("tag_assignments"))
    assert report.stats["tags"].outcomes == Counter({"created": len(distinct)})
    assert report.stats["tag_assignments"].outcomes == Counter({"created": assignments})
    assert Counter(name_key(t["title"]) for t in _tags(prepared)) == Counter(distinct)
    assert _assigned(prepared) == _expected(data_dir)
    again = load(prepared, data_dir, "run-2", phases=through("tag_assignments"))
    assert again.stats["tags"].outcomes == Counter({"unchanged": len(distinct)})
    assert again.stats["tag_assignments"].outcomes == Counter({"unchanged": assignments})
    assert len(_tags(prepared)) == len(distinct)


def test_an_ashby_tag_spelled_differently_is_reused(prepared, data_dir):
    [(tag,)] = query(data_dir, "SELECT tag FROM canonical.candidate_tags ORDER BY tag LIMIT 1")
    existing = prepared.call("candidateTag.create", {"title": f"  {tag.upper()} "})
    load(prepared, data_dir, phases=TAGS)
    same = [t for t in _tags(prepared) if name_key(t["title"]) == name_key(tag)]
    assert [t["id"] for t in same] == [existing["id"]]
    assert _assigned(prepared) == _expected(data_dir)


def test_crashed_intents_are_adopted_from_what_ashby_holds(prepared, data_dir):
    load(prepared, data_dir, phases=only("candidates"))
    tag = items_of(data_dir, "tags")[0]
    assignment = next(i for i in items_of(data_dir, "tag_assignments") if i.payload["tag"] == tag.lever_key)
    created = prepared.call("candidateTag.create", {"title": tag.payload["title"]})
    candidate_id = ashby_ids(data_dir, "candidate")[assignment.candidate_key]
    prepared.call("candidate.addTag", {"candidateId": candidate_id, "tagId": created["id"]})
    crashed_intent(data_dir, tag)
    crashed_intent(data_dir, assignment)
    report = load(prepared, data_dir, "run-2", phases=TAGS)
    assert report.stats["tags"].outcomes["adopted"] == 1
    assert report.stats["tag_assignments"].outcomes["adopted"] == 1
    assert ledger_row(data_dir, "tag", tag.lever_key)["ashby_id"] == created["id"]
    assert len(_tags(prepared)) == len(items_of(data_dir, "tags"))
    assert _assigned(prepared) == _expected(data_dir)
