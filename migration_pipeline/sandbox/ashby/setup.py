"""Org setups for the Ashby sandbox: what an Ashby org holds before a migration writes to it.

Interview plans and stages, archive reasons, sources, feedback forms, users and hiring-team roles
cannot be created through Ashby's API; a customer's admins prepare them. A setup is a YAML file of
those objects in Ashby's own shapes, one list per collection. `setup_from_lever` derives the setup
a prepared customer would have for a generated Lever org (same user emails, stage and reason names,
sources), so the demo maps cleanly; `partial_setup` leaves some stages, reasons and users out, so the
migration plan has something to report.

The committed `setups/default.yaml` and `setups/partial.yaml` are those two for the demo's Lever org
(seed 1, 500 contacts); `migration-pipeline sandbox ashby-setup` rewrites them.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import yaml

from migration_pipeline.sandbox.ashby.state import KINDS, AshbyState, iso
from migration_pipeline.sandbox.lever.inventory import sources as lever_sources
from migration_pipeline.sandbox.lever.org import LeverOrg

SETUPS_DIR = Path(__file__).parent / "setups"
DEFAULT_SETUP_PATH = SETUPS_DIR / "default.yaml"
PARTIAL_SETUP_PATH = SETUPS_DIR / "partial.yaml"
DEMO_SEED = 1
DEMO_CONTACTS = 500

# The collections a setup may seed (what the API cannot create, plus departments, locations and
# custom fields an admin usually has already).
SETUP_KINDS: tuple[str, ...] = KINDS[: KINDS.index("jobs")]

_NAMESPACE = uuid.UUID("5b1d0c0e-8d5f-4a8e-9a55-7a1c2f0e4b10")


class SetupError(ValueError):
    """A setup file that cannot seed an org: names the collection, the item and the field."""


def stable_id(*parts: object) -> str:
    return str(uuid.uuid5(_NAMESPACE, ":".join(map(str, parts))))


# ---- loading ---------------------------------------------------------------------------------------

_REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "users": ("id", "firstName", "lastName", "email", "globalRole", "isEnabled"),
    "departments": ("id", "name", "isArchived"),
    "locations": ("id", "name", "isArchived"),
    "interview_plans": ("id", "title", "isArchived"),
    "interview_stages": ("id", "title", "type", "orderInInterviewPlan", "interviewPlanId"),
    "interview_stage_groups": ("id", "title", "order", "stageType"),
    "archive_reasons": ("id", "text", "reasonType", "isArchived"),
    "close_reasons": ("id", "text", "reasonType", "isArchived"),
    "sources": ("id", "title", "isArchived"),
    "feedback_forms": ("id", "title", "isArchived", "isDefaultForm", "formDefinition"),
    "custom_fields": ("id", "title", "objectType", "fieldType", "isArchived"),
    "hiring_team_roles": ("id", "title"),
}


def load_setup(path: str | Path) -> dict[str, Any]:
    """Read and check a setup file."""
    try:
        setup = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SetupError(f"{path}: not valid YAML: {exc}") from None
    validate_setup(setup, str(path))
    return setup


def validate_setup(setup: Any, where: str = "setup") -> None:
    if not isinstance(setup, dict):
        raise SetupError(f"{where}: a setup is a mapping of collection name to a list of objects")
    unknown = set(setup) - set(SETUP_KINDS) - {"organization", "api_key"}
    if unknown:
        raise SetupError(f"{where}: unknown collections {sorted(unknown)}; known: {', '.join(SETUP_KINDS)}")
    for kind in SETUP_KINDS:
        items = setup.get(kind, [])
        if not isinstance(items, list):
            raise SetupError(f"{where}: {kind} must be a list")
        seen: set[str] = set()
        for index, item in enumerate(items):
            missing = [f for f in _REQUIRED_FIELDS[kind] if not isinstance(item, dict) or f not in item]
            if missing:
                raise SetupError(f"{where}: {kind}[{index}] lacks {', '.join(missing)}")
            if item["id"] in seen:
                raise SetupError(f"{where}: {kind}[{index}] repeats id {item['id']}")
            seen.add(item["id"])
    plans = {p["id"] for p in setup.get("interview_plans", [])}
    for index, stage in enumerate(setup.get("interview_stages", [])):
        if stage["interviewPlanId"] not in plans:
            raise SetupError(f"{where}: interview_stages[{index}] ({stage['title']}) names an unknown interviewPlanId")


def build_state(setup: dict[str, Any]) -> AshbyState:
    """A fresh org seeded with a setup's objects (deep-copied: the setup stays untouched)."""
    import copy

    validate_setup(setup)
    state = AshbyState()
    for kind in SETUP_KINDS:
        for item in copy.deepcopy(setup.get(kind, [])):
            state.add(kind, item)
    state.organization = copy.deepcopy(setup.get("organization") or {"id": stable_id("org"), "name": "Sandbox"})
    state.api_key = copy.deepcopy(setup.get("api_key") or {"title": "Sandbox key", "createdAt": iso()})
    return state


def default_state() -> AshbyState:
    return build_state(load_setup(DEFAULT_SETUP_PATH))


