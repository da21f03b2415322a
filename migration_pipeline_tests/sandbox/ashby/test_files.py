"""Ashby sandbox: presigned file uploads (file.createFileUploadHandle + the upload URL), candidate.uploadResume,
candidate.uploadFile and file.info with its download URL, over HTTP."""

from __future__ import annotations

import base64
import json
import time

import pytest
import requests

from migration_pipeline.sandbox.ashby.endpoints import files
from migration_pipeline_tests.conftest import ASHBY_NO_CONFIDENTIAL_KEY, ASHBY_READ_ONLY_KEY, RunningAshby
from migration_pipeline_tests.sandbox.ashby.test_candidates import (
    MISSING_ID,
    add_application,
    create,
)

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 4 + b"\n%%EOF"
FILE_HANDLE_KEYS = {"id", "name", "handle"}


def new_handle(ashby: RunningAshby, context: str = "CandidateResume", content: bytes = PDF, **overrides) -> dict:
    body = {"fileUploadContext": context, "filename": "resume.pdf", "contentType": "application/pdf",
            "contentLength": len(content), **overrides}  # fmt: skip
    return ashby.results("file.createFileUploadHandle", body)


def upload(target: dict, content: bytes = PDF, **field_overrides) -> requests.Response:
    """POST like a client of S3 presigned POSTs: every field, then the file last."""
    fields = {**target["fields"], **field_overrides}
    return requests.post(
        target["url"], data=fields, files={"file": ("resume.pdf", content, "application/pdf")}, timeout=30
    )


def uploaded(ashby: RunningAshby, context: str = "CandidateResume", content: bytes = PDF) -> str:
    target = new_handle(ashby, context, content)
    assert upload(target, content).status_code == 204
    return target["handle"]


# ---- file.createFileUploadHandle --------------------------------------------------------------------


def test_create_upload_handle_shape(ashby):
    payload = ashby.call(
        "file.createFileUploadHandle",
        {"fileUploadContext": "CandidateResume", "filename": "cv.pdf", "contentType": "application/pdf",
         "contentLength": 10},
    ).json()  # fmt: skip
    assert set(payload) == {"success", "results"}
    result = payload["results"]
    assert set(result) == {"handle", "url", "fields"}
    assert result["url"].startswith(ashby.root + "/__uploads/")
    assert isinstance(result["fields"], dict) and result["fields"]["Content-Type"] == "application/pdf"
    # base64url JSON {"handle": {"type", "fileId", "ownerId"}, "signature", "version": "1"}, as recorded
    assert result["handle"].startswith("eyJoYW5kbGUiOnsidHlwZSI6IlJlc3VtZUZpbGUi")
    decoded = json.loads(base64.urlsafe_b64decode(result["handle"] + "=" * (-len(result["handle"]) % 4)))
    assert set(decoded) == {"handle", "signature", "version"} and decoded["version"] == "1"
    assert set(decoded["handle"]) == {"type", "fileId", "ownerId"} and decoded["handle"]["type"] == "ResumeFile"


def test_create_upload_handle_context_must_be_known(ashby):
    error = ashby.error(
        "file.createFileUploadHandle",
        {"fileUploadContext": "Resume", "filename": "a.pdf", "contentType": "application/pdf", "contentLength": 1},
    )
    assert error["code"] == "invalid_input" and "fileUploadContext" in error["message"]


@pytest.mark.parametrize("missing", ["fileUploadContext", "filename", "contentType", "contentLength"])
def test_create_upload_handle_requires_every_field(ashby, missing):
    body = {"fileUploadContext": "CandidateFiles", "filename": "a.pdf", "contentType": "application/pdf",
            "contentLength": 1}  # fmt: skip
    del body[missing]
    error = ashby.error("file.createFileUploadHandle", body)
    assert error["code"] == "invalid_input" and missing in error["message"]


def test_create_upload_handle_content_length_must_be_an_integer(ashby):
    error = ashby.error(
        "file.createFileUploadHandle",
        {"fileUploadContext": "CandidateFiles", "filename": "a.pdf", "contentType": "application/pdf",
         "contentLength": 1.5},
    )  # fmt: skip
    assert error["code"] == "invalid_input" and "contentLength" in error["message"]


# ---- the presigned upload URL -----------------------------------------------------------------------


def test_upload_answers_204_and_stores_the_bytes(ashby):
    target = new_handle(ashby)
    response = upload(target)
    assert response.status_code == 204 and response.content == b""
    stored = [f for f in ashby.state["files"].values() if f["handle"] == target["handle"]]
    assert len(stored) == 1 and base64.b64decode(stored[0]["_content"]) == PDF


