"""Jobs through the ledger: created with their target status, never twice across a crash or a refused status
change, reruns change nothing."""

from collections import Counter

from migration_pipeline.load.phases import PHASES
from migration_pipeline.store import Store
from migration_pipeline.store.journal import Journal
from migration_pipeline_tests.load.conftest import load

JOB_PHASES = [p for p in PHASES if p.name in ("departments", "locations", "jobs")]


def query(data_dir, sql, params=()):
    with Store(data_dir / "migration.duckdb").connect() as con:
        return con.execute(sql, list(params)).fetchall()


def ledger_id(data_dir, object_type, key):
    found = query(
        data_dir, "SELECT ashby_id FROM ashby.ledger WHERE object_type = ? AND lever_key = ?", [object_type, key]
    )
    return found[0][0] if found else None


def journal_crash(data_dir, object_type, key):
    """A crashed run: the intent reached the journal, the call may have reached Ashby, the result never did."""
    with Journal(data_dir / "journal", "crashed-run") as journal:
        journal.record({"object_type": object_type, "lever_key": key, "op": "intent", "payload_hash": "x"})


def _job_row(data_dir, target):
    [row] = query(
        data_dir,
        """SELECT job_key, title, department_id, location_id, interview_plan_id FROM canonical.jobs
           WHERE target_status = ? ORDER BY job_key LIMIT 1""",
        [target],
    )
    return row


def test_jobs_are_created_with_their_target_status_and_a_rerun_changes_nothing(prepared, data_dir):
    expected = dict(query(data_dir, "SELECT job_key, target_status FROM canonical.jobs"))
    assert {"Open", "Closed", "Draft", "Archived"} <= set(expected.values())
    report = load(prepared, data_dir, phases=JOB_PHASES)
    assert report.stats["jobs"].outcomes == Counter({"created": len(expected)})
    assert len(prepared.sandbox.state["jobs"]) == len(expected)
    for key, target in expected.items():
        job = prepared.call("job.info", {"id": ledger_id(data_dir, "job", key)})
        assert job["status"] == target, key
    again = load(prepared, data_dir, "run-2", phases=JOB_PHASES)
    assert again.stats["jobs"].outcomes == Counter({"unchanged": len(expected)})
    assert len(prepared.sandbox.state["jobs"]) == len(expected)


def test_a_crash_between_job_create_and_set_status_does_not_create_a_second_job(prepared, data_dir):
    key, title, team, location, plan = _job_row(data_dir, "Closed")
    journal_crash(data_dir, "job", key)
    body = {"title": title, "teamId": team, "locationId": location, "defaultInterviewPlanId": plan}
    draft = prepared.call("job.create", body)  # the create went through; setStatus never ran
    report = load(prepared, data_dir, phases=JOB_PHASES)
    assert report.stats["jobs"].outcomes["failed"] == 0
    assert ledger_id(data_dir, "job", key) == draft["id"]
    assert prepared.call("job.info", {"id": draft["id"]})["status"] == "Closed"
    assert len(prepared.sandbox.state["jobs"]) == query(data_dir, "SELECT count(*) FROM canonical.jobs")[0][0]


def test_a_refused_status_change_fails_the_job_and_the_next_run_moves_the_same_job_on(prepared, data_dir):
    key, title, *_, plan = _job_row(data_dir, "Open")
    query(data_dir, "UPDATE canonical.jobs SET interview_plan_id = NULL WHERE job_key = ?", [key])
    report = load(prepared, data_dir, phases=JOB_PHASES)
    assert report.stats["jobs"].errors == Counter({"invalid_input": 1})  # a job cannot open without a plan
    [(status, request_id)] = query(
        data_dir, "SELECT status, last_request_id FROM ashby.ledger WHERE object_type = 'job' AND lever_key = ?", [key]
    )
    assert status == "failed" and request_id
    query(data_dir, "UPDATE canonical.jobs SET interview_plan_id = ? WHERE job_key = ?", [plan, key])  # mapping fixed
    again = load(prepared, data_dir, "run-2", phases=JOB_PHASES)
    assert again.stats["jobs"].outcomes["failed"] == 0
    titled = [j for j in prepared.sandbox.state["jobs"].values() if j["title"] == title]
    assert len(titled) == 1
    assert (titled[0]["status"], titled[0]["defaultInterviewPlanId"]) == ("Open", plan)
    assert ledger_id(data_dir, "job", key) == titled[0]["id"]


def test_lost_answers_never_duplicate_a_job(prepared, data_dir):
    expected = dict(query(data_dir, "SELECT job_key, target_status FROM canonical.jobs"))
    prepared.faults(rate_lost_500=0.3, rate_drop=0.1, seed=11)
    report = load(prepared, data_dir, phases=JOB_PHASES)
    prepared.faults(rate_lost_500=0, rate_drop=0)
    if report.stats["jobs"].outcomes["failed"]:  # Ashby could not be read back after a lost answer: next run
        assert load(prepared, data_dir, "run-2", phases=JOB_PHASES).stats["jobs"].outcomes["failed"] == 0
    assert len(prepared.sandbox.state["jobs"]) == len(expected)
    statuses = {ledger_id(data_dir, "job", key): target for key, target in expected.items()}
    assert {j["id"]: j["status"] for j in prepared.sandbox.state["jobs"].values()} == statuses


def test_a_job_in_a_department_and_location_the_load_creates_gets_their_new_ids(prepared, data_dir):
    key = _job_row(data_dir, "Open")[0]
    query(
        data_dir,
        """UPDATE canonical.jobs SET department_how = 'create', department_id = NULL, department_name = 'Moonshots',
                  location_how = 'create', location_id = NULL, location_name = 'Lunar Base' WHERE job_key = ?""",
        [key],
    )
    load(prepared, data_dir, phases=JOB_PHASES)
    job = prepared.call("job.info", {"id": ledger_id(data_dir, "job", key)})
    assert job["departmentId"] == ledger_id(data_dir, "department", "moonshots")
    assert job["locationId"] == ledger_id(data_dir, "location", "lunarbase")
    assert job["status"] == "Open"
