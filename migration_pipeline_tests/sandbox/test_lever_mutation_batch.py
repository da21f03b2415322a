"""`apply_mutations`: a seeded batch of recruiter changes applied to a Lever sandbox over HTTP, every kind
visible afterwards through the Data API, the same batch again for the same seed."""

from __future__ import annotations

import copy
import hashlib
import json
from collections import Counter

import pytest

from migration_pipeline.sandbox.lever.app import LeverSandbox
from migration_pipeline.sandbox.lever.inventory import inventory
from migration_pipeline.sandbox.lever.mutation_batch import (
    ALL_KINDS,
    KINDS,
    OPTIONAL_KINDS,
    MutationBatchError,
    MutationLog,
    apply_mutations,
    take_snapshot,
)
from migration_pipeline.sandbox.lever.org import LeverOrg
from migration_pipeline_tests.conftest import FULL_KEY, NO_CONFIDENTIAL_KEY, RunningLever, lever_config

SEED = 20261205


def _apply(lever: RunningLever, **kwargs: object) -> MutationLog:
    kwargs.setdefault("seed", SEED)
    return apply_mutations(lever.api, kwargs.pop("key", FULL_KEY), f"{lever.root}/__sandbox", **kwargs)  # type: ignore[arg-type]


def _live_ids(lever: RunningLever) -> set[str]:
    ids: set[str] = set()
    offset = None
    while True:
        params: dict = {"confidentiality": "all", "limit": 100, **({"offset": offset} if offset else {})}
        body = lever.get("/opportunities", **params).json()
        ids |= {o["id"] for o in body["data"]}
        offset = body.get("next")
        if not body["hasNext"]:
            return ids


def _opportunity(lever: RunningLever, opp_id: str) -> dict:
    response = lever.get(f"/opportunities/{opp_id}")
    assert response.status_code == 200, response.text
    return response.json()["data"]


