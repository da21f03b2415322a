"""Ashby endpoints: candidates, notes and candidate tags.

Candidates are stored in the shape `candidate.info` answers (reference §8.1): optional keys that were
never set are absent (`primaryEmailAddress`, `primaryPhoneNumber`, `position`, `company`, `school`,
`resumeFileHandle`, `location`), `source`/`creditedToUser`/`timezone`/`fraudStatus` are `null` until
set, the arrays are always present. Notes live in `state["notes"]` with their candidate in `_candidateId`.

`candidate.create` and `candidate.update` take different names for the same things (reference §6.3):
create has `website` and `alternateEmailAddresses[]`, update has `websiteUrl`, `alternateEmail` and
`socialLinks[]`. Sending one endpoint's name to the other is answered with `invalid_input`, so a loader
that mixes them up finds out here rather than by silently losing data in Ashby.

A candidate is invisible (`candidate_not_found`, left out of lists) to a key without the confidential
toggle when all of its applications are to confidential jobs; for such keys `applicationIds` leaves the
confidential applications out. A candidate merged into another is gone from `state["candidates"]`, so
its old id answers `candidate_not_found` everywhere.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from migration_pipeline.sandbox.ashby.rpc import (
    UUID_RE,
    AshbyError,
    Ctx,
    datetime_value,
    endpoint,
    existing,
    field_value,
    invalid_input,
    not_found,
    paginate,
    require_toggle,
    uuid_value,
)
from migration_pipeline.sandbox.ashby.state import AshbyState, Json, iso, new_id, parse_iso, public

PROFILE_URL = "https://app.ashbyhq.com/candidate-searches/new/right-side/candidates/{id}"
SEARCH_LIMIT = 100
SOCIAL_TYPES = ("LinkedIn", "GitHub", "Twitter", "Medium", "StackOverflow", "YouTube", "CodePen", "Website")
ANONYMIZED_NAME = "Anonymized Candidate"
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_HOST_RE = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$|^localhost$|^\d{1,3}(?:\.\d{1,3}){3}$"
)

# The order `candidate.info` lists a candidate's keys in (§8.1, §8.2).
CANDIDATE_KEYS = (
    "id", "createdAt", "updatedAt", "name", "primaryEmailAddress", "emailAddresses", "primaryPhoneNumber",
    "phoneNumbers", "socialLinks", "tags", "position", "company", "school", "applicationIds", "resumeFileHandle",
    "fileHandles", "customFields", "profileUrl", "source", "creditedToUser", "timezone", "location", "fraudStatus",
)  # fmt: skip

# Names that belong to the other of candidate.create / candidate.update.
_CREATE_ONLY = {"website": "websiteUrl", "alternateEmailAddresses": "alternateEmail"}
_UPDATE_ONLY = {"websiteUrl": "website", "alternateEmail": "alternateEmailAddresses", "socialLinks": None}


# ---- lookups shared with the other endpoint modules ------------------------------------------------


def _application_confidential(state: AshbyState, app: Json) -> bool:
    if app.get("_confidential"):
        return True
    job = state.get("jobs", (app.get("job") or {}).get("id"))
    return bool(job and job.get("_confidential"))


def visible_application_ids(ctx: Ctx, cand: Json) -> list[str]:
    """The candidate's application ids this key may see."""
    ids = cand.get("applicationIds", [])
    if ctx.key.confidential:
        return list(ids)
    shown = []
    for app_id in ids:
        app = ctx.state.get("applications", app_id)
        if app is None or not _application_confidential(ctx.state, app):
            shown.append(app_id)
    return shown


def candidate_visible(ctx: Ctx, cand: Json) -> bool:
    """False when every application of the candidate is to a confidential job and the key may not see those."""
    ids = cand.get("applicationIds", [])
    return ctx.key.confidential or not ids or bool(visible_application_ids(ctx, cand))


def find_candidate(ctx: Ctx, cand_id: Any) -> Json:
    """The stored candidate, or `candidate_not_found` (unknown, merged away, or confidential for this key)."""
    cand = ctx.state.get("candidates", cand_id)
    if cand is None or not candidate_visible(ctx, cand):
        raise not_found("candidate", cand_id)
    return cand


