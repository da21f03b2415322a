"""One posting partition's per-opportunity records -> canonical notes, feedback, files and form custom-field
values. Each record type has a destination (see the README's table); nothing is dropped without a `skipped` row."""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from migration_pipeline.transform.context import Context
from migration_pipeline.transform.custom_fields import FieldValue
from migration_pipeline.transform.feedback import FeedbackForms, feedback_rows
from migration_pipeline.transform.notes import application_rows, form_rows, interview_rows, note_rows, offer_rows
from migration_pipeline.transform.timestamps import iso_from_epoch_ms

Json = dict[str, Any]

# the Ashby custom field type a Lever form field's values fit (used when the loader creates the field)
ASHBY_FIELD_TYPE = {
    "currency": "Currency",
    "date": "Date",
    "yes-no": "Boolean",
    "dropdown": "ValueSelect",
    "multiple-choice": "ValueSelect",
    "multiple-select": "MultiValueSelect",
    "textarea": "LongText",
    "text": "String",
}
RECORD_TYPES = ("notes", "feedback", "forms", "interviews", "panels", "offers", "referrals", "resumes", "files")


@dataclass
class PartitionRecords:
    notes: list[Json] = field(default_factory=list)
    feedback: list[Json] = field(default_factory=list)
    files: list[Json] = field(default_factory=list)
    field_values: list[Json] = field(default_factory=list)
    archived: list[Json] = field(default_factory=list)  # archive-only records: (lever_type, lever_id, why)


@dataclass(frozen=True)
class Owner:
    """Who an opportunity's records belong to in Ashby."""

    candidate_key: str
    has_application: bool


@dataclass(frozen=True)
class FileIndex:
    """What is known of every file across partitions: contents, 422s, each candidate's resume, first copies."""

    contents: dict[tuple[str, str], Json] = field(default_factory=dict)  # (kind, id) -> sha256, size, path
    unprocessable: dict[tuple[str, str], Json] = field(default_factory=dict)
    resume_choice: dict[str, str] = field(default_factory=dict)  # candidate key -> the resume id Ashby shows
    first_copy: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # file -> its content's first

    @classmethod
    def build(
        cls, contents: dict, unprocessable: dict, resume_choice: dict[str, str], owner_of: dict[tuple[str, str], str]
    ) -> FileIndex:
        """`owner_of`: (kind, id) -> candidate key. A candidate gets each content once: their resume first,
        then other resumes, then files, by id."""

        def rank(file: tuple[str, str]) -> tuple[int, str]:
            kind, fid = file
            chosen = kind == "resumes" and resume_choice.get(owner_of.get(file, "")) == fid
            return (0 if chosen else 1 if kind == "resumes" else 2, fid)

        first: dict[tuple[str, str], tuple[str, str]] = {}
        for file in sorted(contents, key=rank):
            candidate = owner_of.get(file)
            if candidate is not None:
                first.setdefault((candidate, contents[file]["sha256"]), file)
        copies = {f: first[(owner_of[f], contents[f]["sha256"])] for f in contents if owner_of.get(f) is not None}
        return cls(contents, unprocessable, resume_choice, copies)

    def subset(self, files: Iterable[tuple[str, str]], candidates: Iterable[str]) -> FileIndex:
        """What a few partitions need of the index: these files' entries and these candidates' resume choices
        (a worker gets only its chunk's part, not every file of the org)."""
        files = list(files)

        def part(index: dict) -> dict:
            return {f: index[f] for f in files if f in index}

        choice = {c: self.resume_choice[c] for c in candidates if c in self.resume_choice}
        return FileIndex(part(self.contents), part(self.unprocessable), choice, part(self.first_copy))


def _file_row(kind: str, record: Json, opp_id: str, owner: Owner, partition: str, files: FileIndex) -> Json:
    meta = record.get("file") if kind == "resumes" else record
    meta = meta or {}
    fid = str(record["id"])
    name = meta.get("name") or f"{fid}{meta.get('ext') or ''}"
    content = files.contents.get((kind, fid))
    unprocessable = files.unprocessable.get((kind, fid))
    first = files.first_copy.get((kind, fid), (kind, fid))
    status, reason = "ready", None
    if unprocessable is not None:
        status, reason = "unprocessable", f"Lever answered {unprocessable.get('status')}: file could not be processed"
    elif content is None:
        status, reason = "missing", "the file's content was not downloaded"
    elif first != (kind, fid):
        status, reason = "duplicate", f"same content as {first[0]} {first[1]} of this candidate (uploaded once)"
    chosen = kind == "resumes" and files.resume_choice.get(owner.candidate_key) == fid
    context = "CandidateResume" if chosen else "CandidateFiles"
    return {
        "lever_type": kind,
        "lever_file_id": str(record["id"]),
        "lever_opportunity_id": opp_id,
        "candidate_key": owner.candidate_key,
        "partition_key": partition,
        "filename": name,
        "content_type": mimetypes.guess_type(name)[0] or "application/octet-stream",
        "size": (content or {}).get("size") or meta.get("size"),
        "sha256": (content or {}).get("sha256"),
        "path": (content or {}).get("path"),
        "upload_context": context,
        "uploaded_at": iso_from_epoch_ms(meta.get("uploadedAt") or record.get("createdAt")),
        "status": status,
        "reason": reason,
    }


