"""Live changes to a sandbox org during the parallel run, each moving `updatedAt` as Lever does.

Lever's own write endpoints (create an opportunity, add a note, feedback or a file, change stage,
archive and unarchive, tags, sources, links, contact updates, create a posting or a user) and what
Lever's API cannot do (delete an opportunity, add a stage or an archive reason) are all applied here;
the HTTP layer only parses and answers.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from migration_pipeline.sandbox.lever.org import Json, LeverOrg, OpportunityPlan, canonical_email
from migration_pipeline.sandbox.lever.vocab import ACCESS_ROLES, POSTING_STATES, SCORE_OPTIONS

ORIGINS = ("agency", "applied", "internal", "referred", "sourced", "university")


class MutationError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _bad(message: str) -> MutationError:
    return MutationError(400, "BadRequestError", message)


class Clock:
    """Monotonic epoch milliseconds, never before the org's anchor, so each change is strictly later."""

    def __init__(self, floor_ms: int) -> None:
        self._last = floor_ms

    def now(self) -> int:
        self._last = max(self._last + 1, int(time.time() * 1000))
        return self._last


def _touch(opp: Json, now: int, *, interaction: bool = True) -> None:
    opp["updatedAt"] = now
    if interaction:
        opp["lastInteractionAt"] = now


def _user_exists(org: LeverOrg, user_id: str) -> bool:
    return any(u["id"] == user_id for u in org.users)


def require_user(org: LeverOrg, user_id: str | None, *, required: bool) -> str | None:
    if not user_id:
        if required:
            raise _bad("Missing perform_as parameter. Please specify a user for which to perform this create.")
        return None
    if not _user_exists(org, user_id):
        raise _bad(f"perform_as user {user_id} was not found")
    return user_id


def _stage_index(org: LeverOrg, stage_id: str) -> int:
    for i, stage in enumerate(org.stages):
        if stage["id"] == stage_id:
            return i
    raise MutationError(404, "ResourceNotFound", f"stages {stage_id} was not found")


def _archive_reason(org: LeverOrg, reason_id: str) -> Json:
    for reason in org.archive_reasons:
        if reason["id"] == reason_id:
            return reason
    raise MutationError(404, "ResourceNotFound", f"archive reason {reason_id} was not found")


def _string_list(body: Json, name: str) -> list[str]:
    value = body.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _bad(f"{name} must be an array of strings")
    return value


def _posting_tags(posting: Json) -> list[str]:
    cats = posting.get("categories") or {}
    tags = [posting.get("text"), cats.get("department"), cats.get("team"), cats.get("location"), cats.get("commitment")]
    return [t for t in tags if t]


