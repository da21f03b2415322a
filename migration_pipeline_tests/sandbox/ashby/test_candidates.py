"""Ashby sandbox: candidate.create/update/info/search/list/anonymize over HTTP, against the reference shapes."""

from __future__ import annotations

import re
from typing import Any

import pytest

from migration_pipeline.sandbox.ashby.state import iso, new_id
from migration_pipeline_tests.conftest import ASHBY_NO_CONFIDENTIAL_KEY, ASHBY_READ_ONLY_KEY, RunningAshby
from migration_pipeline_tests.conftest import walk_to_sync_token as walk

ISO_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
# §8.1 candidate.create with {"name"} only: exactly these keys (unset optional ones omitted).
CREATE_KEYS = {"id", "createdAt", "updatedAt", "name", "emailAddresses", "phoneNumbers", "socialLinks", "tags",
               "applicationIds", "fileHandles", "customFields", "profileUrl", "source", "creditedToUser", "timezone",
               "fraudStatus"}  # fmt: skip
# §8.1 candidate.info, plus `location` (§8.2) when one was given.
FULL_KEYS = CREATE_KEYS | {"primaryEmailAddress", "primaryPhoneNumber", "location"}
CONTACT_KEYS = {"value", "type", "isPrimary"}
MISSING_ID = "00000000-0000-4000-8000-000000000000"


# ---- helpers (also used by the other candidate-area test files) --------------------------------------


def create(ashby: RunningAshby, name: str = "Ada Lovelace", **fields: Any) -> dict:
    return ashby.results("candidate.create", {"name": name, **fields})


def first(ashby: RunningAshby, kind: str) -> dict:
    return min(ashby.state[kind].values(), key=lambda o: o["_seq"])


def add_application(ashby: RunningAshby, cand_id: str, *, confidential: bool, status: str = "Active") -> str:
    """Seed a job (confidential or not) and an application of the candidate to it, directly in the state."""
    state = ashby.state
    job = state.add("jobs", {"id": new_id(), "title": "Secret role", "_confidential": confidential})
    cand = state["candidates"][cand_id]
    app = state.add(
        "applications",
        {
            "id": new_id(),
            "createdAt": iso(),
            "updatedAt": iso(),
            "candidate": {"id": cand_id, "name": cand["name"]},
            "status": status,
            "job": {"id": job["id"], "title": job["title"]},
        },
    )
    cand["applicationIds"].append(app["id"])
    return app["id"]


# ---- candidate.create -------------------------------------------------------------------------------


def test_create_with_name_only_matches_the_recorded_shape(ashby):
    cand = create(ashby, "Test User 1")
    assert set(cand) == CREATE_KEYS
    assert cand["name"] == "Test User 1"
    for key in ("emailAddresses", "phoneNumbers", "socialLinks", "tags", "applicationIds", "fileHandles",
                "customFields"):  # fmt: skip
        assert cand[key] == []
    for key in ("source", "creditedToUser", "timezone", "fraudStatus"):
        assert cand[key] is None
    assert ISO_RE.match(cand["createdAt"]) and cand["createdAt"] == cand["updatedAt"]
    assert cand["profileUrl"] == f"https://app.ashbyhq.com/candidate-searches/new/right-side/candidates/{cand['id']}"


def test_create_envelope(ashby):
    payload = ashby.call("candidate.create", {"name": "Envelope"}).json()
    assert set(payload) == {"success", "results"}
    assert payload["success"] is True


def test_create_with_every_field(ashby):
    source, user = first(ashby, "sources"), first(ashby, "users")
    cand = create(
        ashby,
        email="ada@example.com",
        phoneNumber="+15550001",
        alternateEmailAddresses=["ada@work.example", "ADA@example.com"],
        linkedInUrl="https://linkedin.com/in/ada",
        githubUrl="https://github.com/ada",
        website="ada.example.org",
        sourceId=source["id"],
        creditedToUserId=user["id"],
        location={"city": "London", "region": "England", "country": "United Kingdom"},
        createdAt="2021-03-04T05:06:07Z",
    )
    assert set(cand) == FULL_KEYS
    assert cand["primaryEmailAddress"] == {"value": "ada@example.com", "type": "Personal", "isPrimary": True}
    assert cand["emailAddresses"] == [
        {"value": "ada@example.com", "type": "Personal", "isPrimary": True},
        {"value": "ada@work.example", "type": "Personal", "isPrimary": False},
    ]
    assert cand["primaryPhoneNumber"] == {"value": "+15550001", "type": "Personal", "isPrimary": True}
    assert cand["phoneNumbers"] == [cand["primaryPhoneNumber"]]
    assert cand["socialLinks"] == [
        {"type": "LinkedIn", "url": "https://linkedin.com/in/ada"},
        {"type": "GitHub", "url": "https://github.com/ada"},
        {"type": "Website", "url": "ada.example.org"},
    ]
    assert cand["source"]["id"] == source["id"] and set(cand["source"]) == {"id", "title", "isArchived", "sourceType"}
    assert cand["creditedToUser"]["id"] == user["id"] and cand["creditedToUser"]["email"] == user["email"]
    assert set(cand["location"]) == {"id", "locationSummary", "locationComponents"}
    assert cand["location"]["locationSummary"] == "United Kingdom, England, London"
    assert [c["type"] for c in cand["location"]["locationComponents"]] == ["Country", "Region", "City"]
    assert cand["createdAt"] == "2021-03-04T05:06:07.000Z"
    assert cand["updatedAt"] != cand["createdAt"]
    assert ashby.results("candidate.info", {"id": cand["id"]}) == cand


