"""Notes as Ashby will show them. Lever notes (with their threaded replies), interviews, offers, referrals,
profile forms and application-form answers all become candidate notes: HTML limited to Ashby's allowed tags,
every user-written text sanitized (`note_html`), the author and original time stated in the text (Ashby
credits API notes to the key's user) and the note backdated through `createdAt`."""

from __future__ import annotations

import hashlib
from typing import Any

from migration_pipeline.transform.context import Context
from migration_pipeline.transform.note_html import plain_text_html, sanitize_note_html
from migration_pipeline.transform.timestamps import iso_from_epoch_ms

Json = dict[str, Any]

SCORE_LABELS = {1: "Strong No", 2: "No", 3: "Yes", 4: "Strong Yes"}


def when(ms: Any) -> str:
    iso = iso_from_epoch_ms(ms)
    return f"{iso[:10]} {iso[11:16]} UTC" if iso else "unknown date"


def header(title: str, parts: list[str]) -> str:
    shown = " · ".join(plain_text_html(p) for p in parts if p)
    return f"<b>{plain_text_html(title)}</b>" + (f" — {shown}" if shown else "")


def field_text(field: Json) -> str:
    """A Lever form field's value as text (every field type of Lever's form-field table)."""
    value = field.get("value")
    kind = field.get("type")
    if value is None or value == "" or value == []:
        return ""
    if kind == "date":
        return (iso_from_epoch_ms(value) or "")[:10]
    if kind == "currency":
        return f"{value} {field.get('currency') or ''}".strip()
    if kind == "scorecard" and isinstance(value, list):
        scores = field.get("scores") or []
        lines = []
        for i, item in enumerate(value):
            label = scores[i].get("text") if i < len(scores) and isinstance(scores[i], dict) else f"#{i + 1}"
            item = item if isinstance(item, dict) else {"score": item}
            comment = f" ({item['comment']})" if item.get("comment") else ""
            lines.append(f"{label}: {item.get('score')}{comment}")
        return "; ".join(lines)
    if kind == "file-upload" and isinstance(value, dict):
        return f"file {value.get('name') or value.get('id')}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def fields_html(fields: list[Json]) -> str:
    items = []
    for field in fields:
        text = field_text(field)
        if text:
            label = plain_text_html(field.get("text") or field.get("identifier") or "Field")
            body = f"<pre>{plain_text_html(text)}</pre>" if field.get("type") == "code" else sanitize_note_html(text)
            items.append(f"<li><b>{label}</b>: {body}</li>")
    return f"<ul>{''.join(items)}</ul>" if items else ""


def note_row(
    ctx: Context,
    lever_type: str,
    record: Json,
    opp_id: str,
    candidate_key: str,
    partition: str,
    body: str,
    created: Any,
    author: str | None,
    private: bool = False,
) -> Json:
    return {
        "lever_type": lever_type,
        "lever_id": str(record["id"]),
        "lever_opportunity_id": opp_id,
        "candidate_key": candidate_key,
        "partition_key": partition,
        "body_html": body,
        "created_at": iso_from_epoch_ms(created),
        "author_lever_user_id": author,
        "author_user_id": ctx.ashby_user_id(author, opp_id),
        "is_private": private,
        "content_sha256": hashlib.sha256(body.encode()).hexdigest(),
    }


def note_rows(notes: list[Json], opp_id: str, candidate_key: str, partition: str, ctx: Context) -> list[Json]:
    rows = []
    for note in notes:
        if note.get("deletedAt"):
            ctx.skip("notes", note["id"], opp_id, partition, "deleted_in_lever", "the note was deleted in Lever")
            continue
        if note.get("secret") and ctx.policies.secret_notes == "exclude":
            ctx.skip(
                "notes",
                note["id"],
                opp_id,
                partition,
                "secret_note_excluded",
                "the note is secret in Lever (policies.secret_notes: exclude)",
            )
            continue
        parts = []
        for i, comment in enumerate(note.get("fields") or []):
            author = ctx.user_name(comment.get("user"))
            meta = [author, when(comment.get("createdAt")), f"stage {ctx.stage_name(comment.get('stage'))}"]
            if comment.get("score"):
                meta.append(f"score {comment['score']} ({SCORE_LABELS.get(int(comment['score']), '?')})")
            title = "Lever note" if i == 0 else "Reply"
            if i == 0 and note.get("secret"):
                title = "Lever note (secret in Lever)"
            parts.append(f"{header(title, meta)}\n{sanitize_note_html(str(comment.get('value') or ''))}")
        created = note.get("createdAt") or ((note.get("fields") or [{}])[0]).get("createdAt")
        rows.append(
            note_row(
                ctx,
                "notes",
                note,
                opp_id,
                candidate_key,
                partition,
                "\n\n".join(parts),
                created,
                note.get("user"),
                private=bool(note.get("secret")),
            )
        )
    return rows