def create_opportunity(
    org: LeverOrg, body: Json, perform_as: str | None, now: int, *, confidential_ok: bool
) -> tuple[Json, bool]:
    """`POST /opportunities`: a new opportunity, on the existing contact when an email matches."""
    user = require_user(org, perform_as, required=True)
    postings = _string_list(body, "postings")
    if len(postings) > 1:
        raise _bad("An opportunity can be linked to at most one posting")
    posting = None
    if postings:
        posting = next((p for p in org.postings if p["id"] == postings[0]), None)
        if posting is None:
            raise MutationError(404, "ResourceNotFound", f"postings {postings[0]} was not found")
        if posting.get("confidentiality") == "confidential" and not confidential_ok:
            raise MutationError(403, "Forbidden", "This API key does not have access to confidential data")
    emails = _string_list(body, "emails")
    links = _string_list(body, "links")
    tags = _string_list(body, "tags")
    sources = _string_list(body, "sources")
    followers = _string_list(body, "followers")
    phones = body.get("phones", [])
    if not isinstance(phones, list) or not all(isinstance(p, dict) and "value" in p for p in phones):
        raise _bad("phones must be an array of {type, value} objects")
    origin = body.get("origin", "sourced")
    if origin not in ORIGINS:
        raise _bad(f"origin must be one of {', '.join(ORIGINS)}")
    created_at = body.get("createdAt", now)
    if not isinstance(created_at, int) or created_at > now:
        raise _bad("createdAt must be an epoch-millisecond timestamp that is not in the future")
    stage = body.get("stage") or ("applicant-new" if origin == "applied" else "lead-new")
    stage_index = _stage_index(org, stage)

    contact, deduped = _contact_for(org, body, emails)
    if deduped:  # the existing contact's data wins; new emails, phones and links are added
        contact["emails"] += [e for e in emails if e not in contact["emails"]]
        contact["phones"] += [p for p in phones if p not in contact["phones"]]
        contact["links"] += [link for link in links if link not in contact["links"]]
    else:
        contact.update(
            name=str(body.get("name", "")),
            headline=str(body.get("headline", "")),
            location=str(body.get("location", "")),
            emails=emails,
            phones=[{"type": p.get("type"), "value": p["value"]} for p in phones],
            links=links,
        )
        org.contacts[contact["id"]] = contact

    opp_id = str(uuid.uuid4())
    all_tags = list(dict.fromkeys(tags + (_posting_tags(posting) if posting else [])))
    owner = body.get("owner") or user
    opp: Json = {
        "id": opp_id,
        "contact": contact["id"],
        "stage": stage,
        "confidentiality": posting.get("confidentiality", "non-confidential") if posting else "non-confidential",
        "archived": None,
        "tags": all_tags,
        "sources": list(dict.fromkeys(sources)),
        "stageChanges": [{"toStageId": stage, "toStageIndex": stage_index, "updatedAt": created_at, "userId": user}],
        "origin": origin,
        "sourcedBy": user if origin == "sourced" else None,
        "owner": owner,
        "followers": list(dict.fromkeys(followers or [user])),
        "applications": [],
        "createdAt": created_at,
        "updatedAt": now,
        "lastInteractionAt": now,
        "lastAdvancedAt": created_at,
        "snoozedUntil": None,
        "urls": {
            "list": "https://hire.lever.co/candidates",
            "show": f"https://hire.lever.co/candidates/{opp_id}",
        },
        "isAnonymized": False,
        "dataProtection": None,
    }
    archived = body.get("archived")
    if archived is not None:
        if not isinstance(archived, dict) or not archived.get("reason"):
            raise _bad("archived needs a reason")
        _archive_reason(org, archived["reason"])
        archived_at = archived.get("archivedAt", now)
        if not isinstance(archived_at, int) or archived_at <= created_at:
            raise _bad("archived.archivedAt must be after createdAt")
        opp["archived"] = {"reason": archived["reason"], "archivedAt": archived_at}
    plan = OpportunityPlan()
    if posting is not None:
        opp["opportunityLocation"] = (posting.get("categories") or {}).get("location") or "unspecified"
        plan.applications = 1
        plan.posting = posting["id"]
    org.opportunities[opp_id] = opp
    org.plans[opp_id] = plan
    if posting is not None:
        opp["applications"] = [a["id"] for a in org.sub_resources(opp_id, "applications")]
    return opp, deduped


def _contact_for(org: LeverOrg, body: Json, emails: list[str]) -> tuple[Json, bool]:
    if body.get("contact"):
        contact = org.contacts.get(body["contact"])
        if contact is None:
            raise MutationError(404, "ResourceNotFound", f"contacts {body['contact']} was not found")
        return contact, True
    wanted = {canonical_email(e) for e in emails}
    if wanted:
        for contact in org.contacts.values():
            if wanted & {canonical_email(e) for e in contact["emails"]}:
                return contact, True
    contact_id = str(uuid.uuid4())
    return {"id": contact_id, "isAnonymized": False, "createdAt": None}, False


def add_note(org: LeverOrg, opp_id: str, body: Json, perform_as: str | None, note_id: str | None, now: int) -> Json:
    """`POST OPP/notes`: a new note, or a comment on an existing note's thread (`note_id`)."""
    user = require_user(org, perform_as, required=False)
    value = body.get("value")
    if not isinstance(value, str) or not value:
        raise _bad("value is required")
    score = body.get("score")
    if score is not None and score not in (1, 2, 3, 4):
        raise _bad("score must be an integer from 1 to 4")
    created_at = body.get("createdAt", now)
    if not isinstance(created_at, int) or created_at > now:
        raise _bad("createdAt must be an epoch-millisecond timestamp that is not in the future")
    opp = org.opportunities[opp_id]
    comment = {
        "type": "note",
        "text": "Comment",
        "value": value,
        "createdAt": created_at,
        "user": user,
        "score": score,
        "stage": opp["stage"],
    }
    if note_id:
        note = next((n for n in org.sub_resources(opp_id, "notes") if n["id"] == note_id), None)
        if note is None:
            raise MutationError(404, "ResourceNotFound", f"notes {note_id} was not found")
        added = org.added.get((opp_id, "notes"), [])
        if note not in added:
            raise _bad("Only notes created through the API can be commented on in the sandbox")
        note["fields"].append(comment)
        note["completedAt"] = now
    else:
        note = {
            "id": str(uuid.uuid4()),
            "text": "Note",
            "fields": [comment],
            "user": user,
            "secret": bool(body.get("secret", False)),
            "completedAt": created_at,
            "deletedAt": None,
            "createdAt": created_at,
        }
        org.added.setdefault((opp_id, "notes"), []).append(note)
    _touch(opp, now)
    return note


