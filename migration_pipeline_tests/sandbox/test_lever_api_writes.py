"""Lever write endpoints for feedback, files, postings and users, and the sandbox admin routes that add
stages and archive reasons: what they create is served afterwards, and opportunity writes move `updatedAt`."""

from __future__ import annotations

import copy

import pytest

from migration_pipeline.sandbox.lever import mutations
from migration_pipeline.sandbox.lever.inventory import inventory
from migration_pipeline_tests.conftest import READ_ONLY_KEY, RunningLever


def _user(lever: RunningLever) -> str:
    return next(u["id"] for u in lever.org.users if u.get("deactivatedAt") is None)


def _opportunity(lever: RunningLever, with_panels: bool = False) -> dict:
    for opp in lever.org.opportunities.values():
        if opp["confidentiality"] != "non-confidential" or opp["archived"] is not None:
            continue
        if with_panels and not lever.org.sub_resources(opp["id"], "panels"):
            continue
        return copy.deepcopy(lever.org.opportunity_view(opp["id"]))
    raise AssertionError("no opportunity")


def _template(lever: RunningLever) -> dict:
    """A feedback template with a score, a free-text and a choice field."""
    for template in lever.org.feedback_templates:
        types = {f["type"] for f in template["fields"]}
        if {"score-system", "textarea", "multiple-choice"} <= types:
            return template
    raise AssertionError("no feedback template with score, textarea and multiple-choice fields")


def _field(template: dict, ftype: str) -> dict:
    return next(f for f in template["fields"] if f["type"] == ftype)


def _changed_since(lever: RunningLever, since: int) -> set[str]:
    body = lever.get("/opportunities", updated_at_start=since, confidentiality="all").json()
    assert not body["hasNext"]
    return {o["id"] for o in body["data"]}


def _post(lever: RunningLever, path: str, params: dict | None = None, **kwargs: object):
    return lever.session().post(f"{lever.api}{path}", params=params or {}, timeout=30, **kwargs)


def _assert_error(response, status: int) -> None:
    assert response.status_code == status, response.text
    assert set(response.json()) == {"code", "message"}


def _objects(lever: RunningLever) -> dict:
    return lever.admin("GET", "/inventory").json()["objects"]


# ---- feedback -------------------------------------------------------------------------------------


def test_add_feedback_creates_a_form_from_the_template(fresh_lever: RunningLever) -> None:
    opp = _opportunity(fresh_lever)
    template = _template(fresh_lever)
    score, notes, choice = (
        _field(template, "score-system"),
        _field(template, "textarea"),
        _field(template, "multiple-choice"),
    )
    before = fresh_lever.get(f"/opportunities/{opp['id']}/feedback").json()["data"]
    count_before = _objects(fresh_lever)["feedback"]["total"]
    values = [
        {"id": score["id"], "value": "3 - Hire"},
        {"id": notes["id"], "value": "Great <b>talk</b>"},
        {"id": choice["id"], "value": choice["options"][0]["text"]},
    ]
    response = _post(
        fresh_lever,
        f"/opportunities/{opp['id']}/feedback",
        {"perform_as": _user(fresh_lever)},
        json={"baseTemplateId": template["id"], "fieldValues": values},
    )
    assert response.status_code == 201
    form = response.json()["data"]
    assert form["baseTemplateId"] == template["id"] and form["text"] == template["text"]
    assert form["user"] == _user(fresh_lever) and form["deletedAt"] is None and form["completedAt"]
    assert [f["id"] for f in form["fields"]] == [f["id"] for f in template["fields"]]  # fields copied in order
    by_id = {f["id"]: f for f in form["fields"]}
    assert by_id[score["id"]]["value"] == "3 - Hire" and by_id[score["id"]]["options"] == score["options"]
    assert by_id[notes["id"]]["value"] == "Great <b>talk</b>"
    assert all(f["value"] is None for f in form["fields"] if f["id"] not in {v["id"] for v in values})
    # served afterwards, last in the list, and by id
    after = fresh_lever.get(f"/opportunities/{opp['id']}/feedback").json()["data"]
    assert len(after) == len(before) + 1 and after[-1] == form
    assert fresh_lever.get(f"/opportunities/{opp['id']}/feedback/{form['id']}").json()["data"] == form
    # the opportunity moved: a delta sync sees it
    updated = fresh_lever.get(f"/opportunities/{opp['id']}").json()["data"]
    assert updated["updatedAt"] > opp["updatedAt"] and updated["lastInteractionAt"] == updated["updatedAt"]
    assert opp["id"] in _changed_since(fresh_lever, updated["updatedAt"])
    assert _objects(fresh_lever)["feedback"]["total"] == count_before + 1


