"""Sustained request throughput of a sandbox on loopback, latency 0, against the API's own limit.

The sandbox runs as its own process (the CLI, as users run it) with its rate limit lifted; client
processes keep connections alive and cycle through a mix of calls. The ratio printed is achieved
requests/second over the real API's limit (Lever 10 req/s, Ashby 1,000 req/min): the sandbox must
never be what limits a client pacing itself at the real limit.

    python benchmarks/bench_sandbox_throughput.py --api lever [--contacts 1000] [--seconds 10] [--clients 2]
    python benchmarks/bench_sandbox_throughput.py --api ashby [--seconds 10] [--clients 2]
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
from dataclasses import dataclass

KEY = "bench-key"
AUTH = {"Authorization": "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()}


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: bytes | None = None


def _start(command: list[str], ready: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "migration_pipeline.cli", *command], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        found = re.search(ready, line)
        if found:
            return proc, found.group(1)
    raise RuntimeError("the sandbox did not start")


def _request(conn: http.client.HTTPConnection, call: Call) -> tuple[int, bytes]:
    headers = dict(AUTH)
    if call.body is not None:
        headers["Content-Type"] = "application/json"
    conn.request(call.method, call.path, body=call.body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def lever(args: argparse.Namespace) -> tuple[subprocess.Popen, str, list[Call], float]:
    proc, root = _start(
        ["sandbox", "lever", "--port", "0", "--contacts", str(args.contacts), "--key", KEY, "--rate", "1000000",
         "--burst", "1000000"],
        r"ready: (http://\S+)/v1",
    )  # fmt: skip
    conn = http.client.HTTPConnection(root.removeprefix("http://"), timeout=30)
    _, raw = _request(conn, Call("GET", "/v1/opportunities?limit=20&confidentiality=all"))
    calls = [Call("GET", p) for p in ("/v1/users", "/v1/stages", "/v1/postings?confidentiality=all",
                                       "/v1/opportunities?limit=100")]  # fmt: skip
    for opp in json.loads(raw)["data"]:
        for sub in ("", "/notes", "/feedback", "/resumes"):
            calls.append(Call("GET", f"/v1/opportunities/{opp['id']}{sub}"))
    return proc, root, calls, 10.0


def ashby(args: argparse.Namespace) -> tuple[subprocess.Popen, str, list[Call], float]:
    proc, root = _start(
        ["sandbox", "ashby", "--port", "0", "--key", KEY, "--rate-per-minute", "100000000"],
        r"Ashby sandbox ready: (http://\S+)",
    )
    conn = http.client.HTTPConnection(root.removeprefix("http://"), timeout=30)
    for i in range(50):
        _request(conn, Call("POST", "/candidate.create", json.dumps({"name": f"Bench {i}"}).encode()))
    bodies = {
        "/user.list": {}, "/candidate.list": {"limit": 25}, "/source.list": {}, "/archiveReason.list": {},
        "/candidate.search": {"name": "Bench 7"}, "/interviewPlan.list": {},
        "/candidate.create": {"name": "Bench writer", "email": "writer@example.org"},
    }  # fmt: skip
    calls = [Call("POST", path, json.dumps(body).encode()) for path, body in bodies.items()]
    return proc, root, calls, 1000 / 60


def _client(root: str, calls: list[Call], seconds: float, out: mp.Queue) -> None:
    conn = http.client.HTTPConnection(root.removeprefix("http://"), timeout=30)
    done = errors = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        status, _ = _request(conn, calls[done % len(calls)])
        done += 1
        errors += status != 200
    out.put((done, errors))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--api", choices=("lever", "ashby"), required=True)
    parser.add_argument("--contacts", type=int, default=1000, help="Lever org size")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=max(1, os.cpu_count() or 2))
    args = parser.parse_args()
    proc, root, calls, limit_rps = (lever if args.api == "lever" else ashby)(args)
    try:
        out: mp.Queue = mp.Queue()
        workers = [mp.Process(target=_client, args=(root, calls, args.seconds, out)) for _ in range(args.clients)]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        results = [out.get() for _ in workers]
        elapsed = time.perf_counter() - started
        for worker in workers:
            worker.join()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    total, errors = sum(r[0] for r in results), sum(r[1] for r in results)
    rps = total / elapsed
    print(
        f"api={args.api} clients={args.clients} seconds={elapsed:.1f} cpus={os.cpu_count()} calls_in_mix={len(calls)}"
    )
    print(f"requests={total} non_200={errors} throughput={rps:.0f} req/s")
    print(f"ratio throughput / {args.api} limit ({limit_rps:.1f} req/s) = {rps / limit_rps:.0f}x")


if __name__ == "__main__":
    main()
