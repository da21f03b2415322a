"""The synthetic Lever org generator, its on-demand sub-resources, documents and inventory."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import re
import subprocess
import sys
import uuid
import zipfile
from collections import Counter
from pathlib import Path
from random import Random
from typing import Any

import pytest

from migration_pipeline.sandbox.lever.generator import ANCHOR_MS, generate_org
from migration_pipeline.sandbox.lever.inventory import compute_edge_cases, inventory, sources, tags
from migration_pipeline.sandbox.lever.materialize import document_bytes, materialize, posting_of, uid
from migration_pipeline.sandbox.lever.org import (
    CONTACT_FIELDS,
    SUB_RESOURCE_KINDS,
    LeverOrg,
    OpportunityPlan,
    canonical_email,
)
from migration_pipeline_tests.sandbox.lever_reference_shapes import (
    APPLICATION_KEYS,
    CONTACT_KEYS,
    FEEDBACK_KEYS,
    FEEDBACK_TEMPLATE_KEYS,
    FILE_KEYS,
    FORM_KEYS,
    INTERVIEW_KEYS,
    LEGACY,
    NOTE_FIELD_KEYS,
    NOTE_KEYS,
    OFFER_KEYS,
    OPPORTUNITY_KEYS,
    PANEL_INTERVIEW_KEYS,
    PANEL_KEYS,
    POSTING_KEYS,
    REFERRAL_KEYS,
    REQUISITION_KEYS,
    RESUME_FILE_KEYS,
    RESUME_KEYS,
    TEMPLATE_FIELD_KEYS,
    USER_KEYS,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
HUGE = 100 * 1024
FUTURE_2029 = 1_861_920_000_000
ARABIC = re.compile("[\u0600-\u06ff]")
HEBREW = re.compile("[\u0590-\u05ff]")
EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf]")


@pytest.fixture(scope="module")
def org200() -> LeverOrg:
    return generate_org(seed=42, contacts=200)


@pytest.fixture(scope="module")
def org300() -> LeverOrg:
    return generate_org(seed=7, contacts=300)


def everything(org: LeverOrg, kinds: tuple[str, ...] = SUB_RESOURCE_KINDS) -> dict[str, dict[str, list[Any]]]:
    return {oid: {k: materialize(org, oid, k) for k in kinds} for oid in org.opportunities}


@pytest.fixture(scope="module")
def subs200(org200: LeverOrg) -> dict[str, dict[str, list[Any]]]:
    return everything(org200)


def all_of(subs: dict[str, dict[str, list[Any]]], kind: str) -> list[tuple[str, Any]]:
    return [(oid, obj) for oid, by_kind in subs.items() for obj in by_kind[kind]]


def snapshot(org: LeverOrg, sample: int = 40) -> str:
    """Everything the org holds, plus materialized sub-resources and documents of a sample."""
    data = {
        name: getattr(org, name)
        for name in (
            "users",
            "stages",
            "archive_reasons",
            "postings",
            "requisitions",
            "feedback_templates",
            "form_templates",
            "contacts",
            "opportunities",
            "deleted_opportunities",
            "edge_cases",
        )
    }
    data["plans"] = {oid: vars(plan) for oid, plan in org.plans.items()}
    ids = sorted(org.opportunities)[:sample] + [o["id"] for o in org.deleted_opportunities[:3]]
    data["materialized"] = {oid: {k: materialize(org, oid, k) for k in SUB_RESOURCE_KINDS} for oid in ids}
    docs = {}
    for oid in ids:
        for kind in ("resumes", "files", "offers"):
            for obj in data["materialized"][oid][kind]:
                content = document_bytes(org, oid, kind, obj["id"])
                docs[obj["id"]] = hashlib.sha256(content).hexdigest() if content is not None else None
    data["documents"] = docs
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


# ------------------------------------------------------------------------------------------------
# Determinism
def test_uid_is_a_version_4_uuid() -> None:
    a, b = Random(3), Random(3)
    for _ in range(500):
        assert uid(a) == str(uuid.UUID(int=b.getrandbits(128), version=4))


def test_same_seed_gives_identical_org_and_sub_resources(org300: LeverOrg) -> None:
    again = generate_org(seed=7, contacts=300)
    assert snapshot(org300) == snapshot(again)
    # and materializing twice from the same org gives the same objects
    oid = max(org300.plans, key=lambda o: org300.plans[o].notes + org300.plans[o].interviews)
    for kind in SUB_RESOURCE_KINDS:
        assert materialize(org300, oid, kind) == materialize(org300, oid, kind)


def test_different_seed_gives_a_different_org(org300: LeverOrg) -> None:
    other = generate_org(seed=8, contacts=300)
    assert snapshot(org300) != snapshot(other)
    assert not set(org300.opportunities) & set(other.opportunities)
    assert [c["name"] for c in org300.contacts.values()] != [c["name"] for c in other.contacts.values()]


def test_determinism_does_not_depend_on_hash_randomization() -> None:
    code = (
        "import hashlib;"
        "from migration_pipeline_tests.sandbox.test_lever_generator import snapshot;"
        "from migration_pipeline.sandbox.lever.generator import generate_org;"
        "print(hashlib.sha256(snapshot(generate_org(5, 60), 20).encode()).hexdigest())"
    )
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True, cwd=REPO_ROOT
        )
        digests.add(out.stdout.strip())
    assert len(digests) == 1


# ------------------------------------------------------------------------------------------------
# Edge cases, one test per family, on the data itself (200 contacts)
def test_contacts_have_a_long_tail_of_opportunities(org200: LeverOrg) -> None:
    per_contact = Counter(o["contact"] for o in org200.opportunities.values())
    assert set(per_contact) == set(org200.contacts)  # every contact has at least one opportunity
    counts = list(per_contact.values())
    assert max(counts) >= 20
    assert sum(c >= 10 for c in counts) >= 2
    assert sum(c >= 3 for c in counts) >= 5
    assert counts.count(1) > len(counts) / 2  # most people applied once
    assert sum(2 <= c <= 4 for c in counts) >= 10


def test_opportunities_without_posting(org200: LeverOrg, subs200: dict) -> None:
    without = [o for o in org200.opportunities.values() if not o["applications"]]
    assert 0.04 < len(without) / len(org200.opportunities) < 0.2
    for opp in without:
        assert "opportunityLocation" not in opp
        assert org200.plans[opp["id"]].applications == 0
        assert subs200[opp["id"]]["applications"] == []
        assert posting_of(org200, opp["id"]) is None


def test_confidential_postings_opportunities_and_requisitions(org200: LeverOrg) -> None:
    postings = {p["id"]: p for p in org200.postings}
    confidential = {pid for pid, p in postings.items() if p["confidentiality"] == "confidential"}
    with_opps = {org200.plans[o].posting for o in org200.opportunities} & confidential
    assert len(with_opps) >= 2
    for oid, opp in org200.opportunities.items():
        pid = org200.plans[oid].posting
        expected = postings[pid]["confidentiality"] if pid else "non-confidential"
        assert opp["confidentiality"] == expected
    for req in org200.requisitions:
        linked = [postings[p]["confidentiality"] for p in req["postings"]]
        assert req["confidentiality"] == ("confidential" if "confidential" in linked else "non-confidential")
    assert any(r["confidentiality"] == "confidential" for r in org200.requisitions)


def test_emails_differing_only_in_case_or_spaces_on_different_contacts(org200: LeverOrg) -> None:
    by_canonical: dict[str, list[tuple[str, str]]] = {}
    for contact in org200.contacts.values():
        for email in contact["emails"]:
            by_canonical.setdefault(canonical_email(email), []).append((contact["id"], email))
    pairs = [
        items for items in by_canonical.values() if len({c for c, _ in items}) >= 2 and len({e for _, e in items}) >= 2
    ]
    assert len(pairs) >= 2
    raws = [e for items in pairs for _, e in items]
    assert any(e != e.strip() for e in raws) or any(e != e.lower() for e in raws)
    # apart from these pairs, a canonical email belongs to one contact
    assert all(len({c for c, _ in items}) == 1 for items in by_canonical.values() if items not in pairs)
    assert org200.edge_cases["email_case_or_space_duplicates"] == len({c for items in pairs for c, _ in items})


def test_contact_emails_and_phones(org200: LeverOrg) -> None:
    contacts = [c for c in org200.contacts.values() if not c["isAnonymized"]]
    assert any(not c["emails"] for c in contacts)
    assert any(len(c["emails"]) >= 2 for c in contacts)
    assert any(len(c["phones"]) >= 2 for c in contacts)
    phones = [p for c in contacts for p in c["phones"]]
    values = [p["value"] for p in phones]
    assert any(re.fullmatch(r"\(\d{3}\) \d{3}-\d{4}", v) for v in values)
    assert any(re.fullmatch(r"\d{3}\.\d{3}\.\d{4}", v) for v in values)
    assert any(v.startswith("+") for v in values)
    assert any(v.startswith("00") for v in values)
    assert any("ext" in v or re.search(r" x\d", v) for v in values)
    assert any("type" not in p for p in phones) and any("type" in p for p in phones)
    assert {p["type"] for p in phones if "type" in p} <= {"mobile", "home", "work", "other", "skype"}
    mixed = [c for c in contacts if len(c["phones"]) >= 2 and len({"type" in p for p in c["phones"]}) == 2]
    assert mixed  # one person, phones with and without type


def test_names_from_many_scripts_and_a_huge_headline(org200: LeverOrg) -> None:
    names = [c["name"] for c in org200.contacts.values()]
    assert any(ARABIC.search(n) for n in names)
    assert any(HEBREW.search(n) for n in names)
    assert any(EMOJI.search(n) for n in names)
    assert sum(not n.isascii() for n in names) >= 10
    assert any(re.search("[\u4e00-\u9fff]", n) for n in names)  # CJK
    assert any(re.search("[\u0400-\u04ff]", n) for n in names)  # Cyrillic
    huge = [c for c in org200.contacts.values() if len(c["headline"].encode()) >= HUGE]
    assert huge
    assert all(isinstance(c["location"], str) for c in org200.contacts.values())


def test_archived_snoozed_and_stage_history(org200: LeverOrg) -> None:
    reasons = {r["id"]: r for r in org200.archive_reasons}
    stage_index = {s["id"]: i for i, s in enumerate(org200.stages)}
    archived = [o for o in org200.opportunities.values() if o["archived"]]
    assert any(reasons[o["archived"]["reason"]]["type"] == "hired" for o in archived)
    assert any(reasons[o["archived"]["reason"]]["type"] == "non-hired" for o in archived)
    snoozed = [o for o in org200.opportunities.values() if o["snoozedUntil"]]
    assert snoozed and all(o["snoozedUntil"] >= FUTURE_2029 and not o["archived"] for o in snoozed)
    for opp in org200.opportunities.values():
        changes = opp["stageChanges"]
        assert changes and opp["stage"] == changes[-1]["toStageId"]  # archived ones keep their last stage
        assert opp["lastAdvancedAt"] == changes[-1]["updatedAt"]
        assert changes[0]["updatedAt"] == opp["createdAt"] < opp["updatedAt"] < ANCHOR_MS
        times = [c["updatedAt"] for c in changes]
        assert times == sorted(times) and len(set(times)) == len(times)
        assert opp["updatedAt"] >= times[-1]
        for change in changes:
            assert change["toStageIndex"] == stage_index[change["toStageId"]]
            assert set(change) == {"toStageId", "toStageIndex", "userId", "updatedAt"}
        if opp["archived"]:
            assert times[-1] < opp["archived"]["archivedAt"] <= opp["updatedAt"]
        if reasons.get((opp["archived"] or {}).get("reason"), {}).get("type") == "hired":
            assert "offer" in [c["toStageId"] for c in changes]
    assert any(
        any(b < a for a, b in itertools.pairwise(idx))
        for idx in ([c["toStageIndex"] for c in o["stageChanges"]] for o in org200.opportunities.values())
    )


def test_anonymized_people(org200: LeverOrg, subs200: dict) -> None:
    anonymized = [c for c in org200.contacts.values() if c["isAnonymized"]]
    assert anonymized
    for contact in anonymized:
        assert contact["name"] == contact["headline"] == contact["location"] == ""
        assert contact["emails"] == contact["phones"] == contact["links"] == []
        opps = [o for o in org200.opportunities.values() if o["contact"] == contact["id"]]
        assert opps and all(o["isAnonymized"] for o in opps)
        for opp in opps:
            view = org200.opportunity_view(opp["id"])
            assert view["name"] == "" and view["emails"] == []
    anon_opps = [o["id"] for o in org200.opportunities.values() if o["isAnonymized"]]
    # notes and feedback are kept on anonymized candidacies
    assert any(subs200[oid]["notes"] for oid in anon_opps)
    assert any(subs200[oid]["feedback"] for oid in anon_opps)
    assert all(not subs200[oid]["resumes"] and not subs200[oid]["files"] for oid in anon_opps)
    assert all(
        not o["isAnonymized"]
        for o in org200.opportunities.values()
        if not org200.contacts[o["contact"]]["isAnonymized"]
    )


def test_data_protection_consent(org200: LeverOrg) -> None:
    protections = [o["dataProtection"] for o in org200.opportunities.values()]
    assert sum(p is None for p in protections) > 0.8 * len(protections)
    given = [p for p in protections if p]
    assert any(p["store"]["expiresAt"] < ANCHOR_MS for p in given)
    assert any(p["store"]["expiresAt"] >= FUTURE_2029 for p in given)
    for p in given:
        assert set(p) == {"store", "contact"} and set(p["store"]) == {"allowed", "expiresAt"}
    # shared by the contact
    by_contact: dict[str, set[str]] = {}
    for opp in org200.opportunities.values():
        by_contact.setdefault(opp["contact"], set()).add(json.dumps(opp["dataProtection"], sort_keys=True))
    assert all(len(v) == 1 for v in by_contact.values())


def test_origins_sources_tags_owners_and_followers(org200: LeverOrg) -> None:
    opps = list(org200.opportunities.values())
    assert {o["origin"] for o in opps} == {"agency", "applied", "internal", "referred", "sourced", "university"}
    all_sources = {s for o in opps for s in o["sources"]}
    assert {"LinkedIn", "Referral", "Posting", "Added manually"} <= all_sources
    postings = {p["id"]: p for p in org200.postings}
    for opp in opps:
        pid = org200.plans[opp["id"]].posting
        if pid:
            cats = postings[pid]["categories"]
            auto = [postings[pid]["text"], cats["department"], cats["team"], cats["location"], cats["commitment"]]
            assert [t for t in auto if t and t in opp["tags"]] == [t for t in auto if t]
            assert opp["opportunityLocation"] == (cats["location"] or "unspecified")
        assert (opp["sourcedBy"] is not None) == (opp["origin"] == "sourced")
    assert any(len(o["tags"]) > 5 for o in opps)  # auto tags plus custom ones
    users = {u["id"]: u for u in org200.users}
    assert all(o["owner"] in users and all(f in users for f in o["followers"]) for o in opps)
    deactivated = {uid for uid, u in users.items() if u["deactivatedAt"]}
    assert any(o["owner"] in deactivated for o in opps)
    assert any(deactivated & set(o["followers"]) for o in opps)


def test_users(org200: LeverOrg) -> None:
    users = org200.users
    assert len(users) >= 8
    assert {u["accessRole"] for u in users} == {
        "super admin",
        "admin",
        "team member",
        "limited team member",
        "interviewer",
    }
    assert any(u["deactivatedAt"] for u in users) and any(u["deactivatedAt"] is None for u in users)
    assert len({u["email"].split("@")[1] for u in users}) == 1
    for user in users:
        assert user["username"] == user["email"].split("@")[0]
        assert user["linkedContactIds"] is None
    for key in ("photo", "externalDirectoryId", "jobTitle", "managerId"):
        assert any(u[key] is None for u in users) and any(u[key] is not None for u in users)


def test_stages_reasons_postings_and_requisitions(org200: LeverOrg) -> None:
    ids = [s["id"] for s in org200.stages]
    builtin = ["lead-new", "lead-reached-out", "lead-responded", "applicant-new"]
    assert ids[:4] == builtin and "offer" in ids
    custom = [s for s in org200.stages if s["id"] not in {*builtin, "offer"}]
    assert {s["text"] for s in custom} >= {"Recruiter screen", "HM Review", "Phone screen", "On-site interview"}
    assert all(uuid.UUID(s["id"]).version == 4 for s in custom)
    reasons = org200.archive_reasons
    assert [r["type"] for r in reasons].count("hired") == 1
    assert next(r for r in reasons if r["type"] == "hired")["text"] == "Hired"
    assert any(r["status"] == "inactive" for r in reasons) and len(reasons) >= 5
    postings = org200.postings
    assert {p["state"] for p in postings} == {"published", "internal", "closed", "draft", "pending", "rejected"}
    for p in postings:
        if p["state"] in ("draft", "internal"):
            assert p["distributionChannels"] is None
        else:
            assert sorted(p["distributionChannels"]) == ["internal", "public"]
        assert set(p["categories"]) == {"team", "department", "location", "allLocations", "commitment", "level"}
    for category in ("team", "department", "location", "commitment"):
        assert any(p["categories"][category] for p in postings)
    assert any(len(p["categories"]["allLocations"]) > 1 for p in postings)
    reqs = {r["requisitionCode"]: r for r in org200.requisitions}
    linked = [p for p in postings if p["requisitionCodes"]]
    assert linked
    for p in linked:
        assert p["id"] in reqs[p["requisitionCodes"][0]]["postings"]


def test_feedback_and_form_templates(org200: LeverOrg) -> None:
    templates = org200.feedback_templates
    assert any(t["id"] == "no-feedback" for t in templates)
    types = {f["type"] for t in templates for f in t["fields"]}
    assert types >= {
        "code",
        "currency",
        "date",
        "dropdown",
        "multiple-choice",
        "multiple-select",
        "score-system",
        "score",
        "scorecard",
        "text",
        "textarea",
        "yes-no",
    }
    for t in templates:
        assert [f["type"] for f in t["fields"]].count("score-system") == 1
    form_types = {f["type"] for t in org200.form_templates for f in t["fields"]}
    assert form_types >= {"date", "currency", "yes-no", "dropdown", "text", "multiple-select"}


def test_notes_edge_cases(subs200: dict, org200: LeverOrg) -> None:
    notes = [n for _, n in all_of(subs200, "notes")]
    assert any(n["secret"] for n in notes) and any(not n["secret"] for n in notes)
    assert any(n["fields"][0]["score"] in (1, 2, 3, 4) for n in notes)
    assert any(len(n["fields"]) >= 3 for n in notes)
    assert any(len(f["value"].encode()) >= HUGE for n in notes for f in n["fields"])
    assert any("<script>alert(1)</script>" in n["fields"][0]["value"] and "<" in n["fields"][0]["value"] for n in notes)
    for oid, note in all_of(subs200, "notes"):
        fields = note["fields"]
        assert note["user"] == fields[0]["user"] and note["createdAt"] == fields[0]["createdAt"]
        times = [f["createdAt"] for f in fields]
        assert times == sorted(times) and times[0] >= org200.opportunities[oid]["createdAt"]


def test_feedback_values_have_the_type_of_their_field(subs200: dict) -> None:
    feedback = [f for _, f in all_of(subs200, "feedback")]
    deleted = [f for f in feedback if f["deletedAt"]]
    assert deleted and all(f["deletedAt"] > f["createdAt"] for f in deleted)
    seen_types = set()
    score_kinds = set()
    for form in feedback:
        for field in form["fields"]:
            value = field["value"]
            seen_types.add(field["type"])
            if value is None:
                continue
            options = [o["text"] for o in field.get("options", [])]
            match field["type"]:
                case "score-system":
                    assert value in options
                case "score":
                    score_kinds.add(type(value))
                    assert value in options or value in (1, 2, 3, 4)
                case "dropdown" | "multiple-choice":
                    assert value in options
                case "multiple-select":
                    assert isinstance(value, list) and set(value) <= set(options)
                case "scorecard":
                    assert len(value) == len(field["scores"])
                    assert all(set(v) == {"score", "comment"} and v["score"] in (1, 2, 3, 4) for v in value)
                case "yes-no":
                    assert value in ("yes", "no")
                case "date" | "currency":
                    assert isinstance(value, int)
                case "text" | "textarea" | "code":
                    assert isinstance(value, str)
    assert score_kinds == {str, int}
    assert {"code", "currency", "date", "scorecard", "score", "yes-no", "multiple-select"} <= seen_types


def test_panels_interviews_and_feedback_reference_each_other(subs200: dict, org200: LeverOrg) -> None:
    checked = 0
    for oid, by_kind in subs200.items():
        plan = org200.plans[oid]
        panels, interviews, feedback = by_kind["panels"], by_kind["interviews"], by_kind["feedback"]
        assert len(panels) == plan.panels and len(interviews) == plan.interviews
        panel_ids = {p["id"] for p in panels}
        listed = {iv["id"]: p["id"] for p in panels for iv in p["interviews"]}
        assert {iv["id"]: iv["panel"] for iv in interviews} == listed
        assert all(iv["panel"] in panel_ids and iv["opportunityId"] == oid for iv in interviews)
        by_id = {f["id"]: f for f in feedback}
        for iv in interviews:
            for fid in iv["feedbackForms"]:
                assert by_id[fid]["interview"] == iv["id"] and by_id[fid]["panel"] == iv["panel"]
                assert by_id[fid]["createdAt"] >= iv["date"]
                checked += 1
        for form in feedback:
            if form["interview"]:
                iv = next(i for i in interviews if i["id"] == form["interview"])
                assert form["id"] in iv["feedbackForms"] and form["user"] in [x["id"] for x in iv["interviewers"]]
        for panel in panels:
            assert panel["applications"] == org200.opportunities[oid]["applications"]
    assert checked > 20


def test_offers_referrals_forms_and_applications(subs200: dict, org200: LeverOrg) -> None:
    reasons = {r["id"]: r["type"] for r in org200.archive_reasons}
    statuses = set()
    for oid, by_kind in subs200.items():
        opp = org200.opportunities[oid]
        reached_offer = "offer" in [c["toStageId"] for c in opp["stageChanges"]]
        hired = bool(opp["archived"]) and reasons[opp["archived"]["reason"]] == "hired"
        if by_kind["offers"]:
            assert reached_offer
        if hired:
            assert by_kind["offers"] and by_kind["offers"][-1]["status"] == "signed"
            assert by_kind["offers"][-1]["signedDocument"] and by_kind["offers"][-1]["sentDocument"]
        statuses |= {o["status"] for o in by_kind["offers"]}
        if by_kind["referrals"]:
            assert opp["origin"] == "referred"
        for form in by_kind["forms"]:
            assert form["type"] == "form"
        apps = by_kind["applications"]
        assert [a["id"] for a in apps] == opp["applications"]
        for app in apps:
            assert app["opportunityId"] == app["candidateId"] == oid
            assert app["posting"] == org200.plans[oid].posting
            assert app["type"] in ("posting", "user", "referral")
    assert "signed" in statuses and len(statuses) >= 4
    assert {a["type"] for _, a in all_of(subs200, "applications")} == {"posting", "user", "referral"}
    assert any(subs200[oid]["referrals"] for oid in subs200)
    assert any(subs200[oid]["forms"] for oid in subs200)


def test_resumes_and_files(subs200: dict) -> None:
    resumes = [r for _, r in all_of(subs200, "resumes")]
    files = [f for _, f in all_of(subs200, "files")]
    assert any(r["file"]["status"] == "error" for r in resumes)
    assert any(f["status"] == "error" for f in files)
    for resume in resumes:
        assert not resume["file"]["ext"].startswith(".")
        assert ("parsedData" in resume) == (resume["file"]["status"] != "error")
    for file in files:
        assert file["ext"].startswith(".") and file["name"].endswith(file["ext"])
        assert isinstance(file["uploadedAt"], int) and isinstance(file["size"], int)
    assert len({f["ext"] for f in files}) >= 3


def test_deleted_opportunities(org200: LeverOrg) -> None:
    deleted = org200.deleted_opportunities
    assert len(deleted) >= 2
    users = {u["id"] for u in org200.users}
    view_keys = set(org200.opportunity_view(next(iter(org200.opportunities)))) - {"opportunityLocation"}
    for opp in deleted:
        assert opp["id"] not in org200.opportunities and opp["id"] not in org200.plans
        assert opp["deletedBy"] in users and opp["updatedAt"] < opp["deletedAt"] < ANCHOR_MS
        assert view_keys <= set(opp)
        assert opp["contact"] in org200.contacts
        assert all(materialize(org200, opp["id"], kind) == [] for kind in SUB_RESOURCE_KINDS)


def test_generated_timestamps_are_before_the_anchor(org200: LeverOrg, subs200: dict) -> None:
    future_ok = {"snoozedUntil", "expiresAt", "anticipated_start_date"}

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            if value.get("identifier") == "anticipated_start_date" or "start date" in str(value.get("text")).lower():
                return  # start dates in offers and forms may lie after the org's "now"
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, int) and not isinstance(value, bool) and value > 10**12 and key not in future_ok:
            assert value < ANCHOR_MS, key

    walk([org200.users, org200.postings, org200.requisitions, list(org200.opportunities.values())])
    walk(list(org200.contacts.values()))
    walk(org200.deleted_opportunities)
    walk(subs200)


def test_edge_cases_are_recorded_and_present(org200: LeverOrg) -> None:
    cases = org200.edge_cases
    must = [
        "contacts_with_20_plus_opportunities",
        "contacts_with_10_plus_opportunities",
        "contacts_with_3_plus_opportunities",
        "opportunities_without_posting",
        "confidential_postings",
        "confidential_opportunities",
        "email_case_or_space_duplicates",
        "contacts_without_email",
        "contacts_multiple_emails",
        "contacts_multiple_phones",
        "rtl_names",
        "emoji_names",
        "unicode_names",
        "huge_headlines",
        "huge_notes",
        "html_script_notes",
        "archived_hired",
        "archived_not_hired",
        "snoozed",
        "anonymized_opportunities",
        "consent_expired",
        "consent_future",
        "notes_secret",
        "notes_scored",
        "notes_threaded",
        "feedback_deleted",
        "resumes_unprocessable",
        "files_unprocessable",
        "users_deactivated",
        "deleted_opportunities",
        "opportunities_owned_by_deactivated_user",
        "opportunities_followed_by_deactivated_user",
        *(f"postings_{s}" for s in ("published", "internal", "closed", "draft", "pending", "rejected")),
    ]
    assert [name for name in must if cases.get(name, 0) < 1] == []
    assert cases["confidential_postings"] >= 2 and cases["email_case_or_space_duplicates"] >= 4
    assert cases == compute_edge_cases(org200)


# ------------------------------------------------------------------------------------------------
# Plans, inventory, sizes
def test_plan_counts_and_flags_are_honoured(org300: LeverOrg) -> None:
    for oid, plan in org300.plans.items():
        subs = {kind: materialize(org300, oid, kind) for kind in SUB_RESOURCE_KINDS}
        for kind in SUB_RESOURCE_KINDS:
            assert len(subs[kind]) == plan.count(kind), (oid, kind)
        notes = subs["notes"]
        assert [n["secret"] for n in notes] == [i < plan.notes_secret for i in range(plan.notes)]
        assert [n["fields"][0]["score"] is not None for n in notes] == [
            i < plan.notes_scored for i in range(plan.notes)
        ]
        assert [len(n["fields"]) > 1 for n in notes] == [i < plan.notes_threaded for i in range(plan.notes)]
        assert [len(n["fields"][0]["value"].encode()) >= HUGE for n in notes] == [
            i < plan.notes_huge for i in range(plan.notes)
        ]
        assert ["<script>" in n["fields"][0]["value"] for n in notes] == [
            i < plan.notes_html for i in range(plan.notes)
        ]
        assert [f["deletedAt"] is not None for f in subs["feedback"]] == [
            i < plan.feedback_deleted for i in range(plan.feedback)
        ]
        assert [r["file"]["status"] == "error" for r in subs["resumes"]] == [
            i < plan.resumes_unprocessable for i in range(plan.resumes)
        ]
        assert [f["status"] == "error" for f in subs["files"]] == [
            i < plan.files_unprocessable for i in range(plan.files)
        ]


def test_inventory_matches_what_materializing_everything_counts(org300: LeverOrg) -> None:
    inv = inventory(org300)
    objects = inv["objects"]
    assert inv["seed"] == 7
    for kind in SUB_RESOURCE_KINDS:
        total = conf = 0
        for oid, opp in org300.opportunities.items():
            n = len(org300.sub_resources(oid, kind))
            total += n
            conf += n if opp["confidentiality"] == "confidential" else 0
        assert objects[kind] == {"total": total, "confidential": conf, "non_confidential": total - conf}, kind
    assert objects["opportunities"]["total"] == len(org300.opportunities)
    assert objects["opportunities"]["confidential"] == sum(
        o["confidentiality"] == "confidential" for o in org300.opportunities.values()
    )
    assert objects["opportunities_deleted"]["total"] == len(org300.deleted_opportunities)
    assert objects["contacts"] == {"total": 300, "confidential": 0, "non_confidential": 300}
    assert objects["users"]["total"] == len(org300.users)  # deactivated ones included
    assert objects["postings"]["confidential"] == sum(p["confidentiality"] == "confidential" for p in org300.postings)
    assert objects["sources"]["total"] == len({s for o in org300.opportunities.values() for s in o["sources"]})
    assert objects["tags"]["total"] == len({t for o in org300.opportunities.values() for t in o["tags"]})
    assert inv["edge_cases"] == org300.edge_cases
    json.dumps(inv)


def test_inventory_follows_mutations(org300: LeverOrg) -> None:
    org = generate_org(seed=7, contacts=300)
    oid = next(o for o, opp in org.opportunities.items() if opp["confidentiality"] == "confidential")
    before = inventory(org)
    org.added[(oid, "notes")] = [{"id": "n1", "secret": True}, {"id": "n2", "secret": False}]
    org.plans[oid].files += 1
    after = inventory(org)
    assert after["objects"]["notes"]["total"] == before["objects"]["notes"]["total"] + 2
    assert after["objects"]["notes"]["confidential"] == before["objects"]["notes"]["confidential"] + 2
    assert after["objects"]["files"]["total"] == before["objects"]["files"]["total"] + 1
    assert after["edge_cases"]["notes_secret"] == before["edge_cases"]["notes_secret"] + 1
    del org.opportunities[oid]
    assert inventory(org)["objects"]["opportunities"]["total"] == before["objects"]["opportunities"]["total"] - 1


def test_sources_and_tags_lists(org300: LeverOrg) -> None:
    for listing, key in ((sources(org300), "sources"), (tags(org300), "tags")):
        expected = Counter(t for o in org300.opportunities.values() for t in set(o[key]))
        assert {item["text"]: item["count"] for item in listing} == dict(expected)
        assert all(list(item) == ["count", "text"] for item in listing)


@pytest.mark.parametrize("contacts", [10, 1000])
def test_small_and_larger_sizes(contacts: int) -> None:
    org = generate_org(seed=1, contacts=contacts)
    assert len(org.contacts) == contacts
    assert len(org.opportunities) >= contacts
    assert set(org.plans) == set(org.opportunities)
    for opp in org.opportunities.values():
        assert set(CONTACT_FIELDS).isdisjoint(opp)
    cases = org.edge_cases
    assert [name for name, count in cases.items() if count == 0] == []  # every edge case, even at 10 contacts
    sample = list(org.opportunities)[:: max(1, len(org.opportunities) // 50)]
    for oid in sample:
        for kind in SUB_RESOURCE_KINDS:
            assert len(materialize(org, oid, kind)) == org.plans[oid].count(kind)


def test_rejects_too_few_contacts() -> None:
    with pytest.raises(ValueError):
        generate_org(seed=1, contacts=3)


def test_generated_objects_do_not_move_when_the_org_grows() -> None:
    org = generate_org(seed=9, contacts=60)
    sample = list(org.opportunities)[:15]
    before = {oid: {k: materialize(org, oid, k) for k in SUB_RESOURCE_KINDS} for oid in sample}
    org.users.append({**org.users[0], "id": "new-user", "email": "new@northwind.example"})
    org.postings.append({**org.postings[0], "id": "new-posting"})
    org.feedback_templates.append({**org.feedback_templates[1], "id": "new-template"})
    org.deleted_opportunities.append({**org.deleted_opportunities[0], "id": "newly-deleted"})
    after = {oid: {k: materialize(org, oid, k) for k in SUB_RESOURCE_KINDS} for oid in sample}
    assert after == before
    # a renamed user shows up under the new name (lookups are live)
    interviewer = next(
        (i["id"] for oid in sample for iv in before[oid]["interviews"] for i in iv["interviewers"]), None
    )
    assert interviewer is not None
    position = next(i for i, u in enumerate(org.users) if u["id"] == interviewer)
    org.users[position] = {**org.users[position], "name": "Renamed Person"}
    names = {
        i["name"]
        for oid in sample
        for iv in materialize(org, oid, "interviews")
        for i in iv["interviewers"]
        if i["id"] == interviewer
    }
    assert names == {"Renamed Person"}


# ------------------------------------------------------------------------------------------------
# Documents
def test_document_bytes_match_sizes_and_errors(org200: LeverOrg, subs200: dict) -> None:
    seen = Counter()
    for oid, resume in all_of(subs200, "resumes"):
        content = document_bytes(org200, oid, "resumes", resume["id"])
        if resume["file"]["status"] == "error":
            assert content is None
            seen["error"] += 1
        else:
            assert len(content) == resume["file"]["size"]
            assert content.startswith(b"%PDF-") if resume["file"]["ext"] == "pdf" else content.startswith(b"PK")
            seen[resume["file"]["ext"]] += 1
    for oid, file in all_of(subs200, "files"):
        content = document_bytes(org200, oid, "files", file["id"])
        if file["status"] == "error":
            assert content is None
            continue
        assert len(content) == file["size"]
        seen[file["ext"]] += 1
        if file["ext"] == ".pdf":
            assert content.startswith(b"%PDF-1.4") and content.rstrip().endswith(b"%%EOF")
        elif file["ext"] == ".docx":
            names = zipfile.ZipFile(io.BytesIO(content)).namelist()
            assert "word/document.xml" in names
        elif file["ext"] == ".png":
            assert content.startswith(b"\x89PNG")
    for oid, offer in all_of(subs200, "offers"):
        content = document_bytes(org200, oid, "offers", offer["id"])
        assert (content is not None) == (offer["sentDocument"] is not None)
    assert seen["error"] and seen["pdf"] and seen[".pdf"] and seen[".docx"]
    oid, resume = next((o, r) for o, r in all_of(subs200, "resumes") if r["file"]["status"] != "error")
    assert document_bytes(org200, oid, "resumes", resume["id"]) == document_bytes(org200, oid, "resumes", resume["id"])
    assert document_bytes(org200, oid, "resumes", "no-such-id") is None
    with pytest.raises(KeyError):
        document_bytes(org200, oid, "notes", resume["id"])


def test_pdf_xref_offsets_are_valid(org200: LeverOrg, subs200: dict) -> None:
    oid, resume = next(
        (o, r) for o, r in all_of(subs200, "resumes") if r["file"]["ext"] == "pdf" and r["file"]["status"] != "error"
    )
    pdf = document_bytes(org200, oid, "resumes", resume["id"])
    startxref = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[startxref:].startswith(b"xref")
    entries = pdf[startxref:].split(b"\n")[3:9]
    for number, entry in enumerate(entries, 1):
        offset = int(entry[:10])
        assert pdf[offset:].startswith(b"%d 0 obj" % number)


# ------------------------------------------------------------------------------------------------
# Opportunities the generator did not make
def test_runtime_created_opportunity_materializes() -> None:
    org = generate_org(seed=3, contacts=30)
    posting = next(p for p in org.postings if p["state"] == "published")
    contact = next(iter(org.contacts.values()))
    record = {
        "id": "11111111-2222-4333-8444-555555555555",
        "contact": contact["id"],
        "stage": "lead-new",
        "confidentiality": posting["confidentiality"],
        "archived": None,
        "tags": [posting["text"]],
        "sources": [],
        "stageChanges": [
            {"toStageId": "lead-new", "toStageIndex": 0, "userId": org.users[0]["id"], "updatedAt": ANCHOR_MS + 5}
        ],
        "origin": "sourced",
        "sourcedBy": None,
        "owner": None,
        "followers": [],
        "applications": [],
        "createdAt": ANCHOR_MS + 5,
        "updatedAt": ANCHOR_MS + 5,
        "opportunityLocation": posting["categories"]["location"] or "unspecified",
        "isAnonymized": False,
        "dataProtection": None,
    }
    org.opportunities[record["id"]] = record
    org.plans[record["id"]] = OpportunityPlan(applications=1)  # no `posting`: found from tags + location
    apps = org.sub_resources(record["id"], "applications")
    assert len(apps) == 1 and apps[0]["posting"] == posting["id"]
    record["applications"] = [apps[0]["id"]]
    assert org.sub_resources(record["id"], "applications") == apps
    org.plans[record["id"]] = OpportunityPlan(applications=1, posting=posting["id"], notes=2, feedback=1, files=1)
    for kind in SUB_RESOURCE_KINDS:
        assert len(org.sub_resources(record["id"], kind)) == org.plans[record["id"]].count(kind)
    assert org.sub_resources(record["id"], "applications")[0]["id"] == apps[0]["id"]
    # a bare plan (no posting) and a contact that no longer exists
    record2 = {**record, "id": "21111111-2222-4333-8444-555555555555", "contact": "gone", "applications": []}
    del record2["opportunityLocation"]
    org.opportunities[record2["id"]] = record2
    org.plans[record2["id"]] = OpportunityPlan(notes=1, resumes=1)
    notes = materialize(org, record2["id"], "notes")
    resumes = materialize(org, record2["id"], "resumes")
    assert len(notes) == 1 and len(resumes) == 1
    assert len(document_bytes(org, record2["id"], "resumes", resumes[0]["id"])) == resumes[0]["file"]["size"]
    assert materialize(org, "unknown-opportunity", "notes") == []
    with pytest.raises(KeyError):
        materialize(org, record2["id"], "emails")


# ------------------------------------------------------------------------------------------------
# Shapes: the keys of lever-api.md §5 example payloads (legacy keys of §10 row 7 left out) must all
# be present, with the value types the reference gives.


def test_shapes_match_the_reference_examples(org200: LeverOrg, subs200: dict) -> None:
    assert not (OPPORTUNITY_KEYS | APPLICATION_KEYS) & LEGACY
    with_posting = next(o for o in org200.opportunities if org200.opportunities[o]["applications"])
    for oid in (with_posting, *list(org200.opportunities)[:50]):
        view = org200.opportunity_view(oid)
        assert set(view) >= OPPORTUNITY_KEYS and not LEGACY & set(view)
        assert isinstance(view["location"], str) and isinstance(view["archived"], dict | None)
        assert set(view["urls"]) == {"list", "show"}
        assert all(isinstance(view[k], int) for k in ("createdAt", "updatedAt", "lastInteractionAt", "lastAdvancedAt"))
        assert isinstance(view["applications"], list) and len(view["applications"]) <= 1
    assert "opportunityLocation" in org200.opportunity_view(with_posting)
    for contact in org200.contacts.values():
        assert set(contact) >= CONTACT_KEYS and isinstance(contact["emails"], list)
    for user in org200.users:
        assert set(user) == USER_KEYS
    for posting in org200.postings:
        assert set(posting) >= POSTING_KEYS
        assert set(posting["content"]) >= {"description", "descriptionHtml", "lists", "closing", "closingHtml"}
        assert set(posting["urls"]) == {"list", "show", "apply"}
        assert posting["salaryRange"] is None or set(posting["salaryRange"]) == {"max", "min", "currency", "interval"}
    for req in org200.requisitions:
        assert set(req) >= REQUISITION_KEYS
    for stage in org200.stages:
        assert set(stage) == {"id", "text"}
    for reason in org200.archive_reasons:
        assert set(reason) == {"id", "text", "status", "type"}
    for template in org200.feedback_templates:
        assert set(template) >= FEEDBACK_TEMPLATE_KEYS
        assert all(set(f) >= TEMPLATE_FIELD_KEYS and "value" not in f for f in template["fields"])
    checks = {
        "applications": APPLICATION_KEYS,
        "notes": NOTE_KEYS,
        "feedback": FEEDBACK_KEYS,
        "interviews": INTERVIEW_KEYS,
        "panels": PANEL_KEYS,
        "offers": OFFER_KEYS,
        "resumes": RESUME_KEYS,
        "files": FILE_KEYS,
        "forms": FORM_KEYS,
        "referrals": REFERRAL_KEYS - {"referrer"},  # absent on manually entered referrals
    }
    for kind, keys in checks.items():
        objects = [obj for _, obj in all_of(subs200, kind)]
        assert objects, kind
        for obj in objects:
            missing = keys - set(obj)
            if kind == "resumes" and obj["file"]["status"] == "error":
                missing -= {"parsedData"}
            assert not missing, (kind, missing)
            assert isinstance(obj["id"], str)
    assert any("referrer" in r for _, r in all_of(subs200, "referrals"))
    for _, note in all_of(subs200, "notes"):
        assert all(set(f) == NOTE_FIELD_KEYS and f["type"] == "note" for f in note["fields"])
    for _, panel in all_of(subs200, "panels"):
        assert all(set(iv) == PANEL_INTERVIEW_KEYS for iv in panel["interviews"])
    for _, interview in all_of(subs200, "interviews"):
        assert all({"id", "name", "email", "feedbackTemplate"} <= set(i) for i in interview["interviewers"])
    for _, resume in all_of(subs200, "resumes"):
        assert set(resume["file"]) == RESUME_FILE_KEYS
        for position in resume.get("parsedData", {}).get("positions", []):
            assert set(position) == {"org", "title", "summary", "location", "start", "end"}
    for _, offer in all_of(subs200, "offers"):
        assert all(set(f) == {"text", "identifier", "value"} for f in offer["fields"])
        for doc in (offer["sentDocument"], offer["signedDocument"]):
            assert doc is None or set(doc) == {"fileName", "uploadedAt", "downloadUrl"}
    for _, file in all_of(subs200, "files"):
        assert isinstance(file["size"], int) and isinstance(file["uploadedAt"], int)
