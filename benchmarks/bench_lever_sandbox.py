"""Sustained request throughput of the Lever sandbox on loopback, latency 0.

The sandbox runs as its own process (the CLI, as users run it) with the rate limit lifted; client
processes keep connections alive and cycle through a mix of list, detail and sub-resource calls.
The ratio printed is achieved requests/second over Lever's 10 req/s: the sandbox must never be what
limits a client pacing itself at Lever's rate.

    python benchmarks/bench_lever_sandbox.py [--contacts 1000] [--seconds 10] [--clients 2]
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import multiprocessing as mp
import os
import re
import subprocess
import sys
import time

LEVER_RATE = 10.0
KEY = "bench-key"


def _start_sandbox(contacts: int) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "migration_pipeline.cli", "sandbox", "lever", "--port", "0", "--contacts",
         str(contacts), "--key", KEY, "--rate", "1000000", "--burst", "1000000"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    for line in proc.stdout:
        found = re.search(r"ready: (http://\S+)/v1", line)
        if found:
            return proc, found.group(1)
    raise RuntimeError("the sandbox did not start")


def _paths(root: str) -> list[str]:
    conn = http.client.HTTPConnection(root.removeprefix("http://"), timeout=30)
    headers = {"Authorization": "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()}
    conn.request("GET", "/v1/opportunities?limit=20&confidentiality=all", headers=headers)
    opps = json.loads(conn.getresponse().read())["data"]
    paths = ["/v1/users", "/v1/stages", "/v1/postings?confidentiality=all", "/v1/opportunities?limit=100"]
    for opp in opps:
        paths += [f"/v1/opportunities/{opp['id']}", f"/v1/opportunities/{opp['id']}/notes",
                  f"/v1/opportunities/{opp['id']}/feedback", f"/v1/opportunities/{opp['id']}/resumes"]  # fmt: skip
    return paths


def _client(root: str, paths: list[str], seconds: float, out: mp.Queue) -> None:
    conn = http.client.HTTPConnection(root.removeprefix("http://"), timeout=30)
    headers = {"Authorization": "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()}
    done = errors = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        conn.request("GET", paths[done % len(paths)], headers=headers)
        response = conn.getresponse()
        response.read()
        done += 1
        errors += response.status != 200
    out.put((done, errors))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=max(1, (os.cpu_count() or 2)))
    args = parser.parse_args()
    proc, root = _start_sandbox(args.contacts)
    try:
        paths = _paths(root)
        out: mp.Queue = mp.Queue()
        workers = [mp.Process(target=_client, args=(root, paths, args.seconds, out)) for _ in range(args.clients)]
        started = time.perf_counter()
        for w in workers:
            w.start()
        results = [out.get() for _ in workers]
        elapsed = time.perf_counter() - started
        for w in workers:
            w.join()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    total = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    rps = total / elapsed
    print(f"contacts={args.contacts} clients={args.clients} seconds={elapsed:.1f} cpus={os.cpu_count()}")
    print(f"requests={total} non_200={errors} throughput={rps:.0f} req/s")
    print(f"ratio throughput / Lever limit ({LEVER_RATE:.0f} req/s) = {rps / LEVER_RATE:.0f}x")


if __name__ == "__main__":
    main()
