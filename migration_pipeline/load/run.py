"""One load, as the Dagster assets and `migration-pipeline migrate` run it: preflight (permissions, the
plan, the Ashby ids the plan maps onto), then the phases in order through a single-writer session, then the
checks of loaded vs expected. `migrate` with extraction overlapping passes its own stages (phases over scopes,
produced as partitions become ready) to run through the same session."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from migration_pipeline.ashby.client import AshbyClient
from migration_pipeline.ashby.metadata import read_org_metadata
from migration_pipeline.load.checks import CheckResult, check_all
from migration_pipeline.load.phases import LoadReport, Phase, Scope, run_phases
from migration_pipeline.load.preflight import run_preflight
from migration_pipeline.load.progress import Progress
from migration_pipeline.load.session import load_session
from migration_pipeline.store import Store

PLAN_DIR = "plan"


class PreflightFailed(RuntimeError):
    """The load did not start: the message lists every reason."""


@dataclass(frozen=True)
class Stage:
    """Some phases over one scope (None: every phase, in order)."""

    scope: Scope
    phases: Sequence[Phase] | None = None


@dataclass
class LoadOutcome:
    report: LoadReport
    checks: dict[str, CheckResult] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks.values())


def run_load(
    store: Store,
    data_dir: Path,
    client: AshbyClient,
    run_id: str,
    scope: Scope,
    *,
    dry_run: bool = False,
    threads: int = 8,
    progress: Progress | None = None,
    stages: Iterable[Stage] | None = None,
) -> LoadOutcome:
    """`stages` (default: every phase over `scope`) run in order in one session; they may be produced lazily
    (a generator waiting for partitions). The checks cover `scope`."""
    metadata = read_org_metadata(client)
    with store.connect() as con:
        preflight = run_preflight(client, con, metadata, data_dir / PLAN_DIR)
    if not preflight.ok:
        raise PreflightFailed(preflight.message())
    report = LoadReport()
    with load_session(store, data_dir, client, run_id, dry_run=dry_run) as ctx:
        for stage in stages if stages is not None else [Stage(scope)]:
            done = run_phases(store, ctx, stage.scope, phases=stage.phases, threads=threads, progress=progress)
            report.merge(done)
    outcome = LoadOutcome(report)
    if not dry_run:
        outcome.checks = check_all(store, Scope(scope.partitions))
    return outcome
