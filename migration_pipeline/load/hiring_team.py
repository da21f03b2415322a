"""The hiring team: the Lever opportunity owner becomes the application's Recruiter, the posting's hiring manager
the job's Hiring Manager, with the roles of those titles in the Ashby org (roles cannot be created through the
API: an org without one fails those items with code `role_missing`).

A membership has no Ashby id of its own: its ledger row's Ashby id is the application or job it was added to.
It is recognised in Ashby by reading that application's or job's hiring team (the user in the role). A changed
owner or hiring manager is reported `changed_not_updatable` (the previous member stays).
"""

from __future__ import annotations

import threading
from typing import Any

from migration_pipeline.ashby.errors import AshbyNotFoundError
from migration_pipeline.load.claims import Refused
from migration_pipeline.load.engine import Item, LoadContext, Loader
from migration_pipeline.transform.names import name_key

Json = dict[str, Any]
OBJECT_TYPE = "hiring_team_member"
# the Ashby role titles Lever's people land in (to move into the mapping config)
RECRUITER_ROLE = "Recruiter"
HIRING_MANAGER_ROLE = "Hiring Manager"
# per target (its ledger object type): the endpoint that reads it, its id field, the endpoint that adds a member
TARGETS = {
    "application": ("application.info", "applicationId", "application.addHiringTeamMember"),
    "job": ("job.info", "id", "hiringTeam.addMember"),
}


def owner_item(row: Json) -> Item:
    """The application's Recruiter, from a canonical application row with an `owner_user_id`."""
    opportunity = row["lever_opportunity_id"]
    return Item(
        object_type=OBJECT_TYPE,
        lever_key=f"application:{opportunity}",
        payload={"target": "application", "key": opportunity, "userId": row["owner_user_id"], "role": RECRUITER_ROLE},
        lever_type="opportunities",
        lever_id=opportunity,
        opportunity_id=opportunity,
        candidate_key=row["candidate_key"],
        partition_key=row["partition_key"],
    )


def hiring_manager_item(row: Json) -> Item:
    """The job's Hiring Manager, from a canonical job row with a `hiring_manager_user_id`."""
    payload = {
        "target": "job",
        "key": row["job_key"],
        "userId": row["hiring_manager_user_id"],
        "role": HIRING_MANAGER_ROLE,
    }
    return Item(
        object_type=OBJECT_TYPE,
        lever_key=f"job:{row['job_key']}",
        payload=payload,
        lever_type="postings",
        lever_id=row["lever_posting_id"] or row["job_key"],
        partition_key=row["partition_key"],
    )


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
