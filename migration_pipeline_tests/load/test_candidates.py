"""Candidates through the ledger: once each, reruns change nothing, crashes and lost answers never duplicate."""

from collections import Counter

from migration_pipeline.load.phases import PHASES
from migration_pipeline.store import Store
from migration_pipeline.store.journal import Journal
from migration_pipeline_tests.load.conftest import load

CANDIDATE_PHASES = [p for p in PHASES if p.name in ("departments", "locations", "candidates")]


def _query(data_dir, sql):
    with Store(data_dir / "migration.duckdb").connect() as con:
        return con.execute(sql).fetchall()


def _emails(prepared):
    return Counter(c.get("primaryEmailAddress", {}).get("value", "").lower() for c in prepared.candidates())


def test_every_candidate_is_created_once_and_a_rerun_changes_nothing(prepared, data_dir):
    expected = _query(data_dir, "SELECT count(*) FROM canonical.candidates")[0][0]
    report = load(prepared, data_dir, phases=CANDIDATE_PHASES)
    assert report.stats["candidates"].outcomes["created"] == expected
    assert len(prepared.candidates()) == expected
    assert all(n == 1 for email, n in _emails(prepared).items() if email)
    done = _query(data_dir, "SELECT count(*) FROM ashby.ledger WHERE object_type = 'candidate' AND status = 'done'")
    assert done[0][0] == expected
    again = load(prepared, data_dir, "run-2", phases=CANDIDATE_PHASES)
    assert again.stats["candidates"].outcomes == Counter({"unchanged": expected})
    assert len(prepared.candidates()) == expected


def test_lost_answers_and_dropped_connections_never_duplicate_a_candidate(prepared, data_dir):
    expected = _query(data_dir, "SELECT count(*) FROM canonical.candidates")[0][0]
    prepared.faults(rate_lost_500=0.25, rate_drop=0.1, rate_500=0.05, seed=7)
    report = load(prepared, data_dir, phases=CANDIDATE_PHASES)
    prepared.faults(rate_lost_500=0, rate_drop=0, rate_500=0)
    outcomes = report.stats["candidates"].outcomes
    assert outcomes["created"] + outcomes["adopted"] + outcomes["failed"] == expected
    if outcomes["failed"]:  # a lost answer that Ashby could not be read back for: never written blind
        again = load(prepared, data_dir, "run-2", phases=CANDIDATE_PHASES).stats["candidates"].outcomes
        assert again["failed"] == 0
    assert len(prepared.candidates()) == expected


def test_an_intent_without_a_result_is_reconciled_by_reading_ashby_first(prepared, data_dir):
    [(key, email, name)] = _query(
        data_dir,
        "SELECT candidate_key, primary_email, name FROM canonical.candidates WHERE primary_email IS NOT NULL LIMIT 1",
    )
    # a crashed run: the intent reached the journal, the create reached Ashby, the result never did
    with Journal(data_dir / "journal", "crashed-run") as journal:
        journal.record(
            {
                "object_type": "candidate",
                "lever_key": key,
                "op": "intent",
                "payload_hash": "x",
                "lever_type": "contacts",
                "lever_id": key,
            }
        )
    created = prepared.call("candidate.create", {"name": name, "email": email})
    report = load(prepared, data_dir, phases=CANDIDATE_PHASES)
    assert report.stats["candidates"].outcomes["adopted"] == 1
    assert _emails(prepared)[email.lower()] == 1
    [(ashby_id, attempts, runs)] = _query(
        data_dir,
        f"""SELECT ashby_id, attempts, (SELECT count(DISTINCT run_id) FROM ashby.ledger_events e
                                      WHERE e.lever_key = l.lever_key) FROM ashby.ledger l
            WHERE object_type = 'candidate' AND lever_key = '{key}'""",
    )
    assert ashby_id == created["id"] and attempts == 1 and runs == 2


def test_a_candidate_that_already_exists_in_ashby_is_reused(prepared, data_dir):
    [(email, name)] = _query(
        data_dir, "SELECT primary_email, name FROM canonical.candidates WHERE primary_email IS NOT NULL LIMIT 1"
    )
    existing = prepared.call("candidate.create", {"name": name, "email": email.upper()})
    load(prepared, data_dir, phases=CANDIDATE_PHASES)
    assert _emails(prepared)[email.lower()] == 1
    assert any(c["id"] == existing["id"] for c in prepared.candidates())


def test_a_business_error_is_a_ledger_failure_with_code_and_request_id_and_the_rest_load(prepared, data_dir):
    with Store(data_dir / "migration.duckdb").connect() as con:
        [(key,)] = con.execute(
            "SELECT candidate_key FROM canonical.candidates ORDER BY candidate_key LIMIT 1"
        ).fetchall()
        con.execute("UPDATE canonical.candidates SET linkedin_url = 'not a url' WHERE candidate_key = ?", [key])
    expected = _query(data_dir, "SELECT count(*) FROM canonical.candidates")[0][0]
    report = load(prepared, data_dir, phases=CANDIDATE_PHASES)
    assert report.stats["candidates"].outcomes["failed"] == 1
    assert report.stats["candidates"].failed_ids == [key]
    assert len(prepared.candidates()) == expected - 1
    [(status, code, request_id)] = _query(
        data_dir, f"SELECT status, last_error_code, last_request_id FROM ashby.ledger WHERE lever_key = '{key}'"
    )
    assert status == "failed" and code == "invalid_input" and request_id