@pytest.mark.parametrize("seed", [SEED, 1, 2])
def test_every_kind_is_applied_and_visible_over_http(fresh_lever: RunningLever, seed: int) -> None:
    before = {o: copy.deepcopy(fresh_lever.org.opportunity_view(o)) for o in fresh_lever.org.opportunities}
    log = _apply(fresh_lever, kinds=ALL_KINDS, seed=seed)
    assert log.counts == {kind: 1 for kind in ALL_KINDS}  # a small fraction: one of each
    assert log.opportunities_before == len(before)
    by_kind = {m.kind: m for m in log.mutations}

    m = by_kind["new_candidate"]
    opp = _opportunity(fresh_lever, m.opportunity)
    assert m.result["deduped"] is False and m.opportunity not in before and m.contact == opp["contact"]
    assert opp["emails"] == m.details["body"]["emails"] and opp["name"] == m.details["body"]["name"]

    m = by_kind["new_application"]  # a second opportunity on an existing person, linked by email
    opp = _opportunity(fresh_lever, m.opportunity)
    source = before[m.details["from_opportunity"]]
    assert m.result["deduped"] is True and m.opportunity not in before
    assert opp["contact"] == source["contact"] == m.contact
    on_contact = fresh_lever.get("/opportunities", contact_id=m.contact, confidentiality="all").json()["data"]
    assert {m.opportunity, source["id"]} <= {o["id"] for o in on_contact}

    m = by_kind["stage_change"]
    opp = _opportunity(fresh_lever, m.opportunity)
    assert opp["stage"] == m.details["stage"] != before[m.opportunity]["stage"]
    assert opp["stageChanges"][-1]["toStageId"] == m.details["stage"]

    m = by_kind["archive"]
    assert before[m.opportunity]["archived"] is None
    assert _opportunity(fresh_lever, m.opportunity)["archived"]["reason"] == m.details["reason"]

    m = by_kind["unarchive"]
    assert before[m.opportunity]["archived"] is not None
    assert _opportunity(fresh_lever, m.opportunity)["archived"] is None

    m = by_kind["note"]
    note = fresh_lever.get(f"/opportunities/{m.opportunity}/notes").json()["data"][-1]
    assert note["id"] == m.result["note"] and note["fields"][0]["value"] == m.details["value"]

    m = by_kind["feedback"]
    form = fresh_lever.get(f"/opportunities/{m.opportunity}/feedback/{m.result['feedback']}").json()["data"]
    assert form["baseTemplateId"] == m.details["body"]["baseTemplateId"]
    sent = {v["id"]: v["value"] for v in m.details["body"]["fieldValues"]}
    assert sent and all(f["value"] == sent[f["id"]] for f in form["fields"] if f["id"] in sent)

    m = by_kind["file"]
    record = fresh_lever.get(f"/opportunities/{m.opportunity}/files/{m.result['file']}").json()["data"]
    assert record["name"] == m.details["name"] and record["size"] == m.details["size"]
    download = fresh_lever.get(f"/opportunities/{m.opportunity}/files/{m.result['file']}/download")
    assert hashlib.sha256(download.content).hexdigest() == m.details["sha256"]

    m = by_kind["contact_edit"]
    contact = fresh_lever.get(f"/contacts/{m.contact}").json()["data"]
    assert contact["name"] == m.details["body"]["name"] and contact["emails"] == m.details["body"]["emails"]
    assert contact["phones"] == m.details["body"]["phones"]
    assert _opportunity(fresh_lever, m.opportunity)["name"] == m.details["body"]["name"]

    for kind, key in (("tags", "tags"), ("links", "links"), ("sources", "sources")):
        m = by_kind[kind]
        values = _opportunity(fresh_lever, m.opportunity)[key]
        assert set(m.details["add"]) <= set(values) and not set(m.details["remove"]) & set(values)
        assert m.details["remove"] or not before[m.opportunity].get(key)

    m = by_kind["new_posting"]
    posting = fresh_lever.get(f"/postings/{m.result['posting']}").json()["data"]
    assert posting["text"] == m.details["posting"]["text"] and posting["state"] == "published"
    application = fresh_lever.get(f"/opportunities/{m.opportunity}/applications").json()["data"][0]
    assert application["posting"] == posting["id"]

    m = by_kind["new_user"]
    user = fresh_lever.get(f"/users/{m.result['user']}").json()["data"]
    assert user["email"] == m.details["body"]["email"] and m.opportunity is None

    m = by_kind["new_stage"]
    assert fresh_lever.get(f"/stages/{m.result['stage']}").json()["data"]["text"] == m.details["text"]
    assert _opportunity(fresh_lever, m.opportunity)["stage"] == m.result["stage"]

    m = by_kind["new_archive_reason"]
    reason = fresh_lever.get(f"/archive_reasons/{m.result['archive_reason']}").json()["data"]
    assert reason["text"] == m.details["text"] and reason["type"] == "non-hired"
    assert _opportunity(fresh_lever, m.opportunity)["archived"]["reason"] == reason["id"]

    # deleted: listed by /opportunities/deleted, no longer by /opportunities
    m = by_kind["delete"]
    assert fresh_lever.get(f"/opportunities/{m.opportunity}").status_code == 404
    deleted = fresh_lever.get("/opportunities/deleted", deleted_at_start=log.started_at).json()["data"]
    assert [d["id"] for d in deleted] == [m.opportunity] and deleted[0]["deletedBy"] == m.details["perform_as"]
    live = _live_ids(fresh_lever)
    assert m.opportunity not in live

    # a delta sync from the batch's start sees every changed or created opportunity that is still there
    changed = {
        o["id"]
        for o in fresh_lever.get(
            "/opportunities", updated_at_start=log.started_at, confidentiality="all", limit=100
        ).json()["data"]
    }
    expected = log.opportunities() - log.deleted
    contact_level = {m.contact for m in log.mutations if m.kind in ("contact_edit", "links")}
    assert expected <= changed  # and a person's change moves all of that person's opportunities
    assert all(fresh_lever.org.opportunities[o]["contact"] in contact_level for o in changed - expected)
    # no opportunity (nor person) was picked twice
    targets = [m.opportunity for m in log.mutations if m.opportunity in before]
    assert len(targets) == len(set(targets))
    assert fresh_lever.admin("GET", "/inventory").json() == inventory(fresh_lever.org)


def test_the_log_is_json(fresh_lever: RunningLever) -> None:
    log = _apply(fresh_lever)
    data = json.loads(json.dumps(log.to_json()))
    assert data["counts"] == log.counts == {kind: 1 for kind in KINDS}  # optional kinds are off by default
    assert {"kind", "opportunity", "contact", "details", "result"} <= set(data["mutations"][0])
    assert MutationLog.from_json(data) == log


