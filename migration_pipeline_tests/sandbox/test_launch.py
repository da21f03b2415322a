"""The sandboxes as users start them: `migration-pipeline sandbox lever|ashby|both` in their own process."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import requests


@contextmanager
def _running(*args: str, until: str) -> Iterator[list[str]]:
    """Start the CLI, collect its stdout lines until one matches `until`, stop it afterwards."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "migration_pipeline.cli", "sandbox", *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip())
            if re.search(until, line):
                break
        else:
            raise AssertionError("the sandbox exited early:\n" + "\n".join(lines))
        yield lines
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def _url(lines: list[str], label: str) -> str:
    return next(re.search(r"(http://\S+)", line).group(1) for line in lines if label in line)  # type: ignore[union-attr]


def test_sandbox_both_serves_lever_and_a_matching_ashby_org() -> None:
    with _running(
        "both", "--port", "0", "--ashby-port", "0", "--contacts", "60", "--seed", "4", "--key", "lever-k",
        "--ashby-key", "ashby-k", until="seeded org",
    ) as lines:  # fmt: skip
        text = "\n".join(lines)
        assert "key lever-k" in text and "key ashby-k" in text and "seed 4, 60 contacts" in text
        lever = _url(lines, "Lever sandbox ready")
        ashby = _url(lines, "Ashby sandbox ready")
        lever_users = requests.get(
            f"{lever}/users", params={"includeDeactivated": "true"}, auth=("lever-k", ""), timeout=30
        ).json()["data"]
        ashby_users = requests.post(
            f"{ashby}/user.list", json={"includeDeactivated": True}, auth=("ashby-k", ""), timeout=30
        ).json()["results"]
        assert {u["email"] for u in lever_users} == {u["email"] for u in ashby_users}
        lever_stages = requests.get(f"{lever}/stages", auth=("lever-k", ""), timeout=30).json()["data"]
        plan = requests.post(f"{ashby}/interviewPlan.list", json={}, auth=("ashby-k", ""), timeout=30).json()
        stages = requests.post(
            f"{ashby}/interviewStage.list", json={"interviewPlanId": plan["results"][0]["id"]},
            auth=("ashby-k", ""), timeout=30,
        ).json()["results"]  # fmt: skip
        assert {s["text"] for s in lever_stages} <= {s["title"] for s in stages}


def test_sandbox_ashby_from_a_setup_file_with_a_restricted_key() -> None:
    with _running(
        "ashby", "--port", "0", "--org", "migration_pipeline/sandbox/ashby/setups/partial.yaml",
        "--key", "ro:candidatesRead,organizationRead", "--rate-per-minute", "50", until="admin:",
    ) as lines:  # fmt: skip
        ashby = _url(lines, "Ashby sandbox ready")
        listed = requests.post(f"{ashby}/user.list", json={}, auth=("ro", ""), timeout=30)
        assert listed.json()["success"] is True and listed.headers["x-ratelimit-limit"] == "50"
        denied = requests.post(f"{ashby}/candidate.create", json={"name": "x"}, auth=("ro", ""), timeout=30)
        assert denied.status_code == 403 and denied.json()["errorInfo"]["code"] == "missing_endpoint_permission"


def test_bad_key_spec_is_a_clear_error() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "migration_pipeline.cli", "sandbox", "ashby", "--port", "0", "--key", "k:nonsense"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert out.returncode != 0 and "unknown permission 'nonsense'" in out.stderr
