"""The demo migration on the embedded defaults: a generated org behind the local Lever sandbox, extracted by
the pipeline's own Dagster assets into DuckDB.

It materializes every `lever_raw` asset (reference lists, the opportunity index, then every posting
partition in one run) exactly as an operator would from the Dagster UI, then prints each raw table next to
what the sandbox says exists. Later stages (transform, load) extend it as they land.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import dagster as dg
import requests

from migration_pipeline.config import Settings
from migration_pipeline.defs.lever.assets import (
    lever_opportunities_raw,
    lever_opportunity_records_raw,
    reference_assets,
)
from migration_pipeline.defs.lever.partitions import lever_postings
from migration_pipeline.defs.lever.resources import LeverResource
from migration_pipeline.defs.store import StoreResource
from migration_pipeline.lever.streams import EXTRACTED_OBJECTS
from migration_pipeline.sandbox.lever.app import LeverSandbox, LeverSandboxConfig
from migration_pipeline.sandbox.lever.auth import ApiKey
from migration_pipeline.sandbox.lever.generator import generate_org
from migration_pipeline.store import Store

# The demo org is served faster than Lever's 10 req/s so that it finishes in a minute or two; the client paces
# itself to whatever budget it is given, as it does at 10/s against Lever.
DEMO_RATE_PER_SECOND = 100.0


QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}  # step-by-step logs stay in the event log


def run_demo(settings: Settings, *, seed: int = 1, contacts: int = 500) -> int:
    """Returns the process exit code: 0 when every raw table holds exactly what the sandbox holds."""
    key = settings.lever_api_key.reveal() or f"demo-{secrets.token_hex(8)}"
    data_dir = Path(settings.data_dir) / "demo"
    print(f"Generating a Lever org (seed {seed}, {contacts} contacts) ...", flush=True)
    sandbox = LeverSandbox(
        generate_org(seed=seed, contacts=contacts),
        LeverSandboxConfig(keys=[ApiKey(key)], rate=DEMO_RATE_PER_SECOND, burst=int(DEMO_RATE_PER_SECOND)),
    )
    with sandbox.serve() as server:
        print(f"Lever sandbox serving at {server.base_url}/v1; extracting into {data_dir / 'migration.duckdb'}")
        resources = {
            "lever": LeverResource(api_key=key, base_url=f"{server.base_url}/v1", data_dir=str(data_dir),
                                   rate_per_second=DEMO_RATE_PER_SECOND, burst=int(DEMO_RATE_PER_SECOND) // 2),
            "store": StoreResource(data_dir=str(data_dir)),
        }  # fmt: skip
        started = time.monotonic()
        with dg.DagsterInstance.ephemeral() as instance:
            lists = dg.materialize(
                [*reference_assets, lever_opportunities_raw], resources=resources, instance=instance, run_config=QUIET
            )
            partitions = sorted(instance.get_dynamic_partitions(lever_postings.name))
            print(f"{len(partitions)} posting partitions registered; extracting their records in one run ...")
            records = dg.materialize(
                [lever_opportunity_records_raw], resources=resources, instance=instance, run_config=QUIET,
                tags={"dagster/asset_partition_range_start": partitions[0],
                      "dagster/asset_partition_range_end": partitions[-1]},
            )  # fmt: skip
        elapsed = time.monotonic() - started
        inventory = requests.get(f"{server.base_url}/__sandbox/inventory", timeout=60).json()
        log = requests.get(f"{server.base_url}/__sandbox/requests", timeout=60).json()["data"]
    if not (lists.success and records.success):
        print("The extraction failed; see the errors above.")
        return 1
    counts = Store(data_dir / "migration.duckdb").raw_counts()
    print(f"\n{'object':<22}{'in Lever':>10}{'in lever_raw':>14}")
    mismatches = 0
    for name in EXTRACTED_OBJECTS:
        expected, found = inventory["objects"][name]["total"], counts.get(name, 0)
        mismatches += found != expected
        print(f"{name:<22}{expected:>10}{found:>14}{'' if found == expected else '   <-- differs'}")
    throttled = sum(entry["status"] == 429 for entry in log)
    pace = f"{len(log) / elapsed:.0f}/s against a budget of {DEMO_RATE_PER_SECOND:.0f}/s"
    print(f"\n{len(log)} Lever calls in {elapsed:.0f} s ({pace}), {throttled} answered 429; "
          f"{mismatches} tables differ from Lever.")  # fmt: skip
    print("Open the Dagster UI (dagster dev) to run the same assets against your own Lever.")
    return 1 if mismatches else 0
