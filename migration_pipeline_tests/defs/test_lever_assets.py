"""The raw Lever assets in Dagster: materialized against the sandbox, partitions registered, metadata, failures."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from migration_pipeline.defs.lever.assets import (
    lever_opportunities_raw,
    lever_opportunity_records_raw,
    reference_assets,
)
from migration_pipeline.defs.lever.partitions import NO_POSTING, lever_postings
from migration_pipeline.defs.lever.resources import LeverResource
from migration_pipeline.defs.store import StoreResource
from migration_pipeline.store import Store
from migration_pipeline_tests.conftest import FULL_KEY, NO_CONFIDENTIAL_KEY, RunningLever


def resources(lever: RunningLever, data_dir: Path, key: str = FULL_KEY) -> dict:
    return {
        # the sandbox fixtures lift Lever's limit; so does the client here (pacing is tested with the client)
        "lever": LeverResource(
            api_key=key, base_url=lever.api, rate_per_second=100_000, burst=1_000, data_dir=str(data_dir)
        ),
        "store": StoreResource(data_dir=str(data_dir)),
    }


def test_unpartitioned_assets_land_the_reference_lists_and_register_partitions(
    lever: RunningLever, tmp_path: Path
) -> None:
    with dg.instance_for_test() as instance:
        result = dg.materialize([*reference_assets, lever_opportunities_raw], resources=resources(lever, tmp_path),
                                instance=instance)  # fmt: skip
        assert result.success
        partitions = set(instance.get_dynamic_partitions(lever_postings.name))
    inventory = lever.admin("GET", "/inventory").json()["objects"]
    counts = Store(tmp_path / "migration.duckdb").raw_counts()
    for name in ("users", "postings", "stages", "archive_reasons", "sources", "tags", "requisitions",
                 "opportunities", "applications"):  # fmt: skip
        assert counts[name] == inventory[name]["total"], name
    # every posting (with opportunities or not) and the partition of opportunities without a posting
    assert partitions == {p["id"] for p in lever.org.postings} | {NO_POSTING}
    metadata = result.asset_materializations_for_node("lever_opportunities_raw")[0].metadata
    for key in ("dagster/row_count", "calls", "rate_limited", "retries", "elapsed_seconds", "partitions"):
        assert key in metadata, key
    assert metadata["dagster/row_count"].value == inventory["opportunities"]["total"]


def test_partitioned_records_of_two_postings(lever: RunningLever, tmp_path: Path) -> None:
    with dg.instance_for_test() as instance:
        assert dg.materialize(
            [lever_opportunities_raw], resources=resources(lever, tmp_path), instance=instance
        ).success
        partitions = sorted(instance.get_dynamic_partitions(lever_postings.name))[:2]
        for partition in partitions:
            result = dg.materialize(
                [lever_opportunity_records_raw], resources=resources(lever, tmp_path), instance=instance,
                partition_key=partition,
            )  # fmt: skip
            assert result.success
    store = Store(tmp_path / "migration.duckdb")
    opportunities = store.raw_rows("opportunities")
    in_scope = opportunities[opportunities["partition_key"].isin(partitions)]["lever_id"]
    expected_notes = sum(lever.org.plans[o].notes for o in in_scope)
    assert store.raw_counts()["notes"] == expected_notes
    notes = store.raw_rows("notes")
    assert set(notes["partition_key"]) <= set(partitions) and notes["opportunity_id"].notna().all()


def test_a_key_without_confidential_access_fails_the_asset_before_landing(lever: RunningLever, tmp_path: Path) -> None:
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [lever_opportunities_raw], resources=resources(lever, tmp_path, NO_CONFIDENTIAL_KEY), instance=instance,
            raise_on_error=False,
        )  # fmt: skip
        assert not result.success
        failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
        assert "confidential" in str(failure.event_specific_data.error.message)
    assert Store(tmp_path / "migration.duckdb").raw_counts().get("opportunities", 0) == 0


@pytest.mark.parametrize("asset", [a.key.to_user_string() for a in reference_assets])
def test_reference_assets_are_in_the_lever_raw_group_and_pool(asset: str) -> None:
    definition = next(a for a in reference_assets if a.key.to_user_string() == asset)
    assert definition.group_names_by_key[definition.key] == "lever_raw"
    assert definition.op.pool == "lever_api"