def dump_setup(setup: dict[str, Any], path: str | Path) -> None:
    header = "# Generated by `migration-pipeline sandbox ashby-setup`; see migration_pipeline/sandbox/ashby/setup.py\n"
    Path(path).write_text(header + yaml.safe_dump(setup, sort_keys=False, allow_unicode=True), encoding="utf-8")


# ---- deriving a setup from a Lever org -----------------------------------------------------------

_ROLES = {
    "super admin": "Organization Admin",
    "admin": "Organization Admin",
    "team member": "Elevated Access",
    "limited team member": "Limited Access",
    "interviewer": "Limited Access",
}
_STAGE_GROUPS = (  # (stage type, group title)
    ("Lead", "Lead"),
    ("PreInterviewScreen", "Application Review"),
    ("Active", "Interviews"),
    ("Offer", "Offer"),
    ("Hired", "Hired"),
    ("Archived", "Archived"),
)
_SOURCE_TYPES = {
    "referral": "Referral",
    "internal": "Internal",
    "agency": "Agency",
    "linkedin": "Sourced",
    "github": "Sourced",
    "added manually": "Sourced",
    "extension": "Sourced",
}
_CANDIDATE_REASONS = ("withdrew", "candidate", "declined", "went elsewhere", "accepted another", "no response")
HIRED_STAGE_TITLE = "Hired"
ARCHIVED_STAGE_TITLE = "Archived"
MIGRATED_FEEDBACK_FORM_TITLE = "Migrated Lever feedback"


def _stage_type(lever_stage_id: str) -> str:
    if lever_stage_id.startswith("lead-"):
        return "Lead"
    if lever_stage_id.startswith("applicant-"):
        return "PreInterviewScreen"
    return "Offer" if lever_stage_id == "offer" else "Active"


def _split_name(name: str) -> tuple[str, str]:
    first, _, last = (name or "").strip().partition(" ")
    return first or "User", last


def setup_from_lever(org: LeverOrg) -> dict[str, Any]:
    """The setup a customer's admins would have prepared in Ashby for this Lever account."""
    created = iso(org.anchor_ms - 400 * 24 * 3600 * 1000)
    users = []
    for user in org.users:
        first, last = _split_name(user["name"])
        users.append(
            {
                "id": stable_id("user", user["email"]),
                "firstName": first,
                "lastName": last,
                "email": user["email"],
                "globalRole": _ROLES.get(user.get("accessRole") or "", "Limited Access"),
                "isEnabled": user.get("deactivatedAt") is None,
                "updatedAt": created,
            }
        )
    # the API key acts as the first enabled organization admin
    users.sort(key=lambda u: (u["globalRole"] != "Organization Admin" or not u["isEnabled"], u["email"]))

    categories = [p.get("categories") or {} for p in org.postings]
    departments = sorted({c["department"] for c in categories if c.get("department")})
    locations = sorted({c["location"] for c in categories if c.get("location")})
    plan_id = stable_id("plan", "default")
    groups = [
        {"id": stable_id("group", t), "title": title, "order": i, "stageType": t}
        for i, (t, title) in enumerate(_STAGE_GROUPS)
    ]
    group_of = {g["stageType"]: g["id"] for g in groups}
    stage_rows = [(s["text"], _stage_type(s["id"])) for s in org.stages]
    stage_rows += [(HIRED_STAGE_TITLE, "Hired"), (ARCHIVED_STAGE_TITLE, "Archived")]
    order = {t: i for i, (t, _) in enumerate(_STAGE_GROUPS)}
    stage_rows.sort(key=lambda row: order[row[1]])  # Ashby orders a plan by stage type first
    stages = [
        {
            "id": stable_id("stage", plan_id, title),
            "title": title,
            "type": kind,
            "orderInInterviewPlan": (i + 1) * 5,
            "interviewStageGroupId": group_of[kind],
            "interviewPlanId": plan_id,
        }
        for i, (title, kind) in enumerate(stage_rows)
    ]
    reasons = []
    for reason in org.archive_reasons:
        if reason.get("type") == "hired":
            continue  # Ashby hires through the Hired stage, not an archive reason
        text = reason["text"]
        by_candidate = any(word in text.lower() for word in _CANDIDATE_REASONS)
        reasons.append(
            {
                "id": stable_id("reason", text),
                "text": text,
                "reasonType": "RejectedByCandidate" if by_candidate else "RejectedByOrg",
                "isArchived": reason.get("status") == "inactive",
            }
        )
    source_titles = sorted({s["text"] for s in lever_sources(org)} | {"Applied", "Referral"})
    sources = []
    for title in source_titles:
        kind = _SOURCE_TYPES.get(title.lower(), "Inbound")
        sources.append(
            {
                "id": stable_id("source", title),
                "title": title,
                "isArchived": False,
                "sourceType": {"id": stable_id("source-type", kind), "title": kind, "isArchived": False},
            }
        )
    org_id = stable_id("org", org.seed)
    return {
        "organization": {"id": org_id, "name": "Northwind"},
        "api_key": {"title": "Lever migration", "createdAt": created},
        "users": users,
        "departments": [
            {
                "id": stable_id("department", name),
                "name": name,
                "externalName": None,
                "isArchived": False,
                "parentId": None,
                "createdAt": created,
                "updatedAt": created,
                "extraData": None,
            }
            for name in departments
        ],
        "locations": [
            {
                "id": stable_id("location", name),
                "name": name,
                "externalName": None,
                "isArchived": False,
                "isRemote": "remote" in name.lower(),
                "workplaceType": "Remote" if "remote" in name.lower() else "OnSite",
                "parentLocationId": None,
                "type": "Location",
                "extraData": None,
            }
            for name in locations
        ],
        "interview_plans": [
            {
                "id": plan_id,
                "title": "Default Interview Plan",
                "isArchived": False,
                "createdAt": created,
                "updatedAt": created,
            }
        ],
        "interview_stages": stages,
        "interview_stage_groups": groups,
        "archive_reasons": reasons,
        "close_reasons": [
            {"id": stable_id("close", text), "text": text, "reasonType": kind, "isArchived": False}
            for text, kind in (("Filled", "Other"), ("Cancelled", "Other"))
        ],
        "sources": sources,
        "feedback_forms": _feedback_forms(org_id),
        "custom_fields": _custom_fields(),
        "hiring_team_roles": [
            {"id": stable_id("role", t), "title": t} for t in ("Hiring Manager", "Recruiter", "Coordinator", "Sourcer")
        ],
    }