def _form_values(forms: list[Json], opp_id: str, owner: Owner, partition: str, ctx: Context) -> list[Json]:
    """Profile-form fields mapped to Ashby custom fields (`custom_fields.forms` in the mapping)."""
    wanted = ctx.config.custom_fields.forms
    out = []
    for form in forms:
        if form.get("deletedAt"):
            continue
        for rule in wanted:
            if rule.lever_form != form.get("text"):
                continue
            lever_field = next((f for f in form.get("fields") or [] if f.get("text") == rule.lever_field), None)
            if lever_field is None or lever_field.get("value") in (None, "", []):
                continue
            object_key = owner.candidate_key if rule.object == "Candidate" else opp_id
            if rule.object == "Application" and not owner.has_application:
                continue
            inferred = ASHBY_FIELD_TYPE.get(lever_field.get("type") or "", "String")
            item = FieldValue(
                rule.object,
                object_key,
                rule.ashby_field,
                inferred,
                lever_field.get("value"),
                "forms",
                str(form["id"]),
                opp_id,
                partition,
                rule.on_mismatch,
                lever_field.get("currency"),
            )
            row = ctx.field_value(item)
            if row is not None:
                out.append(row)
    return out


def build_partition(
    partition: str,
    records: dict[str, dict[str, list[Json]]],  # record type -> opportunity id -> payloads
    applications: dict[str, list[Json]],  # opportunity id -> expanded Lever application objects
    owners: dict[str, Owner],
    files: FileIndex,
    ctx: Context,
) -> PartitionRecords:
    out = PartitionRecords()
    forms = FeedbackForms(ctx)
    opp_ids = sorted({oid for by_opp in records.values() for oid in by_opp} | set(applications))
    for opp_id in opp_ids:
        owner = owners.get(opp_id)
        if owner is None:
            for kind, by_opp in records.items():
                for record in by_opp.get(opp_id, []):
                    ctx.skip(
                        kind,
                        str(record["id"]),
                        opp_id,
                        partition,
                        "opportunity_not_migrated",
                        "its opportunity is not migrated (see the opportunity's skip reason)",
                    )
            continue
        got = {kind: records.get(kind, {}).get(opp_id, []) for kind in RECORD_TYPES}
        key = owner.candidate_key
        out.notes += note_rows(got["notes"], opp_id, key, partition, ctx)
        out.notes += interview_rows(got["interviews"], opp_id, key, partition, ctx)
        out.notes += offer_rows(got["offers"], opp_id, key, partition, ctx)
        out.notes += form_rows(got["forms"], "forms", opp_id, key, partition, ctx)
        out.notes += form_rows(got["referrals"], "referrals", opp_id, key, partition, ctx)
        out.notes += application_rows(applications.get(opp_id, []), opp_id, key, partition, ctx)
        for row in feedback_rows(got["feedback"], opp_id, key, partition, owner.has_application, forms, ctx):
            (out.feedback if "lever_feedback_id" in row else out.notes).append(row)
        out.field_values += _form_values(got["forms"], opp_id, owner, partition, ctx)
        for panel in got["panels"]:
            out.archived.append(
                {
                    "lever_type": "panels",
                    "lever_id": str(panel["id"]),
                    "lever_opportunity_id": opp_id,
                    "partition_key": partition,
                    "destination": "archive-only; its interviews are notes",
                }
            )
        for kind in ("resumes", "files"):
            for record in got[kind]:
                fid = str(record["id"])
                row = _file_row(kind, record, opp_id, owner, partition, files)
                if row["status"] != "ready":
                    ctx.skip(kind, fid, opp_id, partition, f"file_{row['status']}", row["reason"])
                out.files.append(row)
    return out
