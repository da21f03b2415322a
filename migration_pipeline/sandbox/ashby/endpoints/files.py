"""Ashby endpoints: files (presigned uploads, resumes, candidate files, download URLs).

`file.createFileUploadHandle` answers `{handle, url, fields}` like Ashby's S3 presigned POST: the client
POSTs `multipart/form-data` to `url` with every field of `fields` and then the file as the last field,
named `file`. Here `url` is the sandbox itself (`/__uploads/<bucket>`, served by `upload_routes`), which
answers as S3 does: 204 on success, 403 with an XML `<Error>` when the policy has expired, the signature
does not match, a field differs from the policy, or the size differs from the declared `contentLength`.
The presigned URL lives `UPLOAD_TTL_SECONDS` (10 minutes, as Ashby documents); a handle that was never
attached to a candidate cannot be attached after that either. Tests may shorten it:
`files.UPLOAD_TTL_SECONDS = 1` (read when a handle is created).

The handle is base64url JSON `{"handle": {"type", "fileId", "ownerId"}, "signature", "version": "1"}`
as recorded from Ashby; once attached it is also the `handle` in the candidate's `fileHandles` and the
input of `file.info`, which answers a download URL (`/__files/<id>?Expires=&Signature=`) valid for
`DOWNLOAD_TTL_SECONDS`. The uploaded bytes are kept base64-encoded in the file object's `_content`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from migration_pipeline.sandbox.ashby.endpoints.candidates import (
    candidate_from_body,
    find_candidate,
    render_candidate,
    reorder,
)
from migration_pipeline.sandbox.ashby.rpc import AshbyError, Ctx, endpoint, field_value, invalid_input
from migration_pipeline.sandbox.ashby.state import AshbyState, Json, iso, new_id, parse_iso, request_id

UPLOAD_TTL_SECONDS = 600.0  # "The presigned URL expires after 10 minutes"
DOWNLOAD_TTL_SECONDS = 3600.0  # file.info URLs (undocumented lifetime)
UPLOAD_BUCKET = "ashby-sandbox-uploads"
UPLOAD_PREFIX = "/__uploads"
DOWNLOAD_PREFIX = "/__files"
# fileUploadContext -> the handle `type` (ResumeFile is recorded; the other two are our names)
CONTEXT_TYPES = {
    "CandidateResume": "ResumeFile",
    "CandidateFiles": "CandidateFile",
    "ApplicationForm": "ApplicationFormFile",
}
_ALGORITHM = "AWS4-HMAC-SHA256"


# ---- handles and signatures ------------------------------------------------------------------------


def _org_id(state: AshbyState) -> str:
    org = getattr(state, "organization", None)
    if isinstance(org, dict) and org.get("id"):
        return str(org["id"])
    return str(uuid.UUID(bytes=hashlib.sha256(state.token_secret).digest()[:16]))


def _mac(state: AshbyState, purpose: str, text: str) -> str:
    return hmac.new(state.token_secret, f"{purpose}:{text}".encode(), hashlib.sha256).hexdigest()


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def make_handle(state: AshbyState, file_type: str, file_id: str) -> str:
    inner = {"type": file_type, "fileId": file_id, "ownerId": _org_id(state)}
    raw_inner = json.dumps(inner, separators=(",", ":"))
    payload = {"handle": inner, "signature": _mac(state, "handle", raw_inner), "version": "1"}
    return _b64url(json.dumps(payload, separators=(",", ":")).encode())


def file_of_handle(state: AshbyState, handle: Any, name: str) -> Json:
    """The file object a handle names; `invalid_input` naming `name` when it is not a handle of this org."""
    bad = invalid_input(f"Invalid value for {name}: not a file handle issued by file.createFileUploadHandle")
    if not isinstance(handle, str) or not handle:
        raise bad
    try:
        payload = json.loads(base64.urlsafe_b64decode(handle + "=" * (-len(handle) % 4)))
        inner = payload["handle"]
        raw_inner = json.dumps(
            {"type": inner["type"], "fileId": inner["fileId"], "ownerId": inner["ownerId"]}, separators=(",", ":")
        )
        signature = payload["signature"]
    except (ValueError, TypeError, KeyError, binascii.Error):
        raise bad from None
    if not isinstance(signature, str) or not hmac.compare_digest(signature, _mac(state, "handle", raw_inner)):
        raise bad
    record = state.get("files", inner["fileId"])
    if record is None:
        raise AshbyError("file_not_found", f"File not found: {inner['fileId']}")
    return record


def file_handle_summary(record: Json) -> Json:
    return {"id": record["id"], "name": record["name"], "handle": record["handle"]}


# ---- endpoints ------------------------------------------------------------------------------------


@endpoint("file.createFileUploadHandle", scope="candidatesWrite")
def create_file_upload_handle(ctx: Ctx, body: Json) -> Json:
    context = field_value(body, "fileUploadContext", str, required=True)
    if context not in CONTEXT_TYPES:
        raise invalid_input(f"Invalid value for fileUploadContext: must be one of {', '.join(CONTEXT_TYPES)}")
    filename = field_value(body, "filename", str, required=True).strip()
    if not filename or "/" in filename or "\\" in filename:
        raise invalid_input("Invalid value for filename: a file name with its extension, without folders")
    content_type = field_value(body, "contentType", str, required=True).strip()
    if "/" not in content_type:
        raise invalid_input(f"Invalid value for contentType: {content_type!r} is not a MIME type")
    length = field_value(body, "contentLength", (int, float), required=True)
    if length != int(length) or length < 0:
        raise invalid_input("Invalid value for contentLength: expected the size of the file in bytes (integer)")
    length = int(length)

    state = ctx.state
    file_id = new_id()
    expires = ctx.now + UPLOAD_TTL_SECONDS
    handle = make_handle(state, CONTEXT_TYPES[context], file_id)
    key = f"{_org_id(state)}/{file_id}/{filename}"
    stamp = datetime.fromtimestamp(ctx.now, UTC).strftime("%Y%m%dT%H%M%SZ")
    credential = f"ASHBYSANDBOX/{stamp[:8]}/us-east-1/s3/aws4_request"
    policy = {
        "expiration": iso(expires * 1000),
        "conditions": [
            {"bucket": UPLOAD_BUCKET},
            {"key": key},
            {"Content-Type": content_type},
            ["content-length-range", length, length],
            {"x-amz-algorithm": _ALGORITHM},
            {"x-amz-credential": credential},
            {"x-amz-date": stamp},
        ],
    }
    encoded_policy = base64.b64encode(json.dumps(policy, separators=(",", ":")).encode()).decode()
    fields = {
        "bucket": UPLOAD_BUCKET,
        "key": key,
        "Content-Type": content_type,
        "X-Amz-Algorithm": _ALGORITHM,
        "X-Amz-Credential": credential,
        "X-Amz-Date": stamp,
        "Policy": encoded_policy,
        "X-Amz-Signature": _mac(state, "policy", encoded_policy),
    }
    state.add(
        "files",
        {
            "id": file_id,
            "name": filename,
            "handle": handle,
            "_context": context,
            "_contentType": content_type,
            "_contentLength": length,
            "_key": key,
            "_createdAt": iso(ctx.now * 1000),
            "_expiresAt": expires,
            "_uploaded": False,
            "_content": None,
            "_candidateId": None,
        },
    )
    return {"handle": handle, "url": f"{ctx.base_url}{UPLOAD_PREFIX}/{UPLOAD_BUCKET}", "fields": fields}


def _attachable(ctx: Ctx, body: Json, name: str, context: str, cand: Json) -> Json:
    handle = field_value(body, name, str, required=True)
    record = file_of_handle(ctx.state, handle, name)
    if record["_context"] != context:
        raise invalid_input(
            f"Invalid value for {name}: the handle was created for fileUploadContext {record['_context']}, "
            f"not {context}"
        )
    owner = record.get("_candidateId")
    if owner == cand["id"]:
        return record
    if owner is not None:
        raise invalid_input(f"Invalid value for {name}: the file is already attached to another candidate")
    if ctx.now > record["_expiresAt"]:
        raise invalid_input(f"Invalid value for {name}: the upload handle has expired; create a new one")
    if not record["_uploaded"]:
        raise invalid_input(f"Invalid value for {name}: no file was uploaded for this handle")
    return record


def _attach(ctx: Ctx, cand: Json, record: Json, *, resume: bool) -> Json:
    summary = file_handle_summary(record)
    record["_candidateId"] = cand["id"]
    if all(h["id"] != record["id"] for h in cand["fileHandles"]):
        cand["fileHandles"].append(summary)
    if resume:
        cand["resumeFileHandle"] = dict(summary)
    ctx.state.touch(reorder(cand))
    return render_candidate(ctx, cand)


@endpoint("candidate.uploadResume", scope="candidatesWrite")
def candidate_upload_resume(ctx: Ctx, body: Json) -> Json:
    cand = candidate_from_body(ctx, body)
    record = _attachable(ctx, body, "resumeHandle", "CandidateResume", cand)
    return _attach(ctx, cand, record, resume=True)


@endpoint("candidate.uploadFile", scope="candidatesWrite")
def candidate_upload_file(ctx: Ctx, body: Json) -> Json:
    cand = candidate_from_body(ctx, body)
    record = _attachable(ctx, body, "fileHandle", "CandidateFiles", cand)
    return _attach(ctx, cand, record, resume=False)


def download_url(ctx: Ctx, record: Json) -> str:
    expires = int(ctx.now + DOWNLOAD_TTL_SECONDS)
    signature = _mac(ctx.state, "download", f"{record['id']}:{expires}")
    return f"{ctx.base_url}{DOWNLOAD_PREFIX}/{record['id']}?Expires={expires}&Signature={signature}"


@endpoint("file.info", scope="candidatesRead")
def file_info(ctx: Ctx, body: Json) -> Json:
    handle = field_value(body, "fileHandle", str, required=True)
    record = file_of_handle(ctx.state, handle, "fileHandle")
    if not record["_uploaded"]:
        raise invalid_input("Invalid value for fileHandle: no file was uploaded for this handle")
    if record.get("_candidateId") is not None:
        try:
            find_candidate(ctx, record["_candidateId"])
        except AshbyError:
            raise AshbyError("file_not_found", f"File not found: {record['id']}") from None
    return {"url": download_url(ctx, record)}


# ---- the storage side: presigned POST and GET ------------------------------------------------------


def _s3_error(status: int, code: str, message: str) -> Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{_xml(message)}</Message>"
        f"<RequestId>{request_id()[:16]}</RequestId><HostId>ashby-sandbox</HostId></Error>"
    )
    return Response(body, status_code=status, media_type="application/xml")


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _condition_failed(condition: Any) -> Response:
    return _s3_error(
        403, "AccessDenied", f"Invalid according to Policy: Policy Condition failed: {json.dumps(condition)}"
    )


async def _read_form(request: Request) -> tuple[dict[str, str], bytes | None] | Response:
    """The text fields before the `file` field (later ones are ignored, as S3 does) and the file's bytes."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return _s3_error(412, "PreconditionFailed", "Bucket POST must be of the enclosure-type multipart/form-data")
    try:
        form = await request.form(max_files=1, max_fields=100)
    except Exception as exc:  # malformed multipart (python-multipart / starlette raise several types)
        return _s3_error(400, "MalformedPOSTRequest", f"The body of your POST request is not well-formed: {exc}")
    fields: dict[str, str] = {}
    content: bytes | None = None
    try:
        for name, value in form.multi_items():
            if name == "file":
                content = await value.read() if isinstance(value, UploadFile) else str(value).encode()
                break
            if isinstance(value, str):
                fields[name.lower()] = value
    finally:
        await form.close()
    return fields, content


