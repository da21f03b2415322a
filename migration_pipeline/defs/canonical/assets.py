"""Canonical assets (group `canonical`) and the migration plan: wiring only; the work is in
`migration_pipeline.transform`. Org-level tables are unpartitioned like their input (the opportunity list);
per-opportunity records are partitioned by posting like theirs."""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from migration_pipeline.ashby.errors import AshbyAuthError, AshbyPermissionError
from migration_pipeline.ashby.metadata import read_org_metadata
from migration_pipeline.defs.ashby.resources import AshbyResource
from migration_pipeline.defs.canonical.resources import MappingResource
from migration_pipeline.defs.lever.assets import raw_asset_name
from migration_pipeline.defs.lever.partitions import lever_postings
from migration_pipeline.defs.store import StoreResource
from migration_pipeline.load.hiring_team import add_to_plan
from migration_pipeline.transform.pipeline import snapshot_ashby_org
from migration_pipeline.transform.plan import build_plan, render_markdown, write_plan
from migration_pipeline.transform.run import TransformError, transform_org, transform_partitions

GROUP = "canonical"
ORG_TABLES = ("candidates", "candidate_merges", "candidate_tags", "jobs", "applications")
# each per-posting canonical table and the raw record types it is built from
RECORD_TABLES = {
    "notes": ("notes", "interviews", "panels", "offers", "forms", "referrals"),
    "feedback": ("feedback",),
    "files": ("resumes", "files"),
}
PLAN_DIR = "plan"


def _lever(*streams: str) -> list[dg.AssetKey]:
    return [dg.AssetKey(raw_asset_name(s)) for s in streams]


@dg.asset(
    group_name="ashby",
    pool="ashby_api",
    kinds={"duckdb"},
    description="The Ashby org's users, plans, stages,"
    " archive reasons, sources, forms and custom fields, read through the API (schema ashby_org).",
)
def ashby_org_metadata(ashby: AshbyResource, store: StoreResource) -> dg.MaterializeResult:
    client = ashby.client()
    try:
        metadata = read_org_metadata(client)
    except (AshbyAuthError, AshbyPermissionError) as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from exc
    finally:
        client.close()
    counts = snapshot_ashby_org(store.store(), metadata)
    return dg.MaterializeResult(metadata={f"{kind}": n for kind, n in counts.items()})


def _failure(exc: TransformError) -> dg.Failure:
    return dg.Failure(description=str(exc), allow_retries=False)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            f"canonical_{name}",
            group_name=GROUP,
            kinds={"duckdb"},
            deps=[*_lever("opportunities", "postings", "users", "stages", "archive_reasons"), ashby_org_metadata],
        )
        for name in ORG_TABLES
    ],
)
def canonical_org(store: StoreResource, mapping: MappingResource) -> Iterator[dg.MaterializeResult]:
    try:
        result = transform_org(store.store(), mapping.load())
    except TransformError as exc:
        raise _failure(exc) from exc
    for name in ORG_TABLES:
        merged = result.tables[name]
        yield dg.MaterializeResult(
            asset_key=f"canonical_{name}",
            metadata={
                "dagster/row_count": result.rows[name],
                **merged.as_metadata("rows_"),
                "skipped_records": sum(result.skipped.values()),
                "blocking_problems": result.blocking,
            },
        )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            f"canonical_{name}",
            group_name=GROUP,
            kinds={"duckdb"},
            deps=[*_lever(*raw), "canonical_candidates", "canonical_applications"],
        )
        for name, raw in RECORD_TABLES.items()
    ],
    partitions_def=lever_postings,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def canonical_records(
    context: dg.AssetExecutionContext, store: StoreResource, mapping: MappingResource
) -> Iterator[dg.MaterializeResult]:
    keys = context.partition_keys
    try:
        result = transform_partitions(store.store(), mapping.load(), keys)
    except TransformError as exc:
        raise _failure(exc) from exc
    for name in RECORD_TABLES:
        yield dg.MaterializeResult(
            asset_key=f"canonical_{name}",
            metadata={
                "partitions": len(keys),
                "dagster/row_count": result.rows[name],
                **result.tables[name].as_metadata("rows_"),
                "skipped_records": sum(result.skipped.values()),
                "blocking_problems": result.blocking,
            },
        )


@dg.asset(
    group_name=GROUP,
    kinds={"duckdb"},
    deps=[*(f"canonical_{n}" for n in ORG_TABLES), *(f"canonical_{n}" for n in RECORD_TABLES)],
    description="What the load will create, what is unmapped or skipped and why, and the blocking errors.",
)
def migration_plan(store: StoreResource, mapping: MappingResource) -> dg.MaterializeResult:
    config = mapping.load()
    plan = build_plan(
        store.store(), mapping_source=str(mapping.source()), policies=config.policies.model_dump(mode="json")
    )
    with store.store().connect() as con:
        add_to_plan(plan, con, config.hiring_team)
    json_path, md_path = write_plan(plan, Path(store.data_dir) / PLAN_DIR)
    return dg.MaterializeResult(
        metadata={
            "ready": plan["ready"],
            "blocking_errors": len(plan["blocking"]),
            "unmapped_values": len(plan["unmapped"]),
            "skipped_records": sum(s["records"] for s in plan["skipped"]),
            **{f"create_{k}": v for k, v in plan["create"].items()},
            "plan": dg.MetadataValue.md(render_markdown(plan)),
            "plan_json": dg.MetadataValue.path(str(json_path)),
            "plan_markdown": dg.MetadataValue.path(str(md_path)),
        }
    )
