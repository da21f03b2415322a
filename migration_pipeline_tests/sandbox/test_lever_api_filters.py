"""The documented list filters (OR across repeats, inclusive ms ranges, 400 on bad values), expand, include."""

from __future__ import annotations

from typing import Any

import pytest

from migration_pipeline_tests.conftest import RunningLever


def _all(lever: RunningLever, path: str, params: list[tuple[str, str]] | dict[str, Any]) -> list[dict]:
    query = list(params.items()) if isinstance(params, dict) else list(params)
    session = lever.session()
    out: list[dict] = []
    offset = None
    while True:
        page_query = [*query, ("limit", "100")] + ([("offset", offset)] if offset else [])
        body = session.get(f"{lever.api}{path}", params=page_query, timeout=30).json()
        assert "data" in body, body
        out += body["data"]
        if not body["hasNext"]:
            return out
        offset = body["next"]


def _views(lever: RunningLever) -> list[dict]:
    return [lever.org.opportunity_view(i) for i in lever.org.opportunities]


def _ids(items: list[dict]) -> set[str]:
    return {i["id"] for i in items}


def test_default_confidentiality_is_non_confidential(lever: RunningLever) -> None:
    served = _all(lever, "/opportunities", {})
    expected = {o["id"] for o in _views(lever) if o["confidentiality"] == "non-confidential"}
    assert _ids(served) == expected
    assert len(expected) < len(lever.org.opportunities)  # the org does have confidential ones


@pytest.mark.parametrize("value", ["confidential", "all"])
def test_confidentiality_filter(lever: RunningLever, value: str) -> None:
    served = _all(lever, "/opportunities", {"confidentiality": value})
    expected = {o["id"] for o in _views(lever) if value == "all" or o["confidentiality"] == value}
    assert _ids(served) == expected


def test_contact_id_filter(lever: RunningLever) -> None:
    contact = max(lever.org.contacts, key=lambda c: sum(o["contact"] == c for o in lever.org.opportunities.values()))
    served = _all(lever, "/opportunities", {"contact_id": contact, "confidentiality": "all"})
    assert len(served) >= 3 and all(o["contact"] == contact for o in served)
    assert len(served) == sum(o["contact"] == contact for o in lever.org.opportunities.values())


def test_email_filter_matches_canonicalized_email(lever: RunningLever) -> None:
    view = next(o for o in _views(lever) if o["emails"] and o["confidentiality"] == "non-confidential")
    email = view["emails"][0]
    served = _all(lever, "/opportunities", {"email": f"  {email.upper()} "})
    assert view["id"] in _ids(served)
    assert all(email.strip().lower() in [e.strip().lower() for e in o["emails"]] for o in served)


def test_repeated_filters_are_ored(lever: RunningLever) -> None:
    views = [o for o in _views(lever) if o["confidentiality"] == "non-confidential"]
    stages = sorted({o["stage"] for o in views})[:2]
    served = _all(lever, "/opportunities", [("stage_id", stages[0]), ("stage_id", stages[1])])
    assert _ids(served) == {o["id"] for o in views if o["stage"] in stages}


@pytest.mark.parametrize(
    "name,predicate",
    [
        ("archived=true", lambda o: o["archived"] is not None),
        ("archived=false", lambda o: o["archived"] is None),
        ("origin=referred", lambda o: o["origin"] == "referred"),
        ("source=LinkedIn", lambda o: "LinkedIn" in o["sources"]),
    ],
)
def test_simple_opportunity_filters(lever: RunningLever, name: str, predicate: Any) -> None:
    key, value = name.split("=")
    served = _all(lever, "/opportunities", {key: value, "confidentiality": "all"})
    assert _ids(served) == {o["id"] for o in _views(lever) if predicate(o)}
    assert served, f"{name} selects nothing in the generated org"


def test_tag_filter_is_case_sensitive(lever: RunningLever) -> None:
    tag = next(t for o in _views(lever) for t in o["tags"] if t.lower() != t.upper() and t != t.swapcase())
    exact = _all(lever, "/opportunities", {"tag": tag, "confidentiality": "all"})
    assert exact and all(tag in o["tags"] for o in exact)
    assert not any(tag.swapcase() in o["tags"] for o in _all(lever, "/opportunities", {"tag": tag.swapcase()})) or (
        tag.swapcase() in {t for o in _views(lever) for t in o["tags"]}
    )


def test_archive_reason_filter(lever: RunningLever) -> None:
    hired = next(r["id"] for r in lever.org.archive_reasons if r["type"] == "hired")
    served = _all(lever, "/opportunities", {"archive_reason_id": hired, "confidentiality": "all"})
    assert served and all(o["archived"]["reason"] == hired for o in served)


def test_snoozed_filter(lever: RunningLever) -> None:
    served = _all(lever, "/opportunities", {"snoozed": "true", "confidentiality": "all"})
    assert served and all(o["snoozedUntil"] for o in served)


@pytest.mark.parametrize("field,param", [("createdAt", "created_at"), ("updatedAt", "updated_at"),
                                         ("lastAdvancedAt", "advanced_at")])  # fmt: skip
