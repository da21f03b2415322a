"""Ashby sandbox: users, departments, locations, hiring-team roles and apiKey.info, over HTTP."""

from __future__ import annotations

import pytest

from migration_pipeline.sandbox.ashby.state import new_id
from migration_pipeline_tests.conftest import ASHBY_READ_ONLY_KEY
from migration_pipeline_tests.conftest import walk_to_sync_token as walk

# Keys as recorded (§8.1 user.info, department.list item) or schema-derived (§8.2 Location).
USER_KEYS = {"id", "firstName", "lastName", "email", "globalRole", "isEnabled", "updatedAt"}
DEPARTMENT_KEYS = {"id", "name", "externalName", "isArchived", "parentId", "createdAt", "updatedAt", "extraData"}
LOCATION_KEYS = {"id", "name", "externalName", "isArchived", "isRemote", "workplaceType", "parentLocationId", "type",
                 "extraData"}  # fmt: skip


# ---- permissions ----------------------------------------------------------------------------------

READS = [
    ("user.list", {}),
    ("user.search", {"email": "nobody@example.com"}),
    ("user.info", {"userId": "00000000-0000-0000-0000-000000000000"}),
    ("department.list", {}),
    ("department.info", {"departmentId": "00000000-0000-0000-0000-000000000000"}),
    ("location.list", {}),
    ("location.info", {"locationId": "00000000-0000-0000-0000-000000000000"}),
    ("hiringTeamRole.list", {}),
]


@pytest.mark.parametrize(("method", "body"), READS)
def test_read_endpoints_need_organization_read(ashby, method, body):
    response = ashby.call(method, body, key=ashby.key_without("organizationRead"))
    assert response.status_code == 403
    assert response.json()["errorInfo"]["code"] == "missing_endpoint_permission"


@pytest.mark.parametrize(
    ("method", "body"),
    [("department.create", {"name": "Ops"}), ("location.create", {"name": "Oslo", "type": "Location"})],
)
def test_create_endpoints_need_organization_write(ashby, method, body):
    response = ashby.call(method, body, key=ASHBY_READ_ONLY_KEY)
    assert response.status_code == 403
    assert response.json()["errorInfo"]["code"] == "missing_endpoint_permission"


def test_api_key_info_needs_api_keys_read(ashby):
    response = ashby.call("apiKey.info", {}, key=ashby.key_without("apiKeysRead"))
    assert response.status_code == 403
    assert response.json()["errorInfo"]["code"] == "missing_endpoint_permission"


# ---- users ----------------------------------------------------------------------------------------


def test_user_list_envelope_and_shape(ashby):
    page = ashby.call("user.list", {"limit": 100}).json()
    assert set(page) == {"success", "results", "moreDataAvailable", "syncToken"}
    assert page["moreDataAvailable"] is False
    assert all(set(user) == USER_KEYS for user in page["results"])


def test_user_list_leaves_out_deactivated_users_unless_asked(ashby):
    disabled = {u["id"] for u in ashby.state["users"].values() if not u["isEnabled"]}
    assert disabled
    default = {u["id"] for u in ashby.results("user.list", {})}
    everyone = {u["id"] for u in ashby.results("user.list", {"includeDeactivated": True})}
    assert not default & disabled
    assert everyone == set(ashby.state["users"])


