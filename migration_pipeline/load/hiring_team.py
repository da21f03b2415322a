"""The hiring team: Lever's people on an opportunity or posting become members of the application's or the job's
hiring team, in the Ashby role the mapping's `hiring_team` section names for each kind (by default the opportunity
owner as Recruiter and the posting's hiring manager as Hiring Manager; followers and the posting owner only
when mapped). The plan resolves the titles against the org's `hiringTeamRole.list` (an unknown title blocks the
load) and records them (`plan["hiring_team"]`); the loader reads them from there. Roles cannot be created through
the API: an org that lost a role since fails those items with code `role_missing`.

A membership has no Ashby id of its own: its ledger row's Ashby id is the application or job it was added to.
It is recognised in Ashby by reading that application's or job's hiring team (the user in the role). A changed
owner or hiring manager is reported `changed_not_updatable` (the previous member stays).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import duckdb

from migration_pipeline.ashby.errors import AshbyNotFoundError
from migration_pipeline.load.claims import Refused
from migration_pipeline.load.engine import Item, LoadContext, Loader
from migration_pipeline.store import ashby_org as ashby_org_store
from migration_pipeline.transform.mapping import HiringTeam
from migration_pipeline.transform.names import name_key
from migration_pipeline.transform.plan import PLAN_JSON

Json = dict[str, Any]
OBJECT_TYPE = "hiring_team_member"
# the default Ashby role titles (the mapping's `hiring_team` defaults)
RECRUITER_ROLE = HiringTeam().opportunity_owner or "Recruiter"
HIRING_MANAGER_ROLE = HiringTeam().posting_hiring_manager or "Hiring Manager"
# what each `hiring_team` setting places, for the plan's wording
KINDS = {
    "opportunity_owner": "opportunity owner(s)",
    "opportunity_followers": "opportunity follower(s)",
    "posting_owner": "posting owner(s)",
    "posting_hiring_manager": "posting hiring manager(s)",
}
# per kind: how many people the canonical tables hold for it
PEOPLE_SQL = {
    "opportunity_owner": "SELECT count(owner_user_id) FROM canonical.applications",
    "opportunity_followers": "SELECT sum(json_array_length(follower_user_ids)) FROM canonical.applications",
    "posting_owner": "SELECT count(owner_user_id) FROM canonical.jobs",
    "posting_hiring_manager": "SELECT count(hiring_manager_user_id) FROM canonical.jobs",
}
PLAN_DIR = "plan"  # in the data folder, beside the store
# per target (its ledger object type): the endpoint that reads it, its id field, the endpoint that adds a member
TARGETS = {
    "application": ("application.info", "applicationId", "application.addHiringTeamMember"),
    "job": ("job.info", "id", "hiringTeam.addMember"),
}


def resolve_roles(config: HiringTeam, roles: list[Json]) -> tuple[dict[str, str | None], list[Json]]:
    """(kind -> the org's spelling of its role title or None, blocking problems for titles the org lacks)."""
    titles = {name_key(r.get("title")): r["title"] for r in roles if r.get("title")}
    resolved: dict[str, str | None] = {}
    problems: list[Json] = []
    for kind, title in config.model_dump().items():
        if title is None:
            resolved[kind] = None
            continue
        resolved[kind] = titles.get(name_key(title))
        if resolved[kind] is None:
            known = ", ".join(sorted(titles.values())) or "none"
            problems.append(
                {
                    "code": "hiring_team_role_unknown",
                    "message": f"hiring_team.{kind}: the Ashby org has no hiring team role titled {title!r}"
                    f" (its roles: {known})",
                    "dimension": "hiring_team",
                }
            )
    return resolved, problems


def add_to_plan(plan: Json, con: duckdb.DuckDBPyConnection, config: HiringTeam) -> Json:
    """The hiring team part of the plan: the role of each kind (`plan["hiring_team"]`), a blocking error per
    unknown role title, and a warning per kind of person that is not loaded (no role set)."""
    roles = ashby_org_store.read_snapshot(con).get("hiring_team_roles", [])
    resolved, problems = resolve_roles(config, roles)
    plan["hiring_team"] = resolved
    plan["blocking"] = [p for p in plan["blocking"] if p["code"] != "hiring_team_role_unknown"] + problems
    for kind, title in config.model_dump().items():
        people = (con.execute(PEOPLE_SQL[kind]).fetchone()[0] or 0) if title is None else 0
        if people:
            plan["warnings"].append(
                {
                    "code": "hiring_team_not_loaded",
                    "message": f"{people} {KINDS[kind]} not added to Ashby hiring teams"
                    f" (hiring_team.{kind} is not set in the mapping)",
                    "dimension": "hiring_team",
                }
            )
    plan["ready"] = not plan["blocking"]
    return plan


def planned_roles(plan_dir: Path) -> dict[str, str | None]:
    """The roles the last plan resolved (the mapping's defaults when no plan recorded them)."""
    path = plan_dir / PLAN_JSON
    found = json.loads(path.read_text()).get("hiring_team") if path.is_file() else None
    return found if isinstance(found, dict) else HiringTeam().model_dump()


def _application_member(row: Json, user_id: str, role: str, key: str) -> Item:
    opportunity = row["lever_opportunity_id"]
    return Item(
        object_type=OBJECT_TYPE,
        lever_key=key,
        payload={"target": "application", "key": opportunity, "userId": user_id, "role": role},
        lever_type="opportunities",
        lever_id=opportunity,
        opportunity_id=opportunity,
        candidate_key=row["candidate_key"],
        partition_key=row["partition_key"],
    )


def owner_item(row: Json, role: str = RECRUITER_ROLE) -> Item:
    """The opportunity owner on the application, from a canonical application row with an `owner_user_id`."""
    return _application_member(row, row["owner_user_id"], role, f"application:{row['lever_opportunity_id']}")


def follower_items(row: Json, role: str, owner_role: str | None = None) -> list[Item]:
    """Each follower on the application (the owner again in the owner's role is the owner's membership)."""
    followers = row.get("follower_user_ids") or []
    followers = json.loads(followers) if isinstance(followers, str) else followers
    opportunity = row["lever_opportunity_id"]
    return [
        _application_member(row, user, role, f"application:{opportunity}:follower:{user}")
        for user in dict.fromkeys(followers)
        if user and not (user == row.get("owner_user_id") and owner_role and name_key(owner_role) == name_key(role))
    ]


def _job_member(row: Json, user_id: str, role: str, key: str) -> Item:
    return Item(
        object_type=OBJECT_TYPE,
        lever_key=key,
        payload={"target": "job", "key": row["job_key"], "userId": user_id, "role": role},
        lever_type="postings",
        lever_id=row["lever_posting_id"] or row["job_key"],
        partition_key=row["partition_key"],
    )


def hiring_manager_item(row: Json, role: str = HIRING_MANAGER_ROLE) -> Item:
    """The posting's hiring manager on the job, from a canonical job row with a `hiring_manager_user_id`."""
    return _job_member(row, row["hiring_manager_user_id"], role, f"job:{row['job_key']}")


def posting_owner_item(row: Json, role: str) -> Item:
    """The posting owner on the job, from a canonical job row with an `owner_user_id`."""
    return _job_member(row, row["owner_user_id"], role, f"job:{row['job_key']}:owner")


def is_member(team: list[Json], user_id: str, role: str) -> bool:
    return any(m.get("userId") == user_id and name_key(m.get("role")) == name_key(role) for m in team)


class HiringTeamLoader(Loader):
    object_type = OBJECT_TYPE
    updatable = False

    def __init__(self) -> None:
        self._roles: dict[str, str] | None = None  # title key -> role id, read once per load
        self._lock = threading.Lock()

    def _role_id(self, ctx: LoadContext, title: str) -> str:
        with self._lock:
            if self._roles is None:
                roles = ctx.client.call("hiringTeamRole.list", {"namesOnly": False}) or []
                self._roles = {name_key(r["title"]): r["id"] for r in roles}
        role_id = self._roles.get(name_key(title))
        if role_id is None:
            raise Refused("role_missing", f"the Ashby org has no hiring team role titled {title!r}")
        return role_id

    def find_existing(self, ctx: LoadContext, item: Item) -> str | None:
        target = item.payload["target"]
        target_id = ctx.need(target, item.payload["key"])
        endpoint, id_field, _ = TARGETS[target]
        try:
            found = ctx.client.call(endpoint, {id_field: target_id})
        except AshbyNotFoundError:
            return None  # create fails with Ashby's answer
        team = found.get("hiringTeam") or []
        return target_id if is_member(team, item.payload["userId"], item.payload["role"]) else None

    def create(self, ctx: LoadContext, item: Item) -> str:
        target = item.payload["target"]
        role_id = self._role_id(ctx, item.payload["role"])
        target_id = ctx.need(target, item.payload["key"])
        _, _, add = TARGETS[target]
        ctx.client.write(add, {f"{target}Id": target_id, "teamMemberId": item.payload["userId"], "roleId": role_id})
        return target_id
