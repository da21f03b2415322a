"""The transform end to end, as the CLI and the demo run it: snapshot the Ashby org, build the canonical
tables (org level, then every posting partition) and write the plan. Dagster runs the same steps as assets."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from migration_pipeline.ashby.metadata import AshbyOrgMetadata
from migration_pipeline.store import Store
from migration_pipeline.store import ashby_org as ashby_org_store
from migration_pipeline.transform.mapping import MappingConfig
from migration_pipeline.transform.plan import build_plan, write_plan
from migration_pipeline.transform.run import TransformResult, partition_keys, transform_org, transform_partitions

SNAPSHOT_KINDS = tuple(k for k in AshbyOrgMetadata.__dataclass_fields__ if k != "api_key")


def snapshot_ashby_org(store: Store, metadata: AshbyOrgMetadata) -> dict[str, int]:
    kinds = {k: v for k, v in asdict(metadata).items() if k in SNAPSHOT_KINDS}
    with store.connect() as con:
        ashby_org_store.replace_snapshot(con, kinds)
    return {k: len(v) for k, v in kinds.items()}


def transform_everything(store: Store, config: MappingConfig) -> list[TransformResult]:
    return [transform_org(store, config), transform_partitions(store, config, partition_keys(store))]


def make_plan(
    store: Store, config: MappingConfig, mapping_source: str, out_dir: Path
) -> tuple[dict[str, Any], Path, Path]:
    transform_everything(store, config)
    plan = build_plan(store, mapping_source=mapping_source, policies=config.policies.model_dump(mode="json"))
    json_path, md_path = write_plan(plan, out_dir)
    return plan, json_path, md_path