def test_upload_with_a_size_other_than_declared_is_refused(ashby):
    target = new_handle(ashby)
    response = upload(target, PDF + b"extra")
    assert response.status_code == 403 and b"<Code>AccessDenied</Code>" in response.content
    assert b"content-length-range" in response.content


def test_upload_with_a_tampered_signature_is_refused(ashby):
    target = new_handle(ashby)
    response = upload(target, **{"X-Amz-Signature": "0" * 64})
    assert response.status_code == 403 and b"SignatureDoesNotMatch" in response.content


def test_upload_with_a_changed_field_is_refused(ashby):
    target = new_handle(ashby)
    response = upload(target, **{"Content-Type": "text/plain"})
    assert response.status_code == 403 and b"Policy Condition failed" in response.content


def test_upload_fields_after_the_file_are_ignored(ashby):
    target = new_handle(ashby)
    parts = [(name, (None, value)) for name, value in target["fields"].items() if name != "key"]
    parts += [("file", ("resume.pdf", PDF, "application/pdf")), ("key", (None, target["fields"]["key"]))]
    response = requests.post(target["url"], files=parts, timeout=30)
    assert response.status_code == 403


def test_upload_without_a_file_is_refused(ashby):
    target = new_handle(ashby)
    parts = [(name, (None, value)) for name, value in target["fields"].items()]
    response = requests.post(target["url"], files=parts, timeout=30)
    assert response.status_code == 400 and b"<Error>" in response.content


def test_upload_url_expires(ashby, monkeypatch):
    monkeypatch.setattr(files, "UPLOAD_TTL_SECONDS", 0.3)
    target = new_handle(ashby)
    time.sleep(0.5)
    response = upload(target)
    assert response.status_code == 403 and b"Policy expired" in response.content


# ---- candidate.uploadResume / candidate.uploadFile --------------------------------------------------


def test_upload_resume_sets_the_resume_and_the_files(ashby):
    cand = create(ashby)
    handle = uploaded(ashby)
    result = ashby.results("candidate.uploadResume", {"candidateId": cand["id"], "resumeHandle": handle})
    assert set(result["resumeFileHandle"]) == FILE_HANDLE_KEYS
    assert result["resumeFileHandle"]["name"] == "resume.pdf" and result["resumeFileHandle"]["handle"] == handle
    assert result["fileHandles"] == [result["resumeFileHandle"]]
    assert ashby.results("candidate.info", {"id": cand["id"]}) == result


def test_upload_file_adds_to_the_files_only(ashby):
    cand = create(ashby)
    handle = uploaded(ashby, "CandidateFiles")
    result = ashby.results("candidate.uploadFile", {"candidateId": cand["id"], "fileHandle": handle})
    assert "resumeFileHandle" not in result
    assert [h["handle"] for h in result["fileHandles"]] == [handle]
    again = ashby.results("candidate.uploadFile", {"candidateId": cand["id"], "fileHandle": handle})
    assert len(again["fileHandles"]) == 1


def test_attaching_a_file_shows_in_candidate_sync(ashby):
    cand, _other = create(ashby), create(ashby, "Other")
    token = ashby.call("candidate.list", {}).json()["syncToken"]
    handle = uploaded(ashby, "CandidateFiles")
    ashby.results("candidate.uploadFile", {"candidateId": cand["id"], "fileHandle": handle})
    assert [c["id"] for c in ashby.results("candidate.list", {"syncToken": token})] == [cand["id"]]


def test_a_handle_never_uploaded_is_refused(ashby):
    cand = create(ashby)
    target = new_handle(ashby)
    error = ashby.error("candidate.uploadResume", {"candidateId": cand["id"], "resumeHandle": target["handle"]})
    assert error["code"] == "invalid_input" and "resumeHandle" in error["message"]


def test_an_expired_handle_is_refused(ashby, monkeypatch):
    cand = create(ashby)
    monkeypatch.setattr(files, "UPLOAD_TTL_SECONDS", 0.5)
    handle = uploaded(ashby, "CandidateFiles")
    time.sleep(0.6)
    error = ashby.error("candidate.uploadFile", {"candidateId": cand["id"], "fileHandle": handle})
    assert error["code"] == "invalid_input" and "expired" in error["message"]


def test_a_handle_of_the_wrong_context_is_refused(ashby):
    cand = create(ashby)
    handle = uploaded(ashby, "CandidateFiles")
    error = ashby.error("candidate.uploadResume", {"candidateId": cand["id"], "resumeHandle": handle})
    assert error["code"] == "invalid_input" and "CandidateFiles" in error["message"]
    form_handle = uploaded(ashby, "ApplicationForm")
    error = ashby.error("candidate.uploadFile", {"candidateId": cand["id"], "fileHandle": form_handle})
    assert error["code"] == "invalid_input"


