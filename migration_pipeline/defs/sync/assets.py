"""The delta sync as an asset (group `sync`): wiring only, the work is `migration_pipeline.sync.run`. Each
materialization is one sync; its metadata carries what changed, the calls, conflicts, deletions, the
watermarks before and after and the SQL listing its failures; its check passes when nothing failed and no
conflict waits for a person."""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from migration_pipeline.defs.ashby.resources import AshbyResource
from migration_pipeline.defs.canonical.resources import MappingResource
from migration_pipeline.defs.lever.resources import LeverResource
from migration_pipeline.defs.store import StoreResource
from migration_pipeline.sync.run import SyncReport, failed, new_report, render_markdown, run_sync, write_report
from migration_pipeline.sync_command import SYNC_ERRORS

GROUP = "sync"
CHECK = "synced_without_failures"
SHOWN = 100


def _table(rows: list[dict], columns: list[str]) -> str:
    head = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    return "\n".join(head + ["| " + " | ".join(str(r.get(c, "")) for c in columns) + " |" for r in rows[:SHOWN]])


def metadata(report: SyncReport, report_path: Path) -> dict:
    conflicts = report.conflicts
    return {
        "status": report.status,
        "records_changed": report.changed,
        "loaded": report.loaded,
        "lever_calls": report.lever_calls,
        "ashby_calls": report.ashby_calls,
        "conflicts": len(conflicts),
        "conflicts_table": dg.MetadataValue.md(
            _table(
                conflicts, ["object_type", "lever_id", "ashby_id", "field", "lever_value", "ashby_value", "resolution"]
            )
            if conflicts
            else "no conflicts"
        ),
        "conflicts_sql": f"SELECT * FROM ashby.conflicts WHERE run_id = '{report.run_id}'",
        "deletions": report.applied,
        "watermark_before": report.watermarks_before,
        "watermark_after": report.watermarks_after or "not moved",
        "partitions_loaded": len(report.partitions),
        "failures": report.failures,
        "failures_sql": report.failures_sql,
        "report": dg.MetadataValue.path(str(report_path)),
        "summary": dg.MetadataValue.md(render_markdown(report)),
    }


@dg.asset(
    group_name=GROUP,
    kinds={"duckdb"},
    deps=["migration_plan"],
    check_specs=[dg.AssetCheckSpec(CHECK, asset="lever_delta_sync")],
    pool="ashby_api",
)
def lever_delta_sync(
    context: dg.AssetExecutionContext,
    lever: LeverResource,
    ashby: AshbyResource,
    store: StoreResource,
    mapping: MappingResource,
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """What changed in Lever since the last sync (watermarks, with an overlap), into Ashby through the ledger."""
    data_dir = Path(store.data_dir)
    report = new_report(context.run.run_id)
    try:
        config = mapping.load()
        with lever.client() as lever_client, ashby.client() as ashby_client:
            run_sync(
                store.store(),
                data_dir,
                config,
                str(mapping.source()),
                lever_client,
                ashby_client,
                context.run.run_id,
                report=report,
            )
    except SYNC_ERRORS as exc:
        failed(report, exc)
        json_path, _ = write_report(report, data_dir)
        raise dg.Failure(description=report.error, metadata=metadata(report, json_path), allow_retries=False) from exc
    json_path, _ = write_report(report, data_dir)
    meta = metadata(report, json_path)
    yield dg.MaterializeResult(metadata=meta)
    open_conflicts = sum(1 for c in report.conflicts if c["policy"] == "report")
    yield dg.AssetCheckResult(
        check_name=CHECK,
        passed=report.failures == 0 and open_conflicts == 0,
        metadata={
            "failures": report.failures,
            "open_conflicts": open_conflicts,
            "failures_sql": report.failures_sql,
            "conflicts_sql": meta["conflicts_sql"],
        },
    )
