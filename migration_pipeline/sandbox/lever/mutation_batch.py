"""A seeded batch of what recruiters change in Lever while a migration runs, applied to a Lever sandbox over HTTP.

`apply_mutations` lists the org through the Data API (opportunities, postings, users, stages, archive
reasons, feedback templates), plans a batch from `random.Random(seed)` alone, so the same seed on the same
org plans the same batch, and applies it through the Data API and the sandbox admin routes (deletes, new
stages and archive reasons, which Lever's API cannot do). Every kind touches its own opportunities and
contacts: no opportunity or person is picked twice in one batch, so a delete never meets a note and a
contact edit never meets a new application on the same person.

The returned `MutationLog` says what was done (kind, opportunity, contact, what was sent, what the sandbox
answered) so a delta-sync test can check that each change reached Ashby.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import requests

from migration_pipeline.sandbox.lever import vocab

Json = dict[str, Any]

# Kinds a batch applies by default, and the ones it applies only when asked: new reference data (a stage,
# an archive reason) that the Ashby side may not have a mapping for.
KINDS: tuple[str, ...] = (
    "new_candidate",
    "new_application",
    "stage_change",
    "archive",
    "unarchive",
    "note",
    "feedback",
    "file",
    "contact_edit",
    "tags",
    "links",
    "sources",
    "new_posting",
    "new_user",
    "delete",
)
OPTIONAL_KINDS: tuple[str, ...] = ("new_stage", "new_archive_reason")
ALL_KINDS: tuple[str, ...] = KINDS + OPTIONAL_KINDS

# How often each kind comes past the first of each: a recruiting team's day, roughly.
WEIGHTS: dict[str, float] = {
    "new_candidate": 8,
    "new_application": 3,
    "stage_change": 10,
    "archive": 6,
    "unarchive": 1,
    "note": 10,
    "feedback": 5,
    "file": 2,
    "contact_edit": 3,
    "tags": 4,
    "links": 2,
    "sources": 2,
    "new_posting": 0.5,
    "new_user": 0.3,
    "delete": 1,
    "new_stage": 0.1,
    "new_archive_reason": 0.1,
}
# Kinds that create account-level objects: applied first, in this order.
_REFERENCE_FIRST = ("new_user", "new_stage", "new_archive_reason", "new_posting")
# Kinds that change an existing opportunity (the one they are planned on).
_TARGETED = frozenset(ALL_KINDS) - {"new_candidate", "new_posting", "new_user"}

_FIRST_NAMES = ("Amara", "Björn", "Chiara", "Dmitri", "Elif", "Farah", "Gustavo", "Hana", "Ishaan", "Jonas",
                "Keiko", "Lucía", "Mateo", "Nadia", "Olu", "Priya", "Quentin", "Rosa", "Søren", "Tariq")  # fmt: skip
_LAST_NAMES = ("Achebe", "Bianchi", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Haddad", "Ivanova",
               "Jensen", "Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Petrov", "Quinn", "Rossi")  # fmt: skip
_PHONE_TYPES = ("mobile", "work", "home", "other")
_SOURCES = ("LinkedIn", "Referral", "Job site", "Indeed", "GitHub", "Meetup", "Career fair")
_TAGS = ("Delta", "Silver medalist", "Relocation", "Visa", "Re-engage", "Hot")
_ORIGINS = ("sourced", "applied", "referred", "agency")


class MutationBatchError(RuntimeError):
    """The batch could not be planned (too small an org) or the sandbox refused a change."""


@dataclass
class Mutation:
    """One recruiter change. `opportunity` and `contact` are the ones it changed or created (None when it
    touched none, e.g. a new user); `details` is what was sent, decided by the seed alone; `result` holds
    what the sandbox answered (the ids it gave to new objects, `deduped` ...)."""

    kind: str
    opportunity: str | None = None
    contact: str | None = None
    details: Json = field(default_factory=dict)
    result: Json = field(default_factory=dict)


@dataclass
class MutationLog:
    """What a batch did. JSON-serializable: `to_json()` / `from_json()`."""

    seed: int
    fraction: float
    kinds: list[str]
    opportunities_before: int  # opportunities listed before the batch
    mutations: list[Mutation] = field(default_factory=list)
    started_at: int = 0  # epoch ms (wall clock) before the first change
    finished_at: int = 0  # epoch ms after the last one

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(m.kind for m in self.mutations)
        return {kind: counted[kind] for kind in ALL_KINDS if counted[kind]}

    def of_kind(self, kind: str) -> list[Mutation]:
        return [m for m in self.mutations if m.kind == kind]

    def opportunities(self, *kinds: str) -> set[str]:
        """Opportunities changed or created by the given kinds (all kinds if none given)."""
        return {m.opportunity for m in self.mutations if m.opportunity and (not kinds or m.kind in kinds)}

    @property
    def deleted(self) -> set[str]:
        return self.opportunities("delete")

    def plan(self) -> list[Json]:
        """What the seed decided, without the ids the sandbox made up: equal for the same seed on equal orgs."""
        out = []
        for m in self.mutations:
            made = set(m.result.values())
            out.append(
                {
                    "kind": m.kind,
                    "opportunity": None if m.opportunity in made else m.opportunity,
                    "contact": None if m.contact in made else m.contact,
                    "details": m.details,
                }
            )
        return out

    def to_json(self) -> Json:
        return {**asdict(self), "counts": self.counts}

    @classmethod
    def from_json(cls, data: Json) -> MutationLog:
        fields = {k: v for k, v in data.items() if k not in ("counts", "mutations")}
        return cls(**fields, mutations=[Mutation(**m) for m in data.get("mutations", [])])


@dataclass
class OrgSnapshot:
    """The lists a batch is planned from, as the Data API returns them."""

    opportunities: list[Json]
    postings: list[Json]
    users: list[Json]
    stages: list[Json]
    archive_reasons: list[Json]
    feedback_templates: list[Json]


class _Api:
    """The Data API (Basic auth by key) and the sandbox admin routes. 429 and 503 are retried with backoff
    (both refuse a request before doing it); a 500 or 502 is not, as a write may have happened behind it."""

    RETRY_STATUSES = frozenset({429, 503})

    def __init__(self, api_url: str, api_key: str, admin_url: str, *, attempts: int = 8) -> None:
        self.api_url = api_url.rstrip("/")
        self.admin_url = admin_url.rstrip("/")
        self.session = requests.Session()
        self.api_auth = (api_key, "")
        self.attempts = attempts

    def call(self, method: str, url: str, *, admin: bool = False, ok: tuple[int, ...] = (200, 201), **kw: Any):
        base = self.admin_url if admin else self.api_url
        for attempt in range(self.attempts):
            response = self.session.request(
                method, f"{base}{url}", auth=None if admin else self.api_auth, timeout=60, **kw
            )
            if response.status_code not in self.RETRY_STATUSES or attempt == self.attempts - 1:
                break
            retry_after = response.headers.get("Retry-After")
            time.sleep(float(retry_after) if retry_after else min(5.0, 0.1 * 2**attempt))
        if response.status_code not in ok:
            raise MutationBatchError(f"{method} {url} answered {response.status_code}: {response.text[:500]}")
        return response

    def data(self, method: str, url: str, **kw: Any) -> Any:
        return self.call(method, url, **kw).json()["data"]

    def list(self, path: str, **params: Any) -> list[Json]:
        items: list[Json] = []
        offset = None
        while True:
            query = {**params, "limit": 100, **({"offset": offset} if offset else {})}
            body = self.call("GET", path, params=query).json()
            items += body["data"]
            offset = body.get("next")
            if not body.get("hasNext") or not offset:
                return items

    def list_all_confidentiality(self, path: str) -> list[Json]:
        """Confidential records too when the key may see them, else the non-confidential ones."""
        try:
            return self.list(path, confidentiality="all")
        except MutationBatchError as exc:
            if " answered 403" not in str(exc):
                raise
            return self.list(path)


def take_snapshot(api_url: str, api_key: str) -> OrgSnapshot:
    """List what a batch is planned from, over HTTP."""
    return _snapshot(_Api(api_url, api_key, ""))


def _snapshot(api: _Api) -> OrgSnapshot:
    return OrgSnapshot(
        opportunities=api.list_all_confidentiality("/opportunities"),
        postings=api.list_all_confidentiality("/postings"),
        users=api.list("/users"),
        stages=api.list("/stages"),
        archive_reasons=api.list("/archive_reasons"),
        feedback_templates=api.list("/feedback_templates"),
    )


# ---- planning ---------------------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().encode("ascii", "ignore").decode()).strip("-") or "x"


class _Planner:
    """Decides every mutation from the snapshot and the seed, before anything is sent."""

    def __init__(self, snapshot: OrgSnapshot, seed: int) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.snapshot = snapshot
        self.serial = 0
        pool = sorted((o for o in snapshot.opportunities if not o.get("isAnonymized")), key=lambda o: o["id"])
        self.rng.shuffle(pool)
        self.pool = pool
        self.used_opportunities: set[str] = set()
        self.used_contacts: set[str] = set()
        self.users = sorted(u["id"] for u in snapshot.users if u.get("deactivatedAt") is None)
        if not self.users:
            raise MutationBatchError("the org has no active user to perform the changes as")
        self.postings = sorted(
            (p for p in snapshot.postings if p.get("state") in ("published", "internal")), key=lambda p: p["id"]
        ) or sorted(snapshot.postings, key=lambda p: p["id"])
        self.reasons = sorted(
            (r for r in snapshot.archive_reasons if r.get("status", "active") == "active"), key=lambda r: r["id"]
        )
        self.templates = sorted(
            (t for t in snapshot.feedback_templates if t["id"] != "no-feedback" and t.get("fields")),
            key=lambda t: t["id"],
        )

    # small deterministic pieces
    def token(self) -> str:
        self.serial += 1
        return f"{self.seed:x}-{self.serial}-{self.rng.getrandbits(24):06x}"

    def user(self) -> str:
        return self.rng.choice(self.users)

    def person(self) -> Json:
        first, last = self.rng.choice(_FIRST_NAMES), self.rng.choice(_LAST_NAMES)
        token = self.token()
        return {
            "name": f"{first} {last}",
            "headline": self.rng.choice(vocab.COMPANIES),
            "emails": [f"{_slug(first)}.{_slug(last)}.{token}@example.org"],
            "phones": [{"type": self.rng.choice(_PHONE_TYPES), "value": f"+1 555 {self.rng.randrange(10**7):07d}"}],
        }

    def posting(self) -> str | None:
        return self.rng.choice(self.postings)["id"] if self.postings else None

    def target(self, kind: str) -> Json:
        """The first opportunity of the shuffled pool that fits `kind` and whose person is not taken yet."""
        for opp in self.pool:
            if opp["id"] in self.used_opportunities or opp["contact"] in self.used_contacts:
                continue
            archived = opp.get("archived") is not None
            if kind in ("archive", "new_archive_reason") and archived:
                continue
            if kind == "unarchive" and not archived:
                continue
            if kind == "new_application" and not opp.get("emails"):
                continue
            self.used_opportunities.add(opp["id"])
            self.used_contacts.add(opp["contact"])
            return opp
        raise MutationBatchError(f"no opportunity left for a {kind} mutation: use a larger org or a smaller fraction")

    def new_candidate_body(self, posting: str | None) -> Json:
        body = {**self.person(), "tags": [self.rng.choice(_TAGS)], "sources": [self.rng.choice(_SOURCES)]}
        body["origin"] = self.rng.choice(_ORIGINS)
        if posting:
            body["postings"] = [posting]
        return body

    def field_values(self, template: Json) -> list[Json]:
        values = []
        for f in template.get("fields") or ():
            ftype, options = f.get("type"), [o["text"] for o in f.get("options") or ()]
            value: Any
            if ftype in ("score-system", "score", "dropdown", "multiple-choice") and options:
                value = self.rng.choice(options)
            elif ftype == "multiple-select" and options:
                value = [self.rng.choice(options)]
            elif ftype in ("text", "textarea"):
                value = self.rng.choice(vocab.FEEDBACK_TEXTS)
            elif ftype == "yes-no":
                value = self.rng.choice(("yes", "no"))
            elif ftype == "currency":
                value = 1000 * self.rng.randrange(40, 240)
            elif ftype == "scorecard":
                value = [{"score": self.rng.randrange(1, 5), "comment": ""} for _ in f.get("scores") or ()]
            else:
                continue  # dates, code: left empty, as interviewers often do
            values.append({"id": f["id"], "value": value})
        return values

    def plan(self, kind: str) -> Mutation:
        opp = self.target(kind) if kind in _TARGETED else None
        m = Mutation(kind, opportunity=opp["id"] if opp else None, contact=opp["contact"] if opp else None)
        d = m.details
        d["perform_as"] = self.user()
        if kind == "new_candidate":
            d["body"] = self.new_candidate_body(self.posting())
        elif kind == "new_application":
            d["from_opportunity"] = opp["id"]
            d["body"] = {"name": opp["name"], "emails": [opp["emails"][0]], "origin": "applied"}
            posting = self.posting()
            if posting:
                d["body"]["postings"] = [posting]
        elif kind == "stage_change":
            stages = sorted(s["id"] for s in self.snapshot.stages if s["id"] != opp["stage"])
            d["stage"] = self.rng.choice(stages)
        elif kind == "archive":
            d["reason"] = self.rng.choice(self.reasons)["id"]
        elif kind == "unarchive":
            d["reason"] = None
        elif kind == "note":
            d["value"] = self.rng.choice(vocab.FEEDBACK_TEXTS)
            d["score"] = self.rng.choice((None, 1, 2, 3, 4))
        elif kind == "feedback":
            if not self.templates:
                raise MutationBatchError("the org has no feedback template with fields")
            template = self.rng.choice(self.templates)
            d["body"] = {"baseTemplateId": template["id"], "fieldValues": self.field_values(template)}
        elif kind == "file":
            name = f"{self.rng.choice(('Work sample', 'Portfolio', 'References', 'Cover letter'))} {self.token()}"
            lines = [name, "", *(self.rng.choice(vocab.FEEDBACK_TEXTS) for _ in range(self.rng.randrange(2, 8)))]
            content = "\n".join(lines).encode()
            d.update(name=f"{name}.txt", size=len(content), sha256=hashlib.sha256(content).hexdigest())
            d["content"] = content.decode()
        elif kind == "contact_edit":
            person = self.person()
            d["body"] = {
                "name": person["name"],
                "emails": [*opp.get("emails", []), *person["emails"]],
                "phones": person["phones"],
            }
        elif kind == "tags":
            d["add"] = [f"{self.rng.choice(_TAGS)} {self.token()}"]
            d["remove"] = [self.rng.choice(sorted(opp["tags"]))] if opp.get("tags") else []
        elif kind == "links":
            d["add"] = [f"https://www.linkedin.com/in/{_slug(opp.get('name') or 'candidate')}-{self.token()}"]
            d["remove"] = [self.rng.choice(sorted(opp["links"]))] if opp.get("links") else []
        elif kind == "sources":
            add = self.rng.choice(_SOURCES)
            d["add"] = [add]
            current = sorted(s for s in opp.get("sources") or () if s != add)
            d["remove"] = [self.rng.choice(current)] if current else []
        elif kind == "new_posting":
            department = self.rng.choice(sorted(vocab.ORG_STRUCTURE))
            team = self.rng.choice(sorted(vocab.ORG_STRUCTURE[department]))
            title = self.rng.choice(vocab.ORG_STRUCTURE[department][team])
            location = self.rng.choice(vocab.POSTING_LOCATIONS)[0]
            d["posting"] = {
                "text": f"{title} ({self.token()})",
                "state": "published",
                "owner": d["perform_as"],
                "categories": {
                    "department": department,
                    "team": team,
                    "location": location,
                    "commitment": self.rng.choice(vocab.COMMITMENTS)[0],
                },
                "content": {"descriptionHtml": f"<div>Join the {team} team.</div>", "lists": []},
            }
            d["body"] = self.new_candidate_body(None)
        elif kind == "new_user":
            person = self.person()
            d["body"] = {
                "name": person["name"],
                "email": person["emails"][0].replace("@example.org", f"@{vocab.COMPANY_EMAIL_DOMAIN}"),
                "accessRole": self.rng.choice(vocab.ACCESS_ROLES[1:]),
            }
        elif kind == "delete":
            pass
        elif kind == "new_stage":
            d["text"] = f"Delta stage {self.token()}"
        elif kind == "new_archive_reason":
            d["text"] = f"Delta reason {self.token()}"
            d["type"] = "non-hired"
        return m


def _batch_kinds(kinds: Iterable[str] | None) -> list[str]:
    chosen = list(dict.fromkeys(kinds)) if kinds is not None else list(KINDS)
    unknown = [k for k in chosen if k not in ALL_KINDS]
    if unknown or not chosen:
        raise ValueError(f"unknown mutation kinds {unknown}; known: {', '.join(ALL_KINDS)}")
    return chosen


def plan_batch(snapshot: OrgSnapshot, *, seed: int, fraction: float, kinds: Iterable[str] | None) -> list[Mutation]:
    """The batch the seed picks on this snapshot: `fraction` of its opportunities, at least one of each kind."""
    if not 0 <= fraction <= 1:
        raise ValueError("fraction must be between 0 and 1")
    chosen = _batch_kinds(kinds)
    planner = _Planner(snapshot, seed)
    size = max(len(chosen), round(fraction * len(snapshot.opportunities)))
    extra = planner.rng.choices(chosen, weights=[WEIGHTS[k] for k in chosen], k=size - len(chosen))
    order = chosen + extra
    planner.rng.shuffle(order)
    order.sort(key=lambda k: _REFERENCE_FIRST.index(k) if k in _REFERENCE_FIRST else len(_REFERENCE_FIRST))
    return [planner.plan(kind) for kind in order]


# ---- applying ---------------------------------------------------------------------------------------


def _apply(api: _Api, m: Mutation) -> None:
    d, r = m.details, m.result
    as_user = {"perform_as": d["perform_as"]}
    opp_path = f"/opportunities/{m.opportunity}"
    if m.kind in ("new_candidate", "new_application", "new_posting"):
        body = d["body"]
        if m.kind == "new_posting":
            posting = api.data("POST", "/postings", params=as_user, json=d["posting"])
            r["posting"] = posting["id"]
            body = {**body, "postings": [posting["id"]]}
        created = api.call("POST", "/opportunities", params=as_user, json=body).json()
        m.opportunity, m.contact = created["data"]["id"], created["data"]["contact"]
        r["opportunity"] = m.opportunity
        if m.kind != "new_application":
            r["contact"] = m.contact
        r["deduped"] = created["deduped"]
    elif m.kind == "stage_change":
        api.call("PUT", f"{opp_path}/stage", params=as_user, json={"stage": d["stage"]})
    elif m.kind in ("archive", "unarchive"):
        api.call("PUT", f"{opp_path}/archived", params=as_user, json={"reason": d["reason"]})
    elif m.kind == "note":
        body = {"value": d["value"], **({"score": d["score"]} if d["score"] is not None else {})}
        r["note"] = api.data("POST", f"{opp_path}/notes", params=as_user, json=body)["id"]
    elif m.kind == "feedback":
        r["feedback"] = api.data("POST", f"{opp_path}/feedback", params=as_user, json=d["body"])["id"]
    elif m.kind == "file":
        files = {"file": (d["name"], d["content"].encode(), "text/plain")}
        r["file"] = api.data("POST", f"{opp_path}/files", params=as_user, files=files)["id"]
    elif m.kind == "contact_edit":
        api.call("PUT", f"/contacts/{m.contact}", json=d["body"])
    elif m.kind in ("tags", "links", "sources"):
        name = m.kind.capitalize()
        api.call("POST", f"{opp_path}/add{name}", params=as_user, json={m.kind: d["add"]})
        if d["remove"]:
            api.call("POST", f"{opp_path}/remove{name}", params=as_user, json={m.kind: d["remove"]})
    elif m.kind == "new_user":
        r["user"] = api.data("POST", "/users", json=d["body"])["id"]
    elif m.kind == "delete":
        api.call("POST", f"/opportunities/{m.opportunity}/delete", admin=True, json={"deletedBy": d["perform_as"]})
    elif m.kind == "new_stage":
        r["stage"] = api.data("POST", "/stages", admin=True, json={"text": d["text"]})["id"]
        api.call("PUT", f"{opp_path}/stage", params=as_user, json={"stage": r["stage"]})
    elif m.kind == "new_archive_reason":
        reason = api.data("POST", "/archive_reasons", admin=True, json={"text": d["text"], "type": d["type"]})
        r["archive_reason"] = reason["id"]
        api.call("PUT", f"{opp_path}/archived", params=as_user, json={"reason": r["archive_reason"]})


def apply_mutations(
    api_url: str,
    api_key: str,
    admin_url: str,
    snapshot: OrgSnapshot | None = None,
    *,
    seed: int,
    fraction: float = 0.01,
    kinds: Iterable[str] | None = None,
) -> MutationLog:
    """Apply a seeded batch of recruiter changes to a Lever sandbox, only over HTTP.

    `api_url` is the Data API root (`http://host:port/v1`), `api_key` a key that may write (and see
    confidential records, to pick among them too), `admin_url` the sandbox admin root
    (`http://host:port/__sandbox`). `snapshot` (from `take_snapshot`) is what the batch is planned from;
    without it the org is listed first. The batch holds `fraction` of the org's opportunities (at least one
    mutation of each of `kinds`, by default `KINDS`; `OPTIONAL_KINDS` only when named). The same seed on
    the same org plans the same batch (`MutationLog.plan()`); new objects get fresh ids.
    """
    api = _Api(api_url, api_key, admin_url)
    chosen = _batch_kinds(kinds)
    if snapshot is None:
        snapshot = _snapshot(api)
    planned = plan_batch(snapshot, seed=seed, fraction=fraction, kinds=chosen)
    log = MutationLog(seed=seed, fraction=fraction, kinds=chosen, opportunities_before=len(snapshot.opportunities))
    log.started_at = int(time.time() * 1000)
    for mutation in planned:
        _apply(api, mutation)
        log.mutations.append(mutation)
    log.finished_at = int(time.time() * 1000)
    return log