def change_stage(org: LeverOrg, opp_id: str, body: Json, perform_as: str | None, now: int) -> Json:
    """`PUT OPP/stage`."""
    user = require_user(org, perform_as, required=False)
    stage = body.get("stage")
    if not isinstance(stage, str) or not stage:
        raise _bad("stage is required")
    index = _stage_index(org, stage)
    opp = org.opportunities[opp_id]
    if opp["stage"] != stage:
        opp["stage"] = stage
        opp["stageChanges"].append({"toStageId": stage, "toStageIndex": index, "updatedAt": now, "userId": user})
        opp["lastAdvancedAt"] = now
    _touch(opp, now)
    return opp


def set_archived(org: LeverOrg, opp_id: str, body: Json, now: int) -> Json:
    """`PUT OPP/archived`: archive with a reason, or un-archive with `reason: null`."""
    if "reason" not in body:
        raise _bad("reason is required (null to unarchive)")
    opp = org.opportunities[opp_id]
    reason = body["reason"]
    if reason is None:
        opp["archived"] = None
    else:
        if not isinstance(reason, str):
            raise _bad("reason must be an archive reason id or null")
        _archive_reason(org, reason)
        opp["archived"] = {"reason": reason, "archivedAt": now}
    _touch(opp, now)
    return opp


def edit_list(org: LeverOrg, opp_id: str, field: str, add: bool, body: Json, now: int) -> Json:
    """`POST OPP/addTags|removeTags|addSources|removeSources|addLinks|removeLinks`."""
    values = _string_list(body, field)
    opp = org.opportunities[opp_id]
    target = org.contacts[opp["contact"]] if field == "links" else opp
    current: list[str] = target[field]
    target[field] = list(dict.fromkeys(current + values)) if add else [v for v in current if v not in values]
    if field == "links":
        _touch_contact(org, opp["contact"], now)
    else:
        _touch(opp, now, interaction=False)
    return opp


CONTACT_EDITABLE = {"name": str, "headline": str, "location": str, "emails": list, "phones": list, "links": list}


def update_contact(org: LeverOrg, contact_id: str, body: Json, now: int) -> Json:
    """`PUT /contacts/:contact` (and the admin edit): changes the person on all of its opportunities."""
    contact = org.contacts.get(contact_id)
    if contact is None:
        raise MutationError(404, "ResourceNotFound", f"contacts {contact_id} was not found")
    for name, value in body.items():
        expected = CONTACT_EDITABLE.get(name)
        if expected is None:
            raise _bad(f"{name} cannot be updated on a contact")
        if not isinstance(value, expected):
            raise _bad(f"{name} must be a {expected.__name__}")
    if "phones" in body and not all(isinstance(p, dict) and "value" in p for p in body["phones"]):
        raise _bad("phones must be an array of {type, value} objects")
    contact.update(body)
    _touch_contact(org, contact_id, now)
    return contact


def _touch_contact(org: LeverOrg, contact_id: str, now: int) -> None:
    for opp in org.opportunities.values():
        if opp["contact"] == contact_id:
            opp["updatedAt"] = now


def delete_opportunity(org: LeverOrg, opp_id: str, deleted_by: str | None, now: int) -> Json:
    """Delete an opportunity (a Lever UI action): it leaves the lists and appears in `opportunities/deleted`."""
    if opp_id not in org.opportunities:
        raise MutationError(404, "ResourceNotFound", f"opportunities {opp_id} was not found")
    if deleted_by is not None and not _user_exists(org, deleted_by):
        raise _bad(f"deletedBy user {deleted_by} was not found")
    view = org.opportunity_view(opp_id)
    view["deletedBy"] = deleted_by
    view["deletedAt"] = now
    del org.opportunities[opp_id]
    org.plans.pop(opp_id, None)
    org.deleted_opportunities.append(view)
    return view


