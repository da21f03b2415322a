"""Cursor paging and sync tokens through the client, against the sandbox: the walk equals the full list, a
second sync returns only what changed, and a token Ashby will not take turns into a full sync."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from migration_pipeline.ashby.client import AshbyClient
from migration_pipeline.ashby.errors import AshbySyncTokenError
from migration_pipeline_tests.ashby import fast_client, requests_to
from migration_pipeline_tests.conftest import RunningAshby


def _create_candidates(client: AshbyClient, n: int, prefix: str = "Person") -> list[str]:
    return [client.call("candidate.create", {"name": f"{prefix} {i}"})["id"] for i in range(n)]


def test_paginate_across_many_pages_equals_the_full_list(ashby: RunningAshby, tmp_path: Path) -> None:
    with fast_client(ashby, tmp_path) as client:
        users = list(client.paginate("user.list", {"includeDeactivated": True}, limit=3))
    ids = [u["id"] for u in users]
    assert len(ids) == len(set(ids)) == len(ashby.state["users"]) > 30
    assert set(ids) == set(ashby.state["users"])
    pages = requests_to(ashby, "user.list")
    assert len(pages) == client.stats.calls["user.list"] == -(-len(ids) // 3) >= 10


def test_pages_end_with_a_sync_token_and_no_cursor(ashby: RunningAshby, tmp_path: Path) -> None:
    with fast_client(ashby, tmp_path) as client:
        envelopes = list(client.pages("user.list", limit=10))
    assert all(e["moreDataAvailable"] and e["nextCursor"] for e in envelopes[:-1])
    assert not envelopes[-1]["moreDataAvailable"] and envelopes[-1]["syncToken"]


def test_an_unpaged_list_is_one_page(ashby: RunningAshby, tmp_path: Path) -> None:
    with fast_client(ashby, tmp_path) as client:
        sources = list(client.paginate("source.list"))
    assert len(sources) == len(ashby.state["sources"]) and client.stats.calls["source.list"] == 1


@pytest.mark.parametrize("limit", [0, 101])
def test_limit_outside_ashbys_range_is_refused_before_any_call(ashby: RunningAshby, tmp_path: Path, limit: int) -> None:
    with fast_client(ashby, tmp_path) as client, pytest.raises(ValueError, match="limit"):
        list(client.paginate("user.list", limit=limit))


def test_sync_round_trip_returns_only_changes_the_second_time(ashby: RunningAshby, tmp_path: Path) -> None:
    with fast_client(ashby, tmp_path) as client:
        before = _create_candidates(client, 5, "Before")
        first = client.sync("candidate.list", limit=2)
        after = _create_candidates(client, 3, "After")
        client.call("candidate.update", {"candidateId": before[0], "name": "Before Renamed"})
        second = client.sync("candidate.list", sync_token=first.sync_token, limit=2)
        third = client.sync("candidate.list", sync_token=second.sync_token)
    assert first.full_sync and first.resync_reason is None and first.sync_token
    assert sorted(c["id"] for c in first.items) == sorted(before)
    assert not second.full_sync and second.resync_reason is None and second.sync_token != first.sync_token
    assert sorted(c["id"] for c in second.items) == sorted([*after, before[0]])
    assert third.items == [] and not third.full_sync and third.sync_token


def test_an_expired_sync_token_turns_into_a_full_sync(ashby: RunningAshby, tmp_path: Path) -> None:
    with fast_client(ashby, tmp_path) as client:
        ids = _create_candidates(client, 4)
        token = client.sync("candidate.list").sync_token
        ashby.admin("POST", "/paging", json={"sync_token_ttl_seconds": 0.2})
        time.sleep(0.3)
        result = client.sync("candidate.list", sync_token=token)
    assert result.full_sync and result.resync_reason == "sync_token_expired"
    assert sorted(c["id"] for c in result.items) == sorted(ids) and result.sync_token


def test_an_invalid_sync_token_turns_into_a_full_sync(ashby: RunningAshby, tmp_path: Path) -> None:
    with fast_client(ashby, tmp_path) as client:
        ids = _create_candidates(client, 2)
        result = client.sync("candidate.list", sync_token="jYnEBmjzR")
    assert result.full_sync and result.resync_reason == "sync_token_invalid"
    assert sorted(c["id"] for c in result.items) == sorted(ids)


def test_too_many_changes_for_an_incremental_sync_turn_into_a_full_sync(ashby: RunningAshby, tmp_path: Path) -> None:
    with fast_client(ashby, tmp_path) as client:
        token = client.sync("candidate.list").sync_token
        ashby.admin("POST", "/paging", json={"max_incremental_pages": 1})
        ids = _create_candidates(client, 3)
        result = client.sync("candidate.list", sync_token=token, limit=2)
    assert result.full_sync and result.resync_reason == "incremental_sync_too_large"
    assert sorted(c["id"] for c in result.items) == sorted(ids)


def test_a_stale_cursor_while_paging_is_a_sync_token_error(ashby: RunningAshby, tmp_path: Path) -> None:
    ashby.admin("POST", "/paging", json={"cursor_ttl_seconds": 0.2})
    with fast_client(ashby, tmp_path) as client:
        pages = client.pages("user.list", limit=2)
        next(pages)
        time.sleep(0.3)
        with pytest.raises(AshbySyncTokenError) as caught:
            next(pages)
    assert caught.value.code == "next_cursor_expired"
