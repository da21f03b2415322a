"""The hiring team: application owners as Recruiters, posting hiring managers as Hiring Managers, added once;
an org without the role fails those items with `role_missing`."""

from collections import Counter

from migration_pipeline.load.hiring_team import HIRING_MANAGER_ROLE, RECRUITER_ROLE
from migration_pipeline.load.phases import PHASES
from migration_pipeline_tests.load.conftest import load
from migration_pipeline_tests.load.test_jobs import journal_crash, ledger_id, query

BEFORE = [p for p in PHASES if p.name in ("departments", "locations", "jobs", "candidates", "applications")]
TEAM = [p for p in PHASES if p.name == "hiring_team"]


def _expected(data_dir):
    owners = query(
        data_dir,
        "SELECT lever_opportunity_id, owner_user_id FROM canonical.applications WHERE owner_user_id IS NOT NULL",
    )
    managers = query(
        data_dir, "SELECT job_key, hiring_manager_user_id FROM canonical.jobs WHERE hiring_manager_user_id IS NOT NULL"
    )
    return owners, managers


def _members(prepared):
    return prepared.sandbox.state["hiring_team_members"]


def test_hiring_team_members_are_present_after_load_and_a_rerun_adds_none(prepared, data_dir):
    owners, managers = _expected(data_dir)
    load(prepared, data_dir, phases=BEFORE)
    report = load(prepared, data_dir, "run-2", phases=TEAM)
    assert report.stats["hiring_team"].outcomes == Counter({"created": len(owners) + len(managers)})
    for opportunity, user in owners:
        app = prepared.call("application.info", {"applicationId": ledger_id(data_dir, "application", opportunity)})
        assert any(m["userId"] == user and m["role"] == RECRUITER_ROLE for m in app["hiringTeam"])
    for job, user in managers:
        team = prepared.call("job.info", {"id": ledger_id(data_dir, "job", job)})["hiringTeam"]
        assert any(m["userId"] == user and m["role"] == HIRING_MANAGER_ROLE for m in team)
    count = len(_members(prepared))
    again = load(prepared, data_dir, "run-3", phases=TEAM)
    assert again.stats["hiring_team"].outcomes == Counter({"unchanged": len(owners) + len(managers)})
    assert len(_members(prepared)) == count


def test_a_member_added_before_a_crash_is_found_not_added_again(prepared, data_dir):
    [(opportunity, user), *_], _ = _expected(data_dir)
    load(prepared, data_dir, phases=BEFORE)
    [role] = [r for r in prepared.call("hiringTeamRole.list", {"namesOnly": False}) if r["title"] == RECRUITER_ROLE]
    app_id = ledger_id(data_dir, "application", opportunity)
    journal_crash(data_dir, "hiring_team_member", f"application:{opportunity}")
    prepared.call(
        "application.addHiringTeamMember", {"applicationId": app_id, "teamMemberId": user, "roleId": role["id"]}
    )
    report = load(prepared, data_dir, "run-2", phases=TEAM)
    assert report.stats["hiring_team"].outcomes["adopted"] == 1
    assert ledger_id(data_dir, "hiring_team_member", f"application:{opportunity}") == app_id


def test_an_org_without_the_role_fails_those_items_with_role_missing(prepared, data_dir):
    owners, managers = _expected(data_dir)
    load(prepared, data_dir, phases=BEFORE)
    state = prepared.sandbox.state
    [recruiter] = [r["id"] for r in state["hiring_team_roles"].values() if r["title"] == RECRUITER_ROLE]
    state.remove("hiring_team_roles", recruiter)
    report = load(prepared, data_dir, "run-2", phases=TEAM)
    assert report.stats["hiring_team"].outcomes == Counter({"created": len(managers), "failed": len(owners)})
    assert report.stats["hiring_team"].errors == Counter({"role_missing": len(owners)})
    assert all(m["role"] == HIRING_MANAGER_ROLE for m in _members(prepared).values())
