"""Feedback: each submitted Lever feedback form becomes an `applicationFeedback.submit` payload, either
into the generic migrated-feedback form (score, recommendation, the full text, interviewer, date, Lever id)
or, under `policies.feedback: mapped_forms`, into the Ashby form mapped for its Lever template."""

from __future__ import annotations

import re
from typing import Any

from migration_pipeline.transform.context import Context
from migration_pipeline.transform.names import index_by_name, name_key
from migration_pipeline.transform.notes import field_text, fields_html, header, note_row, when
from migration_pipeline.transform.resolve import Problem
from migration_pipeline.transform.timestamps import date_from_epoch_ms, iso_from_epoch_ms

Json = dict[str, Any]

RECOMMENDATIONS = {4: "Strong Hire", 3: "Hire", 2: "No Hire", 1: "Strong No Hire"}
_SCORE = re.compile(r"^\s*([1-4])\b")


def score_of(value: Any) -> int | None:
    """Lever scores come as 1-4 or as text like "3 - Hire" (both are documented)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float) and 1 <= int(value) <= 4:
        return int(value)
    found = _SCORE.match(str(value))
    return int(found.group(1)) if found else None


def overall_score(fields: list[Json]) -> int | None:
    for kind in ("score-system", "score"):
        for field in fields:
            if field.get("type") == kind:
                score = score_of(field.get("value"))
                if score is not None:
                    return score
    return None


def form_fields(form: Json) -> dict[str, Json]:
    """An Ashby feedback form definition's fields by path."""
    out = {}
    for section in (form.get("formDefinition") or {}).get("sections") or []:
        for item in section.get("fields") or []:
            field = item.get("field") or {}
            if field.get("path"):
                out[field["path"]] = field
    return out


def ashby_value(field: Json, text: str, score: int | None) -> Any:
    """A value in the shape `applicationFeedback.submit` takes for the Ashby field's type."""
    kind = field.get("type")
    if kind == "Score":
        return {"score": score} if score else None
    if kind == "RichText":
        return {"type": "PlainText", "value": text}
    if kind == "ValueSelect":
        allowed = {v.get("value") for v in field.get("selectableValues") or []}
        return text if text in allowed else None
    return text or None


def feedback_text(feedback: Json, ctx: Context) -> str:
    lines = [f"Lever feedback: {feedback.get('text') or 'Feedback'} (by {ctx.user_name(feedback.get('user'))})"]
    for field in feedback.get("fields") or []:
        text = field_text(field)
        if text:
            lines.append(f"{field.get('text') or 'Field'}: {text}")
    return "\n".join(lines)


