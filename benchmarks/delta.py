"""Delta sync cost: a full migration of a generated org (about 2,000 contacts), then 1% of its opportunities
mutated through the Lever sandbox (every kind of change, deletions included), then one `sync`.

Prints the Lever and Ashby calls of the full run and of the delta (counted in the sandboxes' request logs),
the delta / full ratio per API (target at most 0.05), 429s, the records the delta changed, and both wall
times. The sandboxes and clients run at high budgets by default (the target is about calls, not pacing); with
`--lever-rate 10` the delta runs at Lever's real pace (the full run too, which then takes long).

    .venv/bin/python benchmarks/delta.py [--contacts 2000] [--fraction 0.01] [--seed 3]
"""

from __future__ import annotations

import argparse
import copy
import tempfile
import time
from collections import Counter
from pathlib import Path

import requests

from migration_pipeline.config import Secret, Settings
from migration_pipeline.migrate_command import EXIT_OK, run_migrate
from migration_pipeline.sandbox.ashby.app import AshbySandbox, AshbySandboxConfig
from migration_pipeline.sandbox.ashby.rpc import AshbyKey
from migration_pipeline.sandbox.ashby.setup import build_state, setup_from_lever
from migration_pipeline.sandbox.lever.app import LeverSandbox, LeverSandboxConfig
from migration_pipeline.sandbox.lever.auth import ApiKey
from migration_pipeline.sandbox.lever.generator import generate_org
from migration_pipeline.sandbox.lever.mutation_batch import apply_mutations
from migration_pipeline.sandbox.serving import serve_in_thread
from migration_pipeline.sync_command import sync_once

KEY = "delta-bench-key"
FAST = 10**6
TARGET = 0.05


def _log(root: str) -> list[dict]:
    return requests.get(f"{root}/__sandbox/requests", timeout=600).json()["data"]


def _clear(*roots: str) -> None:
    for root in roots:
        requests.delete(f"{root}/__sandbox/requests", timeout=60).raise_for_status()


def _calls(root: str) -> tuple[int, int]:
    """(calls, answered 429) since the log was last cleared."""
    entries = _log(root)
    return len(entries), sum(1 for e in entries if e.get("status") == 429)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--fraction", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--lever-rate", type=float, default=float(FAST), help="Lever budget, requests/second")
    args = parser.parse_args()

    org = generate_org(args.seed, args.contacts)
    setup = setup_from_lever(org)
    lever = LeverSandbox(org, LeverSandboxConfig(keys=[ApiKey(KEY)], rate=args.lever_rate, burst=20))
    ashby = AshbySandbox(lambda: build_state(copy.deepcopy(setup)), AshbySandboxConfig(keys=[AshbyKey(KEY)],
                         rate_per_minute=FAST))  # fmt: skip
    with (
        tempfile.TemporaryDirectory(prefix="delta-bench-") as tmp,
        lever.serve() as lever_server,
        serve_in_thread(ashby.app) as ashby_server,
    ):
        lever_root, ashby_root = lever_server.base_url, ashby_server.base_url
        settings = Settings(
            lever_api_key=Secret(KEY), lever_base_url=f"{lever_root}/v1", ashby_api_key=Secret(KEY),
            ashby_base_url=ashby_root, data_dir=Path(tmp), lever_rate_per_second=args.lever_rate,
            lever_burst=min(10, int(args.lever_rate)) if args.lever_rate < 20 else int(args.lever_rate),
            ashby_rate_per_minute=FAST,
        )  # fmt: skip
        print(f"org: seed {args.seed}, {args.contacts:,} contacts, {len(org.opportunities):,} opportunities")
        started = time.monotonic()
        assert run_migrate(settings, validate_api=False) == EXIT_OK, "the full migration did not pass its checks"
        full_wall = time.monotonic() - started
        full = {"Lever": _calls(lever_root), "Ashby": _calls(ashby_root)}

        log = apply_mutations(f"{lever_root}/v1", KEY, f"{lever_root}/__sandbox", seed=args.seed,
                              fraction=args.fraction)  # fmt: skip
        _clear(lever_root, ashby_root)  # the mutations themselves are not the sync's calls
        started = time.monotonic()
        report = sync_once(settings)
        delta_wall = time.monotonic() - started
        assert report.status == "succeeded", report.error
        delta = {"Lever": _calls(lever_root), "Ashby": _calls(ashby_root)}

    kinds = Counter(m.kind for m in log.mutations)
    touched = len(log.opportunities())
    print(f"mutations: {len(log.mutations)} on {touched} opportunities ({touched / len(org.opportunities):.2%}):"
          f" {dict(sorted(kinds.items()))}")  # fmt: skip
    print(f"full migration: {full_wall:.1f} s wall")
    print(f"delta sync:     {delta_wall:.1f} s wall; changed {report.changed}")
    print(f"  loaded: {report.loaded}")
    print(f"  conflicts {len(report.conflicts)}, deletions {report.applied.get('deletions_applied')}, failures"
          f" {report.failures}")  # fmt: skip
    print(f"{'API':<8}{'full calls':>12}{'delta calls':>13}{'delta / full':>14}{'429s (delta)':>14}")
    for api in ("Lever", "Ashby"):
        (f_calls, _), (d_calls, d_429) = full[api], delta[api]
        ratio = d_calls / f_calls if f_calls else float("nan")
        verdict = "ok" if ratio <= TARGET else "ABOVE TARGET"
        print(f"{api:<8}{f_calls:>12,}{d_calls:>13,}{ratio:>14.4f}{d_429:>14}   (target <= {TARGET}: {verdict})")


if __name__ == "__main__":
    main()