def interview_rows(interviews: list[Json], opp_id: str, candidate_key: str, partition: str, ctx: Context):
    rows = []
    for interview in interviews:
        people = ", ".join(i.get("name") or i.get("email") or "?" for i in interview.get("interviewers") or [])
        meta = [when(interview.get("date")), f"{interview.get('duration') or '?'} min"]
        if interview.get("canceledAt"):
            meta.append(f"canceled {when(interview['canceledAt'])}")
        lines = [
            ("Interviewers", people),
            ("Location", interview.get("location") or ""),
            ("Stage", ctx.stage_name(interview.get("stage"))),
            ("Note", interview.get("note") or ""),
        ]
        items = "".join(f"<li><b>{k}</b>: {sanitize_note_html(str(v))}</li>" for k, v in lines if v)
        body = f"{header('Lever interview: ' + (interview.get('subject') or 'Interview'), meta)}\n<ul>{items}</ul>"
        rows.append(
            note_row(
                ctx,
                "interviews",
                interview,
                opp_id,
                candidate_key,
                partition,
                body,
                interview.get("createdAt"),
                interview.get("user"),
            )
        )
    return rows


def offer_rows(offers: list[Json], opp_id: str, candidate_key: str, partition: str, ctx: Context) -> list[Json]:
    rows = []
    for offer in offers:
        meta = [f"status {offer.get('status')}", f"created by {ctx.user_name(offer.get('creator'))}"]
        for label, key in (("sent", "sentAt"), ("approved", "approvedAt")):
            if offer.get(key):
                meta.append(f"{label} {when(offer[key])}")
        body = f"{header('Lever offer', meta)}\n{fields_html(offer.get('fields') or [])}"
        rows.append(
            note_row(
                ctx,
                "offers",
                offer,
                opp_id,
                candidate_key,
                partition,
                body,
                offer.get("createdAt"),
                offer.get("creator"),
            )
        )
    return rows


def form_rows(forms: list[Json], lever_type: str, opp_id: str, candidate_key: str, partition: str, ctx: Context):
    """Profile forms and referrals: a titled list of their fields."""
    rows = []
    for form in forms:
        if form.get("deletedAt"):
            ctx.skip(lever_type, form["id"], opp_id, partition, "deleted_in_lever", "the form was deleted in Lever")
            continue
        who = form.get("referrer") or form.get("user")
        label = "Lever referral" if lever_type == "referrals" else f"Lever form: {form.get('text') or 'Form'}"
        meta = [ctx.user_name(who), when(form.get("completedAt") or form.get("createdAt"))]
        body = f"{header(label, meta)}\n{fields_html(form.get('fields') or [])}"
        rows.append(
            note_row(
                ctx,
                lever_type,
                form,
                opp_id,
                candidate_key,
                partition,
                body,
                form.get("completedAt") or form.get("createdAt"),
                who,
            )
        )
    return rows


def application_rows(applications: list[Json], opp_id: str, candidate_key: str, partition: str, ctx: Context):
    """Answers to the posting's application questions (and the referral form sent with it)."""
    rows = []
    for application in applications:
        sections = []
        for question in application.get("customQuestions") or []:
            fields = fields_html(question.get("fields") or [])
            if fields:
                sections.append(f"<b>{plain_text_html(question.get('text') or 'Questions')}</b>\n{fields}")
        if application.get("comments"):
            sections.append(f"<b>Comments</b>\n{sanitize_note_html(str(application['comments']))}")
        if not sections:
            continue
        meta = [f"type {application.get('type')}", when(application.get("createdAt"))]
        body = header("Lever application answers", meta) + "\n" + "\n".join(sections)
        rows.append(
            note_row(
                ctx,
                "applications",
                application,
                opp_id,
                candidate_key,
                partition,
                body,
                application.get("createdAt"),
                application.get("user"),
            )
        )
    return rows