def candidate_from_body(ctx: Ctx, body: Json, name: str = "candidateId") -> Json:
    return find_candidate(ctx, uuid_value(body, name))


def render_candidate(ctx: Ctx, cand: Json) -> Json:
    """The candidate as this key sees it."""
    shown = dict(cand)
    shown["applicationIds"] = visible_application_ids(ctx, cand)
    return shown


def api_user(state: AshbyState) -> Json | None:
    """The user an API key acts as: the first enabled Organization Admin (else the first admin, else anyone)."""
    users = sorted(state["users"].values(), key=lambda u: u.get("_seq", 0))
    for wanted in (
        lambda u: u.get("globalRole") == "Organization Admin" and u.get("isEnabled", True),
        lambda u: u.get("globalRole") == "Organization Admin",
        lambda u: True,
    ):
        for user in users:
            if wanted(user):
                return user
    return None


def acting_user(ctx: Ctx) -> Json:
    """The author of a mutation: the `X-On-Behalf-Of` user when given (must exist and be enabled), else the key's."""
    if ctx.on_behalf_of and ctx.on_behalf_of.strip():
        user_id = ctx.on_behalf_of.strip()
        if not UUID_RE.match(user_id):
            raise invalid_input(f"Invalid value for X-On-Behalf-Of: {user_id!r} is not a user id")
        user = ctx.state.get("users", user_id)
        if user is None:
            raise not_found("user", user_id)
        if not user.get("isEnabled", True):
            raise invalid_input(f"Invalid value for X-On-Behalf-Of: user {user_id} is deactivated")
        return user
    user = api_user(ctx.state)
    if user is None:
        raise AshbyError("internal_error", "The organization has no user the API key could act as")
    return user


def reorder(cand: Json) -> Json:
    """Put the candidate's keys back in Ashby's order (bookkeeping keys last), in place."""
    items = list(cand.items())
    cand.clear()
    rank = {key: i for i, key in enumerate(CANDIDATE_KEYS)}
    for key, value in sorted(items, key=lambda kv: rank.get(kv[0], len(rank))):
        cand[key] = value
    return cand


def sync_application_summaries(state: AshbyState, cand: Json) -> None:
    """Refresh the `candidate` summary embedded in the candidate's applications (id, name, primary contacts)."""
    for app_id in cand.get("applicationIds", []):
        app = state.get("applications", app_id)
        if app is None or not isinstance(app.get("candidate"), dict):
            continue
        summary = {"id": cand["id"], "name": cand["name"]}
        for key in ("primaryEmailAddress", "primaryPhoneNumber"):
            if key in cand:
                summary[key] = dict(cand[key])
        if app["candidate"] != summary:
            app["candidate"] = summary
            state.touch(app)


# ---- input checks -----------------------------------------------------------------------------------


def _nonempty_string(body: Json, name: str, *, required: bool = False) -> str | None:
    value = field_value(body, name, str, required=required)
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise invalid_input(f"Invalid value for {name}: must not be empty")
    return value


