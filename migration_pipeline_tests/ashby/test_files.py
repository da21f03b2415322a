"""The file upload flow through the client, against the sandbox's presigned POST: handle, upload, attach."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from migration_pipeline.ashby.client import AshbyClient
from migration_pipeline.ashby.errors import AshbyBusinessError, AshbyResponseError
from migration_pipeline.sandbox.ashby.endpoints import files
from migration_pipeline_tests.ashby import fast_client
from migration_pipeline_tests.conftest import RunningAshby

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


def _download(client: AshbyClient, handle: str) -> bytes:
    url = client.call("file.info", {"fileHandle": handle})["url"]
    response = requests.get(url, timeout=30)
    assert response.status_code == 200, response.text
    return response.content


def test_upload_file_and_attach_resume_show_in_candidate_info(ashby: RunningAshby, tmp_path: Path) -> None:
    with fast_client(ashby, tmp_path) as client:
        candidate = client.call("candidate.create", {"name": "Resume Holder"})
        handle = client.upload_file("CandidateResume", "cv résumé.pdf", "application/pdf", PDF)
        attached = client.attach_resume(candidate["id"], handle)
        info = client.call("candidate.info", {"id": candidate["id"]})
        content = _download(client, handle)
    assert attached["resumeFileHandle"]["handle"] == handle
    assert info["resumeFileHandle"] == {**info["resumeFileHandle"], "name": "cv résumé.pdf", "handle": handle}
    assert [h["handle"] for h in info["fileHandles"]] == [handle]
    assert content == PDF
    assert client.stats.uploads == 1 and "file.createFileUploadHandle" in client.stats.calls


def test_attach_file_adds_to_the_candidates_files(ashby: RunningAshby, tmp_path: Path) -> None:
    with fast_client(ashby, tmp_path) as client:
        candidate = client.call("candidate.create", {"name": "File Holder"})
        handles = [client.upload_file("CandidateFiles", f"note-{i}.txt", "text/plain", b"x" * i) for i in (1, 2)]
        for handle in handles:
            client.attach_file(candidate["id"], handle)
        info = client.call("candidate.info", {"id": candidate["id"]})
    assert [h["handle"] for h in info["fileHandles"]] == handles
    assert info.get("resumeFileHandle") is None


def test_a_failed_upload_is_retried(ashby: RunningAshby, tmp_path: Path) -> None:
    with fast_client(ashby, tmp_path) as client:
        candidate = client.call("candidate.create", {"name": "Retry Upload"})
        # the handle request goes through; the storage POST answers 500, then 204
        ashby.admin("POST", "/faults", json={"script": ["none", "500"]})
        handle = client.upload_file("CandidateResume", "cv.pdf", "application/pdf", PDF)
        client.attach_resume(candidate["id"], handle)
        assert _download(client, handle) == PDF
    assert client.stats.uploads == 2 and client.stats.retries == 1


def test_an_upload_the_storage_refuses_is_not_retried(
    ashby: RunningAshby, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "UPLOAD_TTL_SECONDS", -1.0)  # the presigned POST has expired when it arrives
    with fast_client(ashby, tmp_path) as client, pytest.raises(AshbyResponseError) as caught:
        client.upload_file("CandidateResume", "cv.pdf", "application/pdf", PDF)
    assert caught.value.code == "AccessDenied" and caught.value.http_status == 403
    assert client.stats.uploads == 1 and client.stats.retries == 0


def test_attaching_something_that_is_not_a_handle_is_a_business_error(ashby: RunningAshby, tmp_path: Path) -> None:
    with fast_client(ashby, tmp_path) as client:
        candidate = client.call("candidate.create", {"name": "Bad Handle"})
        with pytest.raises(AshbyBusinessError) as caught:
            client.attach_resume(candidate["id"], "not-a-handle")
    assert caught.value.code == "invalid_input" and "resumeHandle" in caught.value.message