def response_opportunity(org: LeverOrg, opp_id: str, *, blank_contact: bool) -> dict[str, Any]:
    """The opportunity a write returns; stage/archive/tag/source writes answer with the contact
    fields blanked, as real Lever does."""
    view = org.opportunity_view(opp_id)
    if blank_contact:
        view.update(name="", headline="", emails=[], phones=[])
    return view


# ---- feedback and files ----------------------------------------------------------------------------

CHOICE_TYPES = ("dropdown", "multiple-choice")


def _timestamp(body: Json, name: str, now: int, default: int | None) -> int | None:
    value = body.get(name, default)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value > now:
        raise _bad(f"{name} must be an epoch-millisecond timestamp that is not in the future")
    return value


def _field_value(field: Json, value: Any) -> Any:
    """A submitted feedback value, checked against its template field (options must match)."""
    if value is None:
        return None
    ftype = field.get("type")
    options = [o.get("text") for o in field.get("options") or ()]
    if ftype in ("score-system", "score"):
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 4:
            return value if ftype == "score" else SCORE_OPTIONS[4 - value]
        if value not in (options or SCORE_OPTIONS):
            raise _bad(f"fieldValues: {value!r} is not an option of field {field['id']}")
    elif ftype in CHOICE_TYPES:
        if value not in options:
            raise _bad(f"fieldValues: {value!r} is not an option of field {field['id']}")
    elif ftype == "multiple-select":
        if not isinstance(value, list) or not all(v in options for v in value):
            raise _bad(f"fieldValues: field {field['id']} takes an array of its options")
    elif ftype == "yes-no":
        if value not in ("yes", "no"):
            raise _bad(f"fieldValues: field {field['id']} takes yes or no")
    elif ftype in ("date", "currency"):
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise _bad(f"fieldValues: field {field['id']} takes a number")
    elif ftype == "scorecard":
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise _bad(f"fieldValues: field {field['id']} takes an array of {{score, comment}}")
    elif not isinstance(value, str):
        raise _bad(f"fieldValues: field {field['id']} takes a string")
    return value


def _panel_and_interview(org: LeverOrg, opp_id: str, body: Json) -> tuple[str | None, str | None]:
    panel, interview = body.get("panel"), body.get("interview")
    if (panel is None) != (interview is None):
        raise _bad("panel and interview must be given together, or neither")
    if panel is None:
        return None, None
    if not isinstance(panel, str) or not isinstance(interview, str):
        raise _bad("panel and interview must be ids")
    found = next((p for p in org.sub_resources(opp_id, "panels") if p["id"] == panel), None)
    if found is None:
        raise MutationError(404, "ResourceNotFound", f"panels {panel} was not found")
    if interview not in {i.get("id") for i in found.get("interviews") or ()}:
        raise MutationError(404, "ResourceNotFound", f"interviews {interview} was not found on panel {panel}")
    return panel, interview


def add_feedback(org: LeverOrg, opp_id: str, body: Json, perform_as: str | None, now: int) -> Json:
    """`POST OPP/feedback`: a feedback form built from a template, its fields filled with `fieldValues`."""
    user = require_user(org, perform_as, required=True)
    template_id = body.get("baseTemplateId")
    if not isinstance(template_id, str) or not template_id:
        raise _bad("baseTemplateId is required")
    template = next((t for t in org.feedback_templates if t["id"] == template_id), None)
    if template is None:
        raise MutationError(404, "ResourceNotFound", f"feedback_templates {template_id} was not found")
    values = body.get("fieldValues", [])
    if not isinstance(values, list) or not all(isinstance(v, dict) and isinstance(v.get("id"), str) for v in values):
        raise _bad("fieldValues must be an array of {id, value} objects")
    fields = {f["id"]: f for f in template.get("fields") or ()}
    given: dict[str, Any] = {}
    for item in values:
        field = fields.get(item["id"])
        if field is None:
            raise _bad(f"fieldValues: {item['id']} is not a field of template {template_id}")
        given[item["id"]] = _field_value(field, item.get("value"))
    panel, interview = _panel_and_interview(org, opp_id, body)
    created_at = _timestamp(body, "createdAt", now, now)
    assert created_at is not None
    submitted = any(v is not None for v in given.values())
    completed_at = _timestamp(body, "completedAt", now, created_at if submitted else None)
    if completed_at is not None and completed_at < created_at:
        raise _bad("completedAt must not be before createdAt")
    feedback = {
        "id": str(uuid.uuid4()),
        "type": "interview",
        "text": template.get("text") or "Feedback",
        "instructions": template.get("instructions") or "",
        "fields": [{**field, "value": given.get(fid)} for fid, field in fields.items()],
        "baseTemplateId": template_id,
        "interview": interview,
        "panel": panel,
        "user": user,
        "createdAt": created_at,
        "updatedAt": now if submitted else None,
        "completedAt": completed_at,
        "deletedAt": None,
    }
    org.added.setdefault((opp_id, "feedback"), []).append(feedback)
    _touch(org.opportunities[opp_id], now)
    return feedback


