"""Ashby endpoints: the organization (users, departments, locations, hiring-team roles, the API key).

Users and hiring-team roles are read-only through the API; departments and locations can be created.
"""

from __future__ import annotations

import re
import time

from migration_pipeline.sandbox.ashby.rpc import (
    SCOPES,
    Ctx,
    endpoint,
    existing,
    field_value,
    invalid_input,
    not_found,
    paginate,
    uuid_value,
)
from migration_pipeline.sandbox.ashby.state import Json, iso, new_id

LOCATION_TYPES = ("Location", "LocationHierarchy")
WORKPLACE_TYPES = ("OnSite", "Hybrid", "Remote")
POSTAL_ADDRESS_FIELDS = ("addressCountry", "addressRegion", "addressLocality", "postalCode", "streetAddress")

# apiKey.info's createdAt for an org whose setup names no API key.
_KEY_CREATED_AT = iso(time.time() * 1000)


def flag(body: Json, name: str, default: bool = False) -> bool:
    return field_value(body, name, bool, default=default)


def text(body: Json, name: str, *, required: bool = False) -> str | None:
    """A string field; a required one must not be blank."""
    value = field_value(body, name, str, required=required)
    if required and not value.strip():
        raise invalid_input(f"Invalid value for {name}: must not be empty")
    return value


def extra_data(body: Json) -> Json | None:
    return field_value(body, "extraData", dict)


# ---- users ----------------------------------------------------------------------------------------


@endpoint("user.list", scope="organizationRead")
def user_list(ctx: Ctx, body: Json):
    include_deactivated = flag(body, "includeDeactivated")
    users = [u for u in ctx.state["users"].values() if include_deactivated or u.get("isEnabled", True)]
    return paginate(ctx, body, "user.list", users, syncable=True)


@endpoint("user.search", scope="organizationRead")
def user_search(ctx: Ctx, body: Json):
    email = text(body, "email", required=True).strip().casefold()
    found = [u for u in ctx.state["users"].values() if (u.get("email") or "").strip().casefold() == email]
    return sorted(found, key=lambda u: u["_seq"])


@endpoint("user.info", scope="organizationRead")
def user_info(ctx: Ctx, body: Json):
    return existing(ctx, body, "userId", "users", "user")


# ---- departments ----------------------------------------------------------------------------------


@endpoint("department.list", scope="organizationRead")
def department_list(ctx: Ctx, body: Json):
    include_archived = flag(body, "includeArchived")
    departments = [d for d in ctx.state["departments"].values() if include_archived or not d.get("isArchived")]
    return paginate(ctx, body, "department.list", departments, syncable=True)


@endpoint("department.create", scope="organizationWrite")
def department_create(ctx: Ctx, body: Json):
    name = text(body, "name", required=True)
    external_name = text(body, "externalName")
    parent_id = uuid_value(body, "parentId", required=False)
    if parent_id is not None and ctx.state.get("departments", parent_id) is None:
        raise not_found("department", parent_id)
    data = extra_data(body)
    now = iso()
    department = {
        "id": new_id(),
        "name": name,
        "externalName": external_name,
        "isArchived": False,
        "parentId": parent_id,
        "createdAt": now,
        "updatedAt": now,
        "extraData": data,
    }
    return ctx.state.add("departments", department)


@endpoint("department.info", scope="organizationRead")
def department_info(ctx: Ctx, body: Json):
    return existing(ctx, body, "departmentId", "departments", "department")


# ---- locations ------------------------------------------------------------------------------------


@endpoint("location.list", scope="organizationRead")
def location_list(ctx: Ctx, body: Json):
    include_archived = flag(body, "includeArchived")
    include_hierarchy = flag(body, "includeLocationHierarchy")
    locations = [
        loc
        for loc in ctx.state["locations"].values()
        if (include_archived or not loc.get("isArchived"))
        and (include_hierarchy or loc.get("type", "Location") != "LocationHierarchy")
    ]
    return paginate(ctx, body, "location.list", locations, syncable=True)


