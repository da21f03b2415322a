"""On-demand, deterministic sub-resources of an opportunity (notes, feedback, interviews, files ...).

`materialize(org, opportunity_id, kind)` rebuilds the `kind` objects of one opportunity from
`(org.seed, opportunity_id, kind)`, the opportunity record and its `OpportunityPlan`; nothing is stored.
The plan's counts are authoritative: exactly `plan.count(kind)` objects come back, and the first
`plan.feedback_deleted` feedback are soft-deleted, the first `plan.notes_secret` notes are secret, etc.

It works for any opportunity: generated ones, ones created at runtime (record + a plan such as
`OpportunityPlan(applications=1, posting=...)`), deleted ones (looked up in `org.deleted_opportunities`;
without a plan they have no sub-resources) and ones whose contact is anonymized or gone.

Objects that reference each other agree because they share derivations: panels list their interviews,
interviews list the feedback submitted for them (`feedbackForms`), feedback names its `panel` and
`interview`, application ids are the record's `applications`, referrals and referral applications name
the same referrer.

`document_bytes(org, opportunity_id, kind, object_id)` gives the download content of a resume, file or
offer letter (`size` of resumes/files equals its length); `None` when the object cannot be downloaded
(status `error`, an offer without a document, or an unknown id).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from bisect import bisect_right
from collections.abc import Callable, Sequence
from random import Random
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from faker.decode import unidecode

from . import vocab
from .org import Json, LeverOrg, OpportunityPlan

SECOND = 1000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR

HUGE_TEXT_BYTES = 100 * 1024

# Where generated objects point to (Lever's real hosts); the sandbox server may rewrite these.
API_BASE = "https://api.lever.co/v1"
HIRE_BASE = "https://hire.lever.co"

DOCUMENT_KINDS = ("resumes", "files", "offers")


# -------------------------------------------------------------------------------------------------
# Small shared helpers (the generator imports these too)
def uid(rng: Random) -> str:
    """A random version-4 UUID string drawn from `rng` (same value as `uuid.UUID(int=..., version=4)`)."""
    n = rng.getrandbits(128)
    n = (n & ~(0xF000 << 64)) | (0x4000 << 64)
    n = (n & ~(0xC000 << 48)) | (0x8000 << 48)
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def org_constant_id(seed: int, name: str) -> str:
    """A fixed UUID of the org (account id, referral form template id ...), derived from the seed."""
    return uid(Random(f"{seed}:const:{name}"))


class Weighted:
    """Weighted choice over fixed items with a precomputed cumulative table (faster than rng.choices)."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, pairs: Sequence[tuple[Any, float]]) -> None:
        self.items = [item for item, _ in pairs]
        acc = 0.0
        self.cum: list[float] = []
        for _, weight in pairs:
            acc += weight
            self.cum.append(acc)
        self.total = acc

    def pick(self, rng: Random) -> Any:
        return self.items[bisect_right(self.cum, rng.random() * self.total)]


def _between(rng: Random, lo: int, hi: int) -> int:
    return lo if hi <= lo else lo + int(rng.random() * (hi - lo))


def _choice(rng: Random, seq: Sequence[Any]) -> Any:
    return seq[int(rng.random() * len(seq))]  # several times faster than rng.choice / randrange


_TEMPLATE_HINTS = {spec["text"]: spec["stage_hint"] for spec in vocab.FEEDBACK_TEMPLATE_DEFS}
_LOCATION_TZ = {loc: tz for loc, _, tz, _ in vocab.POSTING_LOCATIONS}
_REMINDERS = Weighted((("frequently", 40), ("daily", 35), ("once", 15), ("none", 10)))
_DURATIONS = Weighted(((30, 35), (45, 30), (60, 30), (90, 5)))
_OFFER_STATUSES = Weighted(vocab.OFFER_STATUSES_NOT_HIRED)
_SENT_STATUSES = frozenset({"sent", "sent-manually", "opened", "signed", "denied"})


# -------------------------------------------------------------------------------------------------
# Lookups into the org's lists, cached on the org and checked on every use (lists can change).
class _Lookup:
    """id -> position maps over the org's lists; a hit is verified, a stale map is rebuilt."""

    def __init__(self) -> None:
        # (list name, field) -> (id of the list object, its length when mapped, value -> position)
        self.maps: dict[tuple[str, str], tuple[int, int, dict[Any, int]]] = {}

    def get(self, org: LeverOrg, list_name: str, key: Any, field: str = "id") -> Json | None:
        if key is None:
            return None
        items: list[Json] = getattr(org, list_name)
        entry = self.maps.get((list_name, field))
        if entry is not None and entry[0] == id(items):
            pos = entry[2].get(key)
            if pos is not None and pos < len(items) and items[pos].get(field) == key:
                return items[pos]
            if pos is None and entry[1] == len(items):
                return None
        positions: dict[Any, int] = {}
        for i, item in enumerate(items):
            positions.setdefault(item.get(field), i)
        self.maps[(list_name, field)] = (id(items), len(items), positions)
        pos = positions.get(key)
        return items[pos] if pos is not None else None


def _lookup(org: LeverOrg) -> _Lookup:
    lookup = org.__dict__.get("_materialize_lookup")
    if lookup is None:
        lookup = _Lookup()
        org.__dict__["_materialize_lookup"] = lookup
    return lookup


def _find_record(org: LeverOrg, opportunity_id: str) -> Json | None:
    rec = org.opportunities.get(opportunity_id)
    if rec is None:
        rec = _lookup(org).get(org, "deleted_opportunities", opportunity_id)
    return rec


def posting_of(org: LeverOrg, opportunity_id: str) -> str | None:
    """The id of the posting an opportunity is tied to (through its application), or None.

    Uses `plan.posting`; for records without it (created at runtime with a bare plan) falls back to the
    posting whose title is among the opportunity's tags and whose location is its `opportunityLocation`.
    """
    rec = _find_record(org, opportunity_id)
    plan = org.plans.get(opportunity_id)
    return _posting_id(org, rec, plan) if rec is not None else None


