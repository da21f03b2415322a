"""The canonical assets and the plan materialized through Dagster over an extracted store."""

import json
from pathlib import Path

import dagster as dg

from migration_pipeline.defs.ashby.resources import AshbyResource
from migration_pipeline.defs.canonical.assets import (
    PLAN_DIR,
    ashby_org_metadata,
    canonical_org,
    canonical_records,
    migration_plan,
)
from migration_pipeline.defs.canonical.resources import MappingResource
from migration_pipeline.defs.lever.partitions import lever_postings
from migration_pipeline.defs.store import StoreResource
from migration_pipeline.store import Store
from migration_pipeline_tests.conftest import ASHBY_FULL_KEY
from migration_pipeline_tests.transform.conftest import extracted, extracted_store  # noqa: F401 - fixtures


def _resources(ashby, store: Store, key: str = ASHBY_FULL_KEY) -> dict:
    data_dir = str(store.path.parent)
    return {
        "ashby": AshbyResource(api_key=key, base_url=ashby.root, rate_per_minute=10**6, state_dir=f"{data_dir}/state"),
        "store": StoreResource(data_dir=data_dir),
        "mapping": MappingResource(data_dir=data_dir),
    }


def test_canonical_assets_and_the_plan_materialize_with_metadata(extracted_store, ashby):  # noqa: F811
    resources = _resources(ashby, extracted_store)
    partitions = sorted(extracted_store.raw_index("opportunities")["partition_key"].unique())
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(lever_postings.name, partitions)
        org = dg.materialize([ashby_org_metadata, canonical_org], resources=resources, instance=instance)
        assert org.success
        candidates = org.asset_materializations_for_node("canonical_org")
        by_key = {m.asset_key.to_user_string(): m.metadata for m in candidates}
        assert by_key["canonical_candidates"]["dagster/row_count"].value > 0
        records = dg.materialize(
            [canonical_records],
            resources=resources,
            instance=instance,
            tags={"dagster/asset_partition_range_start": partitions[0],
                  "dagster/asset_partition_range_end": partitions[-1]},
        )  # fmt: skip
        assert records.success
        plan = dg.materialize([migration_plan], resources=resources, instance=instance)
        assert plan.success
        [materialization] = plan.asset_materializations_for_node("migration_plan")
        assert materialization.metadata["plan"].value.startswith("# Migration plan")
    written = json.loads((Path(resources["store"].data_dir) / PLAN_DIR / "migration_plan.json").read_text())
    assert written["create"]["candidates"] == by_key["canonical_candidates"]["dagster/row_count"].value


def test_reading_the_ashby_org_with_a_wrong_key_fails_the_step(extracted_store, ashby):  # noqa: F811
    resources = _resources(ashby, extracted_store, key="not-a-key")
    with dg.instance_for_test() as instance:
        result = dg.materialize([ashby_org_metadata], resources=resources, instance=instance, raise_on_error=False)
    assert not result.success