def _email(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise invalid_input(f"Invalid value for {name}: expected string")
    value = value.strip()
    if not EMAIL_RE.match(value):
        raise invalid_input(f"Invalid value for {name}: {value!r} is not a valid email address")
    return value


def _url(value: Any, name: str) -> str:
    """A valid Url: http(s)://host... or a bare host.tld/... (stored as given)."""
    if not isinstance(value, str):
        raise invalid_input(f"Invalid value for {name}: expected string")
    value = value.strip()
    candidate = value if "://" in value else f"http://{value}"
    try:
        parts = urlsplit(candidate)
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    if (
        parts is None
        or parts.scheme.lower() not in ("http", "https")
        or not _HOST_RE.match(host)
        or any(c.isspace() for c in value)
    ):
        raise invalid_input(f"Invalid value for {name}: {value!r} is not a valid Url")
    return value


def _reject_names(body: Json, names: dict[str, str | None], method: str) -> None:
    for name, instead in names.items():
        if name in body:
            hint = f" (use {instead})" if instead else ""
            raise invalid_input(f"Invalid field for {method}: {name} is not a parameter of {method}{hint}")


def _location(body: Json) -> Json | None:
    raw = field_value(body, "location", dict)
    if raw is None:
        return None
    components = []
    for part, kind in (("country", "Country"), ("region", "Region"), ("city", "City")):
        value = raw.get(part)
        if value is None:
            continue
        if not isinstance(value, str):
            raise invalid_input(f"Invalid value for location.{part}: expected string")
        if value.strip():
            components.append({"type": kind, "name": value.strip()})
    if not components:
        return None
    return {
        "id": new_id(),
        "locationSummary": ", ".join(c["name"] for c in components),
        "locationComponents": components,
    }


def _source(ctx: Ctx, body: Json) -> Json | None:
    source_id = uuid_value(body, "sourceId", required=False)
    if source_id is None:
        return None
    source = ctx.state.get("sources", source_id)
    if source is None:
        raise not_found("source", source_id)
    return public(source)


def _credited_user(ctx: Ctx, body: Json) -> Json | None:
    user_id = uuid_value(body, "creditedToUserId", required=False)
    if user_id is None:
        return None
    user = ctx.state.get("users", user_id)
    if user is None:
        raise not_found("user", user_id)
    return public(user)


def _contact(value: str, primary: bool) -> Json:
    return {"value": value, "type": "Personal", "isPrimary": primary}


def _set_primary(cand: Json, list_key: str, primary_key: str, value: str, *, casefold: bool) -> None:
    """Make `value` the primary contact: existing entries stay, demoted."""

    def norm(v: str) -> str:
        return v.lower() if casefold else v

    contacts = cand[list_key]
    for contact in contacts:
        contact["isPrimary"] = False
    match = next((c for c in contacts if norm(c["value"]) == norm(value)), None)
    if match is None:
        match = _contact(value, True)
        contacts.insert(0, match)
    match["isPrimary"] = True
    cand[primary_key] = dict(match)


def _add_contact(cand: Json, list_key: str, value: str) -> None:
    if all(c["value"].lower() != value.lower() for c in cand[list_key]):
        cand[list_key].append(_contact(value, False))


def _set_social(cand: Json, kind: str, url: str) -> None:
    links = [link for link in cand["socialLinks"] if link["type"] != kind]
    position = next((i for i, link in enumerate(cand["socialLinks"]) if link["type"] == kind), len(links))
    links.insert(position, {"type": kind, "url": url})
    cand["socialLinks"] = links


# ---- candidates -------------------------------------------------------------------------------------


@endpoint("candidate.create", scope="candidatesWrite")
def candidate_create(ctx: Ctx, body: Json) -> Json:
    _reject_names(body, _UPDATE_ONLY, "candidate.create")
    name = _nonempty_string(body, "name", required=True)
    email = body.get("email")
    email = _email(email, "email") if email is not None else None
    phone = _nonempty_string(body, "phoneNumber")
    links = []
    for field, kind in (("linkedInUrl", "LinkedIn"), ("githubUrl", "GitHub"), ("website", "Website")):
        if body.get(field) is not None:
            links.append({"type": kind, "url": _url(body[field], field)})
    alternates = field_value(body, "alternateEmailAddresses", list, default=[])
    alternates = [_email(v, f"alternateEmailAddresses[{i}]") for i, v in enumerate(alternates)]
    source = _source(ctx, body)
    credited = _credited_user(ctx, body)
    location = _location(body)
    created_at = datetime_value(body, "createdAt")
    now = iso()

    cand_id = new_id()
    cand: Json = {
        "id": cand_id,
        "createdAt": created_at or now,
        "updatedAt": now,
        "name": name,
        "emailAddresses": [],
        "phoneNumbers": [],
        "socialLinks": links,
        "tags": [],
        "applicationIds": [],
        "fileHandles": [],
        "customFields": [],
        "profileUrl": PROFILE_URL.format(id=cand_id),
        "source": source,
        "creditedToUser": credited,
        "timezone": None,
        "fraudStatus": None,
    }
    if email is not None:
        _set_primary(cand, "emailAddresses", "primaryEmailAddress", email, casefold=True)
    for alternate in alternates:
        _add_contact(cand, "emailAddresses", alternate)
    if phone is not None:
        _set_primary(cand, "phoneNumbers", "primaryPhoneNumber", phone, casefold=False)
    if location is not None:
        cand["location"] = location
    ctx.state.add("candidates", reorder(cand))
    return render_candidate(ctx, cand)


@endpoint("candidate.update", scope="candidatesWrite")
def candidate_update(ctx: Ctx, body: Json) -> Json:
    _reject_names(body, _CREATE_ONLY, "candidate.update")
    cand = candidate_from_body(ctx, body)
    name = _nonempty_string(body, "name")
    email = body.get("email")
    email = _email(email, "email") if email is not None else None
    phone = _nonempty_string(body, "phoneNumber")
    alternate = body.get("alternateEmail")
    alternate = _email(alternate, "alternateEmail") if alternate is not None else None
    link_fields = {}
    for field, kind in (("linkedInUrl", "LinkedIn"), ("githubUrl", "GitHub"), ("websiteUrl", "Website")):
        if body.get(field) is not None:
            link_fields[kind] = _url(body[field], field)
    social = field_value(body, "socialLinks", list)
    if social is not None:
        checked = []
        for i, link in enumerate(social):
            if not isinstance(link, dict):
                raise invalid_input(f"Invalid value for socialLinks[{i}]: expected object")
            kind = link.get("type")
            if kind not in SOCIAL_TYPES:
                allowed = ", ".join(SOCIAL_TYPES)
                raise invalid_input(f"Invalid value for socialLinks[{i}].type: must be one of {allowed}")
            checked.append({"type": kind, "url": _url(link.get("url"), f"socialLinks[{i}].url")})
        social = checked
    source = _source(ctx, body)
    credited = _credited_user(ctx, body)
    location = _location(body)
    created_at = datetime_value(body, "createdAt")
    field_value(body, "sendNotifications", bool)

    if name is not None:
        cand["name"] = name
    if email is not None:
        _set_primary(cand, "emailAddresses", "primaryEmailAddress", email, casefold=True)
    if alternate is not None:
        _add_contact(cand, "emailAddresses", alternate)
    if phone is not None:
        _set_primary(cand, "phoneNumbers", "primaryPhoneNumber", phone, casefold=False)
    if social is not None:  # replaces every link; linkedInUrl/githubUrl/websiteUrl are then ignored
        cand["socialLinks"] = social
    else:
        for kind, url in link_fields.items():
            _set_social(cand, kind, url)
    if source is not None:
        cand["source"] = source
    if credited is not None:
        cand["creditedToUser"] = credited
    if location is not None:
        cand["location"] = location
    if created_at is not None:
        cand["createdAt"] = created_at
    ctx.state.touch(reorder(cand))
    sync_application_summaries(ctx.state, cand)
    return render_candidate(ctx, cand)


@endpoint("candidate.info", scope="candidatesRead")
def candidate_info(ctx: Ctx, body: Json) -> Json:
    if body.get("id") is not None:
        return render_candidate(ctx, find_candidate(ctx, uuid_value(body, "id")))
    external = field_value(body, "externalMappingId", str)
    if external is None:
        raise invalid_input("Missing required field: id (or externalMappingId)")
    for cand in ctx.state["candidates"].values():
        if cand.get("_externalMappingId") == external and candidate_visible(ctx, cand):
            return render_candidate(ctx, cand)
    raise not_found("candidate", external)


@endpoint("candidate.search", scope="candidatesRead")
def candidate_search(ctx: Ctx, body: Json) -> list[Json]:
    email = field_value(body, "email", str)
    name = field_value(body, "name", str)
    email = email.strip().lower() if email and email.strip() else None
    name = " ".join(name.lower().split()) if name and name.strip() else None
    if email is None and name is None:
        raise invalid_input("Invalid input: give email and/or name to search by")
    found = []
    for cand in sorted(ctx.state["candidates"].values(), key=lambda c: c["_seq"]):
        if email is not None and all(e["value"].lower() != email for e in cand["emailAddresses"]):
            continue
        if name is not None and name not in " ".join(cand["name"].lower().split()):
            continue
        if candidate_visible(ctx, cand):
            found.append(render_candidate(ctx, cand))
            if len(found) == SEARCH_LIMIT:
                break
    return found


def _created_after(body: Json) -> int | None:
    value = body.get("createdAfter")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value) or value < 0:
        raise invalid_input("Invalid value for createdAfter: expected milliseconds since the epoch (integer)")
    return int(value)