def test_same_seed_same_batch_on_a_fresh_org(fresh_lever: RunningLever, lever_org_pristine: LeverOrg) -> None:
    first = _apply(fresh_lever, fraction=0.05)
    other = LeverSandbox(copy.deepcopy(lever_org_pristine), lever_config())
    with other.serve() as server:
        again = RunningLever(other, server.base_url)
        second = _apply(again, fraction=0.05)
        assert second.plan() == first.plan()
        assert second.counts == first.counts
        changed = {m.opportunity for m in second.mutations if m.opportunity in lever_org_pristine.opportunities}
        assert changed == {m.opportunity for m in first.mutations if m.opportunity in lever_org_pristine.opportunities}
    other_seed = LeverSandbox(copy.deepcopy(lever_org_pristine), lever_config())
    with other_seed.serve() as server:
        different = _apply(RunningLever(other_seed, server.base_url), seed=SEED + 1, fraction=0.05)
    assert different.plan() != first.plan()


def test_batch_size_follows_the_fraction(fresh_lever: RunningLever) -> None:
    total = len(fresh_lever.org.opportunities)
    deleted_before = len(fresh_lever.get("/opportunities/deleted", limit=100).json()["data"])
    log = _apply(fresh_lever, fraction=0.1)
    assert sum(log.counts.values()) == len(log.mutations) == round(0.1 * total)
    assert set(log.counts) == set(KINDS)
    # deletes leave the live list; creations join it
    created = sum(1 for m in log.mutations if m.result.get("opportunity"))
    assert len(_live_ids(fresh_lever)) == total + created - len(log.deleted)
    deleted = [d["id"] for d in fresh_lever.get("/opportunities/deleted", limit=100).json()["data"]]
    assert len(deleted) == deleted_before + len(log.deleted) and log.deleted <= set(deleted)


def test_a_subset_of_kinds_and_a_snapshot(fresh_lever: RunningLever) -> None:
    snapshot = take_snapshot(fresh_lever.api, FULL_KEY)
    fresh_lever.admin("DELETE", "/requests")
    log = _apply(fresh_lever, kinds=["note", "delete"], fraction=0.03, snapshot=snapshot)
    assert set(log.counts) == {"note", "delete"} and sum(log.counts.values()) == round(
        0.03 * len(snapshot.opportunities)
    )
    # planned from the snapshot given: no listing, only the writes
    requests_made = fresh_lever.admin("GET", "/requests").json()["data"]
    assert Counter(r["method"] for r in requests_made) == {"POST": log.counts["note"]}  # admin calls are not logged


def test_rate_limits_and_maintenance_are_waited_out(fresh_lever: RunningLever) -> None:
    snapshot = take_snapshot(fresh_lever.api, FULL_KEY)
    fresh_lever.admin("POST", "/rate_limit", json={"rate": 40, "burst": 2})
    fresh_lever.admin("POST", "/faults", json={"script": ["429", "503", "none", "429"]})
    log = _apply(fresh_lever, kinds=["note", "tags"], fraction=0.02, snapshot=snapshot)
    assert sum(log.counts.values()) == round(0.02 * len(snapshot.opportunities))
    notes = sum(len(fresh_lever.org.added.get((m.opportunity, "notes"), [])) for m in log.of_kind("note"))
    assert notes == log.counts["note"]  # each note written once
    statuses = Counter(r["status"] for r in fresh_lever.admin("GET", "/requests").json()["data"])
    assert statuses[429] >= 2 and statuses[503] == 1


def test_a_key_without_confidential_access_picks_among_what_it_sees(fresh_lever: RunningLever) -> None:
    log = _apply(fresh_lever, key=NO_CONFIDENTIAL_KEY, kinds=["stage_change", "note"], fraction=0.05)
    targets = {m.opportunity for m in log.mutations}
    assert all(fresh_lever.org.opportunities[o]["confidentiality"] == "non-confidential" for o in targets)


def test_bad_arguments(fresh_lever: RunningLever) -> None:
    with pytest.raises(ValueError):
        _apply(fresh_lever, kinds=["teleport"])
    with pytest.raises(ValueError):
        _apply(fresh_lever, fraction=1.5)
    assert set(OPTIONAL_KINDS) == {"new_stage", "new_archive_reason"}
    with pytest.raises(MutationBatchError, match="no opportunity left"):
        _apply(fresh_lever, kinds=["note"], fraction=1.0)  # every opportunity, but only one per person