def _posting_id(org: LeverOrg, rec: Json, plan: OpportunityPlan | None) -> str | None:
    if plan is not None and plan.posting:
        return plan.posting
    if not rec.get("applications") and (plan is None or plan.applications <= 0):
        return None
    # a record without `plan.posting` (made at runtime): the posting whose auto tags and location it carries
    location = rec.get("opportunityLocation")
    tags = set(rec.get("tags") or ())
    for posting in org.postings:
        posting_location = (posting.get("categories") or {}).get("location") or "unspecified"
        if posting.get("text") in tags and location in (posting_location, None):
            return posting["id"]
    return None


# -------------------------------------------------------------------------------------------------
class _Ctx:
    """Everything the builders need about one opportunity."""

    __slots__ = (
        "anonymized",
        "app_ids",
        "cap",
        "contact",
        "first_name",
        "lookup",
        "oid",
        "org",
        "plan",
        "posting",
        "rec",
        "stage_ids",
        "stage_times",
        "t0",
        "t1",
        "team",
    )

    def __init__(self, org: LeverOrg, oid: str, rec: Json, plan: OpportunityPlan) -> None:
        self.org = org
        self.oid = oid
        self.rec = rec
        self.plan = plan
        self.lookup = _lookup(org)
        contact = org.contacts.get(rec.get("contact")) if rec.get("contact") else None
        if contact is None and "name" in rec:  # deleted opportunities carry the contact fields themselves
            contact = rec
        self.contact = contact
        self.anonymized = bool(rec.get("isAnonymized")) or bool(contact and contact.get("isAnonymized"))
        name = (contact or {}).get("name") or ""
        self.first_name = name.split(" ")[0] if name.strip() else "the candidate"
        self.posting = self.lookup.get(org, "postings", _posting_id(org, rec, plan))
        changes = rec.get("stageChanges") or []
        self.stage_times = [c.get("updatedAt") or 0 for c in changes]
        self.stage_ids = [c.get("toStageId") for c in changes]
        t0 = rec.get("createdAt") or org.anchor_ms
        archived = rec.get("archived") or {}
        t1 = max(
            t0,
            rec.get("updatedAt") or t0,
            rec.get("lastInteractionAt") or t0,
            archived.get("archivedAt") or t0,
        )
        if t1 - t0 < HOUR:
            t1 = max(t1, min(t0 + HOUR, org.anchor_ms - 1)) if t0 < org.anchor_ms else t0 + HOUR
        self.t0, self.t1 = t0, t1
        # derived times (replies, approvals, signatures ...) stay before the org's "now" when the record does
        self.cap = org.anchor_ms - 1 if t1 < org.anchor_ms else t1 + 30 * DAY
        team: list[str] = []
        for user in (rec.get("owner"), *(rec.get("followers") or ()), rec.get("sourcedBy")):
            if user and user not in team:
                team.append(user)
        for change in changes:
            user = change.get("userId")
            if user and user not in team:
                team.append(user)
        if self.posting:
            for user in (
                self.posting.get("owner"),
                self.posting.get("hiringManager"),
                *(self.posting.get("followers") or ()),
            ):
                if user and user not in team:
                    team.append(user)
        if not team:
            team = [u["id"] for u in org.users[:3]] or [None]
        self.team = team
        self.app_ids = list(rec.get("applications") or [])[: plan.applications]

    def clamp(self, when: int, floor: int) -> int:
        """`when`, but not after `cap` (and never before `floor`)."""
        return max(floor, min(when, self.cap))

    def stage_at(self, when: int) -> str | None:
        if not self.stage_ids:
            return self.rec.get("stage")
        i = bisect_right(self.stage_times, when) - 1
        return self.stage_ids[max(i, 0)]

    def user(self, user_id: str | None) -> Json:
        return self.lookup.get(self.org, "users", user_id) or {}

    def hired(self) -> bool:
        archived = self.rec.get("archived")
        if not archived:
            return False
        reason = self.lookup.get(self.org, "archive_reasons", archived.get("reason"))
        return bool(reason and reason.get("type") == "hired")

    def sorted_times(self, rng: Random, n: int, lo: int | None = None, hi: int | None = None) -> list[int]:
        lo = self.t0 if lo is None else lo
        hi = self.t1 if hi is None else hi
        return sorted(_between(rng, lo, hi) for _ in range(n))


def _context(org: LeverOrg, opportunity_id: str) -> _Ctx | None:
    rec = _find_record(org, opportunity_id)
    if rec is None:
        return None
    plan = org.plans.get(opportunity_id) or OpportunityPlan()
    return _Ctx(org, opportunity_id, rec, plan)


def materialize(org: LeverOrg, opportunity_id: str, kind: str) -> list[Json]:
    """The generated `kind` objects of an opportunity, in the order the API serves them."""
    builder = _BUILDERS[kind]
    plan = org.plans.get(opportunity_id)
    if plan is None or plan.count(kind) <= 0:
        return []
    rec = _find_record(org, opportunity_id)
    if rec is None:
        return []
    return builder(_Ctx(org, opportunity_id, rec, plan), Random(f"{org.seed}:{opportunity_id}:{kind}"))


# -------------------------------------------------------------------------------------------------
# Text
def _fill(template: str, ctx: _Ctx, rng: Random) -> str:
    mention_user = ctx.user(_choice(rng, ctx.team))
    posting = ctx.posting or {}
    return template.format(
        first=ctx.first_name,
        mention=mention_user.get("username") or "recruiting",
        skill=_choice(rng, vocab.SKILLS),
        team=(posting.get("categories") or {}).get("team") or "engineering",
        title=posting.get("text") or "the open role",
        company=_choice(rng, vocab.COMPANIES),
        salary=10 * (8 + rng.randrange(20)),
        slug="candidate",
    )


def _huge_text(rng: Random) -> str:
    parts: list[str] = []
    size = 0
    n = 0
    while size < HUGE_TEXT_BYTES + 4096:
        n += 1
        line = (
            f"[{n:05d}] Transcript: {_choice(rng, vocab.FEEDBACK_TEXTS)} "
            f"Discussed {_choice(rng, vocab.SKILLS)} at {_choice(rng, vocab.COMPANIES)} in depth."
        )
        parts.append(line)
        size += len(line.encode()) + 1
    return "\n".join(parts)