class FeedbackForms:
    """The Ashby forms feedback goes to, resolved once per transform."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.by_title = index_by_name(
            [f for f in ctx.resolution.org.feedback_forms if not f.get("isArchived")], "title"
        )
        generic = ctx.config.feedback_forms.generic
        self.generic = self._form(generic.form, "feedback_forms.generic.form")
        self.generic_paths = dict(generic.fields)
        self.generic_fields = form_fields(self.generic) if self.generic is not None else {}  # read once
        if self.generic is not None:
            for role, path in generic.fields.items():
                if path not in self.generic_fields:
                    self._problem(
                        f"feedback_forms.generic.fields.{role}: the form {generic.form!r} has no field {path!r}"
                    )

    def _problem(self, message: str) -> None:
        problem = Problem("feedback_form_unmapped", message, blocking=True, dimension="feedback_forms")
        if problem not in self.ctx.resolution.problems:
            self.ctx.resolution.problems.append(problem)

    def _form(self, title: str, where: str) -> Json | None:
        found = self.by_title.get(name_key(title)) or []
        if len(found) != 1:
            self._problem(f"{where}: Ashby has {'no' if not found else 'several'} feedback form(s) titled {title!r}")
            return None
        return found[0]

    def payload(self, feedback: Json, opp_id: str) -> tuple[Json | None, list[Json], str]:
        """(form, fieldSubmissions, mode) for one Lever feedback."""
        if self.ctx.policies.feedback == "mapped_forms":
            template = self.ctx.config.feedback_forms.templates.get(feedback.get("text") or "")
            if template is not None:
                form = self._form(template.form, f"feedback_forms.templates[{feedback.get('text')!r}]")
                if form is not None:
                    return form, self._mapped(feedback, form, template), "mapped"
        return self.generic, self._generic(feedback), "generic"

    def _generic(self, feedback: Json) -> list[Json]:
        if self.generic is None:
            return []
        fields = self.generic_fields
        score = overall_score(feedback.get("fields") or [])
        roles = {
            "score": "",
            "recommendation": RECOMMENDATIONS.get(score or 0, ""),
            "text": feedback_text(feedback, self.ctx),
            "interviewer": self.ctx.user_name(feedback.get("user")),
            "date": date_from_epoch_ms(feedback.get("completedAt") or feedback.get("createdAt")) or "",
            "lever_id": str(feedback["id"]),
        }
        out = []
        for role, text in roles.items():
            path = self.generic_paths.get(role)
            if path and path in fields:
                value = ashby_value(fields[path], text, score)
                if value is not None:
                    out.append({"path": path, "value": value})
        return out

    def _mapped(self, feedback: Json, form: Json, template: Any) -> list[Json]:
        fields = form_fields(form)
        out, rest = [], []
        for field in feedback.get("fields") or []:
            path = template.fields.get(field.get("text") or "")
            text = field_text(field)
            if path in fields:
                value = ashby_value(fields[path], text, score_of(field.get("value")))
                if value is not None:
                    out.append({"path": path, "value": value})
                    continue
            if text:
                rest.append(f"{field.get('text') or 'Field'}: {text}")
        if rest and template.text_field in fields:
            out.append(
                {"path": template.text_field, "value": ashby_value(fields[template.text_field], "\n".join(rest), None)}
            )
        return out


def feedback_note(feedback: Json, opp_id: str, candidate_key: str, partition: str, ctx: Context) -> Json:
    """Feedback of an opportunity that has no Ashby application (Ashby files feedback under an application)
    becomes a candidate note with the same content."""
    score = overall_score(feedback.get("fields") or [])
    meta = [ctx.user_name(feedback.get("user")), when(feedback.get("completedAt") or feedback.get("createdAt"))]
    if score:
        meta.append(f"score {score} ({RECOMMENDATIONS[score]})")
    title = f"Lever feedback: {feedback.get('text') or 'Feedback'}"
    body = f"{header(title, meta)}\n{fields_html(feedback.get('fields') or [])}"
    return note_row(
        ctx,
        "feedback",
        feedback,
        opp_id,
        candidate_key,
        partition,
        body,
        feedback.get("completedAt") or feedback.get("createdAt"),
        feedback.get("user"),
    )


def feedback_rows(
    items: list[Json],
    opp_id: str,
    candidate_key: str,
    partition: str,
    has_application: bool,
    forms: FeedbackForms,
    ctx: Context,
) -> list[Json]:
    """Feedback payloads; for an opportunity without an application, notes (see `feedback_note`)."""
    rows = []
    for feedback in items:
        if feedback.get("deletedAt"):
            ctx.skip("feedback", feedback["id"], opp_id, partition, "feedback_deleted", "soft-deleted in Lever")
            continue
        if not feedback.get("completedAt") and not any(field_text(f) for f in feedback.get("fields") or []):
            ctx.skip(
                "feedback",
                feedback["id"],
                opp_id,
                partition,
                "feedback_not_submitted",
                "the form was never filled in Lever",
            )
            continue
        if not has_application:
            rows.append(feedback_note(feedback, opp_id, candidate_key, partition, ctx))
            continue
        form, submissions, mode = forms.payload(feedback, opp_id)
        rows.append(
            {
                "lever_feedback_id": str(feedback["id"]),
                "lever_opportunity_id": opp_id,
                "candidate_key": candidate_key,
                "partition_key": partition,
                "form_definition_id": form.get("id") if form else None,
                "form_title": form.get("title") if form else None,
                "mode": mode,
                "lever_template": feedback.get("text"),
                "interviewer_lever_user_id": feedback.get("user"),
                "interviewer_user_id": ctx.ashby_user_id(feedback.get("user"), opp_id),
                "completed_at": iso_from_epoch_ms(feedback.get("completedAt") or feedback.get("createdAt")),
                "score": overall_score(feedback.get("fields") or []),
                "field_submissions": submissions,
            }
        )
    return rows