def test_time_range_filters_are_inclusive(lever: RunningLever, field: str, param: str) -> None:
    times = sorted(o[field] for o in _views(lever))
    start, end = times[len(times) // 4], times[len(times) // 2]
    served = _all(lever, "/opportunities", {f"{param}_start": start, f"{param}_end": end, "confidentiality": "all"})
    assert _ids(served) == {o["id"] for o in _views(lever) if start <= o[field] <= end}
    only_start = _all(lever, "/opportunities", {f"{param}_start": end, "confidentiality": "all"})
    assert _ids(only_start) == {o["id"] for o in _views(lever) if o[field] >= end}


def test_archived_at_range(lever: RunningLever) -> None:
    archived = [o for o in _views(lever) if o["archived"]]
    cut = sorted(o["archived"]["archivedAt"] for o in archived)[len(archived) // 2]
    served = _all(lever, "/opportunities", {"archived_at_end": cut, "confidentiality": "all"})
    assert _ids(served) == {o["id"] for o in archived if o["archived"]["archivedAt"] <= cut}


def test_posting_id_filter(lever: RunningLever) -> None:
    opp = next(o for o in _views(lever) if o["applications"] and o["confidentiality"] == "non-confidential")
    posting = lever.org.sub_resources(opp["id"], "applications")[0]["posting"]
    served = _all(lever, "/opportunities", {"posting_id": posting})
    assert opp["id"] in _ids(served)
    for o in served:
        assert lever.org.sub_resources(o["id"], "applications")[0]["posting"] == posting


@pytest.mark.parametrize(
    "params",
    [{"created_at_start": "yesterday"}, {"archived": "maybe"}, {"confidentiality": "secret"}, {"snoozed": "2"}],
)
def test_malformed_filter_values_are_a_400(lever: RunningLever, params: dict[str, str]) -> None:
    response = lever.get("/opportunities", **params)
    assert response.status_code == 400
    assert response.json()["code"] == "BadRequestError"


def test_expand_turns_ids_into_objects(lever: RunningLever) -> None:
    session = lever.session()
    params = [("expand", e) for e in ("applications", "stage", "owner", "followers", "contact")]
    body = session.get(f"{lever.api}/opportunities", params=[*params, ("limit", "50")], timeout=30).json()
    with_app = [o for o in body["data"] if o["applications"]]
    assert with_app
    for opp in body["data"]:
        assert isinstance(opp["stage"], dict) and set(opp["stage"]) >= {"id", "text"}
        assert isinstance(opp["owner"], dict) and "email" in opp["owner"]
        assert all(isinstance(f, dict) for f in opp["followers"])
        assert isinstance(opp["contact"], dict) and opp["contact"]["id"]
    assert all(isinstance(a, dict) and a["opportunityId"] == o["id"] for o in with_app for a in o["applications"])


def test_expand_comma_spelling_works_too(lever: RunningLever) -> None:
    body = lever.get("/opportunities", limit=5, expand="stage,owner").json()
    assert all(isinstance(o["stage"], dict) and isinstance(o["owner"], dict) for o in body["data"])


def test_include_keeps_only_the_named_fields(lever: RunningLever) -> None:
    body = lever.get("/opportunities", limit=5, include="followers").json()
    assert all(set(o) == {"id", "followers"} for o in body["data"])


def test_sub_resource_expand_user(lever: RunningLever) -> None:
    opp_id = next(i for i, p in lever.org.plans.items() if p.notes and
                  lever.org.opportunities[i]["confidentiality"] == "non-confidential")  # fmt: skip
    notes = lever.get(f"/opportunities/{opp_id}/notes", expand="user").json()["data"]
    assert all(n["user"] is None or isinstance(n["user"], dict) for n in notes)


def test_users_filters(lever: RunningLever) -> None:
    active = _all(lever, "/users", {})
    everyone = _all(lever, "/users", {"includeDeactivated": "true"})
    assert len(everyone) == len(lever.org.users) > len(active)
    assert all(u["deactivatedAt"] is None for u in active)
    user = active[0]
    assert _ids(_all(lever, "/users", {"email": user["email"].upper()})) == {user["id"]}
    admins = _all(lever, "/users", [("accessRole[]", "super admin"), ("accessRole[]", "admin")])
    assert admins and all(u["accessRole"] in ("super admin", "admin") for u in admins)


@pytest.mark.parametrize("state", ["published", "internal", "closed", "draft", "pending", "rejected"])
def test_postings_state_filter(lever: RunningLever, state: str) -> None:
    served = _all(lever, "/postings", {"state": state, "confidentiality": "all", "distributionChannel": "internal"})
    every = [p for p in lever.org.postings if p["state"] == state]
    assert every, f"no {state} posting generated"
    assert all(p["state"] == state for p in served)


def test_published_postings_list_shows_the_public_job_site(lever: RunningLever) -> None:
    served = _all(lever, "/postings", {"state": "published", "confidentiality": "all"})
    assert served and all("public" in (p["distributionChannels"] or []) for p in served)


def test_postings_updated_at_only_combines_with_confidentiality(lever: RunningLever) -> None:
    assert lever.get("/postings", updated_at_start=0, confidentiality="all").status_code == 200
    assert lever.get("/postings", updated_at_start=0, state="published").status_code == 400


def test_postings_category_filter(lever: RunningLever) -> None:
    team = lever.org.postings[0]["categories"]["team"]
    served = _all(lever, "/postings", {"team": team, "confidentiality": "all"})
    assert served and all(p["categories"]["team"] == team for p in served)


def test_requisitions_filters(lever: RunningLever) -> None:
    every = _all(lever, "/requisitions", {"confidentiality": "all"})
    assert len(every) == len(lever.org.requisitions)
    status = every[0]["status"]
    assert all(
        r["status"] == status for r in _all(lever, "/requisitions", {"status": status, "confidentiality": "all"})
    )
    assert lever.get("/requisitions", status="nope").status_code == 400


def test_deleted_opportunities_list_and_window(lever: RunningLever) -> None:
    deleted = _all(lever, "/opportunities/deleted", {})
    assert deleted and all({"deletedBy", "deletedAt"} <= set(d) for d in deleted)
    cut = sorted(d["deletedAt"] for d in deleted)[-1]
    assert all(d["deletedAt"] >= cut for d in _all(lever, "/opportunities/deleted", {"deleted_at_start": cut}))