def _created_ms(obj: Json) -> float:
    return parse_iso(obj["createdAt"]).timestamp() * 1000


@endpoint("candidate.list", scope="candidatesRead")
def candidate_list(ctx: Ctx, body: Json):
    after = _created_after(body)
    items = [
        c
        for c in ctx.state["candidates"].values()
        if candidate_visible(ctx, c) and (after is None or _created_ms(c) > after)
    ]
    listing = paginate(ctx, body, "candidate.list", items, syncable=True)
    listing.results = [render_candidate(ctx, c) for c in listing.results]
    return listing


@endpoint("candidate.anonymize", scope="candidatesWrite")
def candidate_anonymize(ctx: Ctx, body: Json) -> Json:
    cand = candidate_from_body(ctx, body)
    for app_id in cand["applicationIds"]:
        app = ctx.state.get("applications", app_id)
        if app is not None and app.get("status") not in ("Archived", "Hired"):
            raise invalid_input(
                f"Cannot anonymize candidate {cand['id']}: application {app_id} is {app.get('status')}; "
                "every application must be archived or hired"
            )
    for handle in [*cand["fileHandles"], cand.get("resumeFileHandle") or {}]:
        if handle.get("id"):
            ctx.state.remove("files", handle["id"])
    cand["name"] = ANONYMIZED_NAME
    for key in ("primaryEmailAddress", "primaryPhoneNumber", "position", "company", "school", "resumeFileHandle",
                "location"):  # fmt: skip
        cand.pop(key, None)
    cand["emailAddresses"] = []
    cand["phoneNumbers"] = []
    cand["socialLinks"] = []
    cand["fileHandles"] = []
    cand["timezone"] = None
    cand.pop("_externalMappingId", None)
    cand["_anonymized"] = True
    ctx.state.touch(cand)
    sync_application_summaries(ctx.state, cand)
    return render_candidate(ctx, cand)


