"""Read the migrated objects back through Ashby's API and describe them without Ashby ids, so two orgs (an
interrupted run's and an uninterrupted one's) compare equal exactly when they hold the same candidates,
applications with their jobs, stages and reasons, notes, tags, feedback, files and custom field values.

Duplicates count: every collection is a sorted list, not a set."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from migration_pipeline.ashby.client import AshbyClient

Json = dict[str, Any]


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def person(candidate: Json) -> str:
    """A candidate without its id: primary email, else name and createdAt (as the migration sets them)."""
    email = (candidate.get("primaryEmailAddress") or {}).get("value")
    return (
        f"email:{email.casefold()}" if email else f"name:{candidate.get('name')}|{str(candidate.get('createdAt'))[:19]}"
    )


@dataclass
class OrgReadback:
    candidates: list[str] = field(default_factory=list)
    applications: list[tuple] = field(default_factory=list)
    notes: list[tuple] = field(default_factory=list)
    tags: list[tuple] = field(default_factory=list)
    feedback: list[tuple] = field(default_factory=list)
    files: list[tuple] = field(default_factory=list)
    custom_fields: list[tuple] = field(default_factory=list)
    jobs: list[tuple] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in self.__dataclass_fields__}

    def duplicates(self) -> dict[str, int]:
        """Per collection, how many entries appear more than once."""
        out = {}
        for name in self.__dataclass_fields__:
            extra = sum(n - 1 for n in Counter(getattr(self, name)).values() if n > 1)
            if extra:
                out[name] = extra
        return out

    def difference(self, other: OrgReadback) -> dict[str, tuple[list, list]]:
        """Per collection, (only in self, only in other) as multisets; empty when equal."""
        out = {}
        for name in self.__dataclass_fields__:
            mine, theirs = Counter(getattr(self, name)), Counter(getattr(other, name))
            if mine != theirs:
                out[name] = (sorted((mine - theirs).elements(), key=repr), sorted((theirs - mine).elements(), key=repr))
        return out


def read_org(client: AshbyClient) -> OrgReadback:
    out = OrgReadback()
    stage_titles: dict[str, str] = {}
    people: dict[str, str] = {}
    for candidate in client.paginate("candidate.list"):
        who = person(candidate)
        people[candidate["id"]] = who
        out.candidates.append(who)
        out.tags += [(who, t.get("title")) for t in candidate.get("tags") or []]
        out.custom_fields += [
            (who, f.get("title"), _digest(f.get("value"))) for f in candidate.get("customFields") or []
        ]
        resume = candidate.get("resumeFileHandle")
        if resume:
            out.files.append((who, "resume", resume.get("name")))
        out.files += [(who, "file", f.get("name")) for f in candidate.get("fileHandles") or []]
        for note in client.paginate("candidate.listNotes", {"candidateId": candidate["id"]}):
            out.notes.append(
                (who, str(note.get("createdAt"))[:19], _digest(note.get("content")), bool(note.get("isPrivate")))
            )
    jobs = {}
    for job in client.paginate("job.list", {"status": ["Open", "Closed", "Draft", "Archived"]}):
        jobs[job["id"]] = job.get("title")
        out.jobs.append((job.get("title"), job.get("status")))
    for app in client.paginate("application.list"):
        who = people.get((app.get("candidate") or {}).get("id"), "unknown candidate")
        stage = app.get("currentInterviewStage") or {}
        title = stage.get("title") or stage_titles.get(stage.get("id"), stage.get("id"))
        reason = (app.get("archiveReason") or {}).get("text")
        job_title = (app.get("job") or {}).get("title") or jobs.get((app.get("job") or {}).get("id"))
        key = (who, job_title)
        out.applications.append((*key, app.get("status"), title, reason, str(app.get("createdAt"))[:19]))
        out.custom_fields += [(key, f.get("title"), _digest(f.get("value"))) for f in app.get("customFields") or []]
        for feedback in client.paginate("applicationFeedback.list", {"applicationId": app["id"]}):
            out.feedback.append((*key, feedback.get("formDefinitionId"), _digest(feedback.get("submittedValues"))))
    for name in out.__dataclass_fields__:
        getattr(out, name).sort(key=repr)
    return out