def test_create_requires_a_name(ashby):
    error = ashby.error("candidate.create", {"email": "x@example.com"})
    assert error["code"] == "invalid_input" and "name" in error["message"]


def test_create_rejects_a_blank_name(ashby):
    error = ashby.error("candidate.create", {"name": "   "})
    assert error["code"] == "invalid_input" and "name" in error["message"]


def test_create_rejects_a_non_string_name(ashby):
    assert ashby.error("candidate.create", {"name": 42})["code"] == "invalid_input"


def test_create_rejects_an_invalid_email(ashby):
    error = ashby.error("candidate.create", {"name": "A", "email": "not-an-email"})
    assert error["code"] == "invalid_input" and "email" in error["message"]


def test_create_rejects_an_invalid_alternate_email(ashby):
    error = ashby.error("candidate.create", {"name": "A", "alternateEmailAddresses": ["ok@example.com", "nope"]})
    assert error["code"] == "invalid_input" and "alternateEmailAddresses[1]" in error["message"]


def test_create_alternate_emails_must_be_an_array(ashby):
    error = ashby.error("candidate.create", {"name": "A", "alternateEmailAddresses": "a@example.com"})
    assert error["code"] == "invalid_input" and "alternateEmailAddresses" in error["message"]


@pytest.mark.parametrize("field", ["linkedInUrl", "githubUrl", "website"])
def test_create_rejects_an_invalid_url(ashby, field):
    error = ashby.error("candidate.create", {"name": "A", field: "not a url"})
    assert error["code"] == "invalid_input" and field in error["message"]


@pytest.mark.parametrize("field", ["websiteUrl", "alternateEmail", "socialLinks"])
def test_create_rejects_the_update_only_names(ashby, field):
    error = ashby.error("candidate.create", {"name": "A", field: "https://example.com"})
    assert error["code"] == "invalid_input" and field in error["message"]
    assert ashby.state["candidates"] == {}


def test_create_unknown_source_is_not_found(ashby):
    assert ashby.error("candidate.create", {"name": "A", "sourceId": MISSING_ID})["code"] == "source_not_found"


def test_create_unknown_credited_user_is_not_found(ashby):
    error = ashby.error("candidate.create", {"name": "A", "creditedToUserId": MISSING_ID})
    assert error["code"] == "user_not_found"


def test_create_source_id_must_be_a_uuid(ashby):
    error = ashby.error("candidate.create", {"name": "A", "sourceId": "applied"})
    assert error["code"] == "invalid_input" and "sourceId" in error["message"]


def test_create_created_at_must_be_iso(ashby):
    error = ashby.error("candidate.create", {"name": "A", "createdAt": "last tuesday"})
    assert error["code"] == "invalid_input" and "createdAt" in error["message"]


def test_create_location_parts_must_be_strings(ashby):
    error = ashby.error("candidate.create", {"name": "A", "location": {"city": 5}})
    assert error["code"] == "invalid_input" and "location.city" in error["message"]


def test_create_does_not_deduplicate(ashby):
    one = create(ashby, email="same@example.com")
    two = create(ashby, email="same@example.com")
    assert one["id"] != two["id"]
    assert len(ashby.results("candidate.search", {"email": "same@example.com"})) == 2


# ---- candidate.info ---------------------------------------------------------------------------------


def test_info_by_id(ashby):
    cand = create(ashby, email="i@example.com", phoneNumber="+1555")
    payload = ashby.call("candidate.info", {"id": cand["id"]}).json()
    assert set(payload) == {"success", "results"}
    assert payload["results"] == cand
    assert set(payload["results"]["primaryEmailAddress"]) == CONTACT_KEYS