def test_add_feedback_on_an_interview_and_score_as_integer(fresh_lever: RunningLever) -> None:
    opp = _opportunity(fresh_lever, with_panels=True)
    panel = fresh_lever.get(f"/opportunities/{opp['id']}/panels").json()["data"][0]
    template = _template(fresh_lever)
    score = _field(template, "score-system")
    body = {
        "baseTemplateId": template["id"],
        "panel": panel["id"],
        "interview": panel["interviews"][0]["id"],
        "fieldValues": [{"id": score["id"], "value": 4}],
        "createdAt": opp["createdAt"] + 1,
    }
    response = _post(fresh_lever, f"/opportunities/{opp['id']}/feedback", {"perform_as": _user(fresh_lever)}, json=body)
    assert response.status_code == 201
    form = response.json()["data"]
    assert (form["panel"], form["interview"]) == (panel["id"], panel["interviews"][0]["id"])
    assert form["createdAt"] == opp["createdAt"] + 1
    assert next(f for f in form["fields"] if f["id"] == score["id"])["value"] == "4 - Strong Hire"


def test_add_feedback_without_values_is_an_empty_form(fresh_lever: RunningLever) -> None:
    opp = _opportunity(fresh_lever)
    template = _template(fresh_lever)
    response = _post(
        fresh_lever,
        f"/opportunities/{opp['id']}/feedback",
        {"perform_as": _user(fresh_lever)},
        json={"baseTemplateId": template["id"]},
    )
    assert response.status_code == 201
    form = response.json()["data"]
    assert form["completedAt"] is None and form["updatedAt"] is None  # as a new form from a template is
    assert all(f["value"] is None for f in form["fields"])


@pytest.mark.parametrize(
    "case,status",
    [
        ("no_perform_as", 400),
        ("unknown_perform_as", 400),
        ("no_template", 400),
        ("unknown_template", 404),
        ("unknown_field", 400),
        ("not_an_option", 400),
        ("field_values_not_a_list", 400),
        ("panel_without_interview", 400),
        ("unknown_panel", 404),
        ("future_created_at", 400),
        ("completed_before_created", 400),
        ("unknown_opportunity", 404),
    ],
)
def test_add_feedback_validation(fresh_lever: RunningLever, case: str, status: int) -> None:
    opp = _opportunity(fresh_lever)
    template = _template(fresh_lever)
    choice = _field(template, "multiple-choice")
    params = {"perform_as": _user(fresh_lever)}
    body: dict = {"baseTemplateId": template["id"]}
    path = f"/opportunities/{opp['id']}/feedback"
    if case == "no_perform_as":
        params = {}
    elif case == "unknown_perform_as":
        params = {"perform_as": "nobody"}
    elif case == "no_template":
        body = {}
    elif case == "unknown_template":
        body = {"baseTemplateId": "no-such-template"}
    elif case == "unknown_field":
        body["fieldValues"] = [{"id": "no-such-field", "value": "x"}]
    elif case == "not_an_option":
        body["fieldValues"] = [{"id": choice["id"], "value": "Not an option"}]
    elif case == "field_values_not_a_list":
        body["fieldValues"] = {"id": choice["id"]}
    elif case == "panel_without_interview":
        body["panel"] = "p"
    elif case == "unknown_panel":
        body.update(panel="p", interview="i")
    elif case == "future_created_at":
        body["createdAt"] = 99_999_999_999_999
    elif case == "completed_before_created":
        body.update(createdAt=opp["createdAt"] + 10, completedAt=opp["createdAt"] + 5)
    elif case == "unknown_opportunity":
        path = "/opportunities/no-such-opportunity/feedback"
    count_before = len(fresh_lever.get(f"/opportunities/{opp['id']}/feedback").json()["data"])
    _assert_error(_post(fresh_lever, path, params, json=body), status)
    assert len(fresh_lever.get(f"/opportunities/{opp['id']}/feedback").json()["data"]) == count_before
    assert fresh_lever.get(f"/opportunities/{opp['id']}").json()["data"]["updatedAt"] == opp["updatedAt"]