# ---- notes ----------------------------------------------------------------------------------------

ALLOWED_TAGS = frozenset({"b", "i", "u", "a", "ul", "ol", "li", "code", "pre"})
# Tags whose content is not text a reader would see: dropped with the tag.
_DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "noscript", "iframe", "object", "head", "title"})
_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def _safe_href(href: str | None) -> str | None:
    if href is None:
        return None
    squeezed = "".join(ch for ch in href if not ch.isspace() and ord(ch) >= 32)
    match = _SCHEME_RE.match(squeezed)
    if match and match.group(1).lower() not in _SAFE_SCHEMES:
        return None
    return href.strip()


class _NoteSanitizer(HTMLParser):
    """Keeps <b> <i> <u> <a href> <ul> <ol> <li> <code> <pre>; other tags go, their text stays (escaped)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.append(tag)
            return
        if tag in _DROPPED_WITH_CONTENT:
            self.skipping.append(tag)
            return
        if tag not in ALLOWED_TAGS:
            return
        if tag == "a":
            href = _safe_href(dict(attrs).get("href"))
            self.out.append(f'<a href="{html.escape(href, quote=True)}">' if href else "<a>")
        else:
            self.out.append(f"<{tag}>")
        self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ALLOWED_TAGS and not self.skipping:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.pop()
            return
        if tag not in ALLOWED_TAGS or tag not in self.open:
            return
        while self.open:  # close what was left open inside it
            inner = self.open.pop()
            self.out.append(f"</{inner}>")
            if inner == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(html.escape(data, quote=False))

    def result(self) -> str:
        self.close()
        return "".join(self.out) + "".join(f"</{tag}>" for tag in reversed(self.open))


def sanitize_note_html(value: str) -> str:
    parser = _NoteSanitizer()
    parser.feed(value)
    return parser.result()


def _note_content(body: Json) -> str:
    note = body.get("note")
    if note is None:
        raise invalid_input("Missing required field: note")
    if isinstance(note, str):
        if not note.strip():
            raise invalid_input("Invalid value for note: must not be empty")
        return note
    if not isinstance(note, dict):
        raise invalid_input("Invalid value for note: expected string or object {type, value}")
    kind = note.get("type")
    value = note.get("value")
    if kind not in ("text/plain", "text/html"):
        raise invalid_input("Invalid value for note.type: must be text/plain or text/html")
    if not isinstance(value, str):
        raise invalid_input("Invalid value for note.value: expected string")
    if not value.strip():
        raise invalid_input("Invalid value for note.value: must not be empty")
    return sanitize_note_html(value) if kind == "text/html" else value


def notes_of(state: AshbyState, cand_id: str) -> list[Json]:
    return [n for n in state["notes"].values() if n.get("_candidateId") == cand_id]


@endpoint("candidate.createNote", scope="candidatesWrite")
def candidate_create_note(ctx: Ctx, body: Json) -> Json:
    cand = candidate_from_body(ctx, body)
    content = _note_content(body)
    private = field_value(body, "isPrivate", bool, default=False)
    field_value(body, "sendNotifications", bool)
    created_at = datetime_value(body, "createdAt")
    if private:
        require_toggle(ctx, "private-fields", "to create private notes")
    author = acting_user(ctx)
    note = {
        "id": new_id(),
        "createdAt": created_at or iso(),
        "isPrivate": private,
        "content": content,
        "author": {k: author.get(k) for k in ("id", "firstName", "lastName", "email")},
        "_candidateId": cand["id"],
    }
    return ctx.state.add("notes", note)


@endpoint("candidate.listNotes", scope="candidatesRead")
def candidate_list_notes(ctx: Ctx, body: Json):
    cand = candidate_from_body(ctx, body)
    items = [n for n in notes_of(ctx.state, cand["id"]) if ctx.key.private_fields or not n["isPrivate"]]
    return paginate(ctx, body, f"candidate.listNotes:{cand['id']}", items, syncable=True)


# ---- tags -----------------------------------------------------------------------------------------


def _tag_summary(tag: Json) -> Json:
    return {"id": tag["id"], "title": tag["title"], "isArchived": tag["isArchived"]}


@endpoint("candidateTag.create", scope="hiringProcessMetadataWrite")
def candidate_tag_create(ctx: Ctx, body: Json) -> Json:
    title = _nonempty_string(body, "title", required=True)
    # "If a tag already exists with that title, the existing tag will be returned."
    for tag in sorted(ctx.state["candidate_tags"].values(), key=lambda t: t["_seq"]):
        if tag["title"] == title:
            return tag
    return ctx.state.add("candidate_tags", {"id": new_id(), "title": title, "isArchived": False})


@endpoint("candidateTag.list", scope="hiringProcessMetadataRead")
def candidate_tag_list(ctx: Ctx, body: Json):
    include_archived = field_value(body, "includeArchived", bool, default=False)
    items = [t for t in ctx.state["candidate_tags"].values() if include_archived or not t["isArchived"]]
    return paginate(ctx, body, "candidateTag.list", items, syncable=True)


def _tag_from_body(ctx: Ctx, body: Json) -> Json:
    return existing(ctx, body, "tagId", "candidate_tags", "candidate_tag")


@endpoint("candidate.addTag", scope="candidatesWrite")
def candidate_add_tag(ctx: Ctx, body: Json) -> Json:
    cand = candidate_from_body(ctx, body)
    tag = _tag_from_body(ctx, body)
    if all(t["id"] != tag["id"] for t in cand["tags"]):
        cand["tags"].append(_tag_summary(tag))
        ctx.state.touch(cand)
    return render_candidate(ctx, cand)


@endpoint("candidate.removeTag", scope="candidatesWrite")
def candidate_remove_tag(ctx: Ctx, body: Json) -> Json:
    cand = candidate_from_body(ctx, body)
    tag = _tag_from_body(ctx, body)
    kept = [t for t in cand["tags"] if t["id"] != tag["id"]]
    if len(kept) != len(cand["tags"]):
        cand["tags"] = kept
        ctx.state.touch(cand)
    return render_candidate(ctx, cand)
