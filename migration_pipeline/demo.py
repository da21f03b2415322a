"""The demo migration on the embedded defaults: a generated org behind the local Lever sandbox.

Until extraction lands, the demo reads the org back over HTTP, the way the pipeline will, and
prints what it found next to what the sandbox says it holds.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import requests

from migration_pipeline.config import Secret, Settings
from migration_pipeline.lever.client import LeverClient
from migration_pipeline.sandbox.lever.app import LeverSandbox, LeverSandboxConfig
from migration_pipeline.sandbox.lever.auth import ApiKey
from migration_pipeline.sandbox.lever.generator import generate_org

# object type in the inventory -> how to count it over the Lever API
TOP_LEVEL_READS: dict[str, Callable[[LeverClient], int]] = {
    "users": lambda c: sum(1 for _ in c.paginate("/users", {"includeDeactivated": "true"})),
    "stages": lambda c: sum(1 for _ in c.paginate("/stages")),
    "archive_reasons": lambda c: sum(1 for _ in c.paginate("/archive_reasons")),
    "sources": lambda c: sum(1 for _ in c.paginate("/sources")),
    "tags": lambda c: sum(1 for _ in c.paginate("/tags")),
    "feedback_templates": lambda c: sum(1 for _ in c.paginate("/feedback_templates")),
    "form_templates": lambda c: sum(1 for _ in c.paginate("/form_templates")),
    "postings": lambda c: sum(1 for _ in c.paginate("/postings", {"confidentiality": "all"})),
    "requisitions": lambda c: sum(1 for _ in c.paginate("/requisitions", {"confidentiality": "all"})),
    "opportunities": lambda c: sum(1 for _ in c.paginate("/opportunities", {"confidentiality": "all"})),
    "opportunities_deleted": lambda c: sum(1 for _ in c.paginate("/opportunities/deleted")),
}


def run_demo(settings: Settings, *, seed: int = 1, contacts: int = 500) -> int:
    """Returns the process exit code: 0 when every count read back matches the inventory."""
    key = settings.lever_api_key.reveal() or f"demo-{secrets.token_hex(8)}"
    print(f"Generating a Lever org (seed {seed}, {contacts} contacts) ...", flush=True)
    org = generate_org(seed=seed, contacts=contacts)
    sandbox = LeverSandbox(org, LeverSandboxConfig(keys=[ApiKey(key)]))
    with sandbox.serve() as server:
        base_url = f"{server.base_url}/v1"
        print(f"Lever sandbox serving at {base_url}", flush=True)
        inventory = requests.get(f"{server.base_url}/__sandbox/inventory", timeout=30).json()
        client = LeverClient(base_url=base_url, api_key=Secret(key))
        print(f"\n{'object':<24}{'inventory':>12}{'read over HTTP':>16}")
        mismatches = 0
        for name, read in TOP_LEVEL_READS.items():
            expected = inventory["objects"][name]["total"]
            found = read(client)
            mismatches += found != expected
            flag = "" if found == expected else "   <-- differs"
            print(f"{name:<24}{expected:>12}{found:>16}{flag}")
        for name, counts in inventory["objects"].items():
            if name not in TOP_LEVEL_READS:
                print(f"{name:<24}{counts['total']:>12}{'-':>16}")
        print("(-: contacts and per-opportunity records, read by the extraction step)")
        print("\nEdge cases generated:")
        for name, count in sorted(inventory["edge_cases"].items()):
            print(f"  {name:<44}{count:>8}")
        requests_made = len(requests.get(f"{server.base_url}/__sandbox/requests", timeout=30).json()["data"])
        print(f"\n{requests_made} Lever API requests made; {mismatches} counts differ from the inventory.")
        client.close()
    return 1 if mismatches else 0
