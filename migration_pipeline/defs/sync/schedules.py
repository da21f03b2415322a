"""The `lever_delta_sync` schedule: a delta sync every hour by default (MIGRATION_SYNC_CRON), stopped until an
operator turns it on. A tick that finds the previous sync still queued or running skips, with the reason shown
in the UI: two syncs never overlap (the Ashby writer lock would stop the second anyway)."""

import os

import dagster as dg

from migration_pipeline.defs.sync.assets import lever_delta_sync

DEFAULT_CRON = "0 * * * *"
IN_PROGRESS = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]

lever_delta_sync_job = dg.define_asset_job(
    "lever_delta_sync_job", selection=[lever_delta_sync], description="One delta sync from Lever into Ashby."
)


def sync_in_progress(instance: dg.DagsterInstance) -> str | None:
    """The run id of a sync still queued or running, if any."""
    records = instance.get_run_records(
        filters=dg.RunsFilter(job_name=lever_delta_sync_job.name, statuses=IN_PROGRESS), limit=1
    )
    return records[0].dagster_run.run_id if records else None


@dg.schedule(
    job=lever_delta_sync_job,
    cron_schedule=os.environ.get("MIGRATION_SYNC_CRON", DEFAULT_CRON),
    name="lever_delta_sync",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="A delta sync during the parallel run (turn it on in the UI: Automation -> lever_delta_sync).",
)
def lever_delta_sync_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    running = sync_in_progress(context.instance)
    if running is not None:
        return dg.SkipReason(f"the previous delta sync (run {running}) is still running: this tick is skipped")
    return dg.RunRequest()
