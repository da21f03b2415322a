"""Candidates: merge by email, contacts without email, several opportunities, anonymized and consent rules."""

from migration_pipeline.transform.people import build_people, parse_location
from migration_pipeline_tests.transform.conftest import make_context, opportunity

FAR_FUTURE = 4_102_444_800_000  # 2100
PAST = 1_600_000_000_000  # 2020


def test_contacts_whose_emails_differ_in_case_and_spaces_merge_into_one_candidate():
    ctx = make_context()
    a = opportunity("o-a", "c-a", emails=["Jane.Doe@Example.com"], createdAt=1_600_000_000_000)
    b = opportunity("o-b", "c-b", emails=["  jane.doe@example.COM "], createdAt=1_700_000_000_000)
    people = build_people([a, b], ctx)
    assert [c["candidate_key"] for c in people.candidates] == ["c-a"]  # the oldest contact survives
    assert people.candidate_of == {"o-a": "c-a", "o-b": "c-a"}
    assert people.merges == [
        {
            "lever_contact_id": "c-b",
            "candidate_key": "c-a",
            "reason_code": "same_email_variant",
            "reason": "shares an email address that differs only in case or surrounding spaces",
        }
    ]
    assert people.candidates[0]["alternate_emails"] == []  # one address, not two spellings of it


def test_merge_policy_off_keeps_one_candidate_per_contact():
    ctx = make_context(policies={"merge_contacts_by_email": False})
    people = build_people(
        [opportunity("o-a", "c-a", emails=["x@e.com"]), opportunity("o-b", "c-b", emails=["X@e.com"])], ctx
    )
    assert sorted(c["candidate_key"] for c in people.candidates) == ["c-a", "c-b"]
    assert people.merges == []


def test_newest_survivor_policy_keys_the_candidate_on_the_most_recent_contact():
    ctx = make_context(policies={"merge_survivor": "newest"})
    a = opportunity("o-a", "c-a", emails=["x@e.com"], updatedAt=1)
    b = opportunity("o-b", "c-b", emails=["x@e.com"], updatedAt=2)
    assert [c["candidate_key"] for c in build_people([a, b], ctx).candidates] == ["c-b"]


def test_contacts_without_email_are_never_merged():
    ctx = make_context()
    people = build_people([opportunity("o-a", "c-a", emails=[]), opportunity("o-b", "c-b", emails=[])], ctx)
    assert sorted(c["candidate_key"] for c in people.candidates) == ["c-a", "c-b"]
    assert all(c["primary_email"] is None for c in people.candidates)


def test_a_contact_with_several_opportunities_is_one_candidate_with_all_of_them():
    ctx = make_context()
    opps = [opportunity(f"o-{i}", "c-1", createdAt=1_600_000_000_000 + i) for i in range(5)]
    people = build_people(opps, ctx)
    assert len(people.candidates) == 1
    candidate = people.candidates[0]
    assert candidate["lever_opportunity_ids"] == [f"o-{i}" for i in range(5)]
    assert candidate["created_at"] == "2020-09-13T12:26:40.000Z"  # the earliest opportunity


def test_anonymized_contacts_are_skipped_with_their_reason_or_migrated_without_pii():
    anonymous = opportunity("o-x", "c-x", name="", emails=[], isAnonymized=True)
    ctx = make_context()
    assert build_people([anonymous], ctx).candidates == []
    assert [(s.lever_id, s.reason_code) for s in ctx.skipped] == [("o-x", "anonymized")]
    ctx = make_context(policies={"anonymized": "migrate_anonymized"})
    [candidate] = build_people([anonymous], ctx).candidates
    assert candidate["name"].startswith("Anonymized candidate") and candidate["primary_email"] is None


def test_consent_expired_is_skipped_and_future_consent_is_kept_with_its_date():
    expired = opportunity("o-old", "c-old", dataProtection={"store": {"allowed": True, "expiresAt": PAST}})
    future = opportunity("o-new", "c-new", dataProtection={"store": {"allowed": True, "expiresAt": FAR_FUTURE}})
    ctx = make_context()
    people = build_people([expired, future], ctx)
    assert [c["candidate_key"] for c in people.candidates] == ["c-new"]
    assert [s.reason_code for s in ctx.skipped] == ["consent_expired"]
    consent = [v for v in people.field_values if v["field_title"] == "Consent expires"]
    assert consent[0]["value"] == "2100-01-01"
    ctx = make_context(policies={"consent_expired": "migrate"})
    assert len(build_people([expired], ctx).candidates) == 1


def test_phones_become_e164_where_parsable_and_stay_raw_otherwise():
    ctx = make_context()
    opp = opportunity(
        "o-1",
        "c-1",
        phones=[
            {"type": "mobile", "value": "(415) 555-2671"},
            {"value": "0049 30 1234567"},
            {"value": "call me maybe"},
        ],
    )
    [candidate] = build_people([opp], ctx).candidates
    assert [p["e164"] for p in candidate["phones"]] == ["+14155552671", "+49301234567", None]
    assert candidate["phones"][2]["raw"] == "call me maybe"
    assert candidate["primary_phone"] == "+14155552671"


def test_links_are_classified_and_posting_tags_dropped():
    ctx = make_context()
    opp = opportunity(
        "o-1",
        "c-1",
        links=["linkedin.com/in/x", "https://github.com/x", "https://x.dev"],
        tags=["Engineer", "Berlin", "python", "Python"],
    )
    people = build_people([opp], ctx)
    [candidate] = people.candidates
    assert candidate["linkedin_url"] == "https://linkedin.com/in/x"
    assert candidate["github_url"] == "https://github.com/x" and candidate["website"] == "https://x.dev"
    assert [t["tag"] for t in people.tags] == ["python"]  # posting title/location dropped, case duplicates once


def test_unicode_names_survive_untouched():
    ctx = make_context()
    name = "زينب العتيبي 👩🏽‍💻"
    [candidate] = build_people([opportunity("o-1", "c-1", name=name)], ctx).candidates
    assert candidate["name"] == name


def test_free_text_locations_are_split_into_city_region_country():
    assert parse_location("San Francisco, CA") == {"raw": "San Francisco, CA", "city": "San Francisco", "region": "CA"}
    assert parse_location("Berlin, BE, Germany")["country"] == "Germany"
    assert parse_location("  ") is None