# -------------------------------------------------------------------------------------------------
# Builders, one per kind
def _applications(ctx: _Ctx, rng: Random) -> list[Json]:
    rec, plan, posting = ctx.rec, ctx.plan, ctx.posting or {}
    ids = list(ctx.app_ids)
    while len(ids) < plan.applications:
        ids.append(uid(rng))
    origin = rec.get("origin")
    app_type = (
        "referral" if origin == "referred" else "posting" if origin in ("applied", "university", "internal") else "user"
    )
    contact = ctx.contact or {}
    created = ctx.t0 + 1
    hired = ctx.hired()
    archived = rec.get("archived")
    req = None
    if hired and posting.get("requisitionCodes"):
        req = ctx.lookup.get(ctx.org, "requisitions", posting["requisitionCodes"][0], "requisitionCode")
    out = []
    for app_id in ids:
        anon = ctx.anonymized
        app: Json = {
            "id": app_id,
            "type": app_type,
            "candidateId": ctx.oid,
            "opportunityId": ctx.oid,
            "posting": posting.get("id"),
            "postingHiringManager": posting.get("hiringManager"),
            "postingOwner": posting.get("owner"),
            "name": None,
            "company": None,
            "phone": None,
            "email": None,
            "links": [],
            "comments": None,
            "user": None,
            "customQuestions": [],
            "createdAt": created,
            "archived": (
                {
                    "reason": archived.get("reason"),
                    "archivedAt": max(created, (archived.get("archivedAt") or created) - rng.randrange(10 * SECOND)),
                }
                if archived
                else None
            ),
            "requisitionForHire": (
                {
                    "id": req["id"],
                    "requisitionCode": req["requisitionCode"],
                    "hiringManagerOnHire": req.get("hiringManager") or posting.get("hiringManager"),
                }
                if req
                else None
            ),
            "ipAddress": None,
            "referer": None,
            "userAgent": None,
            "acceptLanguage": None,
            "timezone": None,
            # docs-only duplicates of postingOwner / postingHiringManager (S1 example)
            "ownerId": posting.get("owner"),
            "hiringManager": posting.get("hiringManager"),
        }
        if app_type == "posting":
            if not anon:
                emails = contact.get("emails") or []
                phones = contact.get("phones") or []
                headline = contact.get("headline") or ""
                app["name"] = contact.get("name") or None
                app["email"] = emails[0] if emails else None
                app["phone"] = {"type": phones[0].get("type"), "value": phones[0].get("value")} if phones else None
                app["company"] = headline.split(", ")[0][:200] or None
                app["links"] = list(contact.get("links") or [])
                if rng.random() < 0.3:
                    app["comments"] = (
                        f"Dear hiring team, please find enclosed my CV. I am excited about the "
                        f"{posting.get('text') or 'open'} role."
                    )
            app["ipAddress"] = (
                f"203.0.113.{rng.randrange(1, 255)}" if rng.random() < 0.8 else f"2001:db8::{rng.getrandbits(16):x}"
            )
            app["referer"] = _choice(
                rng,
                (
                    f"https://jobs.lever.co/{vocab.JOB_SITE}/{posting.get('id')}",
                    "https://www.linkedin.com/",
                    "https://www.google.com/",
                    None,
                ),
            )
            app["userAgent"] = _choice(rng, vocab.USER_AGENTS)
            app["acceptLanguage"] = _choice(rng, vocab.ACCEPT_LANGUAGES)
            app["timezone"] = _LOCATION_TZ.get((posting.get("categories") or {}).get("location"), "America/New_York")
            if rng.random() < 0.5:
                app["customQuestions"] = [_posting_form(ctx, rng, created)]
        elif app_type == "referral":
            referrer, manual = _referrer(ctx)
            app["user"] = referrer if not manual else rec.get("owner")
            app["customQuestions"] = [_referral_form(ctx, rng, created, referrer, manual, summary=True)]
        else:
            app["user"] = rec.get("sourcedBy") or rec.get("owner")
        out.append(app)
    return out


def _posting_form(ctx: _Ctx, rng: Random, created: int) -> Json:
    posting = ctx.posting or {}
    langs = ["javascript", "node", "derby", "python", "go"]
    return {
        "type": "posting",
        "text": posting.get("text") or "Application",
        "user": posting.get("owner"),
        "description": "",
        "fields": [
            {
                "type": "multiple-select",
                "text": "Which languages or frameworks are you comfortable with?",
                "description": "",
                "required": False,
                "options": [{"text": lang} for lang in langs],
                "value": sorted(rng.sample(langs, 1 + rng.randrange(3)), key=langs.index),
            },
            {
                "type": "file-upload",
                "text": "Please attach the programming assignment",
                "description": "",
                "required": False,
                "value": {
                    "id": uid(rng),
                    "ext": ".txt",
                    "name": "assignment.txt",
                    "size": 40 + rng.randrange(4000),
                    "uploadedAt": created,
                },
            },
            {
                "type": "text",
                "text": "What role most interests you?",
                "description": "",
                "required": False,
                "value": _choice(rng, (" I'm interested in primarily a frontend role", "Backend", "Anything!", "")),
            },
        ],
        "baseTemplateId": org_constant_id(ctx.org.seed, "posting-form"),
        "stage": None,
        "createdAt": created,
        "completedAt": created + rng.randrange(1, 20 * MINUTE),
    }


def _referrer(ctx: _Ctx) -> tuple[str | None, bool]:
    """(referrer user id, manual?) of the opportunity's first referral; shared by applications/referrals."""
    rng = Random(f"{ctx.org.seed}:{ctx.oid}:referrer")
    return _choice(rng, ctx.team), rng.random() < 0.2


