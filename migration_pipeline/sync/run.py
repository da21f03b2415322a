"""One delta sync, as `migration-pipeline sync` and the `lever_delta_sync` job run it:

1. the delta extraction from the stored watermarks minus the overlap (extract.py);
2. the Ashby org read again (a new user, stage or reason there) and the transform of the org level and of the
   partitions the delta touched, plus those holding failed or unfinished ledger rows (nothing is lost to a
   failure: the next sync tries them again); the plan is rebuilt — a blocking problem (a new unmapped stage)
   blocks only the records that need it, which end as ledger failures `blocked_by_plan` and are reported;
3. the load of those partitions through the ledger (unchanged rows cost no call; changed ones are compared
   with Ashby first, conflicts.py), then the tags Lever took off and the deletion policy (apply.py);
4. the watermarks stored, only now; the report written to `data/sync/` (JSON and Markdown).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from migration_pipeline.ashby.client import AshbyClient
from migration_pipeline.ashby.metadata import read_org_metadata
from migration_pipeline.extract.landing import Landing
from migration_pipeline.lever.client import LeverClient
from migration_pipeline.load.hiring_team import add_to_plan
from migration_pipeline.load.phases import PHASES, LoadReport, Scope, run_phases
from migration_pipeline.load.preflight import run_preflight
from migration_pipeline.load.progress import Progress
from migration_pipeline.load.session import load_session
from migration_pipeline.plan_command import PLAN_DIR
from migration_pipeline.store import Store
from migration_pipeline.store import ledger as ledger_store
from migration_pipeline.sync import state
from migration_pipeline.sync.apply import (
    Applied,
    apply_deletions,
    candidates_of,
    dropped_assignments,
    remove_dropped_tags,
)
from migration_pipeline.sync.conflicts_store import record_conflicts
from migration_pipeline.sync.extract import DeltaExtract, extract_delta
from migration_pipeline.transform.mapping import MappingConfig
from migration_pipeline.transform.pipeline import snapshot_ashby_org
from migration_pipeline.transform.plan import build_plan, write_plan
from migration_pipeline.transform.run import transform_org, transform_partitions

Json = dict[str, Any]
SYNC_DIR = "sync"
PLAN_PREFIX = "plan: "
ORG_PHASES = [p for p in PHASES if p.name in ("departments", "locations", "custom_fields", "jobs")]
RECORD_PHASES = [p for p in PHASES if p not in ORG_PHASES]  # how the preflight names a problem of the plan


class SyncRefused(RuntimeError):
    """The sync did not start, or stopped before any write: the message says why."""


@dataclass
class SyncReport:
    run_id: str
    started_at: str
    finished_at: str = ""
    status: str = "running"  # succeeded | failed
    error: str = ""
    watermarks_before: dict[str, int | None] = field(default_factory=dict)
    watermarks_after: dict[str, int | None] = field(default_factory=dict)
    since_ms: int | None = None
    partitions: list[str] = field(default_factory=list)
    changed: dict[str, int] = field(default_factory=dict)  # records changed per type (Lever side)
    loaded: dict[str, dict[str, int]] = field(default_factory=dict)  # per phase: outcome -> count
    lever_calls: int = 0
    ashby_calls: int = 0
    conflicts: list[Json] = field(default_factory=list)
    applied: Json = field(default_factory=dict)
    deleted_opportunities: list[str] = field(default_factory=list)
    blocked_by_plan: list[str] = field(default_factory=list)
    failures: int = 0
    failures_sql: str = ""
    elapsed_s: float = 0.0

    def as_json(self) -> Json:
        return asdict(self)


def new_report(run_id: str) -> SyncReport:
    return SyncReport(run_id=run_id, started_at=datetime.now(UTC).isoformat())


def failed(report: SyncReport, error: BaseException) -> SyncReport:
    report.status = "failed"
    report.error = f"{type(error).__name__}: {error}"
    report.watermarks_after = {}
    report.finished_at = datetime.now(UTC).isoformat()
    return report


def sync_dir(data_dir: Path) -> Path:
    return data_dir / SYNC_DIR


def failures_sql(run_id: str) -> str:
    """The SQL listing every ledger row this run attempted that is not done."""
    return (
        "SELECT l.* FROM ashby.ledger l WHERE l.status IN ('failed', 'intent') AND EXISTS (SELECT 1 FROM"
        " ashby.ledger_events e WHERE e.object_type = l.object_type AND e.lever_key = l.lever_key"
        f" AND e.run_id = '{run_id}') ORDER BY l.object_type, l.lever_key"
    )


def _loaded(report: LoadReport) -> dict[str, dict[str, int]]:
    return {name: dict(stats.outcomes) for name, stats in report.stats.items() if stats.outcomes}


def _retry_partitions(store: Store) -> set[str]:
    """Partitions holding ledger rows whose last attempt failed or never got its result."""
    with store.connect() as con:
        ledger_store.ensure(con)
        found = con.execute(
            "SELECT DISTINCT partition_key FROM ashby.ledger WHERE status IN ('failed', 'intent')"
            " AND partition_key IS NOT NULL"
        ).fetchall()
    return {key for (key,) in found}


def _new_watermarks(before: dict[str, int | None], delta: DeltaExtract) -> dict[str, int | None]:
    def higher(a: int | None, b: int | None) -> int | None:
        return b if a is None else a if b is None else max(a, b)

    return {
        "opportunities": higher(before.get("opportunities"), delta.max_updated_ms),
        "opportunities_deleted": higher(before.get("opportunities_deleted"), delta.max_deleted_ms),
    }


def run_sync(
    store: Store,
    data_dir: Path,
    config: MappingConfig,
    mapping_source: str,
    lever: LeverClient,
    ashby: AshbyClient,
    run_id: str,
    *,
    progress: Progress | None = None,
    threads: int = 8,
    report: SyncReport | None = None,
) -> SyncReport:
    """One delta sync; raises SyncRefused (nothing written) or the Lever/Ashby error that stopped it (what it
    did until then is in `report`, when given). The watermarks move only when it returns."""
    started = time.monotonic()
    report = report or new_report(run_id)
    with store.connect() as con:
        report.watermarks_before = state.watermarks(con)
    mark = report.watermarks_before["opportunities"]
    if mark is None:
        raise SyncRefused("nothing was extracted from Lever yet: run the full migration (`migrate`) first")
    deleted_mark = report.watermarks_before["opportunities_deleted"] or mark
    report.since_ms = min(mark, deleted_mark) - config.sync.overlap_seconds * 1000
    lever_before, ashby_before = _calls(lever), _calls(ashby)

    landing = Landing(sync_dir(data_dir) / "landing" / run_id)
    delta = extract_delta(lever, store, landing, data_dir, report.since_ms)
    report.changed = delta.counts()
    report.deleted_opportunities = sorted(delta.deleted)

    with store.connect() as con:
        deleted_candidates = candidates_of(con, delta.deleted)  # before the transform drops them
    metadata = read_org_metadata(ashby)
    snapshot_ashby_org(store, metadata)
    partitions = sorted(set(delta.partitions) | _retry_partitions(store))
    report.partitions = partitions
    transform_org(store, config)
    if partitions:
        transform_partitions(store, config, partitions)
    plan = build_plan(store, mapping_source=mapping_source, policies=config.policies.model_dump(mode="json"))
    with store.connect() as con:
        add_to_plan(plan, con, config.hiring_team)
    write_plan(plan, data_dir / PLAN_DIR)

    with store.connect() as con:
        preflight = run_preflight(ashby, con, metadata, data_dir / PLAN_DIR)
    hard = [p for p in preflight.problems if not p.startswith(PLAN_PREFIX)]
    if hard:
        raise SyncRefused("the sync did not start:\n" + "\n".join(f"  - {p}" for p in hard))
    report.blocked_by_plan = [p.removeprefix(PLAN_PREFIX) for p in preflight.problems if p.startswith(PLAN_PREFIX)]

    applied = Applied()
    with load_session(store, data_dir, ashby, run_id) as ctx:
        ctx.conflict_policy = config.sync.conflicts
        try:
            # the org-level objects of every posting (a new or edited posting may have no changed opportunity):
            # an unchanged one costs no call; then the candidates and everything under them, in the delta's scope
            loaded = run_phases(store, ctx, Scope(None), phases=ORG_PHASES, threads=threads, progress=progress)
            scoped = run_phases(store, ctx, Scope(partitions), phases=RECORD_PHASES, threads=threads, progress=progress)
            loaded.stats.update(scoped.stats)
            with store.connect() as con:
                dropped = dropped_assignments(ctx, con)
            remove_dropped_tags(ctx, dropped, run_id, applied)
            apply_deletions(ctx, metadata, config.sync.deletions, delta.deleted, applied, deleted_candidates)
        finally:
            conflicts = list(ctx.conflicts.items)
            with store.connect() as con:
                record_conflicts(con, run_id, conflicts)
    report.loaded = _loaded(loaded)
    report.conflicts = [c.as_row() for c in conflicts]
    report.applied = applied.as_metadata() | {
        "deletions_applied_ids": applied.deletions_applied,
        "deletions_reported_ids": applied.deletions_reported,
        "deletions_failed_ids": applied.deletions_failed,
    }
    report.failures = loaded.failed + len(applied.deletions_failed) + len(applied.tag_removals_failed)
    report.failures_sql = failures_sql(run_id)

    report.watermarks_after = _new_watermarks(report.watermarks_before, delta)
    with store.connect() as con:
        state.store_watermarks(con, report.watermarks_after, run_id)
    report.lever_calls = _calls(lever) - lever_before
    report.ashby_calls = _calls(ashby) - ashby_before
    report.status = "succeeded"
    report.finished_at = datetime.now(UTC).isoformat()
    report.elapsed_s = round(time.monotonic() - started, 3)
    return report


def _calls(client: LeverClient | AshbyClient) -> int:
    return int(client.stats.as_metadata().get("calls", 0))


def write_report(report: SyncReport, data_dir: Path) -> tuple[Path, Path]:
    folder = sync_dir(data_dir) / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    json_path = folder / f"{report.run_id}.json"
    json_path.write_text(json.dumps(report.as_json(), indent=1, default=str), encoding="utf-8")
    md_path = json_path.with_suffix(".md")
    md_path.write_text(render_markdown(report), encoding="utf-8")
    (folder / "latest.json").write_text(json_path.read_text(encoding="utf-8"), encoding="utf-8")
    return json_path, md_path


def render_markdown(report: SyncReport) -> str:
    lines = [
        f"# Delta sync {report.run_id}: {report.status}",
        "",
        f"- started {report.started_at}, finished {report.finished_at or '-'} ({report.elapsed_s:.1f} s)",
        f"- watermarks before {report.watermarks_before}, after {report.watermarks_after or '(not moved)'}",
        f"- Lever calls {report.lever_calls}, Ashby calls {report.ashby_calls}",
        f"- partitions loaded: {len(report.partitions)}",
    ]
    if report.error:
        lines += ["", f"**Error:** {report.error}"]
    lines += ["", "## Changed in Lever", "", "| type | count |", "|---|---:|"]
    lines += [f"| {k} | {v} |" for k, v in sorted(report.changed.items()) if v]
    lines += ["", "## Loaded into Ashby", "", "| phase | outcomes |", "|---|---|"]
    lines += [f"| {k} | {', '.join(f'{o} {n}' for o, n in sorted(v.items()))} |" for k, v in report.loaded.items()]
    lines += ["", f"## Conflicts ({len(report.conflicts)})", ""]
    if report.conflicts:
        lines += [
            "| object | Lever id | Ashby id | field | Lever value | Ashby value | resolution |",
            "|---|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {c['object_type']} | {c['lever_id']} | {c['ashby_id']} | {c['field']} | {c['lever_value']}"
            f" | {c['ashby_value']} | {c['resolution']} |"
            for c in report.conflicts
        ]
    applied = report.applied
    lines += ["", "## Deletions and removals", ""]
    lines += [
        f"- opportunities deleted in Lever: {len(report.deleted_opportunities)}",
        f"- applied in Ashby (archived and tagged): {applied.get('deletions_applied', 0)}",
        f"- reported only (policy, or never loaded): {applied.get('deletions_reported', 0)}",
        f"- failed: {applied.get('deletions_failed', 0)}",
        f"- tags taken off candidates: {applied.get('tags_removed', 0)}",
    ]
    if report.blocked_by_plan:
        lines += ["", "## Blocked by the plan (only the records that need these)", ""]
        lines += [f"- {p}" for p in report.blocked_by_plan]
    lines += ["", f"## Failures: {report.failures}", "", f"```sql\n{report.failures_sql}\n```", ""]
    return "\n".join(lines)
