"""Live changes to a sandbox org during the parallel run, each moving `updatedAt` as Lever does.

Lever's own write endpoints (create an opportunity, add a note, change stage, archive and
unarchive, tags, sources, links, contact updates) and what Lever's API cannot do (delete an
opportunity) are all applied here; the HTTP layer only parses and answers.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from migration_pipeline.sandbox.lever.org import Json, LeverOrg, OpportunityPlan, canonical_email

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