def _referral_form(
    ctx: _Ctx, rng: Random, created: int, referrer: str | None, manual: bool, summary: bool = False
) -> Json:
    user = ctx.user(referrer)
    referrer_name = (
        user.get("name")
        if not manual
        else _choice(rng, ("Rachel Green", "Ross Geller", "Monica Geller", "Joey Tribbiani"))
    )
    form: Json = {
        "type": "referral",
        "text": "Referral",
        "user": referrer,
        "description": "",
        "fields": [
            {"type": "text", "text": "Name of referrer", "description": "", "required": True, "value": referrer_name},
            {
                "type": "dropdown",
                "text": "Relationship",
                "description": "",
                "required": True,
                "prompt": "Select one",
                "options": [{"text": r} for r in vocab.REFERRAL_RELATIONSHIPS],
                "value": _choice(rng, vocab.REFERRAL_RELATIONSHIPS),
            },
            {
                "type": "textarea",
                "text": "Notes / Comments",
                "description": "",
                "required": True,
                "value": _fill(
                    "{first} comes recommended by an old coworker of mine ({company}). Great at {skill}.", ctx, rng
                ),
            },
        ],
        "baseTemplateId": org_constant_id(ctx.org.seed, "referral-form"),
        "stage": None,
        "createdAt": created,
        "completedAt": created,
    }
    if summary:
        form.update(
            accountId=org_constant_id(ctx.org.seed, "account"),
            isSummary=False,
            summaryText=None,
            referrerId=None if manual else referrer,
            userId=referrer,
        )
    return form


def _notes(ctx: _Ctx, rng: Random) -> list[Json]:
    plan = ctx.plan
    out = []
    times = ctx.sorted_times(rng, plan.notes)
    for i, created in enumerate(times):
        author = _choice(rng, ctx.team)
        value = _fill(_choice(rng, vocab.NOTE_TEMPLATES), ctx, rng)
        if i < plan.notes_html:
            value = _choice(rng, vocab.NOTE_HTML_SNIPPETS).format(slug="candidate") + " " + value
        if i < plan.notes_huge:
            value = value + "\n" + _huge_text(rng)
        fields = [
            {
                "type": "note",
                "text": "Comment",
                "value": value,
                "createdAt": created,
                "user": author,
                "score": 1 + rng.randrange(4) if i < plan.notes_scored else None,
                "stage": ctx.stage_at(created),
            }
        ]
        if i < plan.notes_threaded:
            n_replies = 1 + rng.randrange(3) + (rng.randrange(8) if rng.random() < 0.1 else 0)
            when = created
            for _ in range(n_replies):
                when = ctx.clamp(when + MINUTE + int(rng.expovariate(1 / (6 * HOUR))), when)
                fields.append(
                    {
                        "type": "note",
                        "text": "Comment",
                        "value": _fill(_choice(rng, vocab.NOTE_REPLIES), ctx, rng),
                        "createdAt": when,
                        "user": _choice(rng, ctx.team),
                        "score": None,
                        "stage": ctx.stage_at(when),
                    }
                )
        out.append(
            {
                "id": uid(rng),
                "text": "Note",
                "fields": fields,
                "user": author,
                "secret": i < plan.notes_secret,
                "completedAt": created,
                "deletedAt": None,
                "createdAt": created,
            }
        )
    return out


# --- interviews, panels and feedback share one structure ------------------------------------------
class _Interview:
    __slots__ = (
        "canceled",
        "created",
        "date",
        "duration",
        "id",
        "index",
        "interviewers",
        "location",
        "note",
        "panel",
        "reminder",
        "stage",
        "subject",
        "template",
    )


class _Panel:
    __slots__ = (
        "canceled",
        "created",
        "end",
        "external_url",
        "id",
        "interviews",
        "note",
        "reminder",
        "stage",
        "start",
        "timezone",
        "user",
    )


def _generated_feedback_templates(org: LeverOrg) -> list[Json]:
    """The generator's own templates (listed first), so that templates created later change nothing."""
    head = org.feedback_templates[: 1 + len(vocab.FEEDBACK_TEMPLATE_DEFS)]
    return [t for t in head if t.get("id") != "no-feedback"]


def _feedback_ids(ctx: _Ctx, n: int) -> list[str]:
    rng = Random(f"{ctx.org.seed}:{ctx.oid}:feedback-ids")
    return [uid(rng) for _ in range(n)]


