"""Every endpoint's envelope and field shapes, against the example payloads of the Lever reference
(`shared/reference/lever-api.md` §5; real-2026 shapes where the docs and recorded traffic differ)."""

from __future__ import annotations

from typing import Any

import pytest

from migration_pipeline_tests.conftest import RunningLever
from migration_pipeline_tests.sandbox.lever_reference_shapes import (
    APPLICATION_KEYS,
    CONTACT_KEYS,
    FEEDBACK_KEYS,
    FEEDBACK_TEMPLATE_KEYS,
    FILE_KEYS,
    FORM_KEYS,
    INTERVIEW_KEYS,
    LEGACY,
    NOTE_KEYS,
    OFFER_KEYS,
    OPPORTUNITY_KEYS,
    PANEL_KEYS,
    POSTING_KEYS,
    REFERRAL_KEYS,
    REQUISITION_KEYS,
    RESUME_FILE_KEYS,
    RESUME_KEYS,
    USER_KEYS,
)

# resumes in status "error" have no parsedData
SERVED_RESUME_KEYS = RESUME_KEYS - {"parsedData"}
SUB_RESOURCE_KEYS = {
    "applications": APPLICATION_KEYS,
    "notes": NOTE_KEYS,
    "feedback": FEEDBACK_KEYS,
    "forms": FORM_KEYS,
    "interviews": INTERVIEW_KEYS,
    "panels": PANEL_KEYS,
    "offers": OFFER_KEYS,
    "referrals": REFERRAL_KEYS,
    "resumes": SERVED_RESUME_KEYS,
    "files": FILE_KEYS,
}