def upload_routes(sandbox: Any) -> list[Route]:
    """`POST /__uploads/<bucket>` (presigned upload) and `GET /__files/<id>` (file.info download URL)."""

    async def upload(request: Request) -> Response:
        state: AshbyState = sandbox.state
        parsed = await _read_form(request)
        if isinstance(parsed, Response):
            return parsed
        fields, content = parsed
        if content is None:
            return _s3_error(400, "InvalidArgument", "POST requires exactly one file upload per request.")
        encoded_policy, signature = fields.get("policy"), fields.get("x-amz-signature")
        if not encoded_policy or not signature:
            return _s3_error(403, "AccessDenied", "Access Denied")
        if not hmac.compare_digest(signature, _mac(state, "policy", encoded_policy)):
            return _s3_error(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. "
                "Check your key and signing method.",
            )
        policy = json.loads(base64.b64decode(encoded_policy))
        if time.time() > parse_iso(policy["expiration"]).timestamp():
            return _s3_error(403, "AccessDenied", "Invalid according to Policy: Policy expired.")
        if request.path_params["bucket"] != UPLOAD_BUCKET:
            return _condition_failed(["eq", "$bucket", UPLOAD_BUCKET])
        for condition in policy["conditions"]:
            if isinstance(condition, dict):
                ((name, expected),) = condition.items()
                actual = request.path_params["bucket"] if name == "bucket" else fields.get(name.lower())
                if actual != expected:
                    return _condition_failed(["eq", f"${name}", expected])
            elif condition[0] == "content-length-range" and not condition[1] <= len(content) <= condition[2]:
                return _condition_failed(condition)
        parts = fields["key"].split("/")
        record = state.get("files", parts[1] if len(parts) > 2 else None)
        if record is None or record["_key"] != fields["key"]:
            return _s3_error(403, "AccessDenied", "Access Denied")
        record["_content"] = base64.b64encode(content).decode()
        record["_uploaded"] = True
        record["_uploadedAt"] = iso()
        state.touch(record)
        etag = hashlib.md5(content).hexdigest()
        location = f"{str(request.base_url).rstrip('/')}{UPLOAD_PREFIX}/{UPLOAD_BUCKET}/{quote(fields['key'])}"
        return Response(status_code=204, headers={"ETag": f'"{etag}"', "Location": location})

    async def download(request: Request) -> Response:
        state: AshbyState = sandbox.state
        file_id = request.path_params["file_id"]
        expires, signature = request.query_params.get("Expires", ""), request.query_params.get("Signature", "")
        if not expires.isdigit() or not hmac.compare_digest(signature, _mac(state, "download", f"{file_id}:{expires}")):
            return _s3_error(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            )
        if time.time() > int(expires):
            return _s3_error(403, "AccessDenied", "Request has expired")
        record = state.get("files", file_id)
        if record is None or not record.get("_uploaded"):
            return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
        content = base64.b64decode(record["_content"])
        disposition = f"attachment; filename*=UTF-8''{quote(record['name'])}"
        return Response(
            content,
            media_type=record["_contentType"],
            headers={"Content-Disposition": disposition, "ETag": f'"{hashlib.md5(content).hexdigest()}"'},
        )

    return [
        Route(f"{UPLOAD_PREFIX}/{{bucket}}", upload, methods=["POST"]),
        Route(f"{DOWNLOAD_PREFIX}/{{file_id}}", download, methods=["GET"]),
    ]
