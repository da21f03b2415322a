"""Applications through the ledger: one per canonical row with its job, current stage and archive reason,
never duplicated by lost answers or a crash, blocked rows and missing jobs reported, merged candidates
followed."""

import uuid
from collections import Counter

from migration_pipeline.load.applications import history as ashby_history
from migration_pipeline.load.phases import PHASES
from migration_pipeline_tests.load.conftest import load
from migration_pipeline_tests.load.test_jobs import journal_crash, ledger_id, query

BEFORE = [p for p in PHASES if p.name in ("departments", "locations", "jobs", "candidates")]
APPLICATIONS = [p for p in PHASES if p.name == "applications"]


def _rows(data_dir):
    return query(
        data_dir,
        """SELECT lever_opportunity_id, candidate_key, job_key, current_stage_title, archive_reason_id, created_at
           FROM canonical.applications ORDER BY lever_opportunity_id""",
    )


def _apps(prepared):
    return prepared.sandbox.state["applications"]


def test_one_application_per_row_with_its_job_stage_and_archive_reason_and_a_rerun_changes_nothing(prepared, data_dir):
    rows = _rows(data_dir)
    load(prepared, data_dir, phases=BEFORE)
    report = load(prepared, data_dir, "run-2", phases=APPLICATIONS)
    assert report.stats["applications"].outcomes == Counter({"created": len(rows)})
    assert len(_apps(prepared)) == len(rows)
    for opportunity, candidate, job, stage, reason, created_at in rows:
        app = prepared.call("application.info", {"applicationId": ledger_id(data_dir, "application", opportunity)})
        assert app["job"]["id"] == ledger_id(data_dir, "job", job)
        assert app["candidate"]["id"] == ledger_id(data_dir, "candidate", candidate)
        assert app["currentInterviewStage"]["title"] == stage
        assert (app["archiveReason"] or {}).get("id") == reason
        assert app["createdAt"][:19] == created_at[:19]
    again = load(prepared, data_dir, "run-3", phases=APPLICATIONS)
    assert again.stats["applications"].outcomes == Counter({"unchanged": len(rows)})
    assert len(_apps(prepared)) == len(rows)


def test_lost_answers_never_duplicate_an_application(prepared, data_dir):
    expected = len(_rows(data_dir))
    load(prepared, data_dir, phases=BEFORE)
    prepared.faults(rate_lost_500=0.25, rate_drop=0.1, rate_500=0.05, seed=5)
    report = load(prepared, data_dir, "run-2", phases=APPLICATIONS)
    prepared.faults(rate_lost_500=0, rate_drop=0, rate_500=0)
    outcomes = report.stats["applications"].outcomes
    assert outcomes["created"] + outcomes["adopted"] + outcomes["failed"] == expected
    assert outcomes["adopted"] > 0  # some answers were lost after the write
    if outcomes["failed"]:  # a lost answer that Ashby could not be read back for: the next run looks again
        assert load(prepared, data_dir, "run-3", phases=APPLICATIONS).stats["applications"].outcomes["failed"] == 0
    assert len(_apps(prepared)) == expected


def test_a_crashed_application_of_a_candidate_with_two_for_one_job_is_adopted_not_duplicated(prepared, data_dir):
    [(opportunity, candidate, job)] = query(
        data_dir,
        """SELECT lever_opportunity_id, candidate_key, job_key FROM canonical.applications
           WHERE (candidate_key, job_key) IN (SELECT candidate_key, job_key FROM canonical.applications
                                              GROUP BY ALL HAVING count(*) = 2)
           ORDER BY created_at DESC, lever_opportunity_id LIMIT 1""",
    )
    load(prepared, data_dir, phases=BEFORE)
    [(plan, history, created_at, source, credited)] = query(
        data_dir,
        """SELECT interview_plan_id, application_history, created_at, source_id, credited_user_id
           FROM canonical.applications WHERE lever_opportunity_id = ?""",
        [opportunity],
    )
    journal_crash(data_dir, "application", opportunity)
    crashed = prepared.call(
        "application.create",
        {
            "candidateId": ledger_id(data_dir, "candidate", candidate),
            "jobId": ledger_id(data_dir, "job", job),
            "interviewPlanId": plan,
            "createdAt": created_at,
            "sourceId": source,
            "creditedToUserId": credited,
            "applicationHistory": ashby_history(history),
        },
    )
    report = load(prepared, data_dir, "run-2", phases=APPLICATIONS)
    assert report.stats["applications"].outcomes["adopted"] == 1
    assert ledger_id(data_dir, "application", opportunity) == crashed["id"]
    assert len(_apps(prepared)) == len(_rows(data_dir))
    same_job = [a for a in _apps(prepared).values() if a["job"]["id"] == ledger_id(data_dir, "job", job)]
    assert len([a for a in same_job if a["candidate"]["id"] == ledger_id(data_dir, "candidate", candidate)]) == 2


