"""Conflicts (a record moved in Ashby and in Lever since our last write) under each policy; the deletion policy
`report`; a new unmapped Lever stage blocking only the application that needs it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from migration_pipeline.sandbox.ashby.setup import ARCHIVED_STAGE_TITLE
from migration_pipeline.transform.mapping import SAMPLE_MAPPING
from migration_pipeline_tests.sync.conftest import ParallelRun
from migration_pipeline_tests.sync.test_delta_sync import mutate


def mapping_with(tmp_path: Path, sync: dict) -> str:
    data = yaml.safe_load(SAMPLE_MAPPING.read_text()) or {}
    data["sync"] = sync
    path = tmp_path / "mapping.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


def _app_row(run: ParallelRun) -> tuple[str, str, str]:
    """(Lever opportunity id, Ashby application id, interview plan id) of an active migrated application."""
    with run.store.connect() as con:
        return con.execute(
            """SELECT a.lever_opportunity_id, l.ashby_id, a.interview_plan_id FROM canonical.applications a
               JOIN ashby.ledger l ON l.object_type = 'application' AND l.lever_key = a.lever_opportunity_id
               WHERE a.status = 'Active' AND l.status = 'done' ORDER BY 1 LIMIT 1"""
        ).fetchone()


def _stage_ids(run: ParallelRun, plan_id: str, *, not_titled: str = "") -> list[str]:
    stages = run.ashby.call("interviewStage.list", {"interviewPlanId": plan_id})
    return [s["id"] for s in stages if s["type"] == "Active" and s["title"] not in (ARCHIVED_STAGE_TITLE, not_titled)]


def _move_in_both(run: ParallelRun) -> tuple[str, str, str]:
    """Move one application in Lever and, differently, in Ashby: (opportunity, Ashby application, Ashby stage)."""
    opp_id, app_id, plan_id = _app_row(run)
    current = run.ashby.call("application.info", {"applicationId": app_id})["currentInterviewStage"]["id"]
    lever_stage = next(
        s for s in run.lever.org.stages if s["id"] != run.lever.org.opportunities[opp_id]["stage"]
        and s["text"] in {"Phone screen", "On-site interview", "Recruiter screen"}
    )  # fmt: skip
    user = next(u["id"] for u in run.lever.org.users if u.get("deactivatedAt") is None)
    answer = run.lever.session().put(
        f"{run.lever.api}/opportunities/{opp_id}/stage", params={"perform_as": user}, json={"stage": lever_stage["id"]},
        timeout=30,
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    ashby_stage = next(s for s in _stage_ids(run, plan_id, not_titled=lever_stage["text"]) if s != current)
    run.ashby.call("application.changeStage", {"applicationId": app_id, "interviewStageId": ashby_stage})
    return opp_id, app_id, ashby_stage


def _stage_now(run: ParallelRun, app_id: str) -> str:
    return run.ashby.call("application.info", {"applicationId": app_id})["currentInterviewStage"]["id"]


def _expected_stage(run: ParallelRun, opp_id: str) -> str:
    with run.store.connect() as con:
        return con.execute(
            "SELECT current_stage_id FROM canonical.applications WHERE lever_opportunity_id = ?", [opp_id]
        ).fetchone()[0]


def test_a_conflict_is_reported_and_not_overwritten_under_report_again_on_every_sync(parallel: ParallelRun):
    opp_id, app_id, ashby_stage = _move_in_both(parallel)
    for _ in range(2):
        report = parallel.sync()
        assert report.status == "succeeded", report.error
        conflicts = [c for c in report.conflicts if c["lever_id"] == opp_id]
        assert [c["field"] for c in conflicts] == ["stage"]
        assert conflicts[0]["resolution"] == "not written (reported)" and ashby_stage in conflicts[0]["ashby_value"]
        assert _stage_now(parallel, app_id) == ashby_stage
    with parallel.store.connect() as con:
        stored = con.execute("SELECT count(*) FROM ashby.conflicts WHERE lever_id = ?", [opp_id]).fetchone()[0]
    assert stored == 2
    assert (parallel.data_dir / "sync" / "reports" / f"{report.run_id}.md").read_text().count(opp_id) == 1


@pytest.mark.parametrize("policy", ["lever-wins", "ashby-wins"])
def test_a_conflict_is_settled_by_the_policy_and_not_reported_again(parallel: ParallelRun, tmp_path, policy):
    opp_id, app_id, ashby_stage = _move_in_both(parallel)
    mapping = mapping_with(tmp_path, {"conflicts": policy})
    report = parallel.sync(mapping)
    assert report.status == "succeeded", report.error
    [conflict] = [c for c in report.conflicts if c["lever_id"] == opp_id]
    assert conflict["policy"] == policy
    wanted = _expected_stage(parallel, opp_id) if policy == "lever-wins" else ashby_stage
    assert _stage_now(parallel, app_id) == wanted
    again = parallel.sync(mapping)
    assert [c for c in again.conflicts if c["lever_id"] == opp_id] == []
    assert _stage_now(parallel, app_id) == wanted


def test_a_field_changed_only_in_ashby_is_left_alone(parallel: ParallelRun):
    opp_id, app_id, plan_id = _app_row(parallel)
    current = _stage_now(parallel, app_id)
    other = next(s for s in _stage_ids(parallel, plan_id) if s != current)
    parallel.ashby.call("application.changeStage", {"applicationId": app_id, "interviewStageId": other})
    user = next(u["id"] for u in parallel.lever.org.users if u.get("deactivatedAt") is None)
    parallel.lever.session().post(  # a change in Lever that touches the opportunity, not its stage
        f"{parallel.lever.api}/opportunities/{opp_id}/notes", params={"perform_as": user}, json={"value": "hi"},
        timeout=30,
    ).raise_for_status()  # fmt: skip
    report = parallel.sync()
    assert report.status == "succeeded" and report.conflicts == []
    assert _stage_now(parallel, app_id) == other


def test_deletion_policy_report_changes_nothing_in_ashby_and_lists_the_opportunity(parallel: ParallelRun, tmp_path):
    log = mutate(parallel, seed=3, fraction=0.001, kinds=["delete"])
    [deleted] = log.deleted
    with parallel.store.connect() as con:
        app_id = con.execute(
            "SELECT ashby_id FROM ashby.ledger WHERE object_type = 'application' AND lever_key = ?", [deleted]
        ).fetchone()
    report = parallel.sync(mapping_with(tmp_path, {"deletions": {"action": "report"}}))
    assert report.status == "succeeded", report.error
    assert report.deleted_opportunities == [deleted]
    assert deleted in report.applied["deletions_reported_ids"] and report.applied["deletions_applied"] == 0
    if app_id:
        app = parallel.ashby.call("application.info", {"applicationId": app_id[0]})
        assert not any(t["title"] == "Deleted in Lever" for t in app["candidate"].get("tags") or [])


def test_a_new_unmapped_lever_stage_blocks_only_the_application_that_needs_it(parallel: ParallelRun):
    log = mutate(parallel, seed=5, fraction=0.001, kinds=["new_stage", "note", "stage_change"])
    moved = log.opportunities("new_stage")
    report = parallel.sync()
    assert report.status == "succeeded", report.error
    assert any("has no Ashby stage" in p for p in report.blocked_by_plan)
    with parallel.store.connect() as con:
        failed = con.execute("SELECT lever_key, last_error_code FROM ashby.ledger WHERE status = 'failed'").fetchall()
    assert failed and {code for _, code in failed} == {"blocked_by_plan"}
    assert {key for key, _ in failed} <= set(moved)
    assert report.loaded["notes"].get("created", 0) >= 1  # the rest of the batch went through


def test_a_deleted_opportunity_archives_its_application_with_the_configured_reason_and_tags_the_candidate(
    parallel: ParallelRun,
):
    opp_id, app_id, _ = _app_row(parallel)  # an active application
    deleted = parallel.lever.admin("POST", f"/opportunities/{opp_id}/delete", json={})
    assert deleted.status_code in (200, 201), deleted.text
    report = parallel.sync()
    assert report.status == "succeeded", report.error
    assert report.applied["deletions_applied_ids"] == [opp_id]
    app = parallel.ashby.call("application.info", {"applicationId": app_id})
    assert app["status"] == "Archived" and app["archiveReason"]["text"] == "Duplicate"
    candidate = parallel.ashby.call("candidate.info", {"id": app["candidate"]["id"]})
    assert "Deleted in Lever" in {t["title"] for t in candidate["tags"]}
    again = parallel.sync()  # inside the overlap window: seen again, applied once
    assert again.applied["deletions_applied"] == 0 and again.failures == 0