def _structure(ctx: _Ctx) -> tuple[list[_Panel], list[_Interview]]:
    """Panels (with their interviews) and the flat interview list, in date order."""
    plan = ctx.plan
    rng = Random(f"{ctx.org.seed}:{ctx.oid}:panels")
    n_panels, n_interviews = plan.panels, plan.interviews
    n_groups = n_panels if n_panels > 0 else (1 if n_interviews > 0 else 0)
    sizes = [0] * n_groups
    for j in range(min(n_groups, n_interviews)):
        sizes[j] = 1
    for _ in range(max(0, n_interviews - n_groups)):
        sizes[n_groups - 1 if rng.random() < 0.7 else rng.randrange(n_groups)] += 1
    linked = min(plan.feedback, n_interviews)
    templates = _generated_feedback_templates(ctx.org)
    timezone = _LOCATION_TZ.get(((ctx.posting or {}).get("categories") or {}).get("location"), "America/Los_Angeles")
    # each panel sits in the time the candidate spent in an interview stage (extra panels anywhere)
    windows: list[tuple[int, int]] = []
    for j, stage_id in enumerate(ctx.stage_ids):
        stage = ctx.lookup.get(ctx.org, "stages", stage_id) or {}
        if stage.get("text") in vocab.INTERVIEW_STAGE_TEXTS:
            begin = ctx.stage_times[j]
            end = ctx.stage_times[j + 1] if j + 1 < len(ctx.stage_times) else ctx.t1
            windows.append((begin, max(begin, end)))
    starts = []
    for j in range(n_groups):
        lo, hi = windows[j] if j < len(windows) else (ctx.t0, ctx.t1)
        lo += (hi - lo) // 10
        span = sizes[j] * 105 * MINUTE + HOUR
        start = _between(rng, lo, max(lo, hi - span))
        starts.append(max(ctx.t0, min(start, ctx.t1 - span, ctx.cap - span)))
    starts.sort()
    panels: list[_Panel] = []
    flat: list[_Interview] = []
    for j in range(n_groups):
        panel = _Panel()
        panel.id = uid(rng)
        start = starts[j] - starts[j] % (15 * MINUTE)
        start = max(start, ctx.t0)
        panel.start = start
        panel.created = max(ctx.t0, start - _between(rng, HOUR, 7 * DAY))
        panel.stage = ctx.stage_at(start)
        stage = ctx.lookup.get(ctx.org, "stages", panel.stage) or {}
        stage_text = stage.get("text") or ""
        panel.timezone = timezone
        panel.reminder = _REMINDERS.pick(rng)
        panel.user = _choice(rng, ctx.team)
        panel.note = _choice(rng, (None, "", "Please review the candidate's resume before the interview."))
        panel.external_url = (
            f"https://scheduling.example.com/panels/{rng.getrandbits(64):016x}" if rng.random() < 0.1 else None
        )
        when = start
        panel.interviews = []
        subjects = vocab.INTERVIEW_SUBJECTS.get(stage_text, ("Interview",))
        hinted = [t for t in templates if stage_text in _TEMPLATE_HINTS.get(t.get("text"), ())] or templates
        for _ in range(sizes[j]):
            iv = _Interview()
            iv.id = uid(rng)
            iv.panel = panel.id
            iv.duration = _DURATIONS.pick(rng)
            iv.date = when
            when += (iv.duration + 15) * MINUTE
            iv.subject = _choice(rng, subjects)
            iv.note = _choice(
                rng, (None, "Focus on fundamentals.", "Candidate prefers video off for the first minutes.")
            )
            iv.location = _choice(rng, vocab.INTERVIEW_LOCATIONS)
            iv.reminder = panel.reminder
            iv.stage = panel.stage
            iv.created = panel.created
            people = [_choice(rng, ctx.team)]
            if rng.random() < 0.2:
                other = _choice(rng, ctx.team)
                if other not in people:
                    people.append(other)
            iv.interviewers = people
            iv.index = index = len(flat)
            if index < linked:
                iv.template = _choice(rng, hinted)["id"] if hinted else "no-feedback"
            else:
                iv.template = "no-feedback" if rng.random() < 0.25 or not hinted else _choice(rng, hinted)["id"]
            iv.canceled = None
            flat.append(iv)
            panel.interviews.append(iv)
        panel.end = when - 15 * MINUTE if panel.interviews else start + HOUR
        panel.canceled = None
        if panel.interviews and all(iv.index >= linked for iv in panel.interviews) and rng.random() < 0.05:
            panel.canceled = _between(rng, panel.created, panel.start)
            for iv in panel.interviews:
                iv.canceled = panel.canceled
        panels.append(panel)
    return (panels if n_panels > 0 else []), flat


def _interviewer(ctx: _Ctx, user_id: str | None, template: str, panel_form: bool) -> Json:
    user = ctx.user(user_id)
    entry: Json = {"id": user_id, "name": user.get("name"), "email": user.get("email"), "feedbackTemplate": template}
    if panel_form:
        entry["responseStatus"] = "accepted" if user_id and hash_of(user_id) % 4 else "needsAction"
    return entry


def hash_of(text: str) -> int:
    """A small stable hash (Python's `hash` of str is salted per process)."""
    return zlib.crc32(text.encode())


def _interviews(ctx: _Ctx, rng: Random) -> list[Json]:
    _, flat = _structure(ctx)
    feedback_ids = _feedback_ids(ctx, min(ctx.plan.feedback, len(flat)))
    posting_id = (ctx.posting or {}).get("id")
    out = []
    for j, iv in enumerate(flat):
        out.append(
            {
                "id": iv.id,
                "panel": iv.panel,
                "subject": iv.subject,
                "note": iv.note,
                "interviewers": [_interviewer(ctx, u, iv.template, False) for u in iv.interviewers],
                "timezone": _LOCATION_TZ.get(
                    ((ctx.posting or {}).get("categories") or {}).get("location"), "America/Los_Angeles"
                ),
                "createdAt": iv.created,
                "date": iv.date,
                "duration": iv.duration,
                "location": iv.location,
                "feedbackTemplate": iv.template,
                "feedbackForms": [feedback_ids[j]] if j < len(feedback_ids) else [],
                "feedbackReminder": iv.reminder,
                "user": iv.interviewers[0],
                "stage": iv.stage,
                "canceledAt": iv.canceled,
                "postings": [posting_id] if posting_id else [],
                "gcalEventUrl": (
                    f"https://www.google.com/calendar/event?eid={hash_of(iv.id):08x}" if hash_of(iv.id) % 3 else None
                ),
                "opportunityId": ctx.oid,
            }
        )
    return out


def _panels(ctx: _Ctx, rng: Random) -> list[Json]:
    panels, _ = _structure(ctx)
    out = []
    for panel in panels:
        out.append(
            {
                "id": panel.id,
                "applications": list(ctx.app_ids),
                "canceledAt": panel.canceled,
                "createdAt": panel.created,
                "start": panel.start,
                "end": panel.end,
                "timezone": panel.timezone,
                "feedbackReminder": panel.reminder,
                "user": panel.user,
                "stage": panel.stage,
                "note": panel.note,
                "externallyManaged": panel.external_url is not None,
                "externalUrl": panel.external_url,
                "interviews": [
                    {
                        "id": iv.id,
                        "date": iv.date,
                        "duration": iv.duration,
                        "feedbackReminder": iv.reminder,
                        "feedbackTemplate": iv.template,
                        "interviewers": [_interviewer(ctx, u, iv.template, True) for u in iv.interviewers],
                        "location": iv.location,
                        "note": iv.note,
                        "subject": iv.subject,
                    }
                    for iv in panel.interviews
                ],
            }
        )
    return out


