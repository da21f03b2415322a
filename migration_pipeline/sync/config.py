"""The delta sync's settings: the `sync:` section of the mapping config (validated like the rest of it)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DELETION_POLICIES = ("archive_and_tag", "report")


class DeletionPolicy(BaseModel):
    """What a sync does in Ashby for an opportunity deleted in Lever (Ashby's API cannot delete a candidate)."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["archive_and_tag", "report"] = Field(
        "archive_and_tag",
        description="archive_and_tag: archive its application with `archive_reason` and tag the candidate with"
        " `tag`; report: change nothing in Ashby, list it in the sync report",
    )
    archive_reason: str = Field("Duplicate", description="an Ashby archive reason title (must exist in Ashby)")
    tag: str = Field("Deleted in Lever", description="the candidate tag added (created when missing)")


class SyncConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    overlap_seconds: int = Field(
        300, ge=0, description="each sync re-reads this much before the watermark (clock skew, in-flight edits)"
    )
    conflicts: Literal["report", "lever-wins", "ashby-wins"] = Field(
        "report",
        description="a field changed in both Lever and Ashby since the last write: report (write nothing of"
        " that object), lever-wins (overwrite Ashby), ashby-wins (keep Ashby's value)",
    )
    deletions: DeletionPolicy = Field(default_factory=DeletionPolicy)
