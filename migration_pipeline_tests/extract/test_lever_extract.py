"""Extraction end to end against the Lever sandbox: exactly the inventory, through faults, resumable."""

from __future__ import annotations

import copy
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from migration_pipeline.config import Secret
from migration_pipeline.extract import lever_extract
from migration_pipeline.extract.landing import Landing
from migration_pipeline.lever.client import LeverClient
from migration_pipeline.lever.errors import LeverConfidentialAccessError
from migration_pipeline.lever.ratelimit import SharedTokenBucket
from migration_pipeline.lever.streams import EXTRACTED_OBJECTS, NO_POSTING
from migration_pipeline.sandbox.lever.app import LeverSandbox
from migration_pipeline.sandbox.lever.generator import generate_org
from migration_pipeline.sandbox.lever.org import LeverOrg
from migration_pipeline.store import Store
from migration_pipeline_tests.conftest import FULL_KEY, NO_CONFIDENTIAL_KEY, RunningLever, lever_config
from migration_pipeline_tests.lever import fast_client

WORKERS = 8  # lever_extract.extract_partition's default
EXTRACTED_TYPES = EXTRACTED_OBJECTS


@pytest.fixture(scope="module")
def org500() -> LeverOrg:
    return generate_org(seed=11, contacts=500)


@pytest.fixture
def lever500(org500: LeverOrg) -> Iterator[RunningLever]:
    sandbox = LeverSandbox(copy.deepcopy(org500), lever_config())
    with sandbox.serve() as server:
        yield RunningLever(sandbox, server.base_url)


@pytest.fixture
def lever200(lever_org_pristine: LeverOrg) -> Iterator[RunningLever]:
    """The 200-contact org, served on its own (for tests that do not need the 500-contact acceptance org)."""
    sandbox = LeverSandbox(copy.deepcopy(lever_org_pristine), lever_config())
    with sandbox.serve() as server:
        yield RunningLever(sandbox, server.base_url)


def client_for(lever: RunningLever, key: str = FULL_KEY) -> LeverClient:
    return fast_client(lever, lever.state_dir, key, timeout_seconds=1.0, maintenance_max_wait_seconds=30)


def run_extraction(lever: RunningLever, data_dir: Path, key: str = FULL_KEY) -> tuple[Store, LeverClient]:
    store = Store(data_dir / "migration.duckdb")
    with client_for(lever, key) as client:
        lever_extract.extract_all(client, store, Landing(data_dir), data_dir)
    return store, client


def snapshot(store: Store) -> dict[str, dict[tuple[str, str | None], str]]:
    out = {}
    for name in EXTRACTED_TYPES:
        rows = store.raw_rows(name)
        out[name] = {(r.lever_id, r.opportunity_id or None): r.payload_hash for r in rows.itertuples(index=False)}
    return out


def test_raw_tables_hold_exactly_the_inventory_confidential_included(lever500: RunningLever, tmp_path: Path) -> None:
    store, client = run_extraction(lever500, tmp_path)
    inventory = lever500.admin("GET", "/inventory").json()
    counts = store.raw_counts()
    for name in EXTRACTED_TYPES:
        assert counts[name] == inventory["objects"][name]["total"], name
    confidential = store.raw_rows("opportunities")
    assert (
        sum('"confidential"' in p for p in confidential["payload"].astype(str))
        == (inventory["objects"]["opportunities"]["confidential"])
    )
    unprocessable = Counter(store.unprocessable()["kind"])
    edge = inventory["edge_cases"]
    assert unprocessable == {"resumes": edge["resumes_unprocessable"], "files": edge["files_unprocessable"]}
    assert client.stats.rate_limited == 0


def test_partitions_are_postings_plus_no_posting(lever200: RunningLever, tmp_path: Path) -> None:
    store = Store(tmp_path / "migration.duckdb")
    with client_for(lever200) as client:
        _, per_partition = lever_extract.extract_opportunities(client, store, Landing(tmp_path))
    postings_with_opportunities = {
        a["posting"] for o in lever200.org.opportunities for a in lever200.org.sub_resources(o, "applications")
    }
    assert set(per_partition) == postings_with_opportunities | {NO_POSTING}
    assert sum(per_partition.values()) == len(lever200.org.opportunities)


def test_identical_raw_content_through_faults_and_a_maintenance_window(
    lever500: RunningLever, org500: LeverOrg, tmp_path: Path
) -> None:
    clean, _ = run_extraction(lever500, tmp_path / "clean")
    faulty_sandbox = LeverSandbox(copy.deepcopy(org500), lever_config())
    with faulty_sandbox.serve() as server:
        faulty = RunningLever(faulty_sandbox, server.base_url)
        faulty.admin("POST", "/faults", json={"rate_429": 0.006, "rate_500": 0.005, "rate_502": 0.005,
                                               "rate_timeout": 0.001, "timeout_seconds": 2, "rate_drop": 0.005,
                                               "retry_after": 1, "seed": 5})  # fmt: skip
        faulty.admin("POST", "/maintenance", json={"enabled": True, "start_in_seconds": 2, "duration_seconds": 3})
        store, client = run_extraction(faulty, tmp_path / "faulty")
        log = faulty.admin("GET", "/requests").json()["data"]
    faults = Counter(entry["fault"] for entry in log if entry["fault"])
    assert faults["429"] and faults["500"] and faults["drop"] and faults["maintenance"] and faults["timeout"]
    assert client.stats.rate_limited > 0 and client.stats.retries > 0
    assert snapshot(store) == snapshot(clean)


