"""The mapping config: how Lever's names become Ashby's, and the policies for records that need a decision.

A YAML file (sample: `data/mapping.sample.yaml`) validated by pydantic; every error names the file, the
path inside it and what was expected. Where a section has no explicit entry for a Lever value, names match
automatically (case and space insensitive, `names.name_key`) and every automatic match is reported by the plan.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from migration_pipeline.sync.config import SyncConfig

SAMPLE_MAPPING = Path(__file__).resolve().parents[2] / "data" / "mapping.sample.yaml"


class MappingError(ValueError):
    """The mapping file cannot be used; the message lists every problem with its path in the file."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NameMap(_Strict):
    """Lever name (or id) -> Ashby name. A `null` target means "deliberately left unmapped"."""

    map: dict[str, str | None] = Field(default_factory=dict)
    fallback: str | None = None  # the Ashby name used for a Lever value with no explicit or automatic match
    auto_match: bool = True


class HoldingJob(_Strict):
    title: str = "Lever general pipeline (migrated)"
    department: str | None = None
    location: str | None = None


class Policies(_Strict):
    merge_contacts_by_email: bool = True
    # which contact id keys the merged candidate: the one created first, or the most recently active one
    merge_survivor: Literal["oldest", "newest"] = "oldest"
    no_posting: Literal["candidate_only", "holding_job", "archive_only"] = "candidate_only"
    holding_job: HoldingJob = Field(default_factory=HoldingJob)
    anonymized: Literal["skip", "migrate_anonymized"] = "skip"
    consent_expired: Literal["skip", "migrate"] = "skip"
    secret_notes: Literal["private", "exclude"] = "private"
    confidential_postings: Literal["migrate", "exclude"] = "migrate"
    feedback: Literal["generic_form", "mapped_forms"] = "generic_form"
    # Lever tags every candidate with its posting's title and categories; Ashby has the job for that
    drop_posting_tags: bool = True
    phone_region: str | None = "US"
    # consent expiry is judged against this instant (default: when the transform runs)
    as_of: datetime | None = None

    @field_validator("phone_region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        if value is not None and (len(value) != 2 or not value.isalpha()):
            raise ValueError(f"expected a two-letter region code like 'US', got {value!r}")
        return value.upper() if value else value


class InterviewPlans(_Strict):
    default: str | None = None  # Ashby plan title; None: the org's only plan, or the one named like "default"
    by_team: dict[str, str] = Field(default_factory=dict)  # Lever posting team/department -> plan title
    by_posting: dict[str, str] = Field(default_factory=dict)  # Lever posting id -> plan title


class GenericFeedbackForm(_Strict):
    form: str = "Migrated Lever feedback"
    # role -> field path in the Ashby form
    fields: dict[Literal["score", "recommendation", "text", "interviewer", "date", "lever_id"], str] = Field(
        default_factory=lambda: {
            "score": "overall_score",
            "recommendation": "recommendation",
            "text": "feedback",
            "interviewer": "interviewer",
            "date": "interview_date",
            "lever_id": "lever_feedback_id",
        }
    )


class TemplateForm(_Strict):
    form: str  # Ashby form title
    fields: dict[str, str] = Field(default_factory=dict)  # Lever field text -> Ashby field path
    text_field: str | None = None  # Ashby path receiving every Lever field that has no mapping


class FeedbackForms(_Strict):
    generic: GenericFeedbackForm = Field(default_factory=GenericFeedbackForm)
    templates: dict[str, TemplateForm] = Field(default_factory=dict)  # Lever template name -> form


class FormFieldMapping(_Strict):
    lever_form: str  # Lever profile form (template) name
    lever_field: str  # the field's text in that form
    ashby_field: str  # Ashby custom field title
    object: Literal["Candidate", "Application"] = "Candidate"
    # a value that does not fit the Ashby field (e.g. several options into a single-select)
    on_mismatch: Literal["first", "note", "skip"] = "note"


class CustomFields(_Strict):
    lever_contact_id: str | None = "Lever contact id"
    lever_opportunity_id: str | None = "Lever opportunity id"
    lever_origin: str | None = "Lever origin"
    consent_expires: str | None = "Consent expires"
    lever_headline: str | None = "Lever headline"  # Ashby candidates have no headline field
    forms: list[FormFieldMapping] = Field(default_factory=list)


class HiringTeam(_Strict):
    """The Ashby hiring team role (a title from the org's `hiringTeamRole.list`, case and spaces ignored) each
    kind of Lever person lands in; `null`: that kind is not added to hiring teams (the plan says so)."""

    opportunity_owner: str | None = "Recruiter"  # on the application
    opportunity_followers: str | None = None  # on the application
    posting_owner: str | None = None  # on the job
    posting_hiring_manager: str | None = "Hiring Manager"  # on the job


class MappingConfig(_Strict):
    version: Literal[1] = 1
    policies: Policies = Field(default_factory=Policies)
    stages: NameMap = Field(default_factory=NameMap)
    archive_reasons: NameMap = Field(default_factory=NameMap)
    users: NameMap = Field(default_factory=NameMap)  # Lever user email -> Ashby user email
    sources: NameMap = Field(default_factory=NameMap)
    departments: NameMap = Field(default_factory=NameMap)
    locations: NameMap = Field(default_factory=NameMap)
    interview_plans: InterviewPlans = Field(default_factory=InterviewPlans)
    feedback_forms: FeedbackForms = Field(default_factory=FeedbackForms)
    custom_fields: CustomFields = Field(default_factory=CustomFields)
    hiring_team: HiringTeam = Field(default_factory=HiringTeam)
    sync: SyncConfig = Field(default_factory=SyncConfig)  # the delta sync during the parallel run


def _describe(exc: ValidationError, source: str) -> str:
    lines = [f"{source}: {exc.error_count()} problem(s) in the mapping config"]
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "(top level)"
        got = error.get("input")
        shown = "" if isinstance(got, dict | list) else f" (got {got!r})"
        lines.append(f"  - {where}: {error['msg']}{shown}")
    return "\n".join(lines)


def parse_mapping(data: object, source: str = "<mapping>") -> MappingConfig:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise MappingError(f"{source}: expected a mapping at the top level, got {type(data).__name__}")
    try:
        return MappingConfig.model_validate(data)
    except ValidationError as exc:
        raise MappingError(_describe(exc, source)) from None


def load_mapping(path: Path | str | None = None) -> MappingConfig:
    """Read and validate a mapping file; `None` reads the committed sample."""
    path = Path(path) if path is not None else SAMPLE_MAPPING
    if not path.is_file():
        raise MappingError(f"{path}: mapping file not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise MappingError(f"{path}: not valid YAML: {exc}") from None
    return parse_mapping(data, str(path))
