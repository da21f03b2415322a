"""What the Ashby org already holds and the API cannot create: users, plans and stages, reasons, sources,
forms, custom fields, roles, tags (plus departments and locations). The loader maps Lever's values onto
these, so they are read once before any write, as Ashby returns them (raw dicts).

Everything is read, archived and deactivated objects included: a Lever record may point at a reason or
user that is no longer active, and the plan step decides what to do with it. A key lacking permissions
fails here, before the first write, with one `AshbyPermissionError` naming every endpoint it may not call.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from typing import Any

from migration_pipeline.ashby.client import AshbyClient
from migration_pipeline.ashby.errors import PERMISSION_CODE, AshbyPermissionError

Raw = dict[str, Any]


@dataclass(frozen=True)
class AshbyOrgMetadata:
    api_key: Raw  # apiKey.info: title, createdAt, scopes
    users: list[Raw]
    departments: list[Raw]
    locations: list[Raw]
    interview_plans: list[Raw]
    interview_stages: list[Raw]  # every plan's stages, each with its interviewPlanId
    interview_stage_groups: list[Raw]
    archive_reasons: list[Raw]
    close_reasons: list[Raw]
    sources: list[Raw]
    feedback_forms: list[Raw]
    custom_fields: list[Raw]
    hiring_team_roles: list[Raw]
    candidate_tags: list[Raw]

    def counts(self) -> dict[str, int]:
        """How many of each list, for Dagster metadata and logs (no names)."""
        return {f.name: len(getattr(self, f.name)) for f in fields(self) if f.name != "api_key"}

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> AshbyOrgMetadata:
        data = json.loads(text)
        expected = {f.name for f in fields(cls)}
        if not isinstance(data, dict) or set(data) != expected:
            raise ValueError(f"not Ashby org metadata: expected the keys {sorted(expected)}")
        return cls(**data)


# (field, endpoint, body, paged): each list as the endpoint serves it, with everything included.
_LISTS: tuple[tuple[str, str, Raw, bool], ...] = (
    ("users", "user.list", {"includeDeactivated": True}, True),
    ("departments", "department.list", {"includeArchived": True}, True),
    ("locations", "location.list", {"includeArchived": True}, True),
    ("interview_plans", "interviewPlan.list", {"includeArchived": True}, True),
    ("interview_stage_groups", "interviewStageGroup.list", {}, False),
    ("archive_reasons", "archiveReason.list", {"includeArchived": True}, False),
    ("close_reasons", "closeReason.list", {"includeArchived": True}, False),
    ("sources", "source.list", {"includeArchived": True}, False),
    ("feedback_forms", "feedbackFormDefinition.list", {"includeArchived": True}, True),
    ("custom_fields", "customField.list", {"includeArchived": True}, True),
    ("hiring_team_roles", "hiringTeamRole.list", {"namesOnly": False}, False),
    ("candidate_tags", "candidateTag.list", {"includeArchived": True}, True),
)


class _Reader:
    """Reads endpoint after endpoint, noting each one the key may not call instead of stopping at the first."""

    def __init__(self, client: AshbyClient) -> None:
        self.client = client
        self.refused: list[AshbyPermissionError] = []

    def read(self, endpoint: str, body: Raw, paged: bool) -> Any:
        call: Callable[[], Any] = (
            (lambda: list(self.client.paginate(endpoint, body)))
            if paged
            else (lambda: self.client.call(endpoint, body))
        )
        try:
            return call()
        except AshbyPermissionError as exc:
            self.refused.append(exc)
            return None

    def raise_refusals(self) -> None:
        if len(self.refused) == 1:
            raise self.refused[0]
        if self.refused:
            endpoints = ", ".join(exc.endpoint for exc in self.refused)
            first = self.refused[0]
            raise AshbyPermissionError(
                f"The Ashby key may not call {endpoints}: grant the missing permissions and run again",
                endpoint=endpoints,
                code=PERMISSION_CODE,
                message=first.message,
                request_id=first.request_id,
                http_status=first.http_status,
            )


def read_org_metadata(client: AshbyClient) -> AshbyOrgMetadata:
    """The org's metadata, every list read to its end."""
    reader = _Reader(client)
    api_key = reader.read("apiKey.info", {}, paged=False)
    lists: dict[str, list[Raw]] = {name: reader.read(ep, body, paged) or [] for name, ep, body, paged in _LISTS}
    stages: list[Raw] = []
    for plan in lists["interview_plans"]:
        stages.extend(reader.read("interviewStage.list", {"interviewPlanId": plan["id"]}, paged=False) or [])
    reader.raise_refusals()
    return AshbyOrgMetadata(api_key=api_key or {}, interview_stages=stages, **lists)
