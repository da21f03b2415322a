"""`migration-pipeline sync`: one delta sync headless (the same function the `lever_delta_sync` asset runs),
its report written to `data/sync/reports/` and summarized; `cutover`: the final sync, then the reconciliation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from migration_pipeline.ashby.errors import AshbyError
from migration_pipeline.config import Settings
from migration_pipeline.lever.errors import LeverError
from migration_pipeline.load.engine import LoadAborted
from migration_pipeline.load.progress import Progress
from migration_pipeline.load.session import LoadBusy
from migration_pipeline.migrate_command import EXIT_ERROR, EXIT_FAILURES, EXIT_OK, ashby_resource, lever_resource
from migration_pipeline.plan_command import mapping_source
from migration_pipeline.store import Store
from migration_pipeline.sync.run import SyncRefused, SyncReport, failed, new_report, run_sync, write_report
from migration_pipeline.transform.mapping import MappingError, load_mapping
from migration_pipeline.transform.run import TransformError

SYNC_ERRORS = (LeverError, AshbyError, SyncRefused, LoadAborted, LoadBusy, TransformError)


def new_run_id(prefix: str = "sync") -> str:
    return f"{prefix}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def sync_once(settings: Settings, *, mapping: str | None = None, run_id: str | None = None) -> SyncReport:
    """One sync; its report (succeeded or failed) written; raises nothing the sync itself meets."""
    source = mapping_source(settings, mapping)
    report = new_report(run_id or new_run_id())
    data_dir = Path(settings.data_dir)
    try:
        config = load_mapping(source)
        store = Store(data_dir / "migration.duckdb")
        with lever_resource(settings).client() as lever, ashby_resource(settings).client() as ashby:
            run_sync(store, data_dir, config, str(source), lever, ashby, report.run_id, progress=Progress(),
                     report=report)  # fmt: skip
    except (*SYNC_ERRORS, MappingError) as exc:
        failed(report, exc)
    write_report(report, data_dir)
    return report


def print_summary(report: SyncReport, data_dir: Path) -> None:
    print(f"\nSync {report.run_id}: {report.status} in {report.elapsed_s:.0f} s")
    if report.error:
        print(f"error: {report.error}")
        print("The watermarks did not move: the next sync starts from the same point.")
        return
    changed = ", ".join(f"{k} {v}" for k, v in sorted(report.changed.items()) if v) or "nothing"
    print(f"changed in Lever: {changed}")
    print(f"calls: Lever {report.lever_calls}, Ashby {report.ashby_calls}; partitions loaded {len(report.partitions)}")
    applied = report.applied
    print(f"conflicts {len(report.conflicts)}, deletions applied {applied.get('deletions_applied', 0)},"
          f" reported {applied.get('deletions_reported', 0)}, tags removed {applied.get('tags_removed', 0)},"
          f" failures {report.failures}")  # fmt: skip
    print(f"watermarks: {report.watermarks_before} -> {report.watermarks_after}")
    print(f"report: {data_dir / 'sync' / 'reports' / (report.run_id + '.md')}")


def run_sync_command(settings: Settings, *, mapping: str | None = None) -> int:
    report = sync_once(settings, mapping=mapping)
    print_summary(report, Path(settings.data_dir))
    if report.status != "succeeded":
        return EXIT_ERROR
    return EXIT_FAILURES if report.failures else EXIT_OK
