"""Raw Lever assets (group `lever_raw`): wiring only; the work is in `migration_pipeline.extract`."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg

from migration_pipeline.defs.lever.partitions import NO_POSTING, lever_postings
from migration_pipeline.defs.lever.resources import LeverResource
from migration_pipeline.defs.store import StoreResource
from migration_pipeline.extract import lever_extract
from migration_pipeline.extract.landing import Session
from migration_pipeline.lever.client import LeverClient
from migration_pipeline.lever.errors import LeverAuthError, LeverMaintenanceError, LeverPermissionError
from migration_pipeline.lever.streams import OPPORTUNITY_STREAMS, REFERENCE_STREAMS, Stream

GROUP = "lever_raw"
# Transient trouble the client could not ride out within a step (it already retried each call).
RETRY = dg.RetryPolicy(max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)


def raw_asset_name(stream: str) -> str:
    return f"lever_{stream}_raw"


@contextmanager
def lever_session(lever: LeverResource) -> Iterator[LeverClient]:
    """A client that has checked confidential access; Lever errors that no retry can fix fail the step at once."""
    client = lever.client()
    try:
        client.check_confidential_access()
        yield client
    except (LeverAuthError, LeverPermissionError, LeverMaintenanceError) as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from exc
    finally:
        client.close()


def run_session(context: dg.AssetExecutionContext, store: StoreResource) -> Session:
    """What this run and its retries already completed is not fetched again (the root run names it)."""
    return store.landing().session(context.run.root_run_id or context.run.run_id)


def call_metadata(client: LeverClient, started: float) -> dict[str, Any]:
    elapsed = max(time.monotonic() - started, 1e-6)
    stats = client.stats.as_metadata()
    return {**stats, "elapsed_seconds": round(elapsed, 3)}


def _reference_asset(stream: Stream) -> dg.AssetsDefinition:
    @dg.asset(
        name=raw_asset_name(stream.name),
        group_name=GROUP,
        pool="lever_api",
        kinds={"duckdb"},
        retry_policy=RETRY,
        description=f"Lever `{stream.path}` as Lever sent it (lever_raw.{stream.name}).",
    )
    def reference(
        context: dg.AssetExecutionContext, lever: LeverResource, store: StoreResource
    ) -> dg.MaterializeResult:
        started = time.monotonic()
        with lever_session(lever) as client:
            result = lever_extract.extract_list(
                client, store.store(), store.landing(), stream, run_session(context, store)
            )
            metadata = {**result.as_metadata(), **call_metadata(client, started)}
        if stream.name == "postings":
            # every posting is a partition, with opportunities or not (yet)
            postings = list(store.store().raw_index("postings")["lever_id"])
            context.instance.add_dynamic_partitions(lever_postings.name, [*postings, NO_POSTING])
            metadata["partitions"] = len(postings) + 1
        return dg.MaterializeResult(metadata={"dagster/row_count": result.rows, **metadata})

    return reference


reference_assets = [_reference_asset(stream) for stream in REFERENCE_STREAMS]


@dg.asset(
    name=raw_asset_name("opportunities"),
    group_name=GROUP,
    pool="lever_api",
    kinds={"duckdb"},
    retry_policy=RETRY,
    description="Every opportunity (confidential included, applications expanded) and their applications; "
    "registers a partition per posting and one for opportunities without a posting.",
)
def lever_opportunities_raw(
    context: dg.AssetExecutionContext, lever: LeverResource, store: StoreResource
) -> dg.MaterializeResult:
    started = time.monotonic()
    with lever_session(lever) as client:
        result, per_partition = lever_extract.extract_opportunities(
            client, store.store(), store.landing(), run_session(context, store)
        )
        metadata = {**result.as_metadata(), **call_metadata(client, started)}
    context.instance.add_dynamic_partitions(lever_postings.name, sorted(per_partition))
    return dg.MaterializeResult(
        metadata={"dagster/row_count": result.rows, "partitions": len(per_partition), **metadata}
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(raw_asset_name(s.name), group_name=GROUP, kinds={"duckdb"}, deps=[lever_opportunities_raw])
        for s in OPPORTUNITY_STREAMS
    ],
    partitions_def=lever_postings,
    pool="lever_api",
    retry_policy=RETRY,
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="Per-opportunity records of the postings in scope: notes, feedback, forms, interviews, panels, "
    "offers, referrals, resumes and files (contents stored by sha256; 422s recorded, never fatal).",
)
def lever_opportunity_records_raw(
    context: dg.AssetExecutionContext, lever: LeverResource, store: StoreResource
) -> Iterator[dg.MaterializeResult]:
    started = time.monotonic()
    totals: dict[str, lever_extract.StreamResult] = {s.name: lever_extract.StreamResult() for s in OPPORTUNITY_STREAMS}
    with lever_session(lever) as client:
        for partition in context.partition_keys:
            results = lever_extract.extract_partition(
                client, store.store(), store.landing(), Path(store.data_dir), partition,
                session=run_session(context, store),
            )  # fmt: skip
            for name, result in results.items():
                totals[name].merge(result)
        calls = call_metadata(client, started)
    for name, total in totals.items():
        yield dg.MaterializeResult(
            asset_key=raw_asset_name(name),
            metadata={"dagster/row_count": total.rows, "partitions": len(context.partition_keys),
                      **total.as_metadata(), **calls},
        )  # fmt: skip


ASSETS: list[Callable[..., Any] | dg.AssetsDefinition] = [
    *reference_assets,
    lever_opportunities_raw,
    lever_opportunity_records_raw,
]