def test_user_list_pages_to_the_end(ashby):
    users, _, pages = walk(ashby, "user.list", {"includeDeactivated": True}, limit=5)
    assert pages == -(-len(ashby.state["users"]) // 5)
    assert [u["id"] for u in users] == list(ashby.state["users"])


def test_user_list_incremental_sync_returns_changed_users(ashby):
    _, token, _ = walk(ashby, "user.list", {}, limit=100)
    assert ashby.results("user.list", {"syncToken": token}) == []
    user = next(iter(ashby.state["users"].values()))
    user["lastName"] = "Renamed"
    ashby.state.touch(user)
    changed = ashby.results("user.list", {"syncToken": token})
    assert [(u["id"], u["lastName"]) for u in changed] == [(user["id"], "Renamed")]


def test_user_list_rejects_a_bad_limit(ashby):
    error = ashby.error("user.list", {"limit": 500})
    assert error["code"] == "invalid_input"
    assert "limit" in error["message"]


def test_user_search_finds_the_exact_email(ashby):
    user = next(iter(ashby.state["users"].values()))
    response = ashby.call("user.search", {"email": user["email"]}).json()
    assert set(response) == {"success", "results"}
    assert [u["id"] for u in response["results"]] == [user["id"]]
    assert set(response["results"][0]) == USER_KEYS


def test_user_search_ignores_case_but_not_partial_emails(ashby):
    user = next(iter(ashby.state["users"].values()))
    assert [u["id"] for u in ashby.results("user.search", {"email": user["email"].upper()})] == [user["id"]]
    assert ashby.results("user.search", {"email": user["email"].split("@")[0]}) == []


def test_user_search_requires_email(ashby):
    error = ashby.error("user.search", {})
    assert error["code"] == "invalid_input"
    assert "email" in error["message"]


def test_user_info_shape(ashby):
    user = next(iter(ashby.state["users"].values()))
    result = ashby.results("user.info", {"userId": user["id"]})
    assert set(result) == USER_KEYS
    assert result["email"] == user["email"]


def test_user_info_unknown_user(ashby):
    assert ashby.error("user.info", {"userId": new_id()})["code"] == "user_not_found"


def test_user_info_rejects_a_non_uuid(ashby):
    error = ashby.error("user.info", {"userId": "abc"})
    assert error["code"] == "invalid_input"
    assert "userId" in error["message"]


def test_user_info_requires_user_id(ashby):
    error = ashby.error("user.info", {})
    assert error["code"] == "invalid_input"
    assert "userId" in error["message"]


# ---- departments ----------------------------------------------------------------------------------


def test_department_list_envelope_and_shape(ashby):
    page = ashby.call("department.list", {"limit": 100, "includeArchived": True}).json()
    assert set(page) == {"success", "results", "moreDataAvailable", "syncToken"}
    assert len(page["results"]) == len(ashby.state["departments"])
    assert all(set(d) == DEPARTMENT_KEYS for d in page["results"])


def test_department_list_pages_to_the_end(ashby):
    departments, _, pages = walk(ashby, "department.list", {}, limit=3)
    assert pages == -(-len(ashby.state["departments"]) // 3)
    assert [d["id"] for d in departments] == list(ashby.state["departments"])


def test_department_list_leaves_out_archived_unless_asked(ashby):
    department = next(iter(ashby.state["departments"].values()))
    department["isArchived"] = True
    ashby.state.touch(department)
    assert department["id"] not in {d["id"] for d in ashby.results("department.list", {})}
    assert department["id"] in {d["id"] for d in ashby.results("department.list", {"includeArchived": True})}


def test_department_list_incremental_sync_sees_created_departments(ashby):
    _, token, _ = walk(ashby, "department.list", {}, limit=100)
    created = ashby.results("department.create", {"name": "Platform"})
    assert [d["id"] for d in ashby.results("department.list", {"syncToken": token})] == [created["id"]]


def test_department_create_shape(ashby):
    parent = next(iter(ashby.state["departments"].values()))
    created = ashby.results("department.create", {"name": "Platform", "parentId": parent["id"]})
    assert set(created) == DEPARTMENT_KEYS
    assert created["name"] == "Platform"
    assert created["parentId"] == parent["id"]
    assert created["isArchived"] is False
    assert created["externalName"] is None and created["extraData"] is None
    assert created["createdAt"] == created["updatedAt"]
    assert created["createdAt"].endswith("Z")
    assert ashby.results("department.info", {"departmentId": created["id"]}) == created


def test_department_create_keeps_external_name_and_extra_data(ashby):
    body = {"name": "Platform", "externalName": "Engineering", "extraData": {"lever_id": "abc"}}
    created = ashby.results("department.create", body)
    assert created["externalName"] == "Engineering"
    assert created["extraData"] == {"lever_id": "abc"}


def test_department_create_requires_name(ashby):
    error = ashby.error("department.create", {"name": "  "})
    assert error["code"] == "invalid_input"
    assert "name" in error["message"]


def test_department_create_unknown_parent(ashby):
    assert ashby.error("department.create", {"name": "X", "parentId": new_id()})["code"] == "department_not_found"


def test_department_info_unknown(ashby):
    assert ashby.error("department.info", {"departmentId": new_id()})["code"] == "department_not_found"


# ---- locations ------------------------------------------------------------------------------------


def test_location_list_envelope_and_shape(ashby):
    page = ashby.call("location.list", {}).json()
    assert set(page) == {"success", "results", "moreDataAvailable", "syncToken"}
    assert len(page["results"]) == len(ashby.state["locations"])
    assert all(set(loc) <= LOCATION_KEYS | {"address"} and {"id", "name", "isArchived"} <= set(loc)
               for loc in page["results"])  # fmt: skip


def test_location_list_pages_to_the_end_and_syncs(ashby):
    locations, token, pages = walk(ashby, "location.list", {}, limit=4)
    assert pages == -(-len(ashby.state["locations"]) // 4)
    assert [loc["id"] for loc in locations] == list(ashby.state["locations"])
    created = ashby.results("location.create", {"name": "Oslo", "type": "Location"})
    assert [loc["id"] for loc in ashby.results("location.list", {"syncToken": token})] == [created["id"]]


def test_location_list_leaves_out_regions_unless_asked(ashby):
    region = ashby.results("location.create", {"name": "EMEA", "type": "LocationHierarchy"})
    assert region["id"] not in {loc["id"] for loc in ashby.results("location.list", {})}
    with_regions = ashby.results("location.list", {"includeLocationHierarchy": True})
    assert region["id"] in {loc["id"] for loc in with_regions}


def test_location_list_leaves_out_archived_unless_asked(ashby):
    location = next(iter(ashby.state["locations"].values()))
    location["isArchived"] = True
    ashby.state.touch(location)
    assert location["id"] not in {loc["id"] for loc in ashby.results("location.list", {})}
    assert location["id"] in {loc["id"] for loc in ashby.results("location.list", {"includeArchived": True})}


def test_location_create_shape(ashby):
    region = ashby.results("location.create", {"name": "EMEA", "type": "LocationHierarchy"})
    body = {
        "name": "Oslo",
        "type": "Location",
        "parentLocationId": region["id"],
        "workplaceType": "Hybrid",
        "externalName": "Oslo office",
        "address": {"postalAddress": {"addressCountry": "Norway", "addressLocality": "Oslo"}},
        "extraData": {"lever": "oslo"},
    }
    created = ashby.results("location.create", body)
    assert set(created) == LOCATION_KEYS | {"address"}
    assert created["type"] == "Location"
    assert created["parentLocationId"] == region["id"]
    assert created["workplaceType"] == "Hybrid"
    assert created["isRemote"] is False
    assert created["address"] == {"postalAddress": {"addressCountry": "Norway", "addressLocality": "Oslo"}}
    assert ashby.results("location.info", {"locationId": created["id"]}) == created


def test_location_create_requires_name(ashby):
    error = ashby.error("location.create", {"type": "Location"})
    assert error["code"] == "invalid_input"
    assert "name" in error["message"]


def test_location_create_requires_a_known_type(ashby):
    error = ashby.error("location.create", {"name": "Oslo", "type": "City"})
    assert error["code"] == "invalid_input"
    assert "type" in error["message"]


def test_location_create_rejects_an_unknown_workplace_type(ashby):
    error = ashby.error("location.create", {"name": "Oslo", "type": "Location", "workplaceType": "Office"})
    assert error["code"] == "invalid_input"
    assert "workplaceType" in error["message"]


def test_location_create_hierarchy_cannot_be_remote(ashby):
    error = ashby.error("location.create", {"name": "EMEA", "type": "LocationHierarchy", "isRemote": True})
    assert error["code"] == "invalid_input"
    assert "isRemote" in error["message"]


def test_location_create_hierarchy_takes_no_workplace_type(ashby):
    body = {"name": "EMEA", "type": "LocationHierarchy", "workplaceType": "Remote"}
    error = ashby.error("location.create", body)
    assert error["code"] == "invalid_input"
    assert "workplaceType" in error["message"]


def test_location_create_unknown_parent(ashby):
    body = {"name": "Oslo", "type": "Location", "parentLocationId": new_id()}
    assert ashby.error("location.create", body)["code"] == "location_not_found"


def test_location_create_parent_must_be_a_hierarchy(ashby):
    parent = next(iter(ashby.state["locations"].values()))
    error = ashby.error("location.create", {"name": "Oslo", "type": "Location", "parentLocationId": parent["id"]})
    assert error["code"] == "invalid_input"
    assert "parentLocationId" in error["message"]


def test_location_create_rejects_a_malformed_address(ashby):
    body = {"name": "Oslo", "type": "Location", "address": {"postalAddress": {"city": "Oslo"}}}
    error = ashby.error("location.create", body)
    assert error["code"] == "invalid_input"
    assert "address" in error["message"]


def test_location_info_unknown(ashby):
    assert ashby.error("location.info", {"locationId": new_id()})["code"] == "location_not_found"


# ---- hiring-team roles, API key -------------------------------------------------------------------


def test_hiring_team_role_list_gives_titles_by_default(ashby):
    titles = ashby.results("hiringTeamRole.list", {})
    assert titles == [role["title"] for role in ashby.state["hiring_team_roles"].values()]
    assert all(isinstance(t, str) for t in titles)


def test_hiring_team_role_list_gives_objects_when_not_names_only(ashby):
    roles = ashby.results("hiringTeamRole.list", {"namesOnly": False})
    assert roles == [{"id": r["id"], "title": r["title"]} for r in ashby.state["hiring_team_roles"].values()]


def test_hiring_team_role_list_rejects_a_non_boolean_flag(ashby):
    error = ashby.error("hiringTeamRole.list", {"namesOnly": "no"})
    assert error["code"] == "invalid_input"
    assert "namesOnly" in error["message"]


def test_api_key_info_shape_and_scopes(ashby):
    info = ashby.results("apiKey.info", {})
    assert set(info) == {"title", "createdAt", "scopes"}
    assert info["title"] == ashby.state.api_key["title"]
    assert info["createdAt"] == ashby.state.api_key["createdAt"]
    assert {"jobs:read", "jobs:write", "candidates:read", "candidates:write", "organization:read"} <= set(
        info["scopes"]
    )


def test_api_key_info_lists_only_the_granted_scopes(ashby):
    scopes = ashby.results("apiKey.info", {}, key=ASHBY_READ_ONLY_KEY)["scopes"]
    assert scopes and all(scope.endswith(":read") for scope in scopes)
    assert "jobs:read" in scopes
