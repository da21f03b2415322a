"""Extraction against a Lever sandbox paced like Lever: 10 req/s, bursts of 20, 150-300 ms per call.

Prints, for our extractor: the achieved request rate as a fraction of the allowed rate (target >= 0.95),
429s as a fraction of calls (target < 1%), calls per opportunity; then, in the same run, the time of a
plain sequential loop sleeping 0.1 s between calls (what most migration guides show) over the same calls,
and our time divided by its time; then the peak memory of an extraction at two org sizes (latency 0,
rate lifted), which must not grow with the org beyond DuckDB's buffers.

    python benchmarks/extract.py [--contacts 100] [--latency-ms 150] [--jitter-ms 150] [--skip-naive]
                                 [--memory-sizes 100,1000]
"""

from __future__ import annotations

import argparse
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from migration_pipeline.config import Secret
from migration_pipeline.extract import lever_extract
from migration_pipeline.extract.landing import Landing
from migration_pipeline.lever.client import LeverClient
from migration_pipeline.lever.ratelimit import SharedTokenBucket
from migration_pipeline.lever.streams import OPPORTUNITIES, OPPORTUNITY_STREAMS, REFERENCE_STREAMS
from migration_pipeline.store import Store

KEY = "bench-extract-key"
RATE = 10.0


def start_sandbox(contacts: int, *flags: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "migration_pipeline.cli", "sandbox", "lever", "--port", "0", "--contacts",
         str(contacts), "--key", KEY, *flags],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    for line in proc.stdout:
        found = re.search(r"ready: (http://\S+/v1)", line)
        if found:
            return proc, found.group(1)
    raise RuntimeError("the sandbox did not start")


def sandbox_log(api: str) -> list[dict]:
    root = api.removesuffix("/v1")
    return requests.get(f"{root}/__sandbox/requests", timeout=60).json()["data"]


def ours(api: str, workdir: Path) -> dict[str, float]:
    limiter = SharedTokenBucket("bench", RATE, 10, workdir / "rate")
    store = Store(workdir / "migration.duckdb")
    started = time.monotonic()
    with LeverClient(api, Secret(KEY), limiter=limiter) as client:
        lever_extract.extract_all(client, store, Landing(workdir), workdir)
        elapsed = time.monotonic() - started
        stats = client.stats
    opportunities = store.raw_counts()["opportunities"]
    return {"elapsed": elapsed, "calls": stats.calls, "rate_limited": stats.rate_limited,
            "opportunities": opportunities}  # fmt: skip


def naive(api: str) -> dict[str, float]:
    """One call after another, 0.1 s apart, retrying a 429 after a second: the usual hand-written script."""
    session = requests.Session()
    session.auth = (KEY, "")
    calls = 0
    started = time.monotonic()

    def get(path: str, params: dict | None = None) -> requests.Response:
        nonlocal calls
        while True:
            calls += 1
            response = session.get(f"{api}{path}", params=params, timeout=60)
            time.sleep(0.1)
            if response.status_code != 429:
                return response
            time.sleep(1)

    def walk(path: str, params: dict) -> list[dict]:
        items, query = [], {**params, "limit": 100}
        while True:
            body = get(path, query).json()
            items += body["data"]
            if not body.get("hasNext"):
                return items
            query["offset"] = body["next"]

    for stream in REFERENCE_STREAMS:
        walk(stream.path, dict(stream.params))
    for opportunity in walk(OPPORTUNITIES.path, dict(OPPORTUNITIES.params)):
        for stream in OPPORTUNITY_STREAMS:
            for record in walk(stream.path_for(opportunity["id"]), {}):
                if stream.download_kind and (stream.download_kind == "files" or record.get("file")):
                    get(f"/opportunities/{opportunity['id']}/{stream.download_kind}/{record['id']}/download")
    return {"elapsed": time.monotonic() - started, "calls": calls}


def peak_memory(contacts: int) -> float:
    """Peak RSS (MB) of a child process extracting an org of `contacts` with no latency and no rate limit."""
    out = subprocess.run(
        [sys.executable, __file__, "--memory-child", str(contacts)], capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def memory_child(contacts: int) -> None:
    proc, api = start_sandbox(contacts, "--rate", "1000000", "--burst", "1000000")
    try:
        with tempfile.TemporaryDirectory() as work:
            limiter = SharedTokenBucket("memory", 1e6, 1000, Path(work) / "rate")
            with LeverClient(api, Secret(KEY), limiter=limiter) as client:
                lever_extract.extract_all(client, Store(Path(work) / "m.duckdb"), Landing(Path(work)), Path(work))
    finally:
        proc.terminate()
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=100)
    parser.add_argument("--latency-ms", type=float, default=150)
    parser.add_argument("--jitter-ms", type=float, default=150)
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--memory-sizes", default="100,1000")
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return
    flags = ("--rate", "10", "--burst", "20", "--latency-ms", str(args.latency_ms), "--jitter-ms", str(args.jitter_ms))
    proc, api = start_sandbox(args.contacts, *flags)
    try:
        with tempfile.TemporaryDirectory() as work:
            result = ours(api, Path(work))
        served = sandbox_log(api)
        throttled = sum(entry["status"] == 429 for entry in served)
        rate = result["calls"] / result["elapsed"]
        print(
            f"org: {args.contacts} contacts, {result['opportunities']} opportunities; latency "
            f"{args.latency_ms:.0f}-{args.latency_ms + args.jitter_ms:.0f} ms; Lever limit {RATE:.0f}/s burst 20"
        )
        print(f"ours:  {result['calls']} calls in {result['elapsed']:.1f} s = {rate:.2f} req/s")
        print(f"       achieved rate / allowed rate = {rate / RATE:.3f}   (target >= 0.95)")
        share = throttled / max(1, len(served))
        print(f"       429s / calls = {share:.4f}   (target < 0.01; {throttled} of {len(served)})")
        print(f"       calls per opportunity = {result['calls'] / max(1, result['opportunities']):.2f}")
        if not args.skip_naive:
            requests.delete(f"{api.removesuffix('/v1')}/__sandbox/requests", timeout=30)
            plain = naive(api)
            naive_rate = plain["calls"] / plain["elapsed"]
            print(f"naive: {plain['calls']} calls in {plain['elapsed']:.1f} s = {naive_rate:.2f} req/s")
            print(f"ours / naive time = {result['elapsed'] / plain['elapsed']:.3f}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    for size in [int(s) for s in args.memory_sizes.split(",") if s]:
        print(f"peak memory extracting {size} contacts: {peak_memory(size):.0f} MB")


if __name__ == "__main__":
    main()
