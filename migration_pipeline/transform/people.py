"""Candidates: one per person. Lever contacts are the people; contacts whose canonical email matches are
merged under the policy, and every merge is listed with its reason.

An opportunity's contact fields (name, emails, phones, links, location, headline) are the contact's, so the
most recently updated opportunity of a contact speaks for it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from migration_pipeline.lever.streams import NO_POSTING, partition_of
from migration_pipeline.transform.context import Context
from migration_pipeline.transform.custom_fields import FieldValue
from migration_pipeline.transform.names import email_key
from migration_pipeline.transform.phones import display_phone, normalize_phone
from migration_pipeline.transform.timestamps import date_from_epoch_ms, iso_from_epoch_ms

Json = dict[str, Any]

_LINK_TYPES = (
    ("linkedin.com", "LinkedIn"),
    ("github.com", "GitHub"),
    ("twitter.com", "Twitter"),
    ("x.com", "Twitter"),
    ("medium.com", "Medium"),
    ("stackoverflow.com", "StackOverflow"),
    ("youtube.com", "YouTube"),
    ("codepen.io", "CodePen"),
)


@dataclass
class People:
    candidates: list[Json] = field(default_factory=list)
    merges: list[Json] = field(default_factory=list)
    tags: list[Json] = field(default_factory=list)
    field_values: list[Json] = field(default_factory=list)
    candidate_of: dict[str, str] = field(default_factory=dict)  # opportunity id -> candidate key
    contact_candidate: dict[str, str] = field(default_factory=dict)  # contact id -> candidate key


def _touched(opp: Json) -> int:
    return int(opp.get("updatedAt") or opp.get("createdAt") or 0)


def consent_expired(opp: Json, as_of_ms: int) -> bool:
    store = (opp.get("dataProtection") or {}).get("store") or {}
    if store.get("allowed") is False:
        return True
    expires = store.get("expiresAt")
    return expires is not None and int(expires) < as_of_ms


def out_of_scope(opp: Json, ctx: Context) -> tuple[str, str] | None:
    """(reason code, reason) when the policies keep this opportunity out of Ashby, else None."""
    policies = ctx.policies
    if opp.get("isAnonymized") and policies.anonymized == "skip":
        return "anonymized", "the contact is anonymized in Lever (policies.anonymized: skip)"
    if consent_expired(opp, ctx.as_of_ms) and policies.consent_expired == "skip":
        return "consent_expired", "data-protection storage consent has expired (policies.consent_expired: skip)"
    partition = partition_of(opp)
    if partition == NO_POSTING and policies.no_posting == "archive_only":
        return "no_posting_archive_only", "the opportunity has no posting (policies.no_posting: archive_only)"
    posting = ctx.lever.postings.get(partition) or {}
    if posting.get("confidentiality") == "confidential" and policies.confidential_postings == "exclude":
        return "confidential_posting_excluded", "its posting is confidential (policies.confidential_postings: exclude)"
    return None


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _groups(by_contact: dict[str, list[Json]], merge: bool) -> dict[str, list[str]]:
    """Contacts grouped into people: by shared canonical email when merging, else one group per contact."""
    uf = _UnionFind()
    first_owner: dict[str, str] = {}
    for contact in sorted(by_contact):
        uf.find(contact)
        if not merge:
            continue
        for opp in by_contact[contact]:
            for email in opp.get("emails") or ():
                key = email_key(email)
                if key:
                    uf.union(first_owner.setdefault(key, contact), contact)
    groups: dict[str, list[str]] = defaultdict(list)
    for contact in sorted(by_contact):
        groups[uf.find(contact)].append(contact)
    return groups


def _survivor(contacts: list[str], by_contact: dict[str, list[Json]], policy: str) -> str:
    def created(c: str) -> tuple[int, str]:
        return (min(int(o.get("createdAt") or 0) for o in by_contact[c]), c)

    def newest(c: str) -> tuple[int, str]:
        return (-max(_touched(o) for o in by_contact[c]), c)

    return min(contacts, key=created if policy == "oldest" else newest)


def _merge_reason(contact: str, survivor: str, by_contact: dict[str, list[Json]]) -> tuple[str, str]:
    mine = {e for o in by_contact[contact] for e in (o.get("emails") or ())}
    theirs = {e for o in by_contact[survivor] for e in (o.get("emails") or ())}
    exact = mine & theirs
    if exact:
        return "same_email", "shares an email address exactly"
    return "same_email_variant", "shares an email address that differs only in case or surrounding spaces"


def link_type(url: str) -> str:
    host = (urlsplit(url if "://" in url else f"https://{url}").hostname or "").lower()
    for domain, kind in _LINK_TYPES:
        if host == domain or host.endswith("." + domain):
            return kind
    return "Website"


def normalize_url(url: str) -> str | None:
    url = url.strip()
    if not url:
        return None
    return url if "://" in url else f"https://{url}"


def parse_location(text: str | None) -> Json | None:
    """Lever sends a free-text location ("Oakland", "San Francisco, CA", "Berlin, BE, Germany")."""
    if not text or not text.strip():
        return None
    parts = [p.strip() for p in text.split(",") if p.strip()]
    out: Json = {"raw": text.strip(), "city": parts[0] if parts else None}
    if len(parts) >= 2:
        out["region"] = parts[1]
    if len(parts) >= 3:
        out["country"] = ", ".join(parts[2:])
    return out


def _unique(values: Iterable[Any], key: Any) -> list[Any]:
    seen: dict[Any, Any] = {}
    for value in values:
        k = key(value)
        if k and k not in seen:
            seen[k] = value
    return list(seen.values())


def _posting_tags(opp: Json, ctx: Context) -> set[str]:
    """Tags Lever adds from the posting's title and categories (it tags every candidate of a posting)."""
    posting = ctx.lever.postings.get(partition_of(opp)) or {}
    categories = posting.get("categories") or {}
    values = [posting.get("text"), *categories.values(), *(categories.get("allLocations") or [])]
    return {v for v in values if isinstance(v, str)}


