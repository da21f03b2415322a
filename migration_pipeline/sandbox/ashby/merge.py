"""Merging two candidates, as an Ashby user does when they find a duplicate.

The API has no merge endpoint: Ashby users merge in the app (the `candidateMerge` webhook reports it),
and the merged-away id stops resolving. `POST /__sandbox/merge {"from", "into"}` calls this so tests can
check that a loader survives a candidate id changing under it.
"""

from __future__ import annotations

from migration_pipeline.sandbox.ashby.endpoints.candidates import reorder, sync_application_summaries
from migration_pipeline.sandbox.ashby.state import AshbyState, Json


def _merge_contacts(survivor: Json, merged: Json, list_key: str, primary_key: str, *, casefold: bool) -> None:
    def norm(value: str) -> str:
        return value.lower() if casefold else value

    known = {norm(c["value"]) for c in survivor[list_key]}
    for contact in merged.get(list_key, []):
        if norm(contact["value"]) not in known:
            known.add(norm(contact["value"]))
            survivor[list_key].append({**contact, "isPrimary": False})
    if primary_key not in survivor and survivor[list_key]:
        # the survivor had no primary: the merged candidate's primary becomes it
        values = [norm(c["value"]) for c in survivor[list_key]]
        wanted = norm(merged[primary_key]["value"]) if primary_key in merged else values[0]
        wanted = wanted if wanted in values else values[0]
        for contact in survivor[list_key]:
            contact["isPrimary"] = norm(contact["value"]) == wanted
        survivor[primary_key] = dict(survivor[list_key][values.index(wanted)])


def _merge_by(survivor_items: list[Json], merged_items: list[Json], key) -> None:
    known = {key(item) for item in survivor_items}
    for item in merged_items:
        if key(item) not in known:
            known.add(key(item))
            survivor_items.append(dict(item))


def merge_candidates(state: AshbyState, from_id: str, into_id: str) -> Json:
    """Merge candidate `from_id` into `into_id` and return the survivor.

    The survivor gains the other's emails, phones, social links, tags, files, custom field values it
    lacks, applications (re-pointed) and notes (re-pointed); fields the survivor has not set (position,
    company, school, location, source, credit, timezone) are taken from the other. The merged candidate
    is removed and `state.merged_into[from_id] = into_id`. Raises KeyError for unknown ids.
    """
    survivor = state.get("candidates", into_id)
    merged = state.get("candidates", from_id)
    if merged is None:
        raise KeyError(f"unknown candidate {from_id!r}")
    if survivor is None:
        raise KeyError(f"unknown candidate {into_id!r}")
    if from_id == into_id:
        raise ValueError("a candidate cannot be merged into itself")

    _merge_contacts(survivor, merged, "emailAddresses", "primaryEmailAddress", casefold=True)
    _merge_contacts(survivor, merged, "phoneNumbers", "primaryPhoneNumber", casefold=False)
    _merge_by(survivor["socialLinks"], merged.get("socialLinks", []), lambda link: (link["type"], link["url"]))
    _merge_by(survivor["tags"], merged.get("tags", []), lambda tag: tag["id"])
    _merge_by(survivor["fileHandles"], merged.get("fileHandles", []), lambda handle: handle["id"])
    _merge_by(survivor["customFields"], merged.get("customFields", []), lambda value: value.get("id"))
    for key in ("position", "company", "school", "location", "resumeFileHandle", "_externalMappingId"):
        if key not in survivor and key in merged:
            survivor[key] = merged[key]
    for key in ("source", "creditedToUser", "timezone"):
        if survivor.get(key) is None and merged.get(key) is not None:
            survivor[key] = merged[key]

    for app_id in merged.get("applicationIds", []):
        if app_id not in survivor["applicationIds"]:
            survivor["applicationIds"].append(app_id)
        app = state.get("applications", app_id)
        if app is not None:
            app["candidate"] = {**(app.get("candidate") or {}), "id": into_id}
            state.touch(app)
    for note in state["notes"].values():
        if note.get("_candidateId") == from_id:
            note["_candidateId"] = into_id
            state.touch(note)
    for record in state["files"].values():
        if record.get("_candidateId") == from_id:
            record["_candidateId"] = into_id
            state.touch(record)

    state.touch(merged)
    state.remove("candidates", from_id)
    state.merged_into[from_id] = into_id
    for old, new in state.merged_into.items():  # earlier merges into the merged-away candidate follow it
        if new == from_id:
            state.merged_into[old] = into_id
    state.touch(reorder(survivor))
    sync_application_summaries(state, survivor)
    return survivor
