"""The demo migration on the embedded defaults: a generated org behind the local Lever sandbox, an Ashby sandbox
prepared for it, and `migration-pipeline migrate` between the two, run the way `migrate` runs by default (the
extraction of later postings overlapping the transform and load of earlier ones).

It prints migrate's progress, checks and read-back validation, then each raw table next to what the Lever
sandbox says exists, the calls each sandbox answered, and where to look next.
"""

from __future__ import annotations

import secrets
import shutil
import time
from pathlib import Path

import requests

from migration_pipeline.config import Secret, Settings
from migration_pipeline.lever.streams import EXTRACTED_OBJECTS
from migration_pipeline.migrate_command import EXIT_OK, run_migrate
from migration_pipeline.plan_command import PLAN_DIR
from migration_pipeline.sandbox.ashby.app import AshbySandbox, AshbySandboxConfig
from migration_pipeline.sandbox.ashby.rpc import AshbyKey
from migration_pipeline.sandbox.ashby.setup import build_state, setup_from_lever
from migration_pipeline.sandbox.lever.app import LeverSandbox, LeverSandboxConfig
from migration_pipeline.sandbox.lever.auth import ApiKey
from migration_pipeline.sandbox.lever.generator import generate_org
from migration_pipeline.store import Store

# The demo org is served faster than Lever's 10 req/s so that it finishes in a minute or two; the client paces
# itself to whatever budget it is given, as it does at 10/s against Lever.
DEMO_RATE_PER_SECOND = 100.0
DEMO_ASHBY_RATE_PER_MINUTE = 6_000.0  # the Ashby sandbox and client are raised alike (Ashby's own: 1,000)


def run_demo(settings: Settings, *, seed: int = 1, contacts: int = 200) -> int:
    """The process exit code: migrate's (0 everything loaded and validated, 1 a failure, 2 a blocked plan, 3
    loaded with failures), or 1 when a raw table differs from Lever."""
    key = settings.lever_api_key.reveal() or f"demo-{secrets.token_hex(8)}"
    ashby_key = f"demo-{secrets.token_hex(8)}"
    data_dir = Path(settings.data_dir) / "demo"
    # the demo's sandboxes are new each time: so are its store, ledger and plan
    shutil.rmtree(data_dir, ignore_errors=True)
    print(f"Generating a Lever org (seed {seed}, {contacts} contacts) ...", flush=True)
    org = generate_org(seed=seed, contacts=contacts)
    lever = LeverSandbox(
        org, LeverSandboxConfig(keys=[ApiKey(key)], rate=DEMO_RATE_PER_SECOND, burst=int(DEMO_RATE_PER_SECOND))
    )
    setup = setup_from_lever(org)
    ashby = AshbySandbox(
        lambda: build_state(setup),
        AshbySandboxConfig(keys=[AshbyKey(ashby_key)], rate_per_minute=DEMO_ASHBY_RATE_PER_MINUTE),
    )
    with lever.serve() as lever_server, ashby.serve() as ashby_server:
        print(f"Lever sandbox at {lever_server.base_url}/v1, Ashby sandbox prepared for it at {ashby_server.base_url}")
        print(f"migrate into {data_dir / 'migration.duckdb'} ...", flush=True)
        demo = Settings(
            lever_api_key=Secret(key),
            lever_base_url=f"{lever_server.base_url}/v1",
            lever_rate_per_second=DEMO_RATE_PER_SECOND,
            lever_burst=int(DEMO_RATE_PER_SECOND) // 2,
            ashby_api_key=Secret(ashby_key),
            ashby_base_url=ashby_server.base_url,
            ashby_rate_per_minute=DEMO_ASHBY_RATE_PER_MINUTE,
            data_dir=data_dir,
        )
        started = time.monotonic()
        code = run_migrate(demo)
        elapsed = time.monotonic() - started
        inventory = requests.get(f"{lever_server.base_url}/__sandbox/inventory", timeout=60).json()
        lever_calls = len(requests.get(f"{lever_server.base_url}/__sandbox/requests", timeout=60).json()["data"])
        ashby_calls = len(requests.get(f"{ashby_server.base_url}/__sandbox/requests", timeout=60).json()["data"])
    mismatches = _raw_tables(inventory, Store(data_dir / "migration.duckdb"))
    print(
        f"\n{lever_calls} Lever calls and {ashby_calls} Ashby calls in {elapsed:.0f} s (budgets"
        f" {DEMO_RATE_PER_SECOND:.0f}/s and {DEMO_ASHBY_RATE_PER_MINUTE / 60:.0f}/s); {mismatches} tables differ"
        " from Lever."
    )
    print("Where to look next:")
    print(f"  - the plan: {data_dir / PLAN_DIR / 'migration_plan.md'}")
    print(f"  - one record's story: MIGRATION_DATA_DIR={data_dir} migration-pipeline trace <Lever contact id>")
    print(f"  - the same data in the Dagster UI: MIGRATION_DATA_DIR={data_dir} dagster dev")
    print(f"  - the ledger: SELECT * FROM ashby.ledger in {data_dir / 'migration.duckdb'}")
    return 1 if mismatches and code == EXIT_OK else code


def _raw_tables(inventory: dict, store: Store) -> int:
    """Each raw table next to what the Lever sandbox holds; the number that differ."""
    counts = store.raw_counts()
    print(f"\n{'object':<22}{'in Lever':>10}{'in lever_raw':>14}")
    mismatches = 0
    for name in EXTRACTED_OBJECTS:
        expected, found = inventory["objects"][name]["total"], counts.get(name, 0)
        mismatches += found != expected
        print(f"{name:<22}{expected:>10}{found:>14}{'' if found == expected else '   <-- differs'}")
    return mismatches
