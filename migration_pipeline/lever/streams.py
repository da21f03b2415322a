"""What the pipeline reads from Lever, declared once: each stream's path, query, id and parent.

A stream is data, not code (Singer/Meltano style): the paging loop, retries and rate limit live in
the client, landing and upserts in the extractor. Lists ask for `confidentiality=all` wherever Lever
filters on it, because Lever's default silently leaves confidential records out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

NO_POSTING = "no-posting"  # the partition of opportunities tied to no posting


@dataclass(frozen=True)
class Stream:
    name: str  # the raw table (`lever_raw.<name>`) and the object type
    path: str  # may hold `{opportunity_id}`
    params: Mapping[str, Any] = field(default_factory=dict)
    id_field: str = "id"  # sources and tags have no ids: their text is their identity
    per_opportunity: bool = False
    download_kind: str | None = None  # "resumes" | "files": each object's content is downloaded too

    def path_for(self, opportunity_id: str | None = None) -> str:
        return self.path.format(opportunity_id=opportunity_id) if self.per_opportunity else self.path

    def id_of(self, record: Mapping[str, Any]) -> str:
        return str(record[self.id_field])


ALL = {"confidentiality": "all"}

REFERENCE_STREAMS: tuple[Stream, ...] = (
    Stream("users", "/users", {"includeDeactivated": "true"}),
    Stream("postings", "/postings", ALL),
    Stream("stages", "/stages"),
    Stream("archive_reasons", "/archive_reasons"),
    Stream("sources", "/sources", id_field="text"),
    Stream("tags", "/tags", id_field="text"),
    Stream("feedback_templates", "/feedback_templates"),
    Stream("requisitions", "/requisitions", ALL),
)

# The opportunity index: cheap (100 a call) and, with applications expanded, it says which posting each
# opportunity belongs to; it is scanned whole once and drives the partitions.
OPPORTUNITIES = Stream("opportunities", "/opportunities", {**ALL, "expand": "applications"})
DELETED_OPPORTUNITIES = Stream("opportunities_deleted", "/opportunities/deleted")

OPPORTUNITY_STREAMS: tuple[Stream, ...] = tuple(
    Stream(kind, f"/opportunities/{{opportunity_id}}/{kind}", per_opportunity=True, download_kind=download)
    for kind, download in (
        ("notes", None),
        ("feedback", None),
        ("forms", None),
        ("interviews", None),
        ("panels", None),
        ("offers", None),
        ("referrals", None),
        ("resumes", "resumes"),
        ("files", "files"),
    )
)


# Every object type extraction lands in `lever_raw` (applications come with the opportunity index).
EXTRACTED_OBJECTS: tuple[str, ...] = (
    *(s.name for s in REFERENCE_STREAMS),
    OPPORTUNITIES.name,
    "applications",
    *(s.name for s in OPPORTUNITY_STREAMS),
)


def applications_of(opportunity: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The application objects of an opportunity fetched with `expand=applications`."""
    return [a for a in opportunity.get("applications") or [] if isinstance(a, dict)]


def partition_of(opportunity: Mapping[str, Any]) -> str:
    """The posting an opportunity belongs to (its application's), or `NO_POSTING`."""
    for application in applications_of(opportunity):
        if application.get("posting"):
            return str(application["posting"])
    return NO_POSTING


def download_path(stream: Stream, opportunity_id: str, record: Mapping[str, Any]) -> str:
    return f"/opportunities/{opportunity_id}/{stream.download_kind}/{record['id']}/download"
