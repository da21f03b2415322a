"""Live mutations for the parallel run: each moves `updatedAt` as Lever does, so delta syncs can see it."""

from __future__ import annotations

import copy

import pytest

from migration_pipeline_tests.conftest import RunningLever


def _user(lever: RunningLever) -> str:
    return next(u["id"] for u in lever.org.users if u.get("deactivatedAt") is None)


def _opportunity(lever: RunningLever, **conditions: object) -> dict:
    for opp in lever.org.opportunities.values():
        if opp["confidentiality"] == "non-confidential" and all(
            (opp.get(k) is not None) == bool(v) for k, v in conditions.items()
        ):
            return copy.deepcopy(lever.org.opportunity_view(opp["id"]))  # a snapshot, not live lists
    raise AssertionError(f"no opportunity with {conditions}")


def _changed_since(lever: RunningLever, since: int) -> set[str]:
    body = lever.get("/opportunities", updated_at_start=since, confidentiality="all").json()
    assert not body["hasNext"]
    return {o["id"] for o in body["data"]}


def test_create_opportunity_new_person(fresh_lever: RunningLever) -> None:
    posting = next(p for p in fresh_lever.org.postings if p["confidentiality"] == "non-confidential")
    body = {"name": "Zoë Test", "emails": ["zoe.new.person@example.org"], "phones": [{"type": "mobile",
            "value": "+1 555 0100"}], "tags": ["Migrated"], "sources": ["LinkedIn"], "origin": "sourced",
            "postings": [posting["id"]]}  # fmt: skip
    response = fresh_lever.session().post(
        f"{fresh_lever.api}/opportunities", params={"perform_as": _user(fresh_lever)}, json=body, timeout=30
    )
    assert response.status_code == 201
    created = response.json()
    assert created["deduped"] is False
    opp = created["data"]
    assert opp["name"] == "Zoë Test" and opp["stage"] == "lead-new"
    assert posting["text"] in opp["tags"] and "Migrated" in opp["tags"]  # posting categories become tags
    assert len(opp["applications"]) == 1 and opp["opportunityLocation"]
    fetched = fresh_lever.get(f"/opportunities/{opp['id']}").json()["data"]
    assert fetched == opp
    app = fresh_lever.get(f"/opportunities/{opp['id']}/applications").json()["data"][0]
    assert app["posting"] == posting["id"] and app["opportunityId"] == opp["id"]
    inventory = fresh_lever.admin("GET", "/inventory").json()["objects"]["opportunities"]["total"]
    assert inventory == len(fresh_lever.org.opportunities)


def test_create_opportunity_dedupes_on_email_case_and_spaces(fresh_lever: RunningLever) -> None:
    existing = _opportunity(fresh_lever)
    assert existing["emails"]
    email = f"  {existing['emails'][0].upper()} "
    response = fresh_lever.session().post(
        f"{fresh_lever.api}/opportunities", params={"perform_as": _user(fresh_lever)},
        json={"name": "Someone Else", "emails": [email]}, timeout=30,
    )  # fmt: skip
    assert response.status_code == 201
    created = response.json()
    assert created["deduped"] is True
    assert created["data"]["contact"] == existing["contact"]
    assert created["data"]["name"] == existing["name"]  # the existing contact's data wins
    assert created["data"]["id"] != existing["id"]


@pytest.mark.parametrize(
    "params,body,status",
    [
        ({}, {"name": "x"}, 400),  # perform_as is required
        ({"perform_as": "x"}, {"name": "x"}, 400),  # unknown user
        (None, {"name": "x", "postings": ["a", "b"]}, 400),  # at most one posting
        (None, {"name": "x", "createdAt": 99999999999999}, 400),  # not in the future
        (None, {"name": "x", "stage": "no-such-stage"}, 404),
    ],
)
def test_create_opportunity_validation(fresh_lever: RunningLever, params: dict | None, body: dict, status: int) -> None:
    query = {"perform_as": _user(fresh_lever)} if params is None else params
    response = fresh_lever.session().post(f"{fresh_lever.api}/opportunities", params=query, json=body, timeout=30)
    assert response.status_code == status
    assert set(response.json()) == {"code", "message"}


def test_add_note_moves_updated_at_and_appears(fresh_lever: RunningLever) -> None:
    opp = _opportunity(fresh_lever)
    before = fresh_lever.get(f"/opportunities/{opp['id']}/notes").json()["data"]
    response = fresh_lever.session().post(
        f"{fresh_lever.api}/opportunities/{opp['id']}/notes", params={"perform_as": _user(fresh_lever)},
        json={"value": "Strong <b>candidate</b>", "score": 3}, timeout=30,
    )  # fmt: skip
    assert response.status_code == 201
    note = response.json()["data"]
    assert note["noteId"] == note["id"] and note["fields"][0]["value"] == "Strong <b>candidate</b>"
    after = fresh_lever.get(f"/opportunities/{opp['id']}/notes").json()["data"]
    assert len(after) == len(before) + 1 and after[-1]["id"] == note["id"]
    updated = fresh_lever.get(f"/opportunities/{opp['id']}").json()["data"]
    assert updated["updatedAt"] > opp["updatedAt"]
    assert opp["id"] in _changed_since(fresh_lever, updated["updatedAt"])
    # a threaded comment on the note
    comment = fresh_lever.session().post(
        f"{fresh_lever.api}/opportunities/{opp['id']}/notes", params={"note_id": note["id"]},
        json={"value": "Agreed"}, timeout=30,
    )  # fmt: skip
    assert comment.status_code == 201 and len(comment.json()["data"]["fields"]) == 2


