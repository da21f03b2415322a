"""Before the first write: the key can do what the load needs, the plan has no blocking error, and every
Ashby id the canonical tables point at (stages, reasons, users, sources, plans, forms) still exists."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from migration_pipeline.ashby.client import AshbyClient
from migration_pipeline.ashby.errors import AshbyError
from migration_pipeline.ashby.metadata import AshbyOrgMetadata
from migration_pipeline.load.hiring_team import planned_roles
from migration_pipeline.transform.names import name_key
from migration_pipeline.transform.plan import load_blocking

# the permission modules a migration calls (apiKey.info spells them `candidates:read`)
REQUIRED_SCOPES = (
    "candidatesRead",
    "candidatesWrite",
    "jobsRead",
    "jobsWrite",
    "hiringProcessMetadataRead",
    "organizationRead",
    "organizationWrite",
)


@dataclass
class Preflight:
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def message(self) -> str:
        lines = ["The load cannot start:"] + [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


def _spelling(scope: str) -> str:
    """`jobs:read` (apiKey.info) and `jobsRead` (the docs) compare equal."""
    return scope.replace(":", "").casefold()


def _scopes(client: AshbyClient) -> set[str]:
    info = client.call("apiKey.info") or {}
    return {_spelling(str(s)) for s in info.get("scopes") or []}


def _referenced_ids(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    def ids(sql: str) -> set[str]:
        return {r[0] for r in con.execute(sql).fetchall() if r[0]}

    return {
        "interview_stages": ids(
            "SELECT DISTINCT h->>'$.stageId' FROM canonical.applications,"
            " unnest(CAST(application_history AS JSON[])) AS t(h)"
        ),
        "archive_reasons": ids("SELECT DISTINCT archive_reason_id FROM canonical.applications"),
        "interview_plans": ids("SELECT DISTINCT interview_plan_id FROM canonical.jobs"),
        "sources": ids("SELECT source_id FROM canonical.applications UNION SELECT source_id FROM canonical.candidates"),
        "users": ids(
            """SELECT credited_user_id FROM canonical.candidates
               UNION SELECT credited_user_id FROM canonical.applications
               UNION SELECT owner_user_id FROM canonical.applications
               UNION SELECT interviewer_user_id FROM canonical.feedback"""
        ),
        "feedback_forms": ids("SELECT DISTINCT form_definition_id FROM canonical.feedback"),
    }


def run_preflight(
    client: AshbyClient, con: duckdb.DuckDBPyConnection, metadata: AshbyOrgMetadata, plan_dir: Path
) -> Preflight:
    result = Preflight()
    try:
        have = _scopes(client)
    except AshbyError as exc:
        result.problems.append(f"apiKey.info failed: {exc}")
        return result
    missing = [s for s in REQUIRED_SCOPES if _spelling(s) not in have]
    if missing:
        result.problems.append(f"the Ashby key lacks the permission(s) {', '.join(missing)}")
    for problem in load_blocking(plan_dir):
        result.problems.append(f"plan: {problem['message']}")
    roles = {name_key(r.get("title")) for r in metadata.hiring_team_roles}
    for kind, title in planned_roles(plan_dir).items():
        if title and name_key(title) not in roles:
            result.problems.append(
                f"the hiring team role {title!r} (hiring_team.{kind}) no longer exists in Ashby: re-run the plan"
            )
    existing: dict[str, set[Any]] = {
        kind: {item.get("id") for item in getattr(metadata, kind)} for kind in _referenced_ids(con)
    }
    for kind, wanted in _referenced_ids(con).items():
        gone = sorted(wanted - existing[kind])
        if gone:
            shown = ", ".join(gone[:5]) + (" ..." if len(gone) > 5 else "")
            result.problems.append(
                f"{len(gone)} {kind} the plan maps onto no longer exist in Ashby ({shown}): re-run the plan"
            )
    return result
