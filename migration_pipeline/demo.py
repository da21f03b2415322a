"""The demo migration on the embedded defaults: a generated org behind the local Lever sandbox, extracted by
the pipeline's own Dagster assets into DuckDB.

It materializes every `lever_raw` asset (reference lists, the opportunity index, then every posting
partition in one run) exactly as an operator would from the Dagster UI, prints each raw table next to what
the sandbox says exists, then reads the Ashby sandbox's org (prepared for this Lever org), builds the
canonical tables and writes the migration plan. The load extends it when it lands.
"""

from __future__ import annotations

import json
import secrets
import shutil
import time
from pathlib import Path

import dagster as dg
import requests

from migration_pipeline.config import Settings
from migration_pipeline.defs.ashby.assets import ashby_load
from migration_pipeline.defs.ashby.resources import AshbyResource
from migration_pipeline.defs.canonical.assets import (
    PLAN_DIR,
    ashby_org_metadata,
    canonical_org,
    canonical_records,
    migration_plan,
)
from migration_pipeline.defs.canonical.resources import MappingResource
from migration_pipeline.defs.lever.assets import (
    lever_opportunities_raw,
    lever_opportunity_records_raw,
    reference_assets,
)
from migration_pipeline.defs.lever.partitions import lever_postings
from migration_pipeline.defs.lever.resources import LeverResource
from migration_pipeline.defs.store import StoreResource
from migration_pipeline.lever.streams import EXTRACTED_OBJECTS
from migration_pipeline.load.validate import Validation, validate
from migration_pipeline.sandbox.ashby.app import AshbySandbox, AshbySandboxConfig
from migration_pipeline.sandbox.ashby.rpc import AshbyKey
from migration_pipeline.sandbox.ashby.setup import build_state, setup_from_lever
from migration_pipeline.sandbox.lever.app import LeverSandbox, LeverSandboxConfig
from migration_pipeline.sandbox.lever.auth import ApiKey
from migration_pipeline.sandbox.lever.generator import generate_org
from migration_pipeline.sandbox.lever.org import LeverOrg
from migration_pipeline.store import Store

# The demo org is served faster than Lever's 10 req/s so that it finishes in a minute or two; the client paces
# itself to whatever budget it is given, as it does at 10/s against Lever.
DEMO_RATE_PER_SECOND = 100.0
DEMO_ASHBY_RATE_PER_MINUTE = 6_000.0  # the Ashby sandbox and client are raised alike (Ashby's own: 1,000)


QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}  # step-by-step logs stay in the event log


def run_demo(settings: Settings, *, seed: int = 1, contacts: int = 200) -> int:
    """The process exit code: 0 when every raw table equals Lever and every load check passed; 1 a failure,
    2 a blocked plan, 3 loaded with failures."""
    key = settings.lever_api_key.reveal() or f"demo-{secrets.token_hex(8)}"
    data_dir = Path(settings.data_dir) / "demo"
    # the demo's sandboxes are new each time: so are its store, ledger and plan
    shutil.rmtree(data_dir, ignore_errors=True)
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
            # a range runs in the order partitions were added (not sorted)
            partitions = instance.get_dynamic_partitions(lever_postings.name)
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
    if mismatches:
        return 1
    return _to_ashby(sandbox.org, data_dir)


