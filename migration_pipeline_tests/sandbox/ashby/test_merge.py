"""Ashby sandbox: merging duplicate candidates (`POST /__sandbox/merge`), as an Ashby user does in the app."""

from __future__ import annotations

import pytest

from migration_pipeline.sandbox.ashby.merge import merge_candidates
from migration_pipeline_tests.conftest import RunningAshby
from migration_pipeline_tests.sandbox.ashby.test_candidates import MISSING_ID, add_application, create, walk
from migration_pipeline_tests.sandbox.ashby.test_files import uploaded


def merge(ashby: RunningAshby, from_id: str, into_id: str) -> dict:
    response = ashby.admin("POST", "/merge", json={"from": from_id, "into": into_id})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def pair(ashby):
    """Two records of one person, each with its own contacts, tag, file, note and application."""
    into = create(ashby, "Ada Lovelace", email="ada@home.example", linkedInUrl="https://linkedin.com/in/ada")
    dup = create(
        ashby,
        "Ada L.",
        email="ada@work.example",
        phoneNumber="+4420",
        githubUrl="https://github.com/ada",
        alternateEmailAddresses=["ADA@home.example"],
    )
    tag = ashby.results("candidateTag.create", {"title": "Duplicate"})
    ashby.results("candidate.addTag", {"candidateId": dup["id"], "tagId": tag["id"]})
    handle = uploaded(ashby, "CandidateFiles")
    ashby.results("candidate.uploadFile", {"candidateId": dup["id"], "fileHandle": handle})
    note = ashby.results("candidate.createNote", {"candidateId": dup["id"], "note": "met at a meetup"})
    app_id = add_application(ashby, dup["id"], confidential=False)
    return {"into": into, "dup": dup, "tag": tag, "handle": handle, "note": note, "app_id": app_id}


def test_merge_moves_everything_to_the_survivor(ashby, pair):
    into, dup = pair["into"], pair["dup"]
    answer = merge(ashby, dup["id"], into["id"])
    assert answer["merged"] is True and answer["candidate"]["id"] == into["id"]
    survivor = ashby.results("candidate.info", {"id": into["id"]})
    assert survivor["name"] == "Ada Lovelace"
    assert survivor["primaryEmailAddress"]["value"] == "ada@home.example"
    assert [e["value"] for e in survivor["emailAddresses"]] == ["ada@home.example", "ada@work.example"]
    assert [e["isPrimary"] for e in survivor["emailAddresses"]] == [True, False]
    assert survivor["primaryPhoneNumber"]["value"] == "+4420"
    assert {link["type"] for link in survivor["socialLinks"]} == {"LinkedIn", "GitHub"}
    assert [t["id"] for t in survivor["tags"]] == [pair["tag"]["id"]]
    assert [h["handle"] for h in survivor["fileHandles"]] == [pair["handle"]]
    assert survivor["applicationIds"] == [pair["app_id"]]
    assert ashby.state["applications"][pair["app_id"]]["candidate"]["id"] == into["id"]
    notes = ashby.results("candidate.listNotes", {"candidateId": into["id"]})
    assert [n["id"] for n in notes] == [pair["note"]["id"]]
    assert ashby.results("file.info", {"fileHandle": pair["handle"]})["url"]
    assert ashby.state.merged_into == {dup["id"]: into["id"]}
    assert dup["id"] not in ashby.state["candidates"]


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("candidate.info", {"id": "{old}"}),
        ("candidate.update", {"candidateId": "{old}", "name": "x"}),
        ("candidate.createNote", {"candidateId": "{old}", "note": "x"}),
        ("candidate.listNotes", {"candidateId": "{old}"}),
        ("candidate.addTag", {"candidateId": "{old}", "tagId": "{tag}"}),
        ("candidate.removeTag", {"candidateId": "{old}", "tagId": "{tag}"}),
        ("candidate.anonymize", {"candidateId": "{old}"}),
        ("candidate.uploadFile", {"candidateId": "{old}", "fileHandle": "{handle}"}),
    ],
)
def test_the_merged_id_is_candidate_not_found(ashby, pair, method, body):
    merge(ashby, pair["dup"]["id"], pair["into"]["id"])
    values = {"{old}": pair["dup"]["id"], "{tag}": pair["tag"]["id"], "{handle}": pair["handle"]}
    request = {k: values.get(v, v) for k, v in body.items()}
    assert ashby.error(method, request)["code"] == "candidate_not_found"


def test_search_by_the_merged_candidates_email_finds_the_survivor(ashby, pair):
    merge(ashby, pair["dup"]["id"], pair["into"]["id"])
    found = ashby.results("candidate.search", {"email": "ada@work.example"})
    assert [c["id"] for c in found] == [pair["into"]["id"]]


def test_merge_shows_in_incremental_sync(ashby, pair):
    other = create(ashby, "Bystander")
    _, token, _ = walk(ashby, "candidate.list", {}, limit=100)
    merge(ashby, pair["dup"]["id"], pair["into"]["id"])
    changed = ashby.results("candidate.list", {"syncToken": token})
    assert [c["id"] for c in changed] == [pair["into"]["id"]]
    assert other["id"] not in [c["id"] for c in changed]
    listed, _, _ = walk(ashby, "candidate.list", {}, limit=100)
    assert pair["dup"]["id"] not in [c["id"] for c in listed]


def test_merge_into_a_candidate_without_contacts_takes_the_primaries(ashby):
    bare = create(ashby, "Bare")
    full = create(ashby, "Full", email="full@example.com", phoneNumber="+1", location={"city": "Rome"})
    merge(ashby, full["id"], bare["id"])
    survivor = ashby.results("candidate.info", {"id": bare["id"]})
    assert survivor["primaryEmailAddress"] == {"value": "full@example.com", "type": "Personal", "isPrimary": True}
    assert survivor["primaryPhoneNumber"]["value"] == "+1"
    assert survivor["location"]["locationSummary"] == "Rome"


def test_merge_chains_follow_the_survivor(ashby):
    a, b, c = create(ashby, "A"), create(ashby, "B"), create(ashby, "C")
    merge(ashby, a["id"], b["id"])
    merge(ashby, b["id"], c["id"])
    assert ashby.state.merged_into == {a["id"]: c["id"], b["id"]: c["id"]}


def test_merge_unknown_ids_are_refused(ashby):
    cand = create(ashby)
    for body in ({"from": MISSING_ID, "into": cand["id"]}, {"from": cand["id"], "into": MISSING_ID}, {}):
        assert ashby.admin("POST", "/merge", json=body).status_code == 400
    assert cand["id"] in ashby.state["candidates"]


def test_merge_candidates_raises_key_error_for_unknown_ids(ashby):
    cand = create(ashby)
    with pytest.raises(KeyError):
        merge_candidates(ashby.state, MISSING_ID, cand["id"])
    with pytest.raises(ValueError):
        merge_candidates(ashby.state, cand["id"], cand["id"])