# ---- files ----------------------------------------------------------------------------------------


def test_upload_file_is_served_and_downloadable(fresh_lever: RunningLever) -> None:
    opp = _opportunity(fresh_lever)
    content = b"%PDF-1.4\n" + bytes(range(256)) * 40
    count_before = _objects(fresh_lever)["files"]["total"]
    response = _post(
        fresh_lever,
        f"/opportunities/{opp['id']}/files",
        {"perform_as": _user(fresh_lever)},
        files={"file": ("Work sample.pdf", content, "application/pdf")},
    )
    assert response.status_code == 201
    record = response.json()["data"]
    assert record["name"] == "Work sample.pdf" and record["ext"] == ".pdf" and record["size"] == len(content)
    assert record["status"] == "processed" and record["downloadUrl"].endswith(f"/files/{record['id']}/download")
    listed = fresh_lever.get(f"/opportunities/{opp['id']}/files").json()["data"]
    assert listed[-1] == record
    assert fresh_lever.get(f"/opportunities/{opp['id']}/files/{record['id']}").json()["data"] == record
    assert fresh_lever.get(f"/opportunities/{opp['id']}/files", uploaded_at_start=record["uploadedAt"]).json()[
        "data"
    ] == [record]
    download = fresh_lever.get(f"/opportunities/{opp['id']}/files/{record['id']}/download")
    assert download.status_code == 200 and download.content == content
    assert "Work sample.pdf" in download.headers["content-disposition"]
    updated = fresh_lever.get(f"/opportunities/{opp['id']}").json()["data"]
    assert updated["updatedAt"] > opp["updatedAt"] and updated["lastInteractionAt"] == updated["updatedAt"]
    assert opp["id"] in _changed_since(fresh_lever, updated["updatedAt"])
    assert _objects(fresh_lever)["files"]["total"] == count_before + 1


def test_upload_image_is_kept_unparsed(fresh_lever: RunningLever) -> None:
    opp = _opportunity(fresh_lever)
    response = _post(
        fresh_lever,
        f"/opportunities/{opp['id']}/files",
        {"perform_as": _user(fresh_lever)},
        files={"file": ("photo.PNG", b"\x89PNG\r\n\x1a\n")},
    )
    assert response.status_code == 201
    record = response.json()["data"]
    assert (record["ext"], record["status"]) == (".png", "unsupported")
    download = fresh_lever.get(f"/opportunities/{opp['id']}/files/{record['id']}/download")
    assert download.content == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "case,status",
    [("no_perform_as", 400), ("no_file_field", 400), ("not_multipart", 400), ("too_large", 413)],
)
def test_upload_file_validation(fresh_lever: RunningLever, case: str, status: int) -> None:
    opp = _opportunity(fresh_lever)
    params = {} if case == "no_perform_as" else {"perform_as": _user(fresh_lever)}
    kwargs: dict = {"files": {"file": ("a.txt", b"hello")}}
    if case == "no_file_field":
        kwargs = {"files": {"attachment": ("a.txt", b"hello")}}
    elif case == "not_multipart":
        kwargs = {"json": {"file": "hello"}}
    elif case == "too_large":
        kwargs = {"files": {"file": ("big.pdf", b"\0" * (mutations.MAX_FILE_BYTES + 1))}}
    _assert_error(_post(fresh_lever, f"/opportunities/{opp['id']}/files", params, **kwargs), status)
    assert fresh_lever.get(f"/opportunities/{opp['id']}").json()["data"]["updatedAt"] == opp["updatedAt"]


