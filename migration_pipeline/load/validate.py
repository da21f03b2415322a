"""Validation after a load, read through Ashby's API: every object the ledger says is done is really there,
attached where it belongs (an application on its candidate and job, at its stage, with its archive reason; a
note, tag, feedback or file on its candidate or application), no email belongs to two migrated candidates, and
a sample of fields equals what the canonical tables say. Failures list Lever ids only."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import duckdb

from migration_pipeline.ashby.client import AshbyClient
from migration_pipeline.transform.names import email_key

Json = dict[str, Any]
SHOWN = 100
READERS = 8  # concurrent reads: at the API's latency, the rate budget and not the round trips sets the pace


@dataclass
class Validation:
    checked: Counter = field(default_factory=Counter)
    problems: dict[str, list[str]] = field(default_factory=dict)  # what is wrong -> Lever ids

    def fail(self, what: str, lever_id: str) -> None:
        self.problems.setdefault(what, []).append(lever_id)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        out = [f"validated through the API: {', '.join(f'{n} {k}' for k, n in sorted(self.checked.items()))}"]
        for what, ids in sorted(self.problems.items()):
            shown = ", ".join(ids[:10]) + (" ..." if len(ids) > 10 else "")
            out.append(f"  {len(ids)} {what}: {shown}")
        return out


def _done(con: duckdb.DuckDBPyConnection, object_type: str) -> dict[str, Json]:
    cur = con.execute(
        "SELECT lever_key, lever_id, ashby_id, candidate_key, lever_opportunity_id FROM ashby.ledger"
        " WHERE object_type = ? AND status = 'done'",
        [object_type],
    )
    return {
        r[0]: {"lever_id": r[1], "ashby_id": r[2], "candidate_key": r[3], "opportunity_id": r[4]}
        for r in cur.fetchall()
    }


def _candidates(
    client: AshbyClient, con: duckdb.DuckDBPyConnection, result: Validation, sample: int
) -> dict[str, Json]:
    ashby = {c["id"]: c for c in client.paginate("candidate.list")}
    done = _done(con, "candidate")
    emails: Counter = Counter()
    for key, row in done.items():
        result.checked["candidates"] += 1
        candidate = ashby.get(row["ashby_id"])
        if candidate is None:
            result.fail("candidates missing in Ashby", key)
            continue
        emails.update({email_key(e.get("value")) for e in candidate.get("emailAddresses") or []})
    for email, n in emails.items():
        if email and n > 1:
            result.fail("emails on two migrated candidates", "(an email)")  # never print the address
    expected = {
        r[0]: r
        for r in con.execute(
            "SELECT candidate_key, name, primary_email, created_at FROM canonical.candidates"
        ).fetchall()
    }
    for key in random.Random(0).sample(sorted(done), min(sample, len(done))):
        candidate, want = ashby.get(done[key]["ashby_id"]), expected.get(key)
        if candidate is None or want is None:
            continue
        result.checked["candidate fields sampled"] += 1
        email = (candidate.get("primaryEmailAddress") or {}).get("value")
        if (
            candidate.get("name") != want[1]
            or email_key(email) != email_key(want[2])
            or str(candidate.get("createdAt"))[:19] != str(want[3])[:19]
        ):
            result.fail("candidates whose name, email or createdAt differ", key)
    return ashby


def _applications(client: AshbyClient, con: duckdb.DuckDBPyConnection, result: Validation) -> dict[str, Json]:
    ashby = {a["id"]: a for a in client.paginate("application.list")}
    done = _done(con, "application")
    jobs = {k: r["ashby_id"] for k, r in _done(con, "job").items()}
    candidates = {k: r["ashby_id"] for k, r in _done(con, "candidate").items()}
    rows = con.execute(
        "SELECT lever_opportunity_id, candidate_key, job_key, current_stage_id, archive_reason_id"
        " FROM canonical.applications"
    ).fetchall()
    for opp, candidate_key, job_key, stage, reason in rows:
        row = done.get(opp)
        if row is None:
            continue
        result.checked["applications"] += 1
        app = ashby.get(row["ashby_id"])
        if app is None:
            result.fail("applications missing in Ashby", opp)
        elif (app.get("job") or {}).get("id") != jobs.get(job_key):
            result.fail("applications on another job", opp)
        elif (app.get("candidate") or {}).get("id") != candidates.get(candidate_key):
            result.fail("applications on another candidate", opp)
        elif (app.get("currentInterviewStage") or {}).get("id") != stage:
            result.fail("applications at another stage", opp)
        elif ((app.get("archiveReason") or {}).get("id")) != reason:
            result.fail("applications with another archive reason", opp)
    return ashby


def _listed(client: AshbyClient, endpoint: str, id_field: str, ids: Iterable[str | None]) -> dict[str, set[str]]:
    """The ids `endpoint` lists for each of `ids`, read several at a time (the client keeps to the rate budget)."""
    wanted = sorted(i for i in set(ids) if i)

    def listed(owner: str) -> set[str]:
        return {item["id"] for item in client.paginate(endpoint, {id_field: owner})}

    with ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="validate") as pool:
        return dict(zip(wanted, pool.map(listed, wanted), strict=True))


def _per_candidate(
    client: AshbyClient, con: duckdb.DuckDBPyConnection, result: Validation, candidates: dict[str, Json]
) -> None:
    """Notes, tag assignments and files: each done one is on its candidate."""
    owner = {k: r["ashby_id"] for k, r in _done(con, "candidate").items()}
    notes = _done(con, "note")
    wanted = {owner.get(row["candidate_key"]) for row in notes.values()}
    by_candidate = _listed(client, "candidate.listNotes", "candidateId", wanted)
    for row in notes.values():
        result.checked["notes"] += 1
        candidate_id = owner.get(row["candidate_key"])
        if row["ashby_id"] not in by_candidate.get(candidate_id, set()):
            result.fail("notes missing on their candidate", row["lever_id"])
    for key, row in _done(con, "tag_assignment").items():
        result.checked["tag assignments"] += 1
        tags = {t.get("id") for t in (candidates.get(owner.get(row["candidate_key"])) or {}).get("tags") or []}
        if row["ashby_id"] not in tags:
            result.fail("tags missing on their candidate", key)
    for row in _done(con, "file").values():
        result.checked["files"] += 1
        candidate = candidates.get(owner.get(row["candidate_key"])) or {}
        handles = {
            h.get("id") for h in [*(candidate.get("fileHandles") or []), candidate.get("resumeFileHandle") or {}]
        }
        if row["ashby_id"] not in handles:
            result.fail("files missing on their candidate", row["lever_id"])


def _feedback(client: AshbyClient, con: duckdb.DuckDBPyConnection, result: Validation) -> None:
    applications = {k: r["ashby_id"] for k, r in _done(con, "application").items()}
    feedback = _done(con, "feedback")
    wanted = {applications.get(row["opportunity_id"]) for row in feedback.values()}
    listed = _listed(client, "applicationFeedback.list", "applicationId", wanted)
    for row in feedback.values():
        result.checked["feedback"] += 1
        app_id = applications.get(row["opportunity_id"])
        if row["ashby_id"] not in listed.get(app_id, set()):
            result.fail("feedback missing on its application", row["lever_id"])


def validate(client: AshbyClient, con: duckdb.DuckDBPyConnection, *, sample: int = 50) -> Validation:
    result = Validation()
    candidates = _candidates(client, con, result, sample)
    _applications(client, con, result)
    _per_candidate(client, con, result, candidates)
    _feedback(client, con, result)
    return result