def test_info_by_external_mapping_id(ashby):
    cand = create(ashby)
    ashby.state["candidates"][cand["id"]]["_externalMappingId"] = "bamboo-17"
    assert ashby.results("candidate.info", {"externalMappingId": "bamboo-17"})["id"] == cand["id"]
    assert ashby.error("candidate.info", {"externalMappingId": "bamboo-18"})["code"] == "candidate_not_found"


def test_info_unknown_id_is_candidate_not_found(ashby):
    assert ashby.error("candidate.info", {"id": MISSING_ID})["code"] == "candidate_not_found"


def test_info_id_must_be_a_uuid(ashby):
    error = ashby.error("candidate.info", {"id": "abc"})
    assert error["code"] == "invalid_input" and "id" in error["message"]


def test_info_needs_id_or_external_mapping_id(ashby):
    assert ashby.error("candidate.info", {})["code"] == "invalid_input"


# ---- candidate.update -------------------------------------------------------------------------------


def test_update_changes_fields_and_touches(ashby):
    cand = create(ashby, email="old@example.com", linkedInUrl="https://linkedin.com/in/old")
    rev = ashby.state["candidates"][cand["id"]]["_rev"]
    updated = ashby.results(
        "candidate.update",
        {
            "candidateId": cand["id"],
            "name": "Ada King",
            "email": "new@example.com",
            "alternateEmail": "alt@example.com",
            "phoneNumber": "+4420",
            "githubUrl": "https://github.com/ada",
            "websiteUrl": "https://ada.example",
            "linkedInUrl": "https://linkedin.com/in/new",
            "location": {"city": "Paris"},
            "createdAt": "2020-01-01T00:00:00.000Z",
            "sendNotifications": False,
        },
    )
    assert updated["name"] == "Ada King"
    assert updated["primaryEmailAddress"]["value"] == "new@example.com"
    assert [(e["value"], e["isPrimary"]) for e in updated["emailAddresses"]] == [
        ("new@example.com", True),
        ("old@example.com", False),
        ("alt@example.com", False),
    ]
    assert updated["primaryPhoneNumber"]["value"] == "+4420"
    assert updated["socialLinks"] == [
        {"type": "LinkedIn", "url": "https://linkedin.com/in/new"},
        {"type": "GitHub", "url": "https://github.com/ada"},
        {"type": "Website", "url": "https://ada.example"},
    ]
    assert updated["location"]["locationSummary"] == "Paris"
    assert updated["createdAt"] == "2020-01-01T00:00:00.000Z"
    assert updated["updatedAt"] >= cand["updatedAt"]
    assert ashby.state["candidates"][cand["id"]]["_rev"] > rev
    assert ashby.results("candidate.info", {"id": cand["id"]}) == updated


def test_update_email_already_known_becomes_primary_without_duplicate(ashby):
    cand = create(ashby, email="a@example.com", alternateEmailAddresses=["b@example.com"])
    updated = ashby.results("candidate.update", {"candidateId": cand["id"], "email": "B@example.com"})
    assert [(e["value"], e["isPrimary"]) for e in updated["emailAddresses"]] == [
        ("a@example.com", False),
        ("b@example.com", True),
    ]


def test_update_social_links_replace_all_and_override_the_url_fields(ashby):
    cand = create(ashby, linkedInUrl="https://linkedin.com/in/a", githubUrl="https://github.com/a")
    updated = ashby.results(
        "candidate.update",
        {
            "candidateId": cand["id"],
            "linkedInUrl": "https://linkedin.com/in/ignored",
            "socialLinks": [{"type": "Twitter", "url": "https://twitter.com/a"}],
        },
    )
    assert updated["socialLinks"] == [{"type": "Twitter", "url": "https://twitter.com/a"}]


def test_update_social_link_type_must_be_known(ashby):
    cand = create(ashby)
    error = ashby.error(
        "candidate.update", {"candidateId": cand["id"], "socialLinks": [{"type": "Myspace", "url": "https://x.io"}]}
    )
    assert error["code"] == "invalid_input" and "socialLinks[0].type" in error["message"]


def test_update_social_link_url_must_be_valid(ashby):
    cand = create(ashby)
    error = ashby.error("candidate.update", {"candidateId": cand["id"], "socialLinks": [{"type": "GitHub"}]})
    assert error["code"] == "invalid_input" and "socialLinks[0].url" in error["message"]


@pytest.mark.parametrize("field", ["website", "alternateEmailAddresses"])
def test_update_rejects_the_create_only_names(ashby, field):
    cand = create(ashby)
    error = ashby.error("candidate.update", {"candidateId": cand["id"], field: "https://a.example"})
    assert error["code"] == "invalid_input" and field in error["message"]