# ---- postings -------------------------------------------------------------------------------------


def test_create_posting_and_an_opportunity_on_it(fresh_lever: RunningLever) -> None:
    user = _user(fresh_lever)
    body = {
        "text": "Sandbox Engineer",
        "state": "published",
        "owner": user,
        "tags": ["Delta"],
        "categories": {
            "team": "Platform",
            "department": "Engineering",
            "location": "Lisbon",
            "commitment": "Full-time",
        },
        "content": {"descriptionHtml": "<div>Build <b>things</b></div>", "lists": []},
        "workplaceType": "hybrid",
    }
    response = _post(fresh_lever, "/postings", {"perform_as": user}, json=body)
    assert response.status_code == 201
    posting = response.json()["data"]
    assert posting["text"] == "Sandbox Engineer" and posting["state"] == "published"
    assert posting["confidentiality"] == "non-confidential" and posting["user"] == user
    assert posting["categories"]["location"] == "Lisbon" and posting["content"]["description"] == "Build things"
    assert fresh_lever.get(f"/postings/{posting['id']}").json()["data"] == posting
    listed = fresh_lever.get("/postings", team="Platform", location="Lisbon").json()["data"]
    assert [p["id"] for p in listed] == [posting["id"]]
    assert _objects(fresh_lever)["postings"]["total"] == len(fresh_lever.org.postings)
    # a candidate on the new posting gets its categories as tags and an application on it
    created = _post(
        fresh_lever,
        "/opportunities",
        {"perform_as": user},
        json={"name": "Ana Nova", "emails": ["ana.nova@example.org"], "postings": [posting["id"]]},
    )
    assert created.status_code == 201
    opp = created.json()["data"]
    assert {"Sandbox Engineer", "Platform", "Lisbon"} <= set(opp["tags"]) and opp["opportunityLocation"] == "Lisbon"
    application = fresh_lever.get(f"/opportunities/{opp['id']}/applications").json()["data"][0]
    assert application["posting"] == posting["id"]
    assert [o["id"] for o in fresh_lever.get("/opportunities", posting_id=posting["id"]).json()["data"]] == [opp["id"]]


def test_create_posting_defaults_to_draft(fresh_lever: RunningLever) -> None:
    response = _post(fresh_lever, "/postings", {"perform_as": _user(fresh_lever)}, json={"text": "Draft role"})
    assert response.status_code == 201
    posting = response.json()["data"]
    assert posting["state"] == "draft" and posting["owner"] == _user(fresh_lever)
    assert posting["distributionChannels"] == ["public", "internal"]


@pytest.mark.parametrize(
    "params,body,status",
    [
        ({}, {"text": "x"}, 400),  # perform_as is required
        (None, {}, 400),  # text is required
        (None, {"text": "  "}, 400),
        (None, {"text": "x", "state": "open"}, 400),
        (None, {"text": "x", "confidentiality": "confidential"}, 400),  # not through the API
        (None, {"text": "x", "owner": "nobody"}, 400),
        (None, {"text": "x", "categories": {"floor": "3"}}, 400),
        (None, {"text": "x", "categories": {"team": ["a"]}}, 400),
        (None, {"text": "x", "categories": {"allLocations": "Paris"}}, 400),
        (None, {"text": "x", "workplaceType": "moon"}, 400),
        (None, {"text": "x", "tags": "one"}, 400),
    ],
)
def test_create_posting_validation(fresh_lever: RunningLever, params: dict | None, body: dict, status: int) -> None:
    count = len(fresh_lever.org.postings)
    query = {"perform_as": _user(fresh_lever)} if params is None else params
    _assert_error(_post(fresh_lever, "/postings", query, json=body), status)
    assert len(fresh_lever.org.postings) == count


