"""Ashby load assets (group `ashby`), partitioned by posting like the canonical records they load: wiring
only; the work is in `migration_pipeline.load`. One multi-asset runs the phases in dependency order in one
step (the single Ashby writer), reports each object type as its own asset with a check of loaded vs planned."""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from migration_pipeline.ashby.errors import AshbyAuthError, AshbyPermissionError
from migration_pipeline.defs.ashby.resources import AshbyResource
from migration_pipeline.defs.lever.partitions import lever_postings
from migration_pipeline.defs.store import StoreResource
from migration_pipeline.load.engine import LoadAborted
from migration_pipeline.load.phases import PHASES, Scope
from migration_pipeline.load.progress import Progress
from migration_pipeline.load.run import PreflightFailed, run_load

GROUP = "ashby"
RETRY = dg.RetryPolicy(max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)
CHECK = "loaded_as_planned"


def asset_name(phase: str) -> str:
    return f"ashby_{phase}"


PHASE_NAMES = [p.name for p in PHASES]


class LoadConfig(dg.Config):
    dry_run: bool = False  # everything but the writes
    redrive: bool = False  # only the items whose last attempt failed


@dg.multi_asset(
    specs=[
        dg.AssetSpec(asset_name(name), group_name=GROUP, kinds={"duckdb"}, deps=["migration_plan"], skippable=True)
        for name in PHASE_NAMES
    ],
    check_specs=[dg.AssetCheckSpec(CHECK, asset=asset_name(name)) for name in PHASE_NAMES],
    partitions_def=lever_postings,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="ashby_api",
    retry_policy=RETRY,
    can_subset=False,
)
def ashby_load(
    context: dg.AssetExecutionContext, config: LoadConfig, ashby: AshbyResource, store: StoreResource
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    partitions = list(context.partition_keys)
    client = ashby.client()
    try:
        outcome = run_load(
            store.store(),
            Path(store.data_dir),
            client,
            context.run.run_id,
            Scope(partitions, redrive=config.redrive),
            dry_run=config.dry_run,
            progress=Progress(context.log.info, every_s=30.0),
        )
    except (PreflightFailed, LoadAborted, AshbyAuthError, AshbyPermissionError) as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from exc
    finally:
        client.close()
    for name in PHASE_NAMES:
        stats = outcome.report.stats[name]
        yield dg.MaterializeResult(
            asset_key=asset_name(name),
            metadata={
                "partitions": len(partitions),
                "dry_run": config.dry_run,
                **{k: v for k, v in stats.outcomes.items()},
                "failed_lever_ids": stats.failed_ids[:100],
                "run_id": context.run.run_id,
            },
        )
    for name, check in outcome.checks.items():
        yield dg.AssetCheckResult(
            asset_key=asset_name(name),
            check_name=CHECK,
            passed=check.passed,
            severity=dg.AssetCheckSeverity.ERROR if check.unexplained else dg.AssetCheckSeverity.WARN,
            metadata={**check.as_metadata(partitions), "run_id": context.run.run_id},
        )


ashby_load_job = dg.define_asset_job(
    "load_to_ashby",
    selection=dg.AssetSelection.assets(ashby_load),
    description="Load the selected postings into Ashby (a single-run backfill covers many postings).",
)

redrive_job = dg.define_asset_job(
    "redrive",
    selection=dg.AssetSelection.assets(ashby_load),
    config={"ops": {"ashby_load": {"config": {"redrive": True, "dry_run": False}}}},
    description="Re-attempt the ledger rows that failed (after the mapping or the data was fixed).",
)