def test_update_requires_candidate_id(ashby):
    error = ashby.error("candidate.update", {"name": "X"})
    assert error["code"] == "invalid_input" and "candidateId" in error["message"]


def test_update_unknown_candidate_is_not_found(ashby):
    assert ashby.error("candidate.update", {"candidateId": MISSING_ID, "name": "X"})["code"] == "candidate_not_found"


def test_update_send_notifications_must_be_boolean(ashby):
    cand = create(ashby)
    error = ashby.error("candidate.update", {"candidateId": cand["id"], "sendNotifications": "yes"})
    assert error["code"] == "invalid_input" and "sendNotifications" in error["message"]


def test_update_invalid_email(ashby):
    cand = create(ashby)
    error = ashby.error("candidate.update", {"candidateId": cand["id"], "alternateEmail": "x"})
    assert error["code"] == "invalid_input" and "alternateEmail" in error["message"]


def test_update_refreshes_the_candidate_embedded_in_applications(ashby):
    cand = create(ashby)
    app_id = add_application(ashby, cand["id"], confidential=False)
    ashby.results("candidate.update", {"candidateId": cand["id"], "name": "Renamed", "email": "r@example.com"})
    embedded = ashby.state["applications"][app_id]["candidate"]
    assert embedded["name"] == "Renamed" and embedded["primaryEmailAddress"]["value"] == "r@example.com"


# ---- candidate.search -------------------------------------------------------------------------------


def test_search_by_email_is_case_insensitive(ashby):
    cand = create(ashby, email="Grace@Example.com")
    create(ashby, "Other", email="other@example.com")
    found = ashby.results("candidate.search", {"email": "grace@example.COM"})
    assert [c["id"] for c in found] == [cand["id"]]
    assert set(found[0]) == CREATE_KEYS | {"primaryEmailAddress"}


def test_search_matches_alternate_emails(ashby):
    cand = create(ashby, alternateEmailAddresses=["alt@example.com"])
    assert [c["id"] for c in ashby.results("candidate.search", {"email": "alt@example.com"})] == [cand["id"]]


def test_search_by_name(ashby):
    grace = create(ashby, "Grace Hopper")
    create(ashby, "Alan Turing")
    assert [c["id"] for c in ashby.results("candidate.search", {"name": "grace hopper"})] == [grace["id"]]


def test_search_combines_email_and_name_with_and(ashby):
    create(ashby, "Grace Hopper", email="g1@example.com")
    target = create(ashby, "Grace Hopper", email="g2@example.com")
    found = ashby.results("candidate.search", {"name": "Grace Hopper", "email": "g2@example.com"})
    assert [c["id"] for c in found] == [target["id"]]
    assert ashby.results("candidate.search", {"name": "Alan", "email": "g2@example.com"}) == []


def test_search_needs_email_or_name(ashby):
    assert ashby.error("candidate.search", {})["code"] == "invalid_input"


def test_search_is_capped_at_100_without_paging(ashby):
    for i in range(101):
        create(ashby, f"Many {i}")
    payload = ashby.call("candidate.search", {"name": "Many"}).json()
    assert set(payload) == {"success", "results"}
    assert len(payload["results"]) == 100


# ---- candidate.list ---------------------------------------------------------------------------------


def test_list_pages_to_the_end(ashby):
    ids = [create(ashby, f"C{i}")["id"] for i in range(7)]
    items, token, pages = walk(ashby, "candidate.list", {}, limit=3)
    assert [c["id"] for c in items] == ids
    assert pages == 3 and token
    assert set(items[0]) == CREATE_KEYS


def test_list_syncs_incrementally(ashby):
    ids = [create(ashby, f"C{i}")["id"] for i in range(4)]
    _, token, _ = walk(ashby, "candidate.list", {}, limit=100)
    ashby.results("candidate.update", {"candidateId": ids[1], "name": "Changed"})
    new = create(ashby, "New")
    page = ashby.call("candidate.list", {"syncToken": token}).json()
    assert [c["id"] for c in page["results"]] == [ids[1], new["id"]]
    assert page["moreDataAvailable"] is False and page["syncToken"]
    again = ashby.call("candidate.list", {"syncToken": page["syncToken"]}).json()
    assert again["results"] == []


def test_list_created_after(ashby):
    create(ashby, "Old", createdAt="2020-01-01T00:00:00Z")
    recent = create(ashby, "Recent", createdAt="2024-06-01T00:00:00Z")
    cutoff = 1_700_000_000_000  # 2023-11-14
    items, _, _ = walk(ashby, "candidate.list", {"createdAfter": cutoff}, limit=100)
    assert [c["id"] for c in items] == [recent["id"]]