# ---- users ----------------------------------------------------------------------------------------


def test_create_user(fresh_lever: RunningLever) -> None:
    body = {
        "name": "Robin Sandbox",
        "email": "robin.sandbox@example.org",
        "accessRole": "team member",
        "jobTitle": "Recruiter",
    }
    response = _post(fresh_lever, "/users", json=body)
    assert response.status_code == 201
    user = response.json()["data"]
    assert (user["name"], user["email"], user["accessRole"], user["username"]) == (
        "Robin Sandbox",
        "robin.sandbox@example.org",
        "team member",
        "robin.sandbox",
    )
    assert user["deactivatedAt"] is None and user["jobTitle"] == "Recruiter"
    assert fresh_lever.get(f"/users/{user['id']}").json()["data"] == user
    assert fresh_lever.get("/users", email="ROBIN.sandbox@example.org").json()["data"] == [user]
    assert _objects(fresh_lever)["users"]["total"] == len(fresh_lever.org.users)
    # the new user can act
    opp = _opportunity(fresh_lever)
    note = _post(fresh_lever, f"/opportunities/{opp['id']}/notes", {"perform_as": user["id"]}, json={"value": "hi"})
    assert note.status_code == 201 and note.json()["data"]["user"] == user["id"]
    default = _post(fresh_lever, "/users", json={"name": "Ivy", "email": "ivy@example.org"}).json()["data"]
    assert default["accessRole"] == "interviewer"


@pytest.mark.parametrize(
    "body,status",
    [
        ({"email": "a@example.org"}, 400),
        ({"name": "A"}, 400),
        ({"name": "A", "email": "not-an-email"}, 400),
        ({"name": "A", "email": "a@example.org", "accessRole": "owner"}, 400),
        ({"name": "A", "email": "a@example.org", "managerId": "nobody"}, 400),
        ("existing_email", 400),
    ],
)
def test_create_user_validation(fresh_lever: RunningLever, body: dict | str, status: int) -> None:
    if body == "existing_email":
        body = {"name": "Dup", "email": f" {fresh_lever.org.users[0]['email'].upper()}"}
    count = len(fresh_lever.org.users)
    _assert_error(_post(fresh_lever, "/users", json=body), status)
    assert len(fresh_lever.org.users) == count


def test_writes_need_a_write_key(fresh_lever: RunningLever) -> None:
    opp = _opportunity(fresh_lever)
    session = fresh_lever.session(READ_ONLY_KEY)
    params = {"perform_as": _user(fresh_lever)}
    api = fresh_lever.api
    assert session.post(f"{api}/users", json={"name": "A", "email": "a@example.org"}, timeout=30).status_code == 403
    assert session.post(f"{api}/postings", params=params, json={"text": "x"}, timeout=30).status_code == 403
    files = {"file": ("a.txt", b"x")}
    assert (
        session.post(f"{api}/opportunities/{opp['id']}/files", params=params, files=files, timeout=30).status_code
        == 403
    )
    feedback = {"baseTemplateId": _template(fresh_lever)["id"]}
    url = f"{api}/opportunities/{opp['id']}/feedback"
    assert session.post(url, params=params, json=feedback, timeout=30).status_code == 403


# ---- admin: stages and archive reasons ------------------------------------------------------------


