"""The load in dependency order. Each phase reads its canonical rows for the scope (all postings, or some
posting partitions), turns them into items and runs its loader; the phases after it find what they depend on
(candidate and job ids) in the ledger."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb

from migration_pipeline.load.applications import ApplicationLoader, application_item
from migration_pipeline.load.candidates import CandidateLoader, candidate_item, refresher
from migration_pipeline.load.custom_fields import SELECT_TYPES, CustomFieldLoader, custom_field_items
from migration_pipeline.load.engine import Item, LoadContext, Loader, LoadStats, run_loader, unique
from migration_pipeline.load.feedback import FeedbackLoader, feedback_item
from migration_pipeline.load.field_values import FieldValuesLoader, object_item
from migration_pipeline.load.files import FileLoader, data_folder, file_item
from migration_pipeline.load.hiring_team import (
    PLAN_DIR,
    HiringTeamLoader,
    follower_items,
    hiring_manager_item,
    owner_item,
    planned_roles,
    posting_owner_item,
)
from migration_pipeline.load.jobs import JobLoader, job_item
from migration_pipeline.load.notes import NoteLoader, note_item
from migration_pipeline.load.organization import DepartmentLoader, LocationLoader, place_item
from migration_pipeline.load.progress import Progress
from migration_pipeline.load.tags import TagAssignmentLoader, TagLoader, assignment_item, tag_item
from migration_pipeline.store import Store
from migration_pipeline.transform.names import name_key

Json = dict[str, Any]
REDRIVEN = ("failed", "intent")


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[Json]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


@dataclass
class Scope:
    """Which posting partitions this load covers (None: every one)."""

    partitions: list[str] | None = None
    redrive: bool = False  # only the items whose last attempt failed (or never got its result)

    def sql(self, column: str = "partition_key") -> tuple[str, list[str]]:
        if self.partitions is None:
            return "TRUE", []
        return f"{column} IN ({', '.join('?' for _ in self.partitions)})", list(self.partitions)


@dataclass(frozen=True)
class Phase:
    name: str
    loader: Callable[[], Loader]
    items: Callable[[duckdb.DuckDBPyConnection, Scope], list[Item]]
    prepare: Callable[[LoadContext, duckdb.DuckDBPyConnection, Scope], None] | None = None


def department_items(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[Item]:
    where, params = scope.sql()
    found = rows(
        con, f"SELECT DISTINCT department_name FROM canonical.jobs WHERE department_how = 'create' AND {where}", params
    )
    return [place_item("department", r["department_name"]) for r in found]


def location_items(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[Item]:
    where, params = scope.sql()
    found = rows(
        con, f"SELECT DISTINCT location_name FROM canonical.jobs WHERE location_how = 'create' AND {where}", params
    )
    return [place_item("location", r["location_name"]) for r in found]


def field_items(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[Item]:
    """The custom fields the values use and the org lacks: org-level, whatever the scope."""
    selects = ", ".join(f"'{t}'" for t in sorted(SELECT_TYPES))
    found = rows(
        con,
        f"""SELECT DISTINCT object_type, field_title, field_type,
                   CASE WHEN field_type IN ({selects}) THEN CAST(value AS VARCHAR) END AS value
            FROM canonical.custom_field_values WHERE field_id IS NULL ORDER BY ALL""",
    )
    return custom_field_items(found)


def _scoped(con: duckdb.DuckDBPyConnection, table: str, scope: Scope, order: str) -> list[Json]:
    where, params = scope.sql()
    return rows(con, f"SELECT * FROM canonical.{table} WHERE {where} ORDER BY {order}", params)


def job_items(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[Item]:
    return [job_item(r) for r in _scoped(con, "jobs", scope, "job_key")]


def application_items(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[Item]:
    return [application_item(r) for r in _scoped(con, "applications", scope, "lever_opportunity_id")]


def hiring_team_items(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[Item]:
    """Opportunity owners and followers on applications, posting owners and hiring managers on jobs, each in the
    role the plan resolved for its kind (none: not loaded)."""
    roles = planned_roles(data_folder(con) / PLAN_DIR)
    owner, followers = roles.get("opportunity_owner"), roles.get("opportunity_followers")
    posting_owner, manager = roles.get("posting_owner"), roles.get("posting_hiring_manager")
    items: list[Item] = []
    for r in _scoped(con, "applications", scope, "lever_opportunity_id"):
        if owner and r["owner_user_id"]:
            items.append(owner_item(r, owner))
        if followers:
            items += follower_items(r, followers, owner)
    for r in _scoped(con, "jobs", scope, "job_key"):
        if manager and r["hiring_manager_user_id"]:
            items.append(hiring_manager_item(r, manager))
        if posting_owner and r["owner_user_id"]:
            items.append(posting_owner_item(r, posting_owner))
    return items


def scope_candidates(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[Json]:
    """Candidates with an opportunity in the scope's partitions."""
    where, params = scope.sql("o.partition_key")
    return rows(
        con,
        f"""SELECT DISTINCT c.* FROM canonical.candidates c,
                   unnest(CAST(c.lever_opportunity_ids AS VARCHAR[])) AS u(opportunity_id)
            JOIN lever_raw.opportunities o ON o.lever_id = u.opportunity_id
            WHERE {where} ORDER BY c.candidate_key""",
        params,
    )


