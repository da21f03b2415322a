"""Load benchmark: a generated org migrated into the Ashby sandbox paced like Ashby (1,000 requests a minute per
key, 150-300 ms a call), the client at the same budget.

    .venv/bin/python benchmarks/load.py --contacts 60

Prints the achieved request rate as a fraction of the allowed one (target >= 0.95 while loading), 429s per call
(target < 1%), and Ashby calls per migrated object for each phase. Extraction runs first against a fast Lever
sandbox and is not part of the measure.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from migration_pipeline.ashby.client import AshbyClient
from migration_pipeline.config import Secret, Settings
from migration_pipeline.load.engine import LoadStats
from migration_pipeline.load.phases import Scope
from migration_pipeline.load.progress import Progress
from migration_pipeline.load.run import run_load
from migration_pipeline.plan_command import run_plan
from migration_pipeline.sandbox.ashby.app import AshbySandbox, AshbySandboxConfig
from migration_pipeline.sandbox.ashby.rpc import AshbyKey
from migration_pipeline.sandbox.ashby.setup import build_state, setup_from_lever
from migration_pipeline.sandbox.lever.generator import generate_org
from migration_pipeline.sandbox.serving import serve_in_thread
from migration_pipeline.store import Store

try:  # run as a script from the repository root
    from benchmarks.soak_kill import extract
except ImportError:  # run as `python benchmarks/load.py`
    from soak_kill import extract  # type: ignore[no-redef]

KEY = "soak-key"
RATE_PER_MINUTE = 1000.0


class PhaseCalls(Progress):
    """Progress that also counts the sandbox's requests made during each phase."""

    def __init__(self, sandbox: AshbySandbox) -> None:
        super().__init__(printer=lambda line: None, every_s=3600)
        self.sandbox = sandbox
        self.calls: dict[str, tuple[int, LoadStats]] = {}
        self._at = 0

    def start(self, phase: str, total: int) -> Callable[[str], None]:
        self._at = len(self.sandbox.controls.log)
        return super().start(phase, total)

    def finish(self, stats: LoadStats) -> None:
        self.calls[self.phase] = (len(self.sandbox.controls.log) - self._at, stats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=60)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--latency-ms", type=float, default=225.0)
    parser.add_argument("--jitter-ms", type=float, default=75.0)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-load-"))
    org = generate_org(seed=args.seed, contacts=args.contacts)
    extract(org, root)
    setup = setup_from_lever(org)
    config = AshbySandboxConfig(keys=[AshbyKey(KEY)], rate_per_minute=int(RATE_PER_MINUTE))
    sandbox = AshbySandbox(lambda: build_state(setup), config)
    sandbox.controls.set_faults({"latency_ms": args.latency_ms, "jitter_ms": args.jitter_ms})
    with serve_in_thread(sandbox.app) as server:
        settings = Settings(
            lever_api_key=Secret(""),
            lever_base_url="http://unused",
            ashby_api_key=Secret(KEY),
            ashby_base_url=server.base_url,
            data_dir=root,
            ashby_rate_per_minute=RATE_PER_MINUTE,
        )
        assert run_plan(settings, quiet=True) == 0
        progress = PhaseCalls(sandbox)
        before = len(sandbox.controls.log)
        started = time.monotonic()
        with AshbyClient(
            server.base_url, Secret(KEY), rate_per_minute=RATE_PER_MINUTE, state_dir=root / "state"
        ) as client:
            outcome = run_load(Store(root / "migration.duckdb"), root, client, "bench", Scope(None), progress=progress)
        elapsed = time.monotonic() - started
        log = sandbox.controls.log.since(0)[before:]
    calls = len(log)
    throttled = sum(1 for e in log if e.get("status") == 429)
    allowed = RATE_PER_MINUTE / 60 * elapsed
    print(
        f"org: {args.contacts} contacts, {len(org.opportunities)} opportunities; Ashby sandbox at "
        f"{RATE_PER_MINUTE:.0f}/min, {args.latency_ms:.0f}±{args.jitter_ms:.0f} ms a call"
    )
    print(
        f"load (preflight, all phases, checks): {calls} calls in {elapsed:.1f} s = {calls / elapsed * 60:.0f}/min;"
        f" achieved / allowed = {calls / allowed:.3f} (target >= 0.95)"
    )
    print(f"429s: {throttled} of {calls} calls = {throttled / max(calls, 1):.4f} per call (target < 0.01)")
    print(f"{'phase':<22}{'objects':>9}{'calls':>8}{'calls/object':>14}")
    for phase, (n, stats) in progress.calls.items():
        objects = sum(stats.outcomes.values())
        per = n / objects if objects else 0.0
        print(f"{phase:<22}{objects:>9}{n:>8}{per:>14.2f}")
    print(f"checks passed: {outcome.passed}")


if __name__ == "__main__":
    main()