def test_change_stage_appends_history_and_moves_updated_at(fresh_lever: RunningLever) -> None:
    opp = _opportunity(fresh_lever, archived=False)
    target = next(s["id"] for s in fresh_lever.org.stages if s["id"] != opp["stage"])
    response = fresh_lever.session().put(
        f"{fresh_lever.api}/opportunities/{opp['id']}/stage", json={"stage": target}, timeout=30
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["stage"] == target
    assert (data["name"], data["emails"]) == ("", [])  # real stage writes blank the contact fields
    assert data["stageChanges"][-1]["toStageId"] == target
    assert len(data["stageChanges"]) == len(opp["stageChanges"]) + 1
    assert data["updatedAt"] > opp["updatedAt"] and data["lastAdvancedAt"] == data["updatedAt"]
    assert _changed_since(fresh_lever, data["updatedAt"]) == {opp["id"]}


def test_archive_and_unarchive(fresh_lever: RunningLever) -> None:
    opp = _opportunity(fresh_lever, archived=False)
    reason = next(r["id"] for r in fresh_lever.org.archive_reasons if r["type"] == "non-hired")
    url = f"{fresh_lever.api}/opportunities/{opp['id']}/archived"
    archived = fresh_lever.session().put(url, json={"reason": reason}, timeout=30).json()["data"]
    assert archived["archived"]["reason"] == reason and archived["stage"] == opp["stage"]
    assert archived["updatedAt"] > opp["updatedAt"]
    restored = fresh_lever.session().put(url, json={"reason": None}, timeout=30).json()["data"]
    assert restored["archived"] is None and restored["updatedAt"] > archived["updatedAt"]
    assert fresh_lever.session().put(url, json={"reason": "nope"}, timeout=30).status_code == 404


def test_tags_and_sources_edits(fresh_lever: RunningLever) -> None:
    opp = _opportunity(fresh_lever)
    base = f"{fresh_lever.api}/opportunities/{opp['id']}"
    added = fresh_lever.session().post(f"{base}/addTags", json={"tags": ["Delta"]}, timeout=30).json()["data"]
    assert "Delta" in added["tags"] and added["updatedAt"] > opp["updatedAt"]
    removed = fresh_lever.session().post(f"{base}/removeTags", json={"tags": ["Delta"]}, timeout=30).json()["data"]
    assert "Delta" not in removed["tags"]
    sourced = fresh_lever.session().post(f"{base}/addSources", json={"sources": ["Meetup"]}, timeout=30).json()
    assert "Meetup" in sourced["data"]["sources"]
    assert any(s["text"] == "Meetup" for s in fresh_lever.get("/sources").json()["data"])


def test_delete_opportunity_moves_it_to_deleted(fresh_lever: RunningLever) -> None:
    opp = _opportunity(fresh_lever)
    before = len(fresh_lever.get("/opportunities/deleted").json()["data"])
    response = fresh_lever.admin("POST", f"/opportunities/{opp['id']}/delete", json={"deletedBy": _user(fresh_lever)})
    assert response.status_code == 200
    assert fresh_lever.get(f"/opportunities/{opp['id']}").status_code == 404
    deleted = fresh_lever.get("/opportunities/deleted").json()["data"]
    assert len(deleted) == before + 1
    mine = next(d for d in deleted if d["id"] == opp["id"])
    assert mine["deletedBy"] == _user(fresh_lever) and mine["deletedAt"] > opp["updatedAt"]
    assert (
        fresh_lever.get("/opportunities/deleted", deleted_at_start=mine["deletedAt"]).json()["data"][-1]["id"]
        == (opp["id"])
    )
    assert fresh_lever.admin("POST", f"/opportunities/{opp['id']}/delete").status_code == 404


def test_edit_contact_moves_updated_at_of_all_its_opportunities(fresh_lever: RunningLever) -> None:
    contact = max(
        fresh_lever.org.contacts,
        key=lambda c: sum(o["contact"] == c for o in fresh_lever.org.opportunities.values()),
    )
    opps = [o["id"] for o in fresh_lever.org.opportunities.values() if o["contact"] == contact]
    since = max(fresh_lever.org.opportunities[i]["updatedAt"] for i in opps) + 1
    response = fresh_lever.admin("POST", f"/contacts/{contact}", json={"name": "Renamed Person",
                                                                      "emails": ["renamed@example.org"]})  # fmt: skip
    assert response.status_code == 200
    for opp_id in opps:
        view = fresh_lever.get(f"/opportunities/{opp_id}").json()["data"]
        assert view["name"] == "Renamed Person" and view["emails"] == ["renamed@example.org"]
        assert view["updatedAt"] >= since
    # Lever's own PUT /contacts does the same
    put = fresh_lever.session().put(f"{fresh_lever.api}/contacts/{contact}", json={"headline": "New"}, timeout=30)
    assert put.status_code == 200 and put.json()["data"]["headline"] == "New"
    assert fresh_lever.admin("POST", f"/contacts/{contact}", json={"age": 3}).status_code == 400


def test_mutations_show_in_the_request_log_and_inventory(fresh_lever: RunningLever) -> None:
    opp = _opportunity(fresh_lever)
    notes_before = fresh_lever.admin("GET", "/inventory").json()["objects"]["notes"]["total"]
    fresh_lever.session().post(f"{fresh_lever.api}/opportunities/{opp['id']}/notes", json={"value": "n"}, timeout=30)
    assert fresh_lever.admin("GET", "/inventory").json()["objects"]["notes"]["total"] == notes_before + 1
    assert fresh_lever.admin("GET", "/requests").json()["data"][-1]["method"] == "POST"
