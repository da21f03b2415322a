"""What every canonical builder needs: the config, the resolution against Ashby, Lever's reference data by id,
and the rows it emits for records left out (`skipped`) and values that could not be mapped."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from migration_pipeline.transform.custom_fields import FieldValue, field_value_row, find_field
from migration_pipeline.transform.mapping import MappingConfig
from migration_pipeline.transform.resolve import AshbyOrg, Match, Resolution

Json = dict[str, Any]


@dataclass(frozen=True)
class Skip:
    lever_type: str
    lever_id: str
    opportunity_id: str | None
    partition_key: str | None
    reason_code: str
    reason: str


@dataclass
class LeverReference:
    """Lever's account-level lists by id (users, stages, archive reasons, feedback templates, postings)."""

    users: dict[str, Json] = field(default_factory=dict)
    stages: dict[str, Json] = field(default_factory=dict)
    archive_reasons: dict[str, Json] = field(default_factory=dict)
    feedback_templates: dict[str, Json] = field(default_factory=dict)
    postings: dict[str, Json] = field(default_factory=dict)

    @classmethod
    def from_payloads(cls, **lists: Iterable[Json]) -> LeverReference:
        return cls(**{name: {str(p["id"]): p for p in items if p.get("id")} for name, items in lists.items()})


@dataclass
class Context:
    config: MappingConfig
    resolution: Resolution
    lever: LeverReference
    as_of_ms: int
    skipped: list[Skip] = field(default_factory=list)
    unresolved: list[tuple[Match, str]] = field(default_factory=list)  # (match, example Lever record id)

    @classmethod
    def build(cls, config: MappingConfig, org: AshbyOrg, lever: LeverReference) -> Context:
        as_of = config.policies.as_of or datetime.now(UTC)
        if as_of.tzinfo is None:
            as_of = as_of.replace(tzinfo=UTC)
        return cls(config, Resolution.build(config, org), lever, int(as_of.timestamp() * 1000))

    @property
    def policies(self):
        return self.config.policies

    def skip(
        self,
        lever_type: str,
        lever_id: str,
        opportunity_id: str | None,
        partition_key: str | None,
        reason_code: str,
        reason: str,
    ) -> None:
        self.skipped.append(Skip(lever_type, lever_id, opportunity_id, partition_key, reason_code, reason))

    def note_unresolved(self, match: Match, example_id: str) -> Match:
        if match.how in ("unmapped", "create"):
            self.unresolved.append((match, example_id))
        return match

    # -- users ---------------------------------------------------------------------------------------------

    def user(self, lever_user_id: str | None, example_id: str) -> Match | None:
        if not lever_user_id:
            return None
        user = self.lever.users.get(lever_user_id) or {}
        email = user.get("email") or ""
        match = self.resolution.users.resolve(lever_user_id, email or lever_user_id)
        return self.note_unresolved(match, example_id)

    def ashby_user_id(self, lever_user_id: str | None, example_id: str) -> str | None:
        match = self.user(lever_user_id, example_id)
        return match.ashby_id if match else None

    def user_name(self, lever_user_id: str | None) -> str:
        user = self.lever.users.get(lever_user_id or "") or {}
        return user.get("name") or (f"Lever user {lever_user_id}" if lever_user_id else "Unknown user")

    def source_id(self, source_text: str | None, example_id: str) -> str | None:
        if not source_text:
            return None
        match = self.resolution.sources.resolve(source_text, source_text)
        return self.note_unresolved(match, example_id).ashby_id

    def field_value(self, item: FieldValue) -> Json | None:
        """The custom field row for a value, or None; a value that does not fit is listed under its policy."""
        row, mismatch = field_value_row(self._fields(item.object_type, item.title), item)
        if mismatch:
            kept = "kept what fits" if row is not None else "not set"
            if item.on_mismatch == "note":
                kept += "; the full value is in the form's note"
            self.skip(
                item.lever_type,
                f"{item.lever_id}/{item.title}",
                item.opportunity_id,
                item.partition_key,
                "custom_field_mismatch",
                f"{item.title}: {mismatch} ({kept}; on_mismatch: {item.on_mismatch})",
            )
        return row

    def _fields(self, object_type: str, title: str) -> list[Json]:
        """The org's field for (object type, title) as a one-item list (or empty), looked up once."""
        cache = self.__dict__.setdefault("_field_cache", {})
        key = (object_type, title)
        if key not in cache:
            found = find_field(self.resolution.org.custom_fields, object_type, title)
            cache[key] = [found] if found else []
        return cache[key]

    def stage_name(self, lever_stage_id: str | None) -> str:
        stage = self.lever.stages.get(lever_stage_id or "") or {}
        return stage.get("text") or (lever_stage_id or "")
