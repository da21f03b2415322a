"""Notes through the ledger: every note once on its candidate, backdated; reruns, lost answers and crashes never
duplicate one; private notes follow the key's private-fields toggle."""

from collections import Counter

from migration_pipeline_tests.load.conftest import load
from migration_pipeline_tests.load.records import (
    ashby_ids,
    crashed_intent,
    items_of,
    key_without,
    ledger_row,
    load_under_faults,
    only,
    per_owner,
    query,
    some_partitions,
    through,
)

NOTES = only("candidates", "notes")


def _notes(prepared) -> list[dict]:
    return list(prepared.sandbox.state["notes"].values())


def _per_candidate(data_dir, partitions: list[str] | None = None) -> Counter:
    return per_owner(data_dir, "notes", "candidate_key", "candidate", partitions)


def test_every_note_is_in_ashby_once_backdated_and_a_rerun_changes_nothing(prepared, data_dir):
    expected = query(data_dir, "SELECT count(*) FROM canonical.notes")[0][0]
    report = load(prepared, data_dir, phases=through("notes"))
    assert report.stats["notes"].outcomes == Counter({"created": expected})
    candidates = ashby_ids(data_dir, "candidate")
    assert Counter(n["_candidateId"] for n in _notes(prepared)) == _per_candidate(data_dir)
    wanted = Counter(
        (candidates[key], created[:19])
        for key, created in query(data_dir, "SELECT candidate_key, created_at FROM canonical.notes")
    )
    assert Counter((n["_candidateId"], n["createdAt"][:19]) for n in _notes(prepared)) == wanted
    again = load(prepared, data_dir, "run-2", phases=through("notes"))
    assert again.stats["notes"].outcomes == Counter({"unchanged": expected})
    assert len(_notes(prepared)) == expected


def test_lost_answers_and_dropped_connections_never_duplicate_a_note(prepared, data_dir):
    partitions = some_partitions(data_dir, "notes")
    load(prepared, data_dir, phases=only("candidates"))
    outcomes = load_under_faults(prepared, data_dir, "notes", partitions)
    assert outcomes["adopted"] > 0  # answers were lost after the note was written, and nothing was written twice
    assert Counter(n["_candidateId"] for n in _notes(prepared)) == _per_candidate(data_dir, partitions)


def test_a_crashed_intent_is_adopted_when_the_note_reached_ashby_and_written_when_not(prepared, data_dir):
    load(prepared, data_dir, phases=only("candidates"))
    candidates = ashby_ids(data_dir, "candidate")
    reached, lost = [i for i in items_of(data_dir, "notes") if not i.payload["isPrivate"]][:2]
    for item in (reached, lost):
        crashed_intent(data_dir, item)
    # the crashed run wrote one of them: Ashby sanitized its HTML and kept its createdAt
    written = prepared.call(
        "candidate.createNote",
        {
            "candidateId": candidates[reached.candidate_key],
            "note": {"type": "text/html", "value": reached.payload["note"]},
            "createdAt": reached.payload["createdAt"],
        },
    )
    report = load(prepared, data_dir, "run-2", phases=NOTES)
    outcomes = report.stats["notes"].outcomes
    assert outcomes["adopted"] == 1 and outcomes["failed"] == 0
    assert ledger_row(data_dir, "note", reached.lever_key)["ashby_id"] == written["id"]
    assert ledger_row(data_dir, "note", lost.lever_key)["status"] == "done"
    assert Counter(n["_candidateId"] for n in _notes(prepared)) == _per_candidate(data_dir)


def test_private_notes_are_private_in_ashby(prepared, data_dir):
    expected = query(data_dir, "SELECT count(*) FROM canonical.notes WHERE is_private")[0][0]
    assert expected > 0
    load(prepared, data_dir, phases=NOTES)
    assert sum(n["isPrivate"] for n in _notes(prepared)) == expected


def test_without_the_private_fields_toggle_private_notes_fail_with_ashbys_code_and_the_rest_load(prepared, data_dir):
    key_without(prepared, "private-fields")
    private, total = query(data_dir, "SELECT count(*) FILTER (WHERE is_private), count(*) FROM canonical.notes")[0]
    report = load(prepared, data_dir, phases=only("candidates", "notes", "tags"))
    stats = report.stats["notes"]
    assert stats.outcomes == Counter({"created": total - private, "failed": private})
    assert stats.errors == Counter({"missing_endpoint_permission": private})
    assert "tags" in report.stats  # the load went on
    assert len(_notes(prepared)) == total - private and not any(n["isPrivate"] for n in _notes(prepared))
    failed = next(i for i in items_of(data_dir, "notes") if i.payload["isPrivate"])
    row = ledger_row(data_dir, "note", failed.lever_key)
    assert row["status"] == "failed" and row["code"] == "missing_endpoint_permission" and row["request_id"]