def _field_value(rng: Random, field: Json, when: int, score_as_int: bool, good: bool, ctx: _Ctx) -> Any:
    ftype = field.get("type")
    options = [o.get("text") for o in field.get("options") or ()]
    if ftype in ("score-system", "score"):
        k = rng.randrange(2) if good else 1 + rng.randrange(3)
        if ftype == "score" and score_as_int:
            return 4 - k
        return options[k] if k < len(options) else vocab.SCORE_OPTIONS[k]
    if ftype in ("dropdown", "multiple-choice"):
        return _choice(rng, options) if options else None
    if ftype == "multiple-select":
        return [o for o in options if rng.random() < 0.5] or options[:1]
    if ftype == "scorecard":
        return [
            {"score": 1 + rng.randrange(4), "comment": _choice(rng, ("", "Solid.", "Needs work.", "Excellent"))}
            for _ in field.get("scores") or ()
        ]
    if ftype == "code":
        return _choice(rng, vocab.CODE_SNIPPETS)[1]
    if ftype == "currency":
        return 1000 * (40 + rng.randrange(200))
    if ftype == "date":  # start dates lie ahead of the form (may pass the org's "now"); others behind it
        if "start" in (field.get("text") or "").lower():
            return (when + _between(rng, 14 * DAY, 90 * DAY)) // DAY * DAY
        return (when - _between(rng, 0, 30 * DAY)) // DAY * DAY
    if ftype == "yes-no":
        return _choice(rng, ("yes", "yes", "no", None))
    if ftype == "textarea":
        return _choice(rng, vocab.FEEDBACK_TEXTS)
    if ftype == "text":
        return _fill(
            _choice(rng, ("{skill}", "Strong {skill} background", "Ex-{company}", "{first} is great")), ctx, rng
        )
    return None


def _filled_fields(ctx: _Ctx, rng: Random, template: Json | None, when: int, empty: bool, good: bool) -> list[Json]:
    score_as_int = rng.random() < 0.5  # §5.8: `score` values come both as "3 - Hire" and as 3
    fields = []
    for field in (template or {}).get("fields") or ():
        filled = dict(field)
        filled["value"] = None if empty else _field_value(rng, field, when, score_as_int, good, ctx)
        fields.append(filled)
    return fields


def _feedback(ctx: _Ctx, rng: Random) -> list[Json]:
    plan = ctx.plan
    _, flat = _structure(ctx)
    ids = _feedback_ids(ctx, plan.feedback)
    linked = min(plan.feedback, len(flat))
    templates = _generated_feedback_templates(ctx.org) or ctx.org.feedback_templates[:1]
    good = ctx.hired() or any(s == "offer" for s in ctx.stage_ids)
    unlinked_times = ctx.sorted_times(rng, plan.feedback - linked)
    out = []
    for i, fid in enumerate(ids):
        if i < linked:
            iv = flat[i]
            template = ctx.lookup.get(ctx.org, "feedback_templates", iv.template)
            user = iv.interviewers[0]
            end = iv.date + iv.duration * MINUTE
            created = _between(rng, end, max(end + 1, min(end + 2 * DAY, ctx.t1)))
            panel_id, interview_id, ftype = iv.panel, iv.id, "interview"
        else:
            template = _choice(rng, templates) if templates else None
            user = _choice(rng, ctx.team)
            created = unlinked_times[i - linked]
            panel_id = interview_id = None
            ftype = "interview" if rng.random() < 0.8 else "share"
        deleted = i < plan.feedback_deleted
        empty = not deleted and rng.random() < 0.03  # started from the template, never submitted
        completed = None if empty else ctx.clamp(created + _between(rng, MINUTE, 2 * HOUR), created)
        out.append(
            {
                "id": fid,
                "type": ftype,
                "text": (template or {}).get("text") or "Feedback",
                "instructions": (template or {}).get("instructions") or "",
                "fields": _filled_fields(ctx, rng, template, created, empty, good),
                "baseTemplateId": (template or {}).get("id"),
                "interview": interview_id,
                "panel": panel_id,
                "user": user,
                "createdAt": created,
                "updatedAt": None if empty else ctx.clamp(completed + _between(rng, 0, MINUTE), completed),
                "completedAt": completed,
                "deletedAt": (
                    max((completed or created) + 1, _between(rng, completed or created, ctx.org.anchor_ms - 1))
                    if deleted
                    else None
                ),
            }
        )
    return out


def _forms(ctx: _Ctx, rng: Random) -> list[Json]:
    templates = ctx.org.form_templates[: len(vocab.FORM_TEMPLATE_DEFS)]  # templates added later are not drawn
    out = []
    for created in ctx.sorted_times(rng, ctx.plan.forms):
        template = _choice(rng, templates) if templates else None
        out.append(
            {
                "id": uid(rng),
                "type": "form",
                "text": (template or {}).get("text") or "Form",
                "instructions": (template or {}).get("instructions") or "",
                "baseTemplateId": (template or {}).get("id"),
                "fields": _filled_fields(ctx, rng, template, created, False, True),
                "user": _choice(rng, ctx.team),
                "stage": ctx.stage_at(created),
                "createdAt": created,
                "completedAt": ctx.clamp(created + _between(rng, MINUTE, HOUR), created),
                "deletedAt": None,
            }
        )
    return out