def _to_ashby(lever_org: LeverOrg, data_dir: Path) -> int:
    """Read the Ashby sandbox's org, build the canonical tables and the plan, then load, all through the assets."""
    key = f"demo-{secrets.token_hex(8)}"
    setup = setup_from_lever(lever_org)
    config = AshbySandboxConfig(keys=[AshbyKey(key)], rate_per_minute=DEMO_ASHBY_RATE_PER_MINUTE)
    ashby = AshbySandbox(lambda: build_state(setup), config)
    with ashby.serve() as server, dg.DagsterInstance.ephemeral() as instance:
        print(f"\nAshby sandbox serving at {server.base_url}; building the canonical tables and the plan ...")
        resources = {
            "ashby": AshbyResource(
                api_key=key,
                base_url=server.base_url,
                rate_per_minute=DEMO_ASHBY_RATE_PER_MINUTE,
                state_dir=str(data_dir / "state" / "ratelimit"),
            ),
            "store": StoreResource(data_dir=str(data_dir)),
            "mapping": MappingResource(data_dir=str(data_dir)),
        }
        store = Store(data_dir / "migration.duckdb")
        # every posting is a partition (a posting without candidates still becomes a job), plus no-posting
        postings = set(store.raw_index("postings")["lever_id"])
        partitions = sorted(postings | set(store.raw_index("opportunities")["partition_key"].unique()))
        instance.add_dynamic_partitions(lever_postings.name, partitions)
        every = {
            "dagster/asset_partition_range_start": partitions[0],
            "dagster/asset_partition_range_end": partitions[-1],
        }
        run = {"resources": resources, "instance": instance, "run_config": QUIET}
        org = dg.materialize([ashby_org_metadata, canonical_org], **run)
        records = dg.materialize([canonical_records], tags=every, **run)
        plan = dg.materialize([migration_plan], **run)
        if not (org.success and records.success and plan.success):
            print("The transform failed; see the errors above.")
            return 1
        summary = json.loads((data_dir / PLAN_DIR / "migration_plan.json").read_text())
        skipped = sum(s["records"] for s in summary["skipped"])
        state = "ready" if summary["ready"] else "BLOCKED"
        print(f"Plan: {state}; {skipped} records skipped by policy, each with its reason.")
        if not summary["ready"]:
            print(f"Read {data_dir / PLAN_DIR / 'migration_plan.md'} for the blocking errors.")
            return 2
        print("Loading into Ashby (every posting in one run) ...", flush=True)
        started = time.monotonic()
        load = dg.materialize([ashby_load], tags=every, raise_on_error=False, **run)
        elapsed = time.monotonic() - started
        log = requests.get(f"{server.base_url}/__sandbox/requests", timeout=60).json()["data"]
        if not load.success:
            print("The load failed; see the errors above.")
            return 1
        with resources["ashby"].client() as client, Store(data_dir / "migration.duckdb").connect() as con:
            validation = validate(client, con)
    return _summary(load, elapsed, len(log), data_dir, validation)


def _summary(
    load: dg.ExecuteInProcessResult, elapsed: float, calls: int, data_dir: Path, validation: Validation
) -> int:
    checks = {c.asset_key.to_user_string().removeprefix("ashby_"): c for c in load.get_asset_check_evaluations()}
    print(f"\n{'Ashby object':<22}{'planned':>9}{'loaded':>9}{'failed':>9}  check")
    for name, check in checks.items():
        meta = {k: v.value for k, v in check.metadata.items()}
        verdict = "passed" if check.passed else "FAILED"
        print(f"{name:<22}{meta['expected']:>9}{meta['done']:>9}{meta['failed']:>9}  {verdict}")
    rate = calls / max(elapsed, 1e-6)
    budget = DEMO_ASHBY_RATE_PER_MINUTE / 60
    print(f"\n{calls} Ashby calls in {elapsed:.0f} s ({rate:.0f}/s against a budget of {budget:.0f}/s).")
    print("\n".join(validation.lines()))
    print("Where to look next:")
    print(f"  - the plan: {data_dir / PLAN_DIR / 'migration_plan.md'}")
    print(f"  - one record's story: MIGRATION_DATA_DIR={data_dir} migration-pipeline trace <Lever contact id>")
    print(f"  - the same assets in the Dagster UI: MIGRATION_DATA_DIR={data_dir} dagster dev")
    print(f"  - the ledger: SELECT * FROM ashby.ledger in {data_dir / 'migration.duckdb'}")
    return 0 if validation.ok and all(c.passed for c in checks.values()) else 3
