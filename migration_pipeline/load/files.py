"""Resumes and files: each ready canonical file uploaded (`file.createFileUploadHandle`, the presigned POST)
and attached to its candidate, as their resume (`CandidateResume`, the one resume the transform chose) or as
a file. Files Lever would not serve, duplicates of a candidate's content and files never downloaded are not
items: the transform already lists them in `canonical.skipped`.

The bytes are read from the data folder's content store, `<data_dir>/files/<sha[:2]>/<sha>`. The row's `path`
is where extraction wrote them, relative to the directory extraction ran in (or absolute): it goes stale as soon
as the data folder is moved or copied, while the content address does not. What is read must still hash to the
row's sha256. A file that is not there (or not intact) is this file's ledger failure (`file_missing`,
`file_corrupt`), and the others load.

A file attached before a crash or a lost answer is found in `candidate.info` (`fileHandles`, and
`resumeFileHandle` for a resume) by its name; since one candidate may hold several files of one name
(`resume.pdf`), a name match is adopted only if its content (downloaded through `file.info`) has our sha256
and no other item of ours owns it. Attaching cannot be undone through the API: nothing is updatable."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import duckdb
import requests

from migration_pipeline.ashby.errors import AshbyNotFoundError, AshbyTransientError
from migration_pipeline.load.applications import with_candidate
from migration_pipeline.load.claims import Claims, Refused
from migration_pipeline.load.engine import Item, LoadContext, Loader
from migration_pipeline.store.files import content_path

Json = dict[str, Any]
OBJECT_TYPE = "file"
RESUME = "CandidateResume"


def file_item(row: Json, data_dir: Path) -> Item:
    return Item(
        object_type=OBJECT_TYPE,
        lever_key=f"{row['lever_type']}:{row['lever_file_id']}:{row['lever_opportunity_id']}",
        payload={
            "filename": row["filename"],
            "contentType": row["content_type"],
            "sha256": row["sha256"],
            "context": row["upload_context"],
        },
        lever_type=row["lever_type"],
        lever_id=row["lever_file_id"],
        opportunity_id=row["lever_opportunity_id"],
        candidate_key=row["candidate_key"],
        partition_key=row.get("partition_key"),
        context={"path": str(content_path(data_dir, row["sha256"]))},
    )


def read_content(item: Item) -> bytes:
    path = Path(item.context["path"])
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise Refused("file_missing", f"{path} is not in the data folder's content store") from None
    if hashlib.sha256(data).hexdigest() != item.payload["sha256"]:
        raise Refused("file_corrupt", f"{path} does not hash to the sha256 recorded at extraction")
    return data


def _attached_id(candidate: Json, handle: str) -> str | None:
    for found in [*(candidate.get("fileHandles") or []), candidate.get("resumeFileHandle") or {}]:
        if found.get("handle") == handle:
            return found.get("id")
    return None


def _download_sha256(ctx: LoadContext, handle: str) -> str:
    url = ctx.client.call("file.info", {"fileHandle": handle})["url"]
    try:
        response = requests.get(url, timeout=ctx.client.timeout)
        response.raise_for_status()
    except requests.RequestException as exc:  # storage, not the API: the engine treats it as a failed API read
        failure = f"download of an attached file failed: {type(exc).__name__}"
        raise AshbyTransientError(failure, kind="dropped") from None
    return hashlib.sha256(response.content).hexdigest()


class FileLoader(Loader):
    object_type = OBJECT_TYPE
    updatable = False

    def __init__(self) -> None:
        self.claims = Claims(OBJECT_TYPE)  # one candidate may hold several files of one name

    def create(self, ctx: LoadContext, item: Item) -> str | None:
        data = read_content(item)  # before any call: a missing file costs Ashby nothing
        candidate_id = ctx.need("candidate", item.candidate_key)
        payload = item.payload
        handle = ctx.client.upload_file(payload["context"], payload["filename"], payload["contentType"], data)
        attach = ctx.client.attach_resume if payload["context"] == RESUME else ctx.client.attach_file
        file_id = _attached_id(attach(candidate_id, handle), handle)
        if file_id is not None:
            self.claims.record(ctx, item.lever_key, file_id)
        return file_id

    def find_existing(self, ctx: LoadContext, item: Item) -> str | None:
        def matches(ctx: LoadContext, candidate_id: str) -> list[str]:
            candidate = ctx.client.call("candidate.info", {"id": candidate_id}) or {}
            listed = [*(candidate.get("fileHandles") or []), candidate.get("resumeFileHandle") or {}]
            handles = {h["id"]: h for h in listed if h.get("id") and h.get("handle")}  # a resume is in both
            named = [h for h in handles.values() if (h.get("name") or "").strip() == item.payload["filename"].strip()]
            return [h["id"] for h in named if _download_sha256(ctx, h["handle"]) == item.payload["sha256"]]

        try:
            return self.claims.take(ctx, item.lever_key, with_candidate(ctx, item, matches))
        except AshbyNotFoundError:
            return None  # the candidate is gone: the write fails with Ashby's answer


def data_folder(con: duckdb.DuckDBPyConnection) -> Path:
    """The data folder: where the store's DuckDB file lives (the content store is beside it)."""
    found = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    return Path(found[0]).parent
