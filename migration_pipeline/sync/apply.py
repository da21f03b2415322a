"""What a sync does beyond loading the changed canonical rows: take off the tags Lever no longer has on a
contact, and apply the deletion policy to opportunities Lever deleted. Both go through the ledger like every
write (an intent first, a reconciling read after a crash), so a re-run never repeats or loses one."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb

from migration_pipeline.ashby.metadata import AshbyOrgMetadata
from migration_pipeline.load.applications import with_candidate
from migration_pipeline.load.claims import Refused
from migration_pipeline.load.engine import Item, LoadContext, Loader, LoadStats, run_loader
from migration_pipeline.load.tags import ASSIGNMENT, TAG, TagLoader, tag_item
from migration_pipeline.sync.config import DeletionPolicy
from migration_pipeline.transform.names import name_key

Json = dict[str, Any]
DELETION = "lever_deletion"


@dataclass
class Applied:
    tags_removed: int = 0
    tag_removals_failed: list[str] = field(default_factory=list)
    deletions_applied: list[str] = field(default_factory=list)  # Lever opportunity ids
    deletions_reported: list[str] = field(default_factory=list)  # report policy, or never loaded
    deletions_failed: list[str] = field(default_factory=list)
    stats: dict[str, LoadStats] = field(default_factory=dict)

    def as_metadata(self) -> Json:
        return {
            "tags_removed": self.tags_removed,
            "tag_removals_failed": len(self.tag_removals_failed),
            "deletions_applied": len(self.deletions_applied),
            "deletions_reported": len(self.deletions_reported),
            "deletions_failed": len(self.deletions_failed),
        }


# ---- tags Lever took off -------------------------------------------------------------------------------


def dropped_assignments(ctx: LoadContext, con: duckdb.DuckDBPyConnection) -> list[Json]:
    """Ledger rows of tags we put on a candidate that the candidate (still in Lever) no longer has."""
    have = {
        f"{key}:{name_key(tag)}"
        for key, tag in con.execute("SELECT candidate_key, tag FROM canonical.candidate_tags").fetchall()
    }
    candidates = {key for (key,) in con.execute("SELECT candidate_key FROM canonical.candidates").fetchall()}
    return [
        row
        for (object_type, lever_key), row in list(ctx.ledger.rows.items())
        if object_type == ASSIGNMENT and row["status"] == "done" and row["candidate_key"] in candidates
        and lever_key not in have
    ]  # fmt: skip


def remove_dropped_tags(ctx: LoadContext, dropped: list[Json], run_id: str, applied: Applied) -> None:
    """Take off the tags of `dropped_assignments` (read first: no DuckDB connection is held while Ashby answers)."""
    for row in dropped:
        if ctx.dry_run:
            applied.tags_removed += 1
            continue
        candidate_id = ctx.ledger.ashby_id("candidate", row["candidate_key"])
        try:
            ctx.client.write("candidate.removeTag", {"candidateId": candidate_id, "tagId": row["ashby_id"]})
        except Exception as exc:
            applied.tag_removals_failed.append(f"{row['lever_key']}: {exc}")
            continue
        ctx.ledger.removed(ASSIGNMENT, row["lever_key"], run_id)
        applied.tags_removed += 1


# ---- opportunities Lever deleted ------------------------------------------------------------------------


def candidates_of(con: duckdb.DuckDBPyConnection, opportunity_ids: Iterable[str]) -> dict[str, str]:
    """The canonical candidate of each opportunity (before a transform drops the deleted ones)."""
    wanted = sorted(opportunity_ids)
    if not wanted:
        return {}
    found = con.execute(
        """SELECT u.opportunity_id, c.candidate_key FROM canonical.candidates c,
                  unnest(CAST(c.lever_opportunity_ids AS VARCHAR[])) AS u(opportunity_id)
           WHERE u.opportunity_id IN (SELECT unnest(?::VARCHAR[]))""",
        [wanted],
    ).fetchall()
    return dict(found)


def _archived_stage(metadata: AshbyOrgMetadata, plan_id: str | None) -> str | None:
    stages = [
        s for s in metadata.interview_stages if s.get("interviewPlanId") == plan_id and s.get("type") == "Archived"
    ]
    return stages[0]["id"] if stages else None


def _reason_id(metadata: AshbyOrgMetadata, title: str) -> str | None:
    for reason in metadata.archive_reasons:
        if name_key(reason.get("text")) == name_key(title) and not reason.get("isArchived"):
            return reason["id"]
    return None


class DeletionLoader(Loader):
    """One deleted opportunity: its application archived with the policy's reason (when it had one in Ashby),
    its candidate tagged."""

    object_type = DELETION

    def __init__(self, metadata: AshbyOrgMetadata, policy: DeletionPolicy) -> None:
        self.metadata, self.policy = metadata, policy

    def _state(self, ctx: LoadContext, item: Item) -> tuple[Json, set[str]]:
        app_id = item.payload["application"]
        app = ctx.client.call("application.info", {"applicationId": app_id}) if app_id else {"status": "Archived"}
        tags = with_candidate(ctx, item, lambda c, cid: c.client.call("candidate.info", {"id": cid}).get("tags") or [])
        return app, {t.get("id") for t in tags}

    def find_existing(self, ctx: LoadContext, item: Item) -> str | None:
        app, tags = self._state(ctx, item)
        archived = app.get("status") == "Archived"
        done = archived and ctx.need(TAG, item.payload["tag"]) in tags
        return (item.payload["application"] or item.candidate_key) if done else None

    def create(self, ctx: LoadContext, item: Item) -> str:
        app, tags = self._state(ctx, item)
        tag_id = ctx.need(TAG, item.payload["tag"])
        if tag_id not in tags:
            candidate_id = ctx.need("candidate", item.candidate_key)
            ctx.client.write("candidate.addTag", {"candidateId": candidate_id, "tagId": tag_id})
        if app.get("status") != "Archived":
            reason = _reason_id(self.metadata, self.policy.archive_reason)
            if reason is None:
                raise Refused(
                    "archive_reason_not_found", f"no Ashby archive reason titled {self.policy.archive_reason!r}"
                )
            plan_id = (app.get("currentInterviewStage") or {}).get("interviewPlanId")
            stage = _archived_stage(self.metadata, plan_id)
            if stage is None:
                raise Refused("archived_stage_not_found", f"interview plan {plan_id} has no Archived stage")
            body = {"applicationId": item.payload["application"], "interviewStageId": stage, "archiveReasonId": reason}
            ctx.client.write("application.changeStage", body)
        return item.payload["application"] or item.candidate_key


def _written_for(ctx: LoadContext, opportunity_id: str, candidate_key: str | None) -> Json | None:
    """A done ledger row of what we wrote for the opportunity: its application, else any record of it (a
    note or file on the candidate of an opportunity that had no application: the no-posting policy), else its
    candidate (created for it alone)."""
    app = ctx.ledger.row("application", opportunity_id)
    if app is not None and app["status"] == "done" and app["ashby_id"]:
        return app
    for row in list(ctx.ledger.rows.values()):
        if row["lever_opportunity_id"] == opportunity_id and row["status"] == "done" and row["candidate_key"]:
            return {**row, "ashby_id": None}
    candidate = ctx.ledger.row("candidate", candidate_key) if candidate_key else None
    if candidate is not None and candidate["status"] == "done":
        return {**candidate, "ashby_id": None, "partition_key": None}
    return None


def deletion_items(
    ctx: LoadContext, deleted: Iterable[str], tag: str, candidates: Mapping[str, str] | None = None
) -> tuple[list[Item], list[str]]:
    """Items for the deleted opportunities we wrote something for in Ashby; and the ids of the others.
    `candidates`: the candidate key each deleted opportunity had (read before the transform dropped it)."""
    items, absent = [], []
    for opp_id in sorted(deleted):
        row = _written_for(ctx, opp_id, (candidates or {}).get(opp_id))
        if row is None:
            absent.append(opp_id)
            continue
        payload = {"application": row["ashby_id"], "tag": name_key(tag)}
        items.append(Item(DELETION, opp_id, payload, "opportunities_deleted", opp_id, opp_id, row["candidate_key"],
                          row["partition_key"]))  # fmt: skip
    return items, absent


def apply_deletions(
    ctx: LoadContext,
    metadata: AshbyOrgMetadata,
    policy: DeletionPolicy,
    deleted: Iterable[str],
    applied: Applied,
    candidates: Mapping[str, str] | None = None,
) -> None:
    items, absent = deletion_items(ctx, deleted, policy.tag, candidates)
    applied.deletions_reported += absent
    if policy.action == "report":
        applied.deletions_reported += [i.lever_id for i in items]
        return
    if not items:
        return
    earlier = {i.lever_key for i in items if (ctx.ledger.row(DELETION, i.lever_key) or {}).get("status") == "done"}
    items = [i for i in items if i.lever_key not in earlier]  # seen again inside the overlap window
    if not items:
        return
    applied.stats["deletion_tag"] = run_loader(TagLoader(), ctx, [tag_item(policy.tag)], threads=1)
    applied.stats["deletions"] = run_loader(DeletionLoader(metadata, policy), ctx, items, threads=4)
    for item in items:
        row = ctx.ledger.row(DELETION, item.lever_key) or {}
        (applied.deletions_applied if row.get("status") == "done" else applied.deletions_failed).append(item.lever_id)
