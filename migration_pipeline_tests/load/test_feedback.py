"""Feedback: every Lever feedback once on its application, credited to its interviewer; lost answers and crashes
never duplicate a submission."""

from collections import Counter

from migration_pipeline.load.engine import load_one
from migration_pipeline.load.feedback import FeedbackLoader
from migration_pipeline_tests.load.conftest import load, session
from migration_pipeline_tests.load.records import (
    ashby_ids,
    crashed_intent,
    items_of,
    ledger_row,
    load_under_faults,
    only,
    per_owner,
    query,
    some_partitions,
    through,
)

BEFORE = only("custom_fields", "jobs", "candidates", "applications")
FEEDBACK = only("feedback")


def _submitted(prepared) -> list[dict]:
    return list(prepared.sandbox.state["feedback"].values())


def _per_application(data_dir, partitions: list[str] | None = None) -> Counter:
    return per_owner(data_dir, "feedback", "lever_opportunity_id", "application", partitions)


def test_every_feedback_is_on_its_application_once_and_a_rerun_changes_nothing(prepared, data_dir):
    expected = query(data_dir, "SELECT count(*) FROM canonical.feedback")[0][0]
    report = load(prepared, data_dir, phases=through("feedback"))
    assert report.stats["feedback"].outcomes == Counter({"created": expected})
    assert Counter(f["applicationId"] for f in _submitted(prepared)) == _per_application(data_dir)
    by_lever_id = {f["submittedValues"].get("lever_feedback_id"): f for f in _submitted(prepared)}
    for item in items_of(data_dir, "feedback"):
        assert by_lever_id[item.lever_id]["submittedByUser"]["id"] == item.payload["userId"]
    again = load(prepared, data_dir, "run-2", phases=through("feedback"))
    assert again.stats["feedback"].outcomes == Counter({"unchanged": expected})
    assert len(_submitted(prepared)) == expected


def test_lost_answers_and_dropped_connections_never_duplicate_a_feedback(prepared, data_dir):
    partitions = some_partitions(data_dir, "feedback", share=2)
    load(prepared, data_dir, partitions=partitions, phases=BEFORE)
    assert load_under_faults(prepared, data_dir, "feedback", partitions)["adopted"] > 0
    assert Counter(f["applicationId"] for f in _submitted(prepared)) == _per_application(data_dir, partitions)


def test_a_crashed_intent_is_adopted_when_the_feedback_reached_ashby(prepared, data_dir):
    load(prepared, data_dir, phases=BEFORE)
    item = items_of(data_dir, "feedback")[0]
    crashed_intent(data_dir, item)
    written = prepared.call(
        "applicationFeedback.submit",
        {
            "formDefinitionId": item.payload["formDefinitionId"],
            "applicationId": ashby_ids(data_dir, "application")[item.opportunity_id],
            "feedbackForm": {"fieldSubmissions": item.payload["fieldSubmissions"]},
            "userId": item.payload["userId"],
        },
    )
    report = load(prepared, data_dir, "run-2", phases=FEEDBACK)
    assert report.stats["feedback"].outcomes["adopted"] == 1
    assert ledger_row(data_dir, "feedback", item.lever_key)["ashby_id"] == written["submittedFormInstance"]["id"]
    assert Counter(f["applicationId"] for f in _submitted(prepared)) == _per_application(data_dir)


def test_a_lost_answer_followed_by_a_failing_read_never_writes_twice(prepared, data_dir):
    load(prepared, data_dir, phases=BEFORE)
    item = items_of(data_dir, "feedback")[0]
    with session(prepared, data_dir, "run-2") as ctx:
        prepared.faults(script=["lost_500"] + ["500"] * 8)  # the submit commits; every attempt to list fails
        outcome = load_one(FeedbackLoader(), ctx, item)
    assert len(_submitted(prepared)) == 1
    # the write is left for the next run to find (not written blind): it is adopted, not written again
    assert outcome == "failed"
    assert load(prepared, data_dir, "run-3", phases=FEEDBACK).stats["feedback"].outcomes["adopted"] == 1
    assert len(_submitted(prepared)) == len(items_of(data_dir, "feedback"))  # every one once