def test_re_extraction_upserts_without_duplicates_and_sees_changes(lever200: RunningLever, tmp_path: Path) -> None:
    store, _ = run_extraction(lever200, tmp_path)
    before = store.raw_counts()
    opp_id = next(o for o in lever200.org.opportunities.values() if o["confidentiality"] == "non-confidential")["id"]
    lever200.session().post(f"{lever200.api}/opportunities/{opp_id}/addTags", json={"tags": ["Changed"]}, timeout=30)
    store, _ = run_extraction(lever200, tmp_path)
    assert store.raw_counts() == {**before, "tags": before["tags"] + 1}  # "Changed" is a new tag
    rows = store.raw_rows("opportunities")
    changed = rows[rows["lever_id"] == opp_id].iloc[0]
    assert changed["change_count"] >= 1 and "Changed" in str(changed["payload"])


def test_no_confidential_access_fails_before_landing_anything(lever200: RunningLever, tmp_path: Path) -> None:
    with pytest.raises(LeverConfidentialAccessError, match="confidential"):
        run_extraction(lever200, tmp_path, key=NO_CONFIDENTIAL_KEY)
    store = Store(tmp_path / "migration.duckdb")
    assert sum(store.raw_counts().values()) == 0
    assert not any((tmp_path / "landing").rglob("page-*.jsonl"))


KILLABLE = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from migration_pipeline.config import Secret
    from migration_pipeline.extract import lever_extract
    from migration_pipeline.extract.landing import Landing
    from migration_pipeline.lever.client import LeverClient
    from migration_pipeline.lever.ratelimit import SharedTokenBucket
    from migration_pipeline.store import Store

    api, key, data_dir = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    limiter = SharedTokenBucket("killable", 100_000, 1_000, data_dir / "rate")
    with LeverClient(api, Secret(key), limiter=limiter, timeout_seconds=5) as client:
        lever_extract.extract_all(client, Store(data_dir / "migration.duckdb"), Landing(data_dir), data_dir)
    print("done")
    """
)


def _requests(lever: RunningLever) -> list[dict]:
    return lever.admin("GET", "/requests").json()["data"]


def test_kill_mid_extraction_then_rerun_does_not_refetch_completed_work(lever200: RunningLever, tmp_path: Path) -> None:
    script = tmp_path / "extract.py"
    script.write_text(KILLABLE)
    args = [sys.executable, str(script), lever200.api, FULL_KEY, str(tmp_path / "data")]
    first = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    # let it get well into the per-opportunity calls, then kill -9
    while sum("/notes" in e["path"] for e in _requests(lever200)) < 150 and time.time() < deadline:
        time.sleep(0.2)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    killed_at = len(_requests(lever200))
    second = subprocess.run(args, capture_output=True, text=True, timeout=600, check=True)
    assert second.stdout.strip().endswith("done")
    log = _requests(lever200)
    before, after = log[:killed_at], log[killed_at:]
    # per-opportunity records: an opportunity fully landed before the kill is never asked for again
    fetched_before = Counter(e["path"] for e in before if e["path"].count("/") >= 4 and "/download" not in e["path"])
    fetched_after = Counter(e["path"] for e in after if e["path"].count("/") >= 4 and "/download" not in e["path"])
    refetched = {p for p in fetched_after if p in fetched_before}
    refetched_opportunities = {p.split("/")[3] for p in refetched}
    # at most the opportunities in flight when the process died (one per worker thread)
    assert len(refetched_opportunities) <= WORKERS
    # completed list pages are not fetched again
    pages_before = {(e["path"], e["query"]) for e in before if e["path"] == "/v1/opportunities"}
    pages_after = {(e["path"], e["query"]) for e in after if e["path"] == "/v1/opportunities"}
    assert not (pages_before & pages_after) - {("/v1/opportunities", "confidentiality=all&limit=1")}
    inventory = lever200.admin("GET", "/inventory").json()["objects"]
    counts = Store(tmp_path / "data" / "migration.duckdb").raw_counts()
    assert all(counts[name] == inventory[name]["total"] for name in EXTRACTED_TYPES)


def _extract_partition_in_process(api: str, data_dir: str, partition: str) -> None:
    limiter = SharedTokenBucket("parallel", 100_000, 1_000, Path(data_dir) / "rate")
    with LeverClient(api, Secret(FULL_KEY), limiter=limiter, timeout_seconds=10) as client:
        lever_extract.extract_partition(
            client, Store(Path(data_dir) / "migration.duckdb"), Landing(Path(data_dir)), Path(data_dir), partition
        )


def test_partitions_in_parallel_processes_lose_no_rows(lever200: RunningLever, tmp_path: Path) -> None:
    store = Store(tmp_path / "migration.duckdb")
    with client_for(lever200) as client:
        _, per_partition = lever_extract.extract_opportunities(client, store, Landing(tmp_path))
    partitions = sorted(per_partition, key=per_partition.get, reverse=True)[:4]
    context = mp.get_context("spawn")
    workers = [context.Process(target=_extract_partition_in_process, args=(lever200.api, str(tmp_path), p))
               for p in partitions]  # fmt: skip
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
        assert worker.exitcode == 0
    expected = sum(lever200.org.plans[o].notes for o in lever_extract_ids(store, partitions))
    assert store.raw_counts()["notes"] == expected


def lever_extract_ids(store: Store, partitions: list[str]) -> list[str]:
    return [opp for p in partitions for opp, _ in lever_extract.opportunities_in(store, p)]
