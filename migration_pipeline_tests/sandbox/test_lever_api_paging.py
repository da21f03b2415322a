"""Paging: walking every page, offset tokens only valid if issued, limit bounds."""

from __future__ import annotations

from urllib.parse import quote, unquote

import pytest
import requests

from migration_pipeline_tests.conftest import FULL_KEY, RunningLever


def _walk(lever: RunningLever, path: str, limit: int, **params: object) -> list[dict]:
    session = lever.session()
    query: dict[str, object] = {"limit": limit, **params}
    items: list[dict] = []
    while True:
        body = session.get(f"{lever.api}{path}", params=query, timeout=30).json()
        assert len(body["data"]) <= limit
        items += body["data"]
        if not body["hasNext"]:
            assert "next" not in body  # the last page has no token, as in real traffic
            return items
        query["offset"] = body["next"]


def test_walking_every_opportunity_page_yields_each_once(lever: RunningLever) -> None:
    items = _walk(lever, "/opportunities", limit=17, confidentiality="all")
    ids = [o["id"] for o in items]
    assert len(ids) == len(set(ids)) == len(lever.org.opportunities)


@pytest.mark.parametrize("path", ["/users", "/postings", "/tags", "/sources", "/stages"])
def test_walking_reference_lists_with_small_pages(lever: RunningLever, path: str) -> None:
    params = {"includeDeactivated": "true"} if path == "/users" else {}
    if path == "/postings":
        params = {"confidentiality": "all"}
    walked = _walk(lever, path, limit=3, **params)
    whole = lever.get(path, limit=100, **params).json()
    if not whole["hasNext"]:
        assert walked == whole["data"]
    inventory = lever.admin("GET", "/inventory").json()["objects"][path.strip("/")]["total"]
    assert len(walked) == inventory


def test_sub_resource_lists_page_too(lever: RunningLever) -> None:
    opp_id = max(lever.org.plans, key=lambda i: lever.org.plans[i].notes)
    if lever.org.opportunities[opp_id]["confidentiality"] == "confidential":
        pytest.skip("the busiest opportunity is confidential in this seed")
    notes = _walk(lever, f"/opportunities/{opp_id}/notes", limit=1)
    assert len(notes) == lever.org.plans[opp_id].notes >= 2


def test_offset_token_looks_like_lever_and_is_percent_encoded(lever: RunningLever) -> None:
    body = lever.get("/opportunities", limit=5).json()
    token = body["next"]
    assert token.startswith("%5B") and token.endswith("%5D")
    decoded = unquote(token)
    assert decoded.startswith("[") and decoded.count(",") == 2


def test_offset_token_accepted_encoded_once_or_twice(lever: RunningLever) -> None:
    first = lever.get("/opportunities", limit=5).json()
    token = first["next"]
    via_requests = lever.get("/opportunities", limit=5, offset=token).json()  # requests re-encodes it
    raw = requests.get(
        f"{lever.api}/opportunities?limit=5&offset={token}", auth=(FULL_KEY, ""), timeout=30
    ).json()  # sent exactly as received: decoded once by the server
    assert via_requests["data"] == raw["data"]
    assert {o["id"] for o in via_requests["data"]}.isdisjoint({o["id"] for o in first["data"]})


@pytest.mark.parametrize(
    "offset",
    [
        "garbage",
        quote('[3,1490220060000,"246cfe63-73fa-4bab-9728-a97023c71f3a"]', safe=""),  # well-formed, never issued
        "0.1414895548650.a6070140-33db-407c-91f5-2760e15c8e94",
    ],
)
def test_bad_offset_token_is_a_400(lever: RunningLever, offset: str) -> None:
    response = lever.get("/opportunities", offset=offset)
    assert response.status_code == 400
    assert "Invalid offset token" in response.json()["message"]


def test_offset_token_of_another_list_is_refused(lever: RunningLever) -> None:
    token = lever.get("/users", limit=1, includeDeactivated="true").json()["next"]
    assert lever.get("/opportunities", offset=token).status_code == 400


@pytest.mark.parametrize("limit", ["0", "101", "-5", "abc", "1.5"])
def test_limit_out_of_bounds_is_a_400(lever: RunningLever, limit: str) -> None:
    response = lever.get("/opportunities", limit=limit)
    assert response.status_code == 400
    assert response.json()["code"] == "BadRequestError"


@pytest.mark.parametrize("limit", [1, 100])
def test_limit_bounds_are_inclusive(lever: RunningLever, limit: int) -> None:
    body = lever.get("/opportunities", limit=limit).json()
    assert len(body["data"]) == limit


def test_default_limit_is_100(lever: RunningLever) -> None:
    assert len(lever.get("/opportunities").json()["data"]) == 100