def test_a_blocked_row_is_a_blocked_by_plan_failure_and_the_others_load(prepared, data_dir):
    rows = _rows(data_dir)
    blocked = rows[0][0]
    query(
        data_dir,
        """UPDATE canonical.applications SET blocked_by = '["Lever stage ''Mystery'' has no Ashby stage"]'
           WHERE lever_opportunity_id = ?""",
        [blocked],
    )
    load(prepared, data_dir, phases=BEFORE)
    report = load(prepared, data_dir, "run-2", phases=APPLICATIONS)
    assert report.stats["applications"].outcomes == Counter({"created": len(rows) - 1, "failed": 1})
    assert report.stats["applications"].failed_ids == [blocked]
    assert len(_apps(prepared)) == len(rows) - 1
    [(status, code, message)] = query(
        data_dir,
        "SELECT status, last_error_code, last_error_message FROM ashby.ledger WHERE lever_key = ?",
        [blocked],
    )
    assert (status, code) == ("failed", "blocked_by_plan") and "Mystery" in message


def test_a_job_ashby_does_not_have_is_a_failure_with_code_and_request_id_and_the_others_load(prepared, data_dir):
    rows = _rows(data_dir)
    load(prepared, data_dir, phases=BEFORE)
    [(job, count)] = query(
        data_dir, "SELECT job_key, count(*) FROM canonical.applications GROUP BY job_key ORDER BY 2, 1 LIMIT 1"
    )
    # a corrupt ledger row: the job's Ashby id does not exist in Ashby
    query(
        data_dir,
        "UPDATE ashby.ledger SET ashby_id = ? WHERE object_type = 'job' AND lever_key = ?",
        [str(uuid.uuid4()), job],
    )
    report = load(prepared, data_dir, "run-2", phases=APPLICATIONS)
    assert report.stats["applications"].outcomes == Counter({"created": len(rows) - count, "failed": count})
    assert report.stats["applications"].errors == Counter({"job_not_found": count})
    failures = query(
        data_dir,
        """SELECT l.status, l.last_request_id FROM ashby.ledger l JOIN canonical.applications a
             ON l.object_type = 'application' AND l.lever_key = a.lever_opportunity_id WHERE a.job_key = ?""",
        [job],
    )
    assert len(failures) == count and all(status == "failed" and request_id for status, request_id in failures)
    assert len(_apps(prepared)) == len(rows) - count


def test_a_candidate_merged_in_ashby_between_candidate_and_application_load_still_gets_its_applications(
    prepared, data_dir
):
    [(candidate, count)] = query(
        data_dir,
        """SELECT a.candidate_key, count(*) FROM canonical.applications a
           JOIN canonical.candidates c USING (candidate_key) WHERE c.primary_email IS NOT NULL
           GROUP BY ALL ORDER BY 2 DESC, 1 LIMIT 1""",
    )
    load(prepared, data_dir, phases=BEFORE)
    merged = ledger_id(data_dir, "candidate", candidate)
    survivor = prepared.call("candidate.create", {"name": "Kept Record", "email": "kept.record@example.com"})
    answer = prepared.admin("POST", "/merge", json={"from": merged, "into": survivor["id"]})
    assert answer.status_code == 200, answer.text
    # the applications phase alone: it sets up the re-resolving of merged candidates itself
    report = load(prepared, data_dir, "run-2", phases=APPLICATIONS)
    assert report.stats["applications"].outcomes["failed"] == 0
    assert ledger_id(data_dir, "candidate", candidate) == survivor["id"]
    theirs = [a for a in _apps(prepared).values() if a["candidate"]["id"] == survivor["id"]]
    assert len(theirs) == count
    assert len(_apps(prepared)) == len(_rows(data_dir))
