"""The hiring team: application owners as Recruiters, posting hiring managers as Hiring Managers (the mapping's
defaults), followers and posting owners where the mapping names their role, added once; an unknown role title
blocks the plan; an org without the role fails those items with `role_missing`."""

import json
from collections import Counter

import yaml

from migration_pipeline.load.hiring_team import HIRING_MANAGER_ROLE, RECRUITER_ROLE
from migration_pipeline.load.phases import PHASES
from migration_pipeline.migrate_command import EXIT_BLOCKED, EXIT_ERROR, run_migrate
from migration_pipeline.migrate_command import load as load_command
from migration_pipeline.plan_command import run_plan
from migration_pipeline.store import Store
from migration_pipeline.transform.mapping import SAMPLE_MAPPING
from migration_pipeline_tests.load.conftest import load
from migration_pipeline_tests.load.records import items_of
from migration_pipeline_tests.load.test_jobs import journal_crash, ledger_id, query
from migration_pipeline_tests.load.test_migrate import _settings

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


def _mapping(data_dir, **sections) -> str:
    """A mapping file: the sample with `sections` replaced."""
    data = {**yaml.safe_load(SAMPLE_MAPPING.read_text()), **sections}
    path = data_dir / "team-mapping.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


def _plan(prepared, data_dir, **sections) -> dict:
    """The plan built for `data_dir` with the sample mapping, `sections` replaced; returns its JSON."""
    run_plan(_settings(data_dir, prepared.url), mapping=_mapping(data_dir, **sections), quiet=True)
    return json.loads((data_dir / "plan" / "migration_plan.json").read_text())


def test_the_default_mapping_keeps_owners_and_hiring_managers_and_the_plan_says_followers_are_not_loaded(
    prepared, data_dir
):
    plan = _plan(prepared, data_dir)
    assert plan["ready"] and plan["hiring_team"] == {
        "opportunity_owner": RECRUITER_ROLE,
        "opportunity_followers": None,
        "posting_owner": None,
        "posting_hiring_manager": HIRING_MANAGER_ROLE,
    }
    followers = query(data_dir, "SELECT sum(json_array_length(follower_user_ids)) FROM canonical.applications")[0][0]
    assert followers and any(
        w["code"] == "hiring_team_not_loaded" and f"{followers} opportunity follower(s)" in w["message"]
        for w in plan["warnings"]
    )
    owners, managers = _expected(data_dir)
    keys = {i.lever_key: i.payload["role"] for i in items_of(data_dir, "hiring_team")}
    assert keys == {
        **{f"application:{o}": RECRUITER_ROLE for o, _ in owners},
        **{f"job:{j}": HIRING_MANAGER_ROLE for j, _ in managers},
    }


def test_mapped_followers_are_added_once_in_their_role_and_an_unmapped_follower_is_reported(prepared, data_dir):
    [(user_id, email)] = query(
        data_dir,
        """SELECT u.ashby_id, u.payload->>'$.email' FROM ashby_org.objects u WHERE u.kind = 'users' AND u.ashby_id IN
           (SELECT unnest(CAST(follower_user_ids AS VARCHAR[])) FROM canonical.applications)
           ORDER BY 1 LIMIT 1""",
    )
    others = [e for (e,) in query(data_dir, "SELECT payload->>'$.email' FROM lever_raw.users") if e and e != email]
    users = {"auto_match": False, "map": {e: e for e in others}}  # the follower's Lever user has no Ashby user
    plan = _plan(prepared, data_dir, hiring_team={"opportunity_followers": "  coordinator "}, users=users)
    assert plan["ready"] and plan["hiring_team"]["opportunity_followers"] == "Coordinator"
    assert any(u["dimension"] == "users" and u["lever_name"] == email for u in plan["unmapped"])
    followers = {
        (opportunity, user)
        for opportunity, users in query(
            data_dir, "SELECT lever_opportunity_id, follower_user_ids FROM canonical.applications ORDER BY 1"
        )
        for user in json.loads(users or "[]")
    }
    assert followers and user_id not in {u for _, u in followers}
    owners, managers = _expected(data_dir)
    load(prepared, data_dir, phases=BEFORE)
    report = load(prepared, data_dir, "run-2", phases=TEAM)
    assert report.stats["hiring_team"].outcomes == Counter({"created": len(owners) + len(managers) + len(followers)})
    for opportunity, user in followers:
        app = prepared.call("application.info", {"applicationId": ledger_id(data_dir, "application", opportunity)})
        assert sum(m["userId"] == user and m["role"] == "Coordinator" for m in app["hiringTeam"]) == 1
    assert all(m["userId"] != user_id for m in _members(prepared).values())
    count = len(_members(prepared))
    again = load(prepared, data_dir, "run-3", phases=TEAM)
    assert again.stats["hiring_team"].outcomes == Counter({"unchanged": len(owners) + len(managers) + len(followers)})
    assert len(_members(prepared)) == count


def test_an_unknown_role_title_is_a_blocking_plan_problem_and_nothing_is_written(prepared, data_dir, capsys):
    mapping = _mapping(data_dir, hiring_team={"posting_owner": "Talent Partner"})
    assert run_migrate(_settings(data_dir, prepared.url), mapping=mapping, skip_extract=True) == EXIT_BLOCKED
    plan = json.loads((data_dir / "plan" / "migration_plan.json").read_text())
    [problem] = [p for p in plan["blocking"] if p["code"] == "hiring_team_role_unknown"]
    assert "hiring_team.posting_owner" in problem["message"] and "'Talent Partner'" in problem["message"]
    assert "hiring_team.posting_owner" in (data_dir / "plan" / "migration_plan.md").read_text()
    assert prepared.candidates() == [] and len(_members(prepared)) == 0


def test_a_role_removed_from_ashby_after_the_plan_stops_the_load_before_any_write(prepared, data_dir, capsys):
    assert _plan(prepared, data_dir)["ready"]
    state = prepared.sandbox.state
    [recruiter] = [r["id"] for r in state["hiring_team_roles"].values() if r["title"] == RECRUITER_ROLE]
    state.remove("hiring_team_roles", recruiter)
    assert load_command(_settings(data_dir, prepared.url), Store(data_dir / "migration.duckdb")) == EXIT_ERROR
    assert "hiring_team.opportunity_owner" in capsys.readouterr().out
    assert prepared.candidates() == []