def build_people(opportunities: list[Json], ctx: Context) -> People:
    """Candidates, merges, candidate tags and candidate custom field values from the in-scope opportunities."""
    people = People()
    by_contact: dict[str, list[Json]] = defaultdict(list)
    for opp in opportunities:
        reason = out_of_scope(opp, ctx)
        if reason is not None:
            ctx.skip("opportunities", opp["id"], opp["id"], partition_of(opp), *reason)
            continue
        by_contact[str(opp.get("contact") or opp["id"])].append(opp)
    for group in _groups(by_contact, ctx.policies.merge_contacts_by_email).values():
        survivor = _survivor(group, by_contact, ctx.policies.merge_survivor)
        for contact in group:
            people.contact_candidate[contact] = survivor
            if contact != survivor:
                code, reason = _merge_reason(contact, survivor, by_contact)
                people.merges.append(
                    {"lever_contact_id": contact, "candidate_key": survivor, "reason_code": code, "reason": reason}
                )
        opps = sorted((o for c in group for o in by_contact[c]), key=lambda o: (int(o.get("createdAt") or 0), o["id"]))
        for opp in opps:
            people.candidate_of[opp["id"]] = survivor
        _candidate(people, survivor, group, opps, by_contact, ctx)
    return people


def _candidate(
    people: People, key: str, group: list[str], opps: list[Json], by_contact: dict[str, list[Json]], ctx: Context
) -> None:
    latest = max(by_contact[key], key=lambda o: (_touched(o), o["id"]))
    ordered = [latest, *sorted((o for o in opps if o is not latest), key=lambda o: (-_touched(o), o["id"]))]
    emails = _unique((e.strip() for o in ordered for e in (o.get("emails") or ())), email_key)
    region = ctx.policies.phone_region
    phones = _unique(
        (
            {"type": p.get("type"), **normalize_phone(p.get("value") or "", region).__dict__}
            for o in ordered
            for p in (o.get("phones") or ())
            if (p.get("value") or "").strip()
        ),
        lambda p: p["e164"] or p["raw"],
    )
    links = _unique((normalize_url(u) for o in ordered for u in (o.get("links") or ())), lambda u: u)
    earliest = opps[0]
    anonymized = bool(latest.get("isAnonymized"))
    name = (latest.get("name") or "").strip()
    if not name:
        name = f"Anonymized candidate {key[:8]}" if anonymized else f"Unnamed Lever contact {key[:8]}"
    sources = [s for o in opps for s in (o.get("sources") or ())]
    credited = earliest.get("sourcedBy") or earliest.get("owner")
    consent_expires = ((latest.get("dataProtection") or {}).get("store") or {}).get("expiresAt")
    social = [{"type": link_type(u), "url": u} for u in links]
    first_of = {kind: next((s["url"] for s in social if s["type"] == kind), None) for kind in ("LinkedIn", "GitHub")}
    website = next((s["url"] for s in social if s["type"] == "Website"), None)
    people.candidates.append(
        {
            "candidate_key": key,
            "lever_contact_ids": sorted(group),
            "lever_opportunity_ids": [o["id"] for o in opps],
            "name": name,
            "primary_email": emails[0] if emails else None,
            "alternate_emails": emails[1:],
            "phones": phones,
            "primary_phone": display_phone(normalize_phone(phones[0]["raw"], region)) if phones else None,
            "social_links": social,
            "linkedin_url": first_of["LinkedIn"],
            "github_url": first_of["GitHub"],
            "website": website,
            "location": parse_location(latest.get("location")),
            "headline": (latest.get("headline") or "").strip() or None,
            "source_id": ctx.source_id(sources[0] if sources else None, earliest["id"]),
            "source_name": sources[0] if sources else None,
            "credited_user_id": ctx.ashby_user_id(credited, earliest["id"]),
            "created_at": iso_from_epoch_ms(earliest.get("createdAt")),
            "is_anonymized": anonymized,
            "consent_expires_at": iso_from_epoch_ms(consent_expires),
        }
    )
    drop = set().union(*(_posting_tags(o, ctx) for o in opps)) if ctx.policies.drop_posting_tags else set()
    for tag in _unique((t.strip() for o in opps for t in (o.get("tags") or ())), lambda t: t.casefold()):
        if tag not in drop:
            people.tags.append({"candidate_key": key, "tag": tag})
    fields = ctx.config.custom_fields
    values = [(fields.lever_contact_id, "String", key)]
    if consent_expires is not None:
        values.append((fields.consent_expires, "Date", date_from_epoch_ms(consent_expires)))
    if people.candidates[-1]["headline"]:
        values.append((fields.lever_headline, "LongText", people.candidates[-1]["headline"]))
    for title, field_type, value in values:
        if title:
            item = FieldValue("Candidate", key, title, field_type, value, "contacts", key, None, None)
            row = ctx.field_value(item)
            if row is not None:
                people.field_values.append(row)