def _is_ms(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 10**12


def _assert_list_envelope(body: dict[str, Any]) -> None:
    assert isinstance(body["data"], list)
    assert isinstance(body["hasNext"], bool)
    assert ("next" in body) == body["hasNext"]


def _first_with(lever: RunningLever, kind: str) -> tuple[str, list[dict[str, Any]]]:
    """An opportunity (non-confidential) that has at least one `kind`, and its served list."""
    for opp_id, plan in lever.org.plans.items():
        if plan.count(kind) and lever.org.opportunities[opp_id]["confidentiality"] == "non-confidential":
            body = lever.get(f"/opportunities/{opp_id}/{kind}").json()
            _assert_list_envelope(body)
            return opp_id, body["data"]
    raise AssertionError(f"the generated org has no {kind}")


def test_opportunity_shape_matches_reference(lever: RunningLever) -> None:
    body = lever.get("/opportunities", limit=50).json()
    _assert_list_envelope(body)
    for opp in body["data"]:
        assert set(opp) >= OPPORTUNITY_KEYS, OPPORTUNITY_KEYS - set(opp)
        assert not LEGACY & set(opp)  # legacy keys gone in 2026
        assert _is_ms(opp["createdAt"]) and _is_ms(opp["updatedAt"])
        assert isinstance(opp["emails"], list) and isinstance(opp["phones"], list)
        assert isinstance(opp["location"], str)
        assert opp["archived"] is None or set(opp["archived"]) == {"reason", "archivedAt"}
        assert len(opp["applications"]) <= 1
        assert ("opportunityLocation" in opp) == bool(opp["applications"])
        for change in opp["stageChanges"]:
            assert set(change) == {"toStageId", "toStageIndex", "userId", "updatedAt"}
        assert opp["stage"] == opp["stageChanges"][-1]["toStageId"]


def test_get_opportunity_by_id_wraps_in_data(lever: RunningLever) -> None:
    opp_id = next(iter(o for o in lever.org.opportunities.values() if o["confidentiality"] == "non-confidential"))["id"]
    body = lever.get(f"/opportunities/{opp_id}").json()
    assert set(body) == {"data"}
    assert body["data"]["id"] == opp_id
    assert lever.get(f"/candidates/{opp_id}").json() == body  # the deprecated alias answers the same


def test_deprecated_candidates_list_answers_like_opportunities(lever: RunningLever) -> None:
    # third-party clients (tap-lever) still list /candidates
    assert lever.get("/candidates", limit=20).json() == lever.get("/opportunities", limit=20).json()


def test_contact_shape(lever: RunningLever) -> None:
    contact_id = next(c for c in lever.org.contacts.values() if c["location"])["id"]
    data = lever.get(f"/contacts/{contact_id}").json()["data"]
    assert set(data) >= CONTACT_KEYS
    assert set(data["location"]) == {"name"}  # an object here, a string on opportunities


@pytest.mark.parametrize(
    "path,keys",
    [
        ("/users", USER_KEYS),
        ("/postings", POSTING_KEYS),
        ("/requisitions", REQUISITION_KEYS),
        ("/stages", {"id", "text"}),
        ("/archive_reasons", {"id", "text", "status", "type"}),
        ("/sources", {"text", "count"}),
        ("/tags", {"text", "count"}),
        ("/feedback_templates", FEEDBACK_TEMPLATE_KEYS),
    ],
)
def test_reference_list_shapes(lever: RunningLever, path: str, keys: set[str]) -> None:
    body = lever.get(path).json()
    _assert_list_envelope(body)
    assert body["data"], f"{path} is empty"
    for item in body["data"]:
        assert keys <= set(item), (path, keys - set(item))


def test_builtin_stage_ids_are_strings_not_uuids(lever: RunningLever) -> None:
    ids = {s["id"] for s in lever.get("/stages").json()["data"]}
    assert {"lead-new", "lead-reached-out", "lead-responded", "applicant-new", "offer"} <= ids


def test_archive_reasons_type_filter_returns_array(lever: RunningLever) -> None:
    hired = lever.get("/archive_reasons", type="hired").json()["data"]
    assert isinstance(hired, list) and hired and all(r["type"] == "hired" for r in hired)


def test_disposition_stages_shape(lever: RunningLever) -> None:
    data = lever.get("/disposition_stages").json()["data"]
    assert set(data) == {"stages", "archiveReasons"}
    assert set(data["stages"][0]) == {"id", "text", "pipeline", "rank", "hasInterview"}


@pytest.mark.parametrize("kind", sorted(SUB_RESOURCE_KEYS))
def test_sub_resource_shapes(lever: RunningLever, kind: str) -> None:
    opp_id, items = _first_with(lever, kind)
    assert items
    for item in items:
        assert SUB_RESOURCE_KEYS[kind] <= set(item), (kind, SUB_RESOURCE_KEYS[kind] - set(item))
    one = lever.get(f"/opportunities/{opp_id}/{kind}/{items[0]['id']}").json()
    assert one == {"data": items[0]}
    assert lever.get(f"/candidates/{opp_id}/{kind}").json()["data"] == items


def test_resume_and_file_extension_spelling(lever: RunningLever) -> None:
    _, resumes = _first_with(lever, "resumes")
    _, files = _first_with(lever, "files")
    assert set(resumes[0]["file"]) >= RESUME_FILE_KEYS
    assert not resumes[0]["file"]["ext"].startswith(".")  # "pdf"
    assert files[0]["ext"].startswith(".")  # ".pdf"
    assert _is_ms(files[0]["uploadedAt"]) and isinstance(files[0]["size"], int)


def test_feedback_carries_soft_deleted_forms(lever: RunningLever) -> None:
    for opp_id, plan in lever.org.plans.items():
        if plan.feedback_deleted and lever.org.opportunities[opp_id]["confidentiality"] == "non-confidential":
            items = lever.get(f"/opportunities/{opp_id}/feedback").json()["data"]
            deleted = [f for f in items if f["deletedAt"] is not None]
            assert len(deleted) == plan.feedback_deleted
            one = lever.get(f"/opportunities/{opp_id}/feedback/{deleted[0]['id']}")
            assert one.status_code == 200 and _is_ms(one.json()["data"]["deletedAt"])
            return
    raise AssertionError("no soft-deleted feedback generated")


@pytest.mark.parametrize("kind", ["resumes", "files"])
def test_download_of_unprocessable_file_answers_422(lever: RunningLever, kind: str) -> None:
    flag = f"{kind}_unprocessable"
    for opp_id, plan in lever.org.plans.items():
        if getattr(plan, flag) and lever.org.opportunities[opp_id]["confidentiality"] == "non-confidential":
            items = lever.get(f"/opportunities/{opp_id}/{kind}").json()["data"]
            for item in items:
                status = (item["file"] if kind == "resumes" else item)["status"]
                response = lever.get(f"/opportunities/{opp_id}/{kind}/{item['id']}/download")
                if status == "error":
                    assert response.status_code == 422
                    assert set(response.json()) == {"code", "message"}
                else:
                    assert response.status_code == 200
                    size = (item["file"] if kind == "resumes" else item)["size"]
                    assert len(response.content) == size
                    assert "attachment" in response.headers["content-disposition"]
            return
    raise AssertionError(f"no unprocessable {kind} generated")


def test_offer_document_downloads(lever: RunningLever) -> None:
    opp_id, offers = _first_with(lever, "offers")
    offer = offers[0]
    response = lever.get(f"/opportunities/{opp_id}/offers/{offer['id']}/download")
    assert response.status_code == 200 and response.content


def test_unknown_path_and_unknown_id_answer_lever_errors(lever: RunningLever) -> None:
    missing = lever.get("/opportunities/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404
    assert missing.json()["code"] == "ResourceNotFound"
    assert lever.get("/no_such_endpoint").status_code == 404
    assert set(lever.get("/no_such_endpoint").json()) == {"code", "message"}


def test_download_of_a_file_with_a_unicode_name(lever: RunningLever) -> None:
    for opp_id, plan in lever.org.plans.items():
        if not plan.resumes or lever.org.opportunities[opp_id]["confidentiality"] != "non-confidential":
            continue
        for resume in lever.org.sub_resources(opp_id, "resumes"):
            name = resume["file"]["name"]
            if resume["file"]["status"] != "error" and not name.isascii():
                response = lever.get(f"/opportunities/{opp_id}/resumes/{resume['id']}/download")
                assert response.status_code == 200 and len(response.content) == resume["file"]["size"]
                assert "filename*=UTF-8''" in response.headers["content-disposition"]
                return
    raise AssertionError("no resume with a non-ASCII file name generated")