def _address(body: Json) -> Json | None:
    address = field_value(body, "address", dict)
    if address is None:
        return None
    postal = address.get("postalAddress")
    if postal is None:
        return {"postalAddress": {}}
    if not isinstance(postal, dict):
        raise invalid_input("Invalid value for address.postalAddress: expected object")
    clean: Json = {}
    for name, value in postal.items():
        if name not in POSTAL_ADDRESS_FIELDS:
            raise invalid_input(
                f"Invalid field address.postalAddress.{name}: expected one of {', '.join(POSTAL_ADDRESS_FIELDS)}"
            )
        if value is not None and not isinstance(value, str):
            raise invalid_input(f"Invalid value for address.postalAddress.{name}: expected string")
        if value is not None:
            clean[name] = value
    return {"postalAddress": clean}


@endpoint("location.create", scope="organizationWrite")
def location_create(ctx: Ctx, body: Json):
    name = text(body, "name", required=True)
    kind = field_value(body, "type", str, required=True)
    if kind not in LOCATION_TYPES:
        raise invalid_input(f"Invalid value for type: expected one of {', '.join(LOCATION_TYPES)}")
    address = _address(body)
    parent_id = uuid_value(body, "parentLocationId", required=False)
    if parent_id is not None:
        parent = ctx.state.get("locations", parent_id)
        if parent is None:
            raise not_found("location", parent_id)
        if parent.get("type", "Location") != "LocationHierarchy":
            raise invalid_input("Invalid value for parentLocationId: the parent must be a location hierarchy")
    is_remote = flag(body, "isRemote")
    workplace_type = field_value(body, "workplaceType", str)
    if workplace_type is not None and workplace_type not in WORKPLACE_TYPES:
        raise invalid_input(f"Invalid value for workplaceType: expected one of {', '.join(WORKPLACE_TYPES)}")
    if kind == "LocationHierarchy" and is_remote:
        raise invalid_input("Invalid value for isRemote: LocationHierarchies cannot be labeled as remote")
    if kind == "LocationHierarchy" and workplace_type is not None:
        raise invalid_input(
            "Invalid value for workplaceType: LocationHierarchies cannot be labeled with a workplaceType"
        )
    location = {
        "id": new_id(),
        "name": name,
        "externalName": text(body, "externalName"),
        "isArchived": False,
        "address": address,  # dropped below when not given, as the seeded locations have none
        "isRemote": is_remote,
        "workplaceType": workplace_type,
        "parentLocationId": parent_id,
        "type": kind,
        "extraData": extra_data(body),
    }
    if address is None:
        del location["address"]
    return ctx.state.add("locations", location)


@endpoint("location.info", scope="organizationRead")
def location_info(ctx: Ctx, body: Json):
    return existing(ctx, body, "locationId", "locations", "location")


# ---- hiring-team roles ----------------------------------------------------------------------------


@endpoint("hiringTeamRole.list", scope="organizationRead")
def hiring_team_role_list(ctx: Ctx, body: Json):
    names_only = flag(body, "namesOnly", default=True)
    roles = sorted(ctx.state["hiring_team_roles"].values(), key=lambda r: r["_seq"])
    if names_only:
        return [role["title"] for role in roles]
    return [{"id": role["id"], "title": role["title"]} for role in roles]


# ---- the API key ----------------------------------------------------------------------------------


def scope_spelling(scope: str) -> str:
    """`jobsRead` -> `jobs:read`: how apiKey.info spells the module permissions."""
    match = re.fullmatch(r"(.+?)(Read|Write)", scope)
    if match is None:
        return scope
    return f"{match.group(1)}:{match.group(2).lower()}"


@endpoint("apiKey.info", scope="apiKeysRead")
def api_key_info(ctx: Ctx, body: Json):
    recorded = getattr(ctx.state, "api_key", None) or {}  # the setup's `api_key` (title, createdAt)
    return {
        "title": recorded.get("title") or "Sandbox API key",
        "createdAt": recorded.get("createdAt") or _KEY_CREATED_AT,
        "scopes": [scope_spelling(scope) for scope in SCOPES if scope in ctx.key.scopes],
    }