def _offers(ctx: _Ctx, rng: Random) -> list[Json]:
    n = ctx.plan.offers
    hired = ctx.hired()
    offer_time = next((t for s, t in zip(ctx.stage_ids, ctx.stage_times, strict=False) if s == "offer"), None)
    lo = offer_time or (ctx.t0 + (ctx.t1 - ctx.t0) // 2)
    times = ctx.sorted_times(rng, n, max(ctx.t0, lo - 3 * DAY), max(lo, ctx.t1))
    posting = ctx.posting or {}
    contact = ctx.contact or {}
    currency = vocab.COUNTRY_CURRENCY.get(posting.get("country"), "USD")
    salary_range = posting.get("salaryRange") or {}
    base = salary_range.get("min") or 10_000 * (6 + rng.randrange(14))
    candidate_email = (contact.get("emails") or [None])[0]
    out = []
    for i, created in enumerate(times):
        last = i == n - 1
        if last:
            status = "signed" if hired else _OFFER_STATUSES.pick(rng)
        else:  # an earlier offer that was revised
            status = "denied" if rng.random() < 0.6 else "sent"
        oid = uid(rng)
        creator = posting.get("owner") or ctx.rec.get("owner") or _choice(rng, ctx.team)
        hiring_manager = posting.get("hiringManager") or _choice(rng, ctx.team)
        approved = status not in ("draft", "approval-sent")
        approved_at = ctx.clamp(created + _between(rng, HOUR, 2 * DAY), created) if approved else None
        sent = status in _SENT_STATUSES
        sent_at = (
            ctx.clamp((approved_at or created) + _between(rng, MINUTE, DAY), approved_at or created) if sent else None
        )
        opened = status in ("opened", "signed", "denied")
        first_opened = ctx.clamp(sent_at + _between(rng, MINUTE, DAY), sent_at) if opened and sent_at else None
        signed_at = (
            ctx.clamp(max(sent_at, first_opened or sent_at) + _between(rng, HOUR, 5 * DAY), first_opened or sent_at)
            if status == "signed" and sent_at
            else None
        )
        amount = base + 1000 * rng.randrange(30)
        slug = (unidecode(contact.get("name") or "").strip().replace(" ", "-").lower() or "candidate")[:40]
        fields = [{"text": text, "identifier": ident, "value": None} for text, ident in vocab.OFFER_FIELD_DEFS]
        values = {
            "job_posting": posting.get("id"),
            "job_title": posting.get("text"),
            "candidate_name": contact.get("name") or None,
            "salary_amount": amount,
            "compensation_currency": currency,
            "salary_interval": "per-year-salary",
            "hiring_manager": hiring_manager,
            "today_date": created,
            "direct_manager": hiring_manager,
            "anticipated_start_date": created + _between(rng, 14 * DAY, 60 * DAY) // DAY * DAY,
        }
        for field in fields:
            field["value"] = values[field["identifier"]]
        if rng.random() < 0.3:
            fields.append({"text": "equity", "identifier": "custom_equity", "value": 1000 * rng.randrange(1, 50)})
        url = f"{API_BASE}/opportunities/{ctx.oid}/offers/{oid}/download"
        out.append(
            {
                "id": oid,
                "createdAt": created,
                "status": status,
                "creator": creator,
                "fields": fields,
                "signatures": {
                    "candidate": {
                        "role": "candidate",
                        "name": contact.get("name") or None,
                        "email": candidate_email,
                        "firstOpenedAt": first_opened,
                        "lastOpenedAt": (
                            ctx.clamp(first_opened + _between(rng, 0, DAY), first_opened) if first_opened else None
                        ),
                        "signedAt": signed_at,
                        "signed": signed_at is not None,
                    }
                }
                if sent
                else {},
                "sentDocument": (
                    {"fileName": f"{slug}-offer-letter.pdf", "uploadedAt": sent_at, "downloadUrl": f"{url}?status=sent"}
                    if sent
                    else None
                ),
                "signedDocument": (
                    {
                        "fileName": f"{slug}-offer-letter_signed.pdf",
                        "uploadedAt": signed_at,
                        "downloadUrl": f"{url}?status=signed",
                    }
                    if signed_at
                    else None
                ),
                "approved": approved,
                "approvedAt": approved_at,
                "sentAt": sent_at,
            }
        )
    return out


def _referrals(ctx: _Ctx, rng: Random) -> list[Json]:
    out = []
    times = ctx.sorted_times(rng, ctx.plan.referrals, ctx.t0 - DAY, ctx.t0)
    for i, created in enumerate(times):
        if i == 0:
            referrer, manual = _referrer(ctx)
        else:
            referrer, manual = _choice(rng, ctx.team), rng.random() < 0.2
        form = _referral_form(ctx, rng, created, referrer, manual)
        referral: Json = {
            "id": uid(rng),
            "type": "referral",
            "text": "Referral",
            "instructions": "Ask about goals, fears and hopes.",
            "fields": form["fields"],
            "baseTemplateId": form["baseTemplateId"],
            "user": referrer if not manual else ctx.rec.get("owner"),
        }
        if not manual:  # `referrer` is absent on manually created referrals
            referral["referrer"] = referrer
        referral["stage"] = ctx.stage_at(created) if rng.random() < 0.8 else None
        referral["createdAt"] = created
        referral["completedAt"] = created
        out.append(referral)
    return out


def _display_name(ctx: _Ctx) -> str:
    return ((ctx.contact or {}).get("name") or "").strip()


def _resumes(ctx: _Ctx, rng: Random) -> list[Json]:
    plan = ctx.plan
    out = []
    headline = ((ctx.contact or {}).get("headline") or "")[:2000]
    companies = [c for c in headline.split(", ") if c][:4] or [_choice(rng, vocab.COMPANIES)]
    name = _display_name(ctx)
    for i, created in enumerate(ctx.sorted_times(rng, plan.resumes, ctx.t0, ctx.t0 + (ctx.t1 - ctx.t0) // 3)):
        rid = uid(rng)
        error = i < plan.resumes_unprocessable
        ext = "pdf" if rng.random() < 0.85 else "docx"
        pattern = _choice(rng, ("{n}_Resume", "CV - {n}", "{n} resume 2024", "resume"))
        file_name = (
            pattern.format(n=name.replace(" ", "_") if "_" in pattern else name) if name else "resume"
        ) + f".{ext}"
        resume: Json = {
            "id": rid,
            "createdAt": created,
            "file": {
                "name": file_name,
                "ext": ext,
                "downloadUrl": f"{HIRE_BASE}/candidates/{ctx.oid}/resumes/{rid}/download",
                "uploadedAt": created + rng.randrange(1, 10),
                "status": "error" if error else "processed",
                "size": 0,
            },
        }
        if not error:
            year = 2024 - rng.randrange(4)
            positions = []
            for company in companies:
                start = year - 1 - rng.randrange(4)
                positions.append(
                    {
                        "org": company,
                        "title": _choice(rng, vocab.JOB_TITLES_GENERIC),
                        "summary": _choice(rng, ("", "● Led the migration to a new stack● Hired 5 engineers", None)),
                        "location": _choice(rng, ("", "Los Angeles, CA", "Berlin", "Remote")),
                        "start": {"year": start, "month": 1 + rng.randrange(12)},
                        "end": {"year": year, "month": 1 + rng.randrange(12)} if positions else None,
                    }
                )
                year = start
            schools = []
            for _ in range(rng.randrange(3)):
                org_name, degree, field = _choice(rng, vocab.SCHOOLS)
                start = year - 4 - rng.randrange(3)
                schools.append(
                    {
                        "org": org_name,
                        "degree": degree,
                        "field": field,
                        "summary": None,
                        "start": {"year": start, "month": 9},
                        "end": {"year": start + 4, "month": 6},
                    }
                )
            resume["parsedData"] = {"positions": positions, "schools": schools}
            resume["file"]["size"] = len(_resume_document(resume, name))
        else:
            resume["file"]["size"] = 20_000 + rng.randrange(900_000)
        out.append(resume)
    return out


def _files(ctx: _Ctx, rng: Random) -> list[Json]:
    plan = ctx.plan
    out = []
    for i, uploaded in enumerate(ctx.sorted_times(rng, plan.files)):
        fid = uid(rng)
        base, ext, _ = _FILE_PICK.pick(rng)
        if rng.random() < 0.3:
            base = f"{base} ({1 + rng.randrange(3)})"
        error = i < plan.files_unprocessable
        obj: Json = {
            "id": fid,
            "downloadUrl": f"{HIRE_BASE}/candidates/{ctx.oid}/files/{fid}/download",
            "ext": ext,
            "name": f"{base}{ext}",
            "uploadedAt": uploaded,
            "status": "error" if error else ("unsupported" if ext == ".png" else "processed"),
            "size": 0,
        }
        obj["size"] = 5_000 + rng.randrange(2_000_000) if error else len(_file_document(obj, ctx.oid))
        out.append(obj)
    return out


_FILE_PICK = Weighted([((base, ext, w), w) for base, ext, w in vocab.FILE_NAMES])

_BUILDERS: dict[str, Callable[[_Ctx, Random], list[Json]]] = {
    "applications": _applications,
    "notes": _notes,
    "feedback": _feedback,
    "forms": _forms,
    "interviews": _interviews,
    "panels": _panels,
    "offers": _offers,
    "referrals": _referrals,
    "resumes": _resumes,
    "files": _files,
}


# -------------------------------------------------------------------------------------------------
# Documents
def _pdf_line(text: str) -> bytes:
    text = text[:95]
    try:
        raw = text.encode("cp1252")
    except UnicodeEncodeError:
        raw = unidecode(text).encode("ascii", "replace")
    return (
        raw.replace(b"\\", b"\\\\")
        .replace(b"(", b"\\(")
        .replace(b")", b"\\)")
        .replace(b"\r", b" ")
        .replace(b"\n", b" ")
    )


def pdf_document(title: str, lines: Sequence[str]) -> bytes:
    """A minimal valid one-page PDF (Helvetica, WinAnsi) showing `lines`."""
    body = b"BT /F1 11 Tf 72 740 Td 15 TL\n" + b"".join(b"(" + _pdf_line(line) + b") Tj T*\n" for line in lines) + b"ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream",
        b"<< /Title (" + _pdf_line(title) + b") /Producer (migration_pipeline Lever sandbox) >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


_DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)


def docx_document(paragraphs: Sequence[str]) -> bytes:
    """A minimal valid .docx (a zip of three parts) with one paragraph per item; byte-stable."""
    body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{xml_escape(p)}</w:t></w:r></w:p>' for p in paragraphs)
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in (
            ("[Content_Types].xml", _DOCX_TYPES),
            ("_rels/.rels", _DOCX_RELS),
            ("word/document.xml", document),
        ):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buf.getvalue()


def png_document(rgb: tuple[int, int, int], width: int = 16, height: int = 16) -> bytes:
    """A tiny solid-colour PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def _resume_document(resume: Json, candidate_name: str) -> bytes:
    parsed = resume.get("parsedData") or {}
    lines = [candidate_name or "Curriculum Vitae", ""]
    lines.append("Experience")
    for p in parsed.get("positions") or ():
        end = p.get("end") or {}
        lines.append(f"- {p.get('title')}, {p.get('org')} ({p['start']['year']}-{end.get('year', 'present')})")
    if parsed.get("schools"):
        lines += ["", "Education"]
        for s in parsed["schools"]:
            lines.append(f"- {s.get('degree')} {s.get('field')}, {s.get('org')}")
    if resume["file"]["ext"] == "docx":
        return docx_document(lines)
    return pdf_document(resume["file"]["name"], lines)


def _file_document(obj: Json, opportunity_id: str) -> bytes:
    rng = Random(f"doc:{opportunity_id}:{obj['id']}")
    lines = [obj["name"], ""] + [_choice(rng, vocab.FEEDBACK_TEXTS) for _ in range(3 + rng.randrange(6))]
    ext = obj["ext"]
    if ext == ".pdf":
        return pdf_document(obj["name"], lines)
    if ext == ".docx":
        return docx_document(lines)
    if ext == ".png":
        return png_document((rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    return ("\n".join(lines) + "\n").encode()


def _offer_document(offer: Json, signed: bool) -> bytes:
    values = {f.get("identifier"): f.get("value") for f in offer.get("fields") or ()}
    lines = [
        "Employment offer letter",
        "",
        f"Dear {values.get('candidate_name') or 'candidate'},",
        f"We are pleased to offer you the position of {values.get('job_title') or 'team member'}.",
        f"Compensation: {values.get('salary_amount')} {values.get('compensation_currency')} per year.",
        f"Offer id: {offer['id']}",
    ]
    if signed:
        lines.append("Signed electronically by the candidate.")
    return pdf_document("employment-offer-letter", lines)


def document_bytes(org: LeverOrg, opportunity_id: str, kind: str, object_id: str) -> bytes | None:
    """Download content of a generated resume / file / offer letter; None if it cannot be downloaded.

    None means: the object's status is `error` (the API answers 422), an offer that has no document yet
    (draft / approval stages), or no generated object with that id (objects added at runtime are the
    server's to store).
    """
    if kind not in DOCUMENT_KINDS:
        raise KeyError(kind)
    obj = next((o for o in materialize(org, opportunity_id, kind) if o["id"] == object_id), None)
    if obj is None:
        return None
    if kind == "resumes":
        if obj["file"]["status"] == "error":
            return None
        ctx = _context(org, opportunity_id)
        return _resume_document(obj, _display_name(ctx)) if ctx else None
    if kind == "files":
        return None if obj["status"] == "error" else _file_document(obj, opportunity_id)
    if obj.get("sentDocument") is None and obj.get("signedDocument") is None:
        return None
    return _offer_document(obj, obj.get("signedDocument") is not None)