def candidate_items(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[Item]:
    return [candidate_item(r) for r in scope_candidates(con, scope)]


def _prepare_candidates(ctx: LoadContext, con: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    ctx.refresh_candidate = refresher(ctx, {r["candidate_key"]: r for r in scope_candidates(con, scope)})


def _ensure_refresher(ctx: LoadContext, con: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    """Candidate-level phases re-resolve merged candidates too, also in a run without the candidates phase."""
    if ctx.refresh_candidate is None:
        _prepare_candidates(ctx, con, scope)


def note_items(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[Item]:
    where, params = scope.sql()
    order = "lever_type, lever_id, lever_opportunity_id"
    return [note_item(r) for r in rows(con, f"SELECT * FROM canonical.notes WHERE {where} ORDER BY {order}", params)]


def _scope_tags(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[Json]:
    """The tags of the candidates in scope (candidate-level rows: any partition of the candidate may load them),
    each with the org-wide spelling of its name key (the first, sorted), so no scope changes a tag's title."""
    keys = {r["candidate_key"] for r in scope_candidates(con, scope)}
    found = rows(con, "SELECT candidate_key, tag FROM canonical.candidate_tags ORDER BY tag, candidate_key")
    spelling: dict[str, str] = {}
    for r in found:
        spelling.setdefault(name_key(r["tag"]), r["tag"])
    return [{**r, "title": spelling[name_key(r["tag"])]} for r in found if r["candidate_key"] in keys]


def tag_items(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[Item]:
    return [tag_item(r["title"]) for r in _scope_tags(con, scope)]


def tag_assignment_items(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[Item]:
    return [assignment_item(r["candidate_key"], r["tag"]) for r in _scope_tags(con, scope)]


def field_value_items(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[Item]:
    """One item per object: a candidate in scope with all its values, an application of a partition in scope."""
    keys = {r["candidate_key"] for r in scope_candidates(con, scope)}
    where, params = scope.sql("v.partition_key")
    found = rows(
        con,
        f"""SELECT v.*, a.candidate_key FROM canonical.custom_field_values v
            LEFT JOIN canonical.applications a
                   ON v.object_type = 'Application' AND a.lever_opportunity_id = v.object_key
            WHERE v.object_type = 'Candidate' OR ({where})
            ORDER BY v.object_type, v.object_key, v.lever_type, v.lever_id, v.field_title""",
        params,
    )
    groups: dict[tuple[str, str], list[Json]] = {}
    for r in found:
        if r["object_type"] != "Candidate" or r["object_key"] in keys:
            groups.setdefault((r["object_type"], r["object_key"]), []).append({**r, "value": decode(r["value"])})
    return [object_item(kind, key, group, group[0]["candidate_key"]) for (kind, key), group in groups.items()]


def feedback_items(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[Item]:
    where, params = scope.sql()
    found = rows(
        con, f"SELECT * FROM canonical.feedback WHERE {where} ORDER BY lever_feedback_id, lever_opportunity_id", params
    )
    return [feedback_item(r, decode(r["field_submissions"]) or []) for r in found]


def file_items(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[Item]:
    """Ready files only: the others (unprocessable, duplicate, missing) are in `canonical.skipped` already."""
    where, params = scope.sql()
    found = rows(
        con,
        f"""SELECT * FROM canonical.files WHERE status = 'ready' AND {where}
            ORDER BY lever_type, lever_file_id, lever_opportunity_id""",
        params,
    )
    folder = data_folder(con)
    return [file_item(r, folder) for r in found]


PHASES: list[Phase] = [
    Phase("departments", DepartmentLoader, department_items),
    Phase("locations", LocationLoader, location_items),
    Phase("custom_fields", CustomFieldLoader, field_items),
    Phase("jobs", JobLoader, job_items),
    Phase("candidates", CandidateLoader, candidate_items, _prepare_candidates),
    Phase("applications", ApplicationLoader, application_items, _ensure_refresher),
    Phase("hiring_team", HiringTeamLoader, hiring_team_items),
    Phase("notes", NoteLoader, note_items, _ensure_refresher),
    Phase("tags", TagLoader, tag_items),
    Phase("tag_assignments", TagAssignmentLoader, tag_assignment_items, _ensure_refresher),
    Phase("custom_field_values", FieldValuesLoader, field_value_items, _ensure_refresher),
    Phase("feedback", FeedbackLoader, feedback_items),
    Phase("files", FileLoader, file_items, _ensure_refresher),
]


@dataclass
class LoadReport:
    stats: dict[str, LoadStats] = field(default_factory=dict)

    def as_metadata(self) -> Json:
        meta: Json = {}
        for stats in self.stats.values():
            meta.update(stats.as_metadata())
        return meta

    @property
    def failed(self) -> int:
        return sum(s.outcomes.get("failed", 0) for s in self.stats.values())

    def merge(self, other: LoadReport) -> None:
        """Add another run of (some of) the phases: their outcomes add up per phase."""
        for name, stats in other.stats.items():
            mine = self.stats.setdefault(name, LoadStats(stats.object_type))
            mine.outcomes.update(stats.outcomes)
            mine.errors.update(stats.errors)
            mine.failed_ids.extend(stats.failed_ids[: max(0, 100 - len(mine.failed_ids))])


def run_phases(
    store: Store,
    ctx: LoadContext,
    scope: Scope,
    *,
    phases: Sequence[Phase] | None = None,
    threads: int = 8,
    progress: Progress | None = None,
) -> LoadReport:
    report = LoadReport()
    for phase in phases or PHASES:
        with store.connect() as con:
            items = unique(phase.items(con, scope))
            if phase.prepare is not None:
                phase.prepare(ctx, con, scope)
        if scope.redrive:
            items = [i for i in items if (ctx.ledger.row(i.object_type, i.lever_key) or {}).get("status") in REDRIVEN]
        on_item = progress.start(phase.name, len(items)) if progress is not None else None
        report.stats[phase.name] = run_loader(phase.loader(), ctx, items, threads=threads, on_item=on_item)
        if progress is not None:
            progress.finish(report.stats[phase.name])
    return report


def decode(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value