MAX_FILE_BYTES = 30 * 1024 * 1024  # Lever's upload limit (§4.4 files, §4.1 uploads)
PROCESSED_EXTENSIONS = (".pdf", ".doc", ".docx", ".txt", ".js")  # parsed; images and others are kept unparsed


def add_file(
    org: LeverOrg, opp_id: str, name: str | None, content: bytes | None, perform_as: str | None, now: int
) -> Json:
    """`POST OPP/files` (multipart `file`): the file record, and its bytes kept for the download."""
    require_user(org, perform_as, required=True)
    if content is None:
        raise _bad("A file is required (multipart field 'file')")
    if len(content) > MAX_FILE_BYTES:
        raise MutationError(413, "RequestEntityTooLarge", "File is larger than the 30 MB upload limit")
    name = (name or "").strip().replace("/", "_").replace("\\", "_") or "file"
    dot = name.rfind(".")
    ext = name[dot:].lower() if dot > 0 else ""
    file_id = str(uuid.uuid4())
    record: Json = {
        "id": file_id,
        "downloadUrl": f"https://hire.lever.co/candidates/{opp_id}/files/{file_id}/download",
        "ext": ext,
        "name": name,
        "uploadedAt": now,
        "status": "processed" if ext in PROCESSED_EXTENSIONS else "unsupported",
        "size": len(content),
    }
    org.uploads[file_id] = content
    org.added.setdefault((opp_id, "files"), []).append(record)
    _touch(org.opportunities[opp_id], now)
    return record


# ---- account-level objects ---------------------------------------------------------------------

WORKPLACE_TYPES = ("unspecified", "onsite", "remote", "hybrid")
CATEGORIES = ("team", "department", "location", "commitment", "level")


