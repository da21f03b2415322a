"""The in-memory Lever org a sandbox serves: what the generator builds and live mutations change.

People and candidacies are held eagerly (contacts, opportunities); what hangs off an opportunity
(notes, feedback, files, ...) is described by a small per-opportunity `OpportunityPlan` and
materialized on demand, deterministically from the seed, so that a 100k-contact org fits in memory.
Objects added later by live mutations are kept in `added` and served after the generated ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]

# Every per-opportunity sub-resource the Data API serves, by its URL segment.
SUB_RESOURCE_KINDS: tuple[str, ...] = (
    "applications",
    "notes",
    "feedback",
    "forms",
    "interviews",
    "panels",
    "offers",
    "referrals",
    "resumes",
    "files",
)

# Fields that belong to the contact (the person) and are shared by all of its opportunities.
CONTACT_FIELDS: tuple[str, ...] = ("name", "headline", "emails", "phones", "links", "location")


@dataclass
class OpportunityPlan:
    """How many of each sub-resource an opportunity has, and which of them carry an edge case.

    Counts are totals (soft-deleted feedback included); the `*_deleted`, `*_unprocessable`,
    `notes_secret` ... counts say how many of those (the first ones, in list order) carry the flag.
    """

    applications: int = 0
    notes: int = 0
    notes_secret: int = 0
    notes_scored: int = 0
    notes_threaded: int = 0
    notes_huge: int = 0  # notes of 100 KB or more
    notes_html: int = 0  # notes carrying HTML and <script>
    feedback: int = 0
    feedback_deleted: int = 0
    forms: int = 0
    panels: int = 0
    interviews: int = 0  # spread over the panels
    offers: int = 0
    referrals: int = 0
    resumes: int = 0
    resumes_unprocessable: int = 0  # file status "error": download answers 422
    files: int = 0
    files_unprocessable: int = 0
    # the posting the opportunity applied to (its application's `posting`); None without a posting
    posting: str | None = None

    def count(self, kind: str) -> int:
        return int(getattr(self, kind))


def canonical_email(email: str) -> str:
    """How the sandbox canonicalizes emails for dedupe and the `email` filters. Lever's exact rules are
    not documented; trimming and case-folding is the least they do."""
    return email.strip().casefold()


Materializer = Callable[["LeverOrg", str, str], list[Json]]


@dataclass
class LeverOrg:
    """A whole Lever account. Records are stored in the exact JSON shape the Data API returns,
    except opportunities, which omit the contact-level fields (`CONTACT_FIELDS`); `opportunity_view`
    merges them back from the contact as Lever does."""

    seed: int
    anchor_ms: int  # the org's "now" at generation time; generated timestamps are all before it
    users: list[Json] = field(default_factory=list)
    stages: list[Json] = field(default_factory=list)
    archive_reasons: list[Json] = field(default_factory=list)
    postings: list[Json] = field(default_factory=list)
    requisitions: list[Json] = field(default_factory=list)
    feedback_templates: list[Json] = field(default_factory=list)
    form_templates: list[Json] = field(default_factory=list)
    contacts: dict[str, Json] = field(default_factory=dict)
    opportunities: dict[str, Json] = field(default_factory=dict)
    plans: dict[str, OpportunityPlan] = field(default_factory=dict)
    deleted_opportunities: list[Json] = field(default_factory=list)
    # (opportunity id, kind) -> objects created by live mutations, served after the generated ones
    added: dict[tuple[str, str], list[Json]] = field(default_factory=dict)
    # file id -> content of the files uploaded at runtime (`POST OPP/files`), served by their download
    uploads: dict[str, bytes] = field(default_factory=dict)
    # edge case name -> count, filled by the generator (see `inventory`)
    edge_cases: dict[str, int] = field(default_factory=dict)
    materializer: Materializer | None = None
    # every generated sub-resource, pinned at the first live mutation: generated records derive from the
    # opportunity as it was generated, and must not change when a recruiter edits it later (None: not pinned)
    pinned: dict[tuple[str, str], list[Json]] | None = None

    def pin_generated(self) -> None:
        """Materialize every generated sub-resource once and serve those from now on (idempotent)."""
        if self.pinned is not None or self.materializer is None:
            return
        self.pinned = {
            (opp_id, kind): self.materializer(self, opp_id, kind)
            for opp_id in self.opportunities
            for kind in SUB_RESOURCE_KINDS
        }

    def opportunity_view(self, opportunity_id: str) -> Json:
        """The opportunity as `GET /opportunities/:id` returns it (contact fields merged in)."""
        opp = self.opportunities[opportunity_id]
        contact = self.contacts[opp["contact"]]
        view = {"id": opp["id"]}
        for key in CONTACT_FIELDS:
            view[key] = contact[key]
        view.update((k, v) for k, v in opp.items() if k != "id")
        return view

    def sub_resources(self, opportunity_id: str, kind: str) -> list[Json]:
        """Every `kind` object of an opportunity, generated ones first, then added ones."""
        if kind not in SUB_RESOURCE_KINDS:
            raise KeyError(kind)
        if self.pinned is not None and (opportunity_id, kind) in self.pinned:
            generated = self.pinned[(opportunity_id, kind)]
        else:  # not pinned yet, or created after the pin (its records follow it as it is)
            generated = self.materializer(self, opportunity_id, kind) if self.materializer else []
        return generated + self.added.get((opportunity_id, kind), [])
