"""Soak: SIGKILL `migration-pipeline migrate` at random moments during loading, re-run each time, and compare the
final Ashby org with an uninterrupted run's (read back through the API, without Ashby ids).

    .venv/bin/python benchmarks/soak_kill.py --contacts 500 --kills 20

Prints each kill (after how many Ashby writes), the final counts per object type, duplicates beyond the
reference's (target 0) and the differences from the reference (target none). CI runs 3 kills on a smaller org
(migration_pipeline_tests/load/test_kill.py).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from migration_pipeline.ashby.client import AshbyClient
from migration_pipeline.config import Secret, Settings
from migration_pipeline.extract import lever_extract
from migration_pipeline.extract.landing import Landing
from migration_pipeline.lever.client import LeverClient
from migration_pipeline.lever.ratelimit import SharedTokenBucket
from migration_pipeline.load.readback import OrgReadback, read_org
from migration_pipeline.migrate_command import EXIT_OK, run_migrate
from migration_pipeline.sandbox.ashby.app import AshbySandbox, AshbySandboxConfig
from migration_pipeline.sandbox.ashby.rpc import AshbyKey
from migration_pipeline.sandbox.ashby.setup import build_state, setup_from_lever
from migration_pipeline.sandbox.lever.app import LeverSandbox, LeverSandboxConfig
from migration_pipeline.sandbox.lever.auth import ApiKey
from migration_pipeline.sandbox.lever.generator import generate_org
from migration_pipeline.sandbox.lever.org import LeverOrg
from migration_pipeline.sandbox.serving import serve_in_thread
from migration_pipeline.store import Store

KEY = "soak-key"
FAST = 10**7  # the sandboxes' and clients' budgets: the soak is about crashes, not pacing
WRITES = (
    ".create",
    ".createNote",
    ".addTag",
    ".setValues",
    ".submit",
    ".uploadResume",
    ".uploadFile",
    ".addHiringTeamMember",
    ".addMember",
    ".setStatus",
    ".update",
)


def extract(org: LeverOrg, data_dir: Path) -> None:
    sandbox = LeverSandbox(org, LeverSandboxConfig(keys=[ApiKey(KEY)], rate=FAST, burst=FAST))
    with serve_in_thread(sandbox.app) as server:
        limiter = SharedTokenBucket("soak", FAST, FAST, data_dir / "state")
        with LeverClient(f"{server.base_url}/v1", Secret(KEY), limiter=limiter) as client:
            lever_extract.extract_all(client, Store(data_dir / "migration.duckdb"), Landing(data_dir), data_dir)


def settings(data_dir: Path, url: str) -> Settings:
    return Settings(
        lever_api_key=Secret(""),
        lever_base_url="http://unused",
        ashby_api_key=Secret(KEY),
        ashby_base_url=url,
        data_dir=data_dir,
        ashby_rate_per_minute=FAST,
    )


def readback(url: str, data_dir: Path) -> OrgReadback:
    with AshbyClient(url, Secret(KEY), rate_per_minute=FAST, state_dir=data_dir / "state") as client:
        return read_org(client)


def writes(sandbox: AshbySandbox) -> int:
    return sum(1 for e in sandbox.controls.log.since(0) if str(e.get("path", "")).endswith(WRITES))


def kill_once(sandbox: AshbySandbox, url: str, data_dir: Path, rng: random.Random, max_writes: int) -> int | None:
    """Run migrate in a process and SIGKILL it after a random number of writes; None if it finished first."""
    target = writes(sandbox) + rng.randint(1, max_writes)
    env = {
        **os.environ,
        "ASHBY_BASE_URL": url,
        "ASHBY_API_KEY": KEY,
        "MIGRATION_DATA_DIR": str(data_dir),
        "ASHBY_RATE_PER_MINUTE": str(FAST),
        "LEVER_API_KEY": "",
    }
    command = [sys.executable, "-m", "migration_pipeline.cli", "migrate", "--skip-extract"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while process.poll() is None:
        done = writes(sandbox)
        if done >= target:
            process.send_signal(signal.SIGKILL)
            process.wait()
            return done
        time.sleep(0.02)
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=500)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--kills", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    root = Path(tempfile.mkdtemp(prefix="soak-kill-"))
    started = time.monotonic()
    org = generate_org(seed=args.seed, contacts=args.contacts)
    template = root / "template"
    extract(org, template)
    print(
        f"org: {args.contacts} contacts, {len(org.opportunities)} opportunities; extracted in "
        f"{time.monotonic() - started:.0f} s"
    )
    setup = setup_from_lever(org)
    sandbox = AshbySandbox(lambda: build_state(setup), AshbySandboxConfig(keys=[AshbyKey(KEY)], rate_per_minute=FAST))
    with serve_in_thread(sandbox.app) as server:
        reference_dir = root / "reference"
        shutil.copytree(template, reference_dir)
        with contextlib.redirect_stdout(io.StringIO()):
            assert run_migrate(settings(reference_dir, server.base_url), skip_extract=True) == EXIT_OK
        reference = readback(server.base_url, reference_dir)
        total_writes = writes(sandbox)
        print(f"uninterrupted run: {total_writes} writes; {reference.counts()}")
        sandbox.reset()
        data_dir = root / "interrupted"
        shutil.copytree(template, data_dir)
        kills, bad = 0, 0
        while kills < args.kills:
            at = kill_once(sandbox, server.base_url, data_dir, rng, max(total_writes // 10, 5))
            if at is not None:
                kills += 1
                print(f"  kill {kills}: SIGKILL after {at} writes in total")
            if at is None or kills == args.kills:  # a migration completed (or we end): compare, start over
                bad += verify(server.base_url, data_dir, reference, at is None)
                sandbox.reset()
                shutil.rmtree(data_dir)
                shutil.copytree(template, data_dir)
    print(
        f"{kills} kills, {bad} sequence(s) differing from the uninterrupted run (target 0), in "
        f"{time.monotonic() - started:.0f} s; scratch folder {root}"
    )


def verify(url: str, data_dir: Path, reference: OrgReadback, finished: bool) -> int:
    """Finish the interrupted migration (unless it just finished on its own) and compare it with the reference."""
    code = EXIT_OK
    if not finished:
        with contextlib.redirect_stdout(io.StringIO()):
            code = run_migrate(settings(data_dir, url), skip_extract=True)
    after = readback(url, data_dir)
    extra = sum(v - reference.duplicates().get(k, 0) for k, v in after.duplicates().items())
    differences = after.difference(reference)
    print(
        f"  completed (exit {code}): duplicates beyond the reference's {extra}, differing collections"
        f" {len(differences)}; {after.counts()}"
    )
    for name, (mine, theirs) in differences.items():
        print(f"    {name}: {len(mine)} only after kills, {len(theirs)} only in the reference")
    return int(code != EXIT_OK or extra != 0 or bool(differences))


if __name__ == "__main__":
    main()