def _optional_str(body: Json, name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise _bad(f"{name} must be a string")
    return value


def _optional_user(org: LeverOrg, body: Json, name: str) -> str | None:
    user = _optional_str(body, name)
    if user and not _user_exists(org, user):
        raise _bad(f"{name} user {user} was not found")
    return user or None


def _plain(html: str | None) -> str | None:
    if html is None:
        return None
    text = re.sub(r"<br\s*/?>|</(?:div|p|li)>", "\n", html)
    return re.sub(r"<[^>]+>", "", text).strip()


def _category_ok(name: str, value: Any) -> bool:
    if name == "allLocations":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return name in CATEGORIES and (value is None or isinstance(value, str))


def create_posting(org: LeverOrg, body: Json, perform_as: str | None, now: int) -> Json:
    """`POST /postings`: a new posting (never confidential: the API cannot create those)."""
    user = require_user(org, perform_as, required=True)
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _bad("text is required")
    state = body.get("state", "draft")
    if state not in POSTING_STATES:
        raise _bad(f"state must be one of {', '.join(POSTING_STATES)}")
    if body.get("confidentiality", "non-confidential") != "non-confidential":
        raise _bad("Confidential postings cannot be created through the API")
    channels = body.get("distributionChannels", ["public", "internal"])
    if not isinstance(channels, list) or not set(channels) <= {"public", "internal"}:
        raise _bad("distributionChannels must be an array of public and internal")
    categories = body.get("categories", {})
    if not isinstance(categories, dict) or not all(_category_ok(k, v) for k, v in categories.items()):
        raise _bad(f"categories takes strings {', '.join(CATEGORIES)} and an array allLocations")
    workplace = body.get("workplaceType", "unspecified")
    if workplace not in WORKPLACE_TYPES:
        raise _bad(f"workplaceType must be one of {', '.join(WORKPLACE_TYPES)}")
    content = body.get("content", {})
    if not isinstance(content, dict):
        raise _bad("content must be an object")
    lists = content.get("lists", [])
    if not isinstance(lists, list) or not all(isinstance(i, dict) and {"text", "content"} <= set(i) for i in lists):
        raise _bad("content.lists must be an array of {text, content}")
    salary = body.get("salaryRange")
    salary_keys = {"min", "max", "currency", "interval"}
    if salary is not None and (not isinstance(salary, dict) or not salary_keys <= set(salary)):
        raise _bad("salaryRange takes min, max, currency and interval")
    tags = _string_list(body, "tags")
    codes = _string_list(body, "requisitionCodes")
    owner = _optional_user(org, body, "owner") or user
    hiring_manager = _optional_user(org, body, "hiringManager")
    location = categories.get("location")
    all_locations = categories.get("allLocations") or ([location] if location else [])
    posting_id = str(uuid.uuid4())
    description_html, closing_html = content.get("descriptionHtml") or "", content.get("closingHtml") or ""
    salary_html = _optional_str(body, "salaryDescriptionHtml")
    posting: Json = {
        "id": posting_id,
        "text": text.strip(),
        "createdAt": now,
        "updatedAt": now,
        "user": user,
        "owner": owner,
        "hiringManager": hiring_manager,
        "confidentiality": "non-confidential",
        "categories": {**{c: categories.get(c) for c in CATEGORIES}, "allLocations": all_locations},
        "content": {
            "description": _plain(description_html),
            "descriptionHtml": description_html,
            "lists": lists,
            "closing": _plain(closing_html),
            "closingHtml": closing_html,
        },
        "country": None,
        "followers": list(dict.fromkeys(u for u in (owner, hiring_manager) if u)),
        "tags": list(dict.fromkeys(tags)),
        "state": state,
        "distributionChannels": channels,
        "reqCode": codes[0] if codes else None,
        "requisitionCodes": codes,
        "salaryDescription": _plain(salary_html),
        "salaryDescriptionHtml": salary_html,
        "salaryRange": salary,
        "urls": {
            "list": "https://jobs.lever.co/sandbox",
            "show": f"https://jobs.lever.co/sandbox/{posting_id}/",
            "apply": f"https://jobs.lever.co/sandbox/{posting_id}/apply",
        },
        "workplaceType": workplace,
        "transcribeInterviews": False,
        "screening": {"enabled": False},
    }
    org.postings.append(posting)
    return posting


def create_user(org: LeverOrg, body: Json, now: int) -> Json:
    """`POST /users`: a new user (no invite is sent); `username` is the email's local part."""
    name, email = body.get("name"), body.get("email")
    if not isinstance(name, str) or not name.strip():
        raise _bad("name is required")
    if not isinstance(email, str) or "@" not in email:
        raise _bad("email is required and must be an email address")
    if any(canonical_email(u.get("email") or "") == canonical_email(email) for u in org.users):
        raise _bad(f"A user with email {email.strip()} already exists")
    role = body.get("accessRole", "interviewer")
    if role not in ACCESS_ROLES:
        raise _bad(f"accessRole must be one of {', '.join(ACCESS_ROLES)}")
    user: Json = {
        "id": str(uuid.uuid4()),
        "name": name.strip(),
        "username": email.strip().split("@")[0],
        "email": email.strip(),
        "createdAt": now,
        "deactivatedAt": None,
        "externalDirectoryId": _optional_str(body, "externalDirectoryId"),
        "accessRole": role,
        "photo": None,
        "linkedContactIds": None,
        "jobTitle": _optional_str(body, "jobTitle"),
        "managerId": _optional_user(org, body, "managerId"),
    }
    org.users.append(user)
    return user


def add_stage(org: LeverOrg, body: Json) -> Json:
    """Sandbox admin: a new pipeline stage, appended (existing stage indexes do not move)."""
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _bad("text is required")
    if any(s["text"].casefold() == text.strip().casefold() for s in org.stages):
        raise _bad(f"A stage named {text.strip()!r} already exists")
    stage = {"id": str(uuid.uuid4()), "text": text.strip()}
    org.stages.append(stage)
    return stage


def add_archive_reason(org: LeverOrg, body: Json) -> Json:
    """Sandbox admin: a new (active) archive reason of type hired or non-hired."""
    text, kind = body.get("text"), body.get("type")
    if not isinstance(text, str) or not text.strip():
        raise _bad("text is required")
    if kind not in ("hired", "non-hired"):
        raise _bad("type must be hired or non-hired")
    if any(r["text"].casefold() == text.strip().casefold() for r in org.archive_reasons):
        raise _bad(f"An archive reason named {text.strip()!r} already exists")
    reason = {"id": str(uuid.uuid4()), "text": text.strip(), "status": "active", "type": kind}
    org.archive_reasons.append(reason)
    return reason
