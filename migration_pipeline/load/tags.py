"""Candidate tags: each distinct tag once for the org (`candidateTag.create`), then added to its candidates
(`candidate.addTag`).

Tags are keyed by `name_key(tag)`: "Python" and "python " are one tag, as the transform already treats them for
one candidate. Ashby's create returns the existing tag for an *identical* title only, so an Ashby tag whose
title differs in case or spacing is found by listing first and reused. A tag is a title and nothing else: a
changed title is a new key, never an update. An assignment has no Ashby object of its own: its ledger id is
the tag's id, and it is found again when `candidate.info` lists the tag on the candidate."""

from __future__ import annotations

import threading
from typing import Any

from migration_pipeline.ashby.errors import AshbyNotFoundError
from migration_pipeline.load.applications import with_candidate
from migration_pipeline.load.engine import Item, LoadContext, Loader
from migration_pipeline.transform.names import name_key

Json = dict[str, Any]
TAG = "tag"
ASSIGNMENT = "tag_assignment"


def tag_item(tag: str) -> Item:
    return Item(object_type=TAG, lever_key=name_key(tag), payload={"title": tag}, lever_type="tags", lever_id=tag)


def assignment_item(candidate_key: str, tag: str) -> Item:
    return Item(
        object_type=ASSIGNMENT,
        lever_key=f"{candidate_key}:{name_key(tag)}",
        payload={"tag": name_key(tag)},
        lever_type="contacts",
        lever_id=candidate_key,
        candidate_key=candidate_key,
    )


def _listed(ctx: LoadContext) -> dict[str, str]:
    """Ashby's active tags by name key (the first of a key wins)."""
    found: dict[str, str] = {}
    for tag in ctx.client.paginate("candidateTag.list", {"includeArchived": False}):
        found.setdefault(name_key(tag.get("title")), tag["id"])
    return found


class TagLoader(Loader):
    object_type = TAG
    updatable = False

    def __init__(self) -> None:
        self._before: dict[str, str] | None = None  # the tags Ashby had when this phase began
        self._lock = threading.Lock()

    def find_existing(self, ctx: LoadContext, item: Item) -> str | None:
        return _listed(ctx).get(item.lever_key)  # read fresh: it may be our own tag, written before a crash

    def create(self, ctx: LoadContext, item: Item) -> str:
        with self._lock:  # list once per phase, not once per tag: no other item of this phase has this key
            if self._before is None:
                self._before = _listed(ctx)
        existing = self._before.get(item.lever_key)  # reuse a tag Ashby spells differently
        if existing is not None:
            return existing
        return ctx.client.write("candidateTag.create", {"title": item.payload["title"]})["id"]


class TagAssignmentLoader(Loader):
    object_type = ASSIGNMENT
    updatable = False

    def find_existing(self, ctx: LoadContext, item: Item) -> str | None:
        tag_id = ctx.need(TAG, item.payload["tag"])

        def tag_ids(ctx: LoadContext, candidate_id: str) -> set[str]:
            candidate = ctx.client.call("candidate.info", {"id": candidate_id}) or {}
            return {t.get("id") for t in candidate.get("tags") or []}

        try:
            return tag_id if tag_id in with_candidate(ctx, item, tag_ids) else None
        except AshbyNotFoundError:
            return None  # the candidate is gone: the write fails with Ashby's answer

    def create(self, ctx: LoadContext, item: Item) -> str:
        tag_id = ctx.need(TAG, item.payload["tag"])
        candidate_id = ctx.need("candidate", item.candidate_key)
        ctx.client.write("candidate.addTag", {"candidateId": candidate_id, "tagId": tag_id})
        return tag_id