def test_list_created_after_must_be_epoch_ms(ashby):
    error = ashby.error("candidate.list", {"createdAfter": "2024-01-01"})
    assert error["code"] == "invalid_input" and "createdAfter" in error["message"]


def test_list_rejects_a_bad_limit(ashby):
    assert ashby.error("candidate.list", {"limit": 101})["code"] == "invalid_input"


# ---- confidential -----------------------------------------------------------------------------------


def test_candidate_only_on_confidential_jobs_is_invisible_without_the_toggle(ashby):
    cand = create(ashby, email="secret@example.com")
    add_application(ashby, cand["id"], confidential=True)
    key = ASHBY_NO_CONFIDENTIAL_KEY
    assert ashby.error("candidate.info", {"id": cand["id"]}, key=key)["code"] == "candidate_not_found"
    assert ashby.results("candidate.search", {"email": "secret@example.com"}, key=key) == []
    assert ashby.results("candidate.list", {}, key=key) == []
    assert ashby.error("candidate.update", {"candidateId": cand["id"], "name": "x"}, key=key)["code"] == (
        "candidate_not_found"
    )
    assert ashby.results("candidate.info", {"id": cand["id"]})["applicationIds"]


def test_confidential_applications_are_left_out_of_application_ids(ashby):
    cand = create(ashby)
    open_app = add_application(ashby, cand["id"], confidential=False)
    add_application(ashby, cand["id"], confidential=True)
    seen = ashby.results("candidate.info", {"id": cand["id"]}, key=ASHBY_NO_CONFIDENTIAL_KEY)
    assert seen["applicationIds"] == [open_app]
    assert len(ashby.results("candidate.info", {"id": cand["id"]})["applicationIds"]) == 2


# ---- candidate.anonymize ----------------------------------------------------------------------------


def test_anonymize_removes_personal_data_and_keeps_the_candidate(ashby):
    cand = create(
        ashby,
        "Jane Doe",
        email="jane@example.com",
        phoneNumber="+1",
        linkedInUrl="https://linkedin.com/in/jane",
        location={"city": "Oslo"},
    )
    app_id = add_application(ashby, cand["id"], confidential=False, status="Archived")
    result = ashby.results("candidate.anonymize", {"candidateId": cand["id"]})
    assert result["id"] == cand["id"] and result["name"] != "Jane Doe"
    assert set(result) == CREATE_KEYS
    assert result["emailAddresses"] == result["phoneNumbers"] == result["socialLinks"] == []
    assert result["applicationIds"] == [app_id]
    assert ashby.results("candidate.info", {"id": cand["id"]}) == result
    assert ashby.results("candidate.search", {"email": "jane@example.com"}) == []
    assert "jane" not in str(ashby.state["applications"][app_id]["candidate"]).lower()


def test_anonymize_needs_every_application_archived_or_hired(ashby):
    cand = create(ashby, email="busy@example.com")
    add_application(ashby, cand["id"], confidential=False, status="Active")
    error = ashby.error("candidate.anonymize", {"candidateId": cand["id"]})
    assert error["code"] == "invalid_input"
    assert ashby.results("candidate.info", {"id": cand["id"]})["primaryEmailAddress"]["value"] == "busy@example.com"


def test_anonymize_unknown_candidate(ashby):
    assert ashby.error("candidate.anonymize", {"candidateId": MISSING_ID})["code"] == "candidate_not_found"


# ---- permissions ------------------------------------------------------------------------------------

READS = [
    ("candidate.info", {"id": MISSING_ID}),
    ("candidate.search", {"email": "a@example.com"}),
    ("candidate.list", {}),
]
WRITES = [
    ("candidate.create", {"name": "A"}),
    ("candidate.update", {"candidateId": MISSING_ID}),
    ("candidate.anonymize", {"candidateId": MISSING_ID}),
]


@pytest.mark.parametrize(("method", "body"), READS)
def test_reads_need_candidates_read(ashby, method, body):
    response = ashby.call(method, body, key=ashby.key_without("candidatesRead"))
    assert response.status_code == 403
    assert response.json()["errorInfo"]["code"] == "missing_endpoint_permission"


@pytest.mark.parametrize(("method", "body"), WRITES)
def test_writes_need_candidates_write(ashby, method, body):
    response = ashby.call(method, body, key=ASHBY_READ_ONLY_KEY)
    assert response.status_code == 403
    assert response.json()["errorInfo"]["code"] == "missing_endpoint_permission"
    assert ashby.state["candidates"] == {}