def test_a_forged_handle_is_refused(ashby):
    cand = create(ashby)
    handle = uploaded(ashby)
    decoded = json.loads(base64.urlsafe_b64decode(handle + "=" * (-len(handle) % 4)))
    decoded["handle"]["fileId"] = MISSING_ID
    forged = base64.urlsafe_b64encode(json.dumps(decoded).encode()).decode()
    for bad in (forged, "not-a-handle"):
        error = ashby.error("candidate.uploadResume", {"candidateId": cand["id"], "resumeHandle": bad})
        assert error["code"] == "invalid_input"


def test_a_handle_attached_to_one_candidate_is_refused_for_another(ashby):
    one, two = create(ashby), create(ashby, "Two")
    handle = uploaded(ashby, "CandidateFiles")
    ashby.results("candidate.uploadFile", {"candidateId": one["id"], "fileHandle": handle})
    assert ashby.error("candidate.uploadFile", {"candidateId": two["id"], "fileHandle": handle})["code"] == (
        "invalid_input"
    )


def test_upload_resume_requires_the_handle(ashby):
    cand = create(ashby)
    error = ashby.error("candidate.uploadResume", {"candidateId": cand["id"]})
    assert error["code"] == "invalid_input" and "resumeHandle" in error["message"]


def test_upload_file_to_unknown_candidate(ashby):
    handle = uploaded(ashby, "CandidateFiles")
    error = ashby.error("candidate.uploadFile", {"candidateId": MISSING_ID, "fileHandle": handle})
    assert error["code"] == "candidate_not_found"


# ---- file.info and the download URL -----------------------------------------------------------------


def test_file_info_gives_a_url_that_downloads_the_bytes(ashby):
    cand = create(ashby)
    handle = uploaded(ashby)
    ashby.results("candidate.uploadResume", {"candidateId": cand["id"], "resumeHandle": handle})
    payload = ashby.call("file.info", {"fileHandle": handle}).json()
    assert set(payload) == {"success", "results"} and set(payload["results"]) == {"url"}
    response = requests.get(payload["results"]["url"], timeout=30)
    assert response.status_code == 200 and response.content == PDF
    assert response.headers["content-type"].startswith("application/pdf")
    assert "resume.pdf" in response.headers["content-disposition"]


def test_download_url_with_a_bad_signature_is_refused(ashby):
    handle = uploaded(ashby)
    url = ashby.results("file.info", {"fileHandle": handle})["url"]
    response = requests.get(url[:-4] + "0000", timeout=30)
    assert response.status_code == 403 and b"<Error>" in response.content


def test_download_url_expires(ashby, monkeypatch):
    monkeypatch.setattr(files, "DOWNLOAD_TTL_SECONDS", -1)
    url = ashby.results("file.info", {"fileHandle": uploaded(ashby)})["url"]
    assert requests.get(url, timeout=30).status_code == 403


def test_file_info_of_a_handle_never_uploaded(ashby):
    target = new_handle(ashby)
    error = ashby.error("file.info", {"fileHandle": target["handle"]})
    assert error["code"] == "invalid_input" and "fileHandle" in error["message"]


def test_file_info_requires_a_handle(ashby):
    error = ashby.error("file.info", {})
    assert error["code"] == "invalid_input" and "fileHandle" in error["message"]


def test_file_info_hides_files_of_confidential_candidates(ashby):
    cand = create(ashby)
    handle = uploaded(ashby, "CandidateFiles")
    ashby.results("candidate.uploadFile", {"candidateId": cand["id"], "fileHandle": handle})
    add_application(ashby, cand["id"], confidential=True)
    assert ashby.error("file.info", {"fileHandle": handle}, key=ASHBY_NO_CONFIDENTIAL_KEY)["code"] == "file_not_found"
    assert ashby.results("file.info", {"fileHandle": handle})["url"]


# ---- permissions ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "scope"),
    [
        ("file.createFileUploadHandle", "candidatesWrite"),
        ("candidate.uploadResume", "candidatesWrite"),
        ("candidate.uploadFile", "candidatesWrite"),
        ("file.info", "candidatesRead"),
    ],
)
def test_endpoints_need_their_scope(ashby, method, scope):
    response = ashby.call(method, {}, key=ashby.key_without(scope))
    assert response.status_code == 403
    assert response.json()["errorInfo"]["code"] == "missing_endpoint_permission"


def test_read_only_key_cannot_create_upload_handles(ashby):
    body = {"fileUploadContext": "CandidateFiles", "filename": "a.pdf", "contentType": "application/pdf",
            "contentLength": 1}  # fmt: skip
    assert ashby.call("file.createFileUploadHandle", body, key=ASHBY_READ_ONLY_KEY).status_code == 403
