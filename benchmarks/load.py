"""Load benchmark: a generated org migrated into the Ashby sandbox paced like Ashby (1,000 requests a minute per
key, 150-300 ms a call), the client at the same budget.

    .venv/bin/python benchmarks/load.py --contacts 60 [--skip-load] [--skip-migrate] [--skip-validate]

Prints the achieved request rate as a fraction of the allowed one (target >= 0.95 while loading), 429s per call
(target < 1%), and Ashby calls per migrated object for each phase. Extraction runs first against a fast Lever
sandbox and is not part of that measure.

Then a full `migrate` (extraction, transform, plan, load, checks and, unless --skip-validate, the read-back)
from a Lever sandbox paced like Lever (10 requests a second, bursts of 20, 150-300 ms a call; the client at its
default 10/s) into a fresh Ashby sandbox paced like Ashby, both sandboxes in processes of their own, once with
extraction and loading overlapping (the default) and once with `--no-overlap`. It counts the calls each sandbox
answered and prints the wall time divided by the slower API's lower bound,
max(Lever calls / 10 per second, Ashby calls / 1,000 per minute) (target <= 1.2 overlapping).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import requests

from migration_pipeline.ashby.client import AshbyClient
from migration_pipeline.config import Secret, Settings
from migration_pipeline.load.engine import LoadStats
from migration_pipeline.load.phases import Scope
from migration_pipeline.load.progress import Progress
from migration_pipeline.load.run import run_load
from migration_pipeline.migrate_command import EXIT_OK, run_migrate
from migration_pipeline.migrate_overlap import Timeline
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
LEVER_RATE, LEVER_BURST = 10.0, 20  # Lever's documented limit; the client keeps its default 10/s


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


@contextlib.contextmanager
def sandbox_process(*args: str) -> Iterator[str]:
    """`migration-pipeline sandbox ...` in a process of its own; yields its base URL."""
    command = [sys.executable, "-m", "migration_pipeline.cli", "sandbox", *args, "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        for line in process.stdout:
            found = re.search(r"ready: (http://\S+)", line)
            if found:
                threading.Thread(target=process.stdout.read, daemon=True).start()  # the rest, so it never blocks
                yield found.group(1)
                return
        raise RuntimeError(f"the sandbox did not start: {command}")
    finally:
        process.terminate()
        process.wait(timeout=30)


def answered(base_url: str) -> list[dict]:
    root = base_url.removesuffix("/v1")
    return requests.get(f"{root}/__sandbox/requests", timeout=120).json()["data"]


def full_migrate(args: argparse.Namespace, overlap: bool) -> None:
    """One `migrate` between fresh sandboxes; prints calls, wall and wall / the slower API's lower bound."""
    root = Path(tempfile.mkdtemp(prefix="bench-migrate-"))
    org = ["--seed", str(args.seed), "--contacts", str(args.contacts)]
    pace = ["--latency-ms", str(args.latency_ms - args.jitter_ms), "--jitter-ms", str(2 * args.jitter_ms)]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "migration_pipeline.cli",
            "sandbox",
            "ashby-setup",
            *org,
            "--out",
            str(root / "org.yaml"),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    lever_flags = [*org, *pace, "--key", KEY, "--rate", f"{LEVER_RATE:g}", "--burst", str(LEVER_BURST)]
    ashby_flags = ["--org", str(root / "org.yaml"), *pace, "--key", KEY, "--rate-per-minute", str(int(RATE_PER_MINUTE))]
    with sandbox_process("lever", *lever_flags) as lever, sandbox_process("ashby", *ashby_flags) as ashby:
        settings = Settings(
            lever_api_key=Secret(KEY),
            lever_base_url=lever,
            ashby_api_key=Secret(KEY),
            ashby_base_url=ashby,
            data_dir=root / "data",
            ashby_rate_per_minute=RATE_PER_MINUTE,
        )
        timeline = Timeline()
        output = io.StringIO()
        started = time.monotonic()
        with contextlib.redirect_stdout(output):
            code = run_migrate(settings, validate_api=not args.skip_validate, overlap=overlap, timeline=timeline)
        wall = time.monotonic() - started
        lever_log, ashby_log = answered(lever), answered(ashby)
    if args.verbose:
        print(output.getvalue())
        for t, event, partitions in timeline.events:
            print(f"  {t - started:8.1f} s  {event:<16}{' '.join(partitions)[:90]}")
    if code != EXIT_OK:
        print(output.getvalue())
        raise SystemExit(f"migrate exited {code}")
    lever_s = len(lever_log) / settings.lever_rate_per_second
    ashby_s = len(ashby_log) / (RATE_PER_MINUTE / 60)
    bound = max(lever_s, ashby_s)
    mode = "overlap" if overlap else "no-overlap"
    throttled = sum(e.get("status") == 429 for e in lever_log + ashby_log)
    print(
        f"migrate ({mode}{', no read-back' if args.skip_validate else ''}): {len(lever_log)} Lever calls"
        f" ({lever_s:.1f} s at {settings.lever_rate_per_second:g}/s), {len(ashby_log)} Ashby calls ({ashby_s:.1f} s"
        f" at {RATE_PER_MINUTE:.0f}/min), {throttled} answered 429; wall {wall:.1f} s;"
        f" wall / lower bound = {wall / bound:.3f} (target <= 1.2)"
    )
    extracted = timeline.times("extract_end")
    loads = [t for t, e, ps in timeline.events if e == "load_start" and not {"(org)", "(final)"} & set(ps)]
    if extracted and loads:
        print(
            f"  partitions extracted {extracted[0] - started:.1f}-{extracted[-1] - started:.1f} s;"
            f" {sum(t < extracted[-1] for t in loads)} of {len(loads)} partition loads began before the last"
            f" extraction ended; {started + wall - extracted[-1]:.1f} s after it"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=60)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--latency-ms", type=float, default=225.0)
    parser.add_argument("--jitter-ms", type=float, default=75.0)
    parser.add_argument("--skip-load", action="store_true", help="skip the load-only measure")
    parser.add_argument("--skip-migrate", action="store_true", help="skip the full migrate measures")
    parser.add_argument("--skip-validate", action="store_true", help="full migrate without the read-back")
    parser.add_argument("--modes", default="overlap,no-overlap", help="which full migrates (comma-separated)")
    parser.add_argument("--verbose", action="store_true", help="print migrate's output and its timeline")
    args = parser.parse_args()
    if not args.skip_load:
        load_only(args)
    if not args.skip_migrate:
        for mode in args.modes.split(","):
            full_migrate(args, mode == "overlap")


def load_only(args: argparse.Namespace) -> None:
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