def test_admin_add_stage(fresh_lever: RunningLever) -> None:
    stages_before = fresh_lever.get("/stages").json()["data"]
    response = fresh_lever.admin("POST", "/stages", json={"text": "Work trial"})
    assert response.status_code == 201
    stage = response.json()["data"]
    assert stage["text"] == "Work trial"
    assert fresh_lever.get("/stages").json()["data"] == [*stages_before, stage]  # appended: indexes do not move
    assert fresh_lever.get(f"/stages/{stage['id']}").json()["data"] == stage
    assert stage["id"] in {s["id"] for s in fresh_lever.get("/disposition_stages").json()["data"]["stages"]}
    opp = _opportunity(fresh_lever)
    moved = fresh_lever.session().put(
        f"{fresh_lever.api}/opportunities/{opp['id']}/stage", json={"stage": stage["id"]}, timeout=30
    )
    assert moved.status_code == 200 and moved.json()["data"]["stageChanges"][-1]["toStageIndex"] == len(stages_before)
    assert [o["id"] for o in fresh_lever.get("/opportunities", stage_id=stage["id"]).json()["data"]] == [opp["id"]]
    assert _objects(fresh_lever)["stages"]["total"] == len(stages_before) + 1
    _assert_error(fresh_lever.admin("POST", "/stages", json={"text": "work TRIAL"}), 400)  # names are unique
    _assert_error(fresh_lever.admin("POST", "/stages", json={}), 400)


def test_admin_add_archive_reason(fresh_lever: RunningLever) -> None:
    count = len(fresh_lever.org.archive_reasons)
    response = fresh_lever.admin("POST", "/archive_reasons", json={"text": "Joined a competitor", "type": "non-hired"})
    assert response.status_code == 201
    reason = response.json()["data"]
    assert reason == {"id": reason["id"], "text": "Joined a competitor", "status": "active", "type": "non-hired"}
    assert reason in fresh_lever.get("/archive_reasons", type="non-hired").json()["data"]
    assert reason not in fresh_lever.get("/archive_reasons", type="hired").json()["data"]
    opp = _opportunity(fresh_lever)
    archived = fresh_lever.session().put(
        f"{fresh_lever.api}/opportunities/{opp['id']}/archived", json={"reason": reason["id"]}, timeout=30
    )
    assert archived.status_code == 200 and archived.json()["data"]["archived"]["reason"] == reason["id"]
    found = fresh_lever.get("/opportunities", archive_reason_id=reason["id"], confidentiality="all").json()["data"]
    assert [o["id"] for o in found] == [opp["id"]]
    hired = fresh_lever.admin("POST", "/archive_reasons", json={"text": "Hired (contractor)", "type": "hired"})
    assert hired.status_code == 201
    assert _objects(fresh_lever)["archive_reasons"]["total"] == count + 2
    _assert_error(fresh_lever.admin("POST", "/archive_reasons", json={"text": "Gone"}), 400)  # type is required
    _assert_error(fresh_lever.admin("POST", "/archive_reasons", json={"text": "Gone", "type": "fired"}), 400)
    _assert_error(fresh_lever.admin("POST", "/archive_reasons", json={"type": "hired"}), 400)


def test_inventory_stays_equal_to_the_org_after_writes(fresh_lever: RunningLever) -> None:
    user = _user(fresh_lever)
    opp = _opportunity(fresh_lever)
    _post(
        fresh_lever,
        f"/opportunities/{opp['id']}/feedback",
        {"perform_as": user},
        json={"baseTemplateId": _template(fresh_lever)["id"]},
    )
    _post(fresh_lever, f"/opportunities/{opp['id']}/files", {"perform_as": user}, files={"file": ("a.txt", b"x")})
    _post(fresh_lever, "/postings", {"perform_as": user}, json={"text": "Counted"})
    _post(fresh_lever, "/users", json={"name": "Counted", "email": "counted@example.org"})
    fresh_lever.admin("POST", "/stages", json={"text": "Counted"})
    fresh_lever.admin("POST", "/archive_reasons", json={"text": "Counted", "type": "hired"})
    assert fresh_lever.admin("GET", "/inventory").json() == inventory(fresh_lever.org)