def _form_field(form: str, path: str, title: str, kind: str, required: bool, options: list[str] | None = None):
    field: dict[str, Any] = {
        "id": stable_id("form-field", form, path),
        "type": kind,
        "path": path,
        "humanReadablePath": title,
        "title": title,
        "isNullable": not required,
    }
    if options is not None:
        field["selectableValues"] = [{"label": o, "value": o} for o in options]
    return {"isRequired": required, "descriptionHtml": "", "descriptionPlain": "", "field": field}


def _feedback_forms(org_id: str) -> list[dict[str, Any]]:
    migrated = MIGRATED_FEEDBACK_FORM_TITLE
    recommendation = ["Strong Hire", "Hire", "No Hire", "Strong No Hire"]
    return [
        {
            "id": stable_id("form", "scorecard"),
            "organizationId": org_id,
            "title": "Interview Scorecard",
            "isArchived": False,
            "isDefaultForm": True,
            "formDefinition": {
                "sections": [
                    {
                        "title": "Feedback",
                        "descriptionHtml": "",
                        "descriptionPlain": "",
                        "fields": [
                            _form_field("scorecard", "overall_score", "Overall score", "Score", True),
                            _form_field("scorecard", "notes", "Notes", "RichText", False),
                        ],
                    }
                ]
            },
        },
        {
            "id": stable_id("form", "migrated"),
            "organizationId": org_id,
            "title": migrated,
            "isArchived": False,
            "isDefaultForm": False,
            "formDefinition": {
                "sections": [
                    {
                        "title": "Imported from Lever",
                        "descriptionHtml": "",
                        "descriptionPlain": "",
                        "fields": [
                            _form_field("migrated", "overall_score", "Overall score", "Score", False),
                            _form_field(
                                "migrated", "recommendation", "Recommendation", "ValueSelect", False, recommendation
                            ),
                            _form_field("migrated", "feedback", "Feedback", "RichText", True),
                            _form_field("migrated", "interviewer", "Interviewer (Lever)", "String", False),
                            _form_field("migrated", "interview_date", "Interview date", "Date", False),
                            _form_field("migrated", "lever_feedback_id", "Lever feedback id", "String", False),
                        ],
                    }
                ]
            },
        },
    ]


def _custom_fields() -> list[dict[str, Any]]:
    origins = ["agency", "applied", "internal", "referred", "sourced", "university"]
    rows = [
        ("Lever contact id", "Candidate", "String", None),
        ("Lever opportunity id", "Application", "String", None),
        ("Lever origin", "Application", "ValueSelect", origins),
        ("Consent expires", "Candidate", "Date", None),
    ]
    return [
        {
            "id": stable_id("custom-field", title),
            "isPrivate": False,
            "title": title,
            "objectType": object_type,
            "isArchived": False,
            "fieldType": field_type,
            "isRequired": False,
            "selectableValues": [{"label": v, "value": v, "isArchived": False} for v in values] if values else [],
        }
        for title, object_type, field_type, values in rows
    ]


def partial_setup(setup: dict[str, Any]) -> dict[str, Any]:
    """The same org with some Lever-matching stages, archive reasons and users missing."""
    import copy

    partial = copy.deepcopy(setup)
    active = [s for s in partial["interview_stages"] if s["type"] == "Active"]
    dropped_stages = {s["id"] for s in active[-2:]}
    partial["interview_stages"] = [s for s in partial["interview_stages"] if s["id"] not in dropped_stages]
    partial["archive_reasons"] = partial["archive_reasons"][:-2]
    partial["users"] = partial["users"][:-3]
    return partial
