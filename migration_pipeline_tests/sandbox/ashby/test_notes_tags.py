"""Ashby sandbox: candidate notes (createNote, listNotes) and candidate tags over HTTP."""

from __future__ import annotations

import pytest

from migration_pipeline_tests.conftest import ASHBY_NO_PRIVATE_KEY, ASHBY_READ_ONLY_KEY, RunningAshby
from migration_pipeline_tests.sandbox.ashby.test_candidates import ISO_RE, MISSING_ID, create, walk

# §8.1 candidate.createNote (plain-string note)
NOTE_KEYS = {"id", "createdAt", "isPrivate", "content", "author"}
AUTHOR_KEYS = {"id", "firstName", "lastName", "email"}
TAG_KEYS = {"id", "title", "isArchived"}


def api_key_user(ashby: RunningAshby) -> dict:
    """The key's user: the first enabled Organization Admin of the setup."""
    users = sorted(ashby.state["users"].values(), key=lambda u: u["_seq"])
    return next(u for u in users if u["globalRole"] == "Organization Admin" and u["isEnabled"])


def note(ashby: RunningAshby, cand_id: str, content, **fields) -> dict:
    return ashby.results("candidate.createNote", {"candidateId": cand_id, "note": content, **fields})


def html_note(ashby: RunningAshby, value: str) -> str:
    cand = create(ashby)
    return note(ashby, cand["id"], {"type": "text/html", "value": value})["content"]


# ---- candidate.createNote ---------------------------------------------------------------------------


def test_create_plain_note_matches_the_recorded_shape(ashby):
    cand = create(ashby)
    payload = ashby.call(
        "candidate.createNote", {"candidateId": cand["id"], "note": "Test note from Nango action validation"}
    ).json()
    assert set(payload) == {"success", "results"}
    result = payload["results"]
    assert set(result) == NOTE_KEYS and set(result["author"]) == AUTHOR_KEYS
    assert result["content"] == "Test note from Nango action validation"
    assert result["isPrivate"] is False
    assert ISO_RE.match(result["createdAt"])


def test_note_author_is_the_api_key_user(ashby):
    cand = create(ashby)
    user = api_key_user(ashby)
    author = note(ashby, cand["id"], "hi")["author"]
    assert author == {k: user[k] for k in AUTHOR_KEYS}


def test_note_author_follows_x_on_behalf_of(ashby):
    cand = create(ashby)
    other = sorted(ashby.state["users"].values(), key=lambda u: u["_seq"])[-1]
    response = ashby.call(
        "candidate.createNote", {"candidateId": cand["id"], "note": "hi"}, headers={"X-On-Behalf-Of": other["id"]}
    )
    assert response.json()["results"]["author"]["id"] == other["id"]


def test_x_on_behalf_of_must_be_an_existing_user(ashby):
    cand = create(ashby)
    response = ashby.call(
        "candidate.createNote", {"candidateId": cand["id"], "note": "hi"}, headers={"X-On-Behalf-Of": MISSING_ID}
    )
    assert response.json()["errorInfo"]["code"] == "user_not_found"
    assert ashby.state["notes"] == {}


def test_note_created_at_can_be_backdated(ashby):
    cand = create(ashby)
    assert note(ashby, cand["id"], "old", createdAt="2019-05-06T07:08:09Z")["createdAt"] == "2019-05-06T07:08:09.000Z"


def test_note_created_at_must_be_iso(ashby):
    cand = create(ashby)
    error = ashby.error("candidate.createNote", {"candidateId": cand["id"], "note": "x", "createdAt": "yesterday"})
    assert error["code"] == "invalid_input" and "createdAt" in error["message"]


def test_plain_text_object_note_is_kept_verbatim(ashby):
    cand = create(ashby)
    text = "a < b & <b>not bold</b>"
    assert note(ashby, cand["id"], {"type": "text/plain", "value": text})["content"] == text


def test_html_note_keeps_the_supported_elements(ashby):
    value = (
        '<b>bold</b> <i>it</i> <u>u</u> <a href="https://example.com/x?a=1&amp;b=2">link</a>'
        "<ul><li>one</li></ul><ol><li>two</li></ol><code>c</code><pre>p</pre>"
    )
    assert html_note(ashby, value) == value


def test_html_note_strips_other_elements_but_keeps_their_text(ashby):
    value = '<p>Hello <span style="color:red">there</span></p><div><h1>Title</h1></div><img src="x.png">'
    assert html_note(ashby, value) == "Hello thereTitle"


def test_html_note_drops_scripts_and_event_handlers(ashby):
    value = '<b onclick="steal()">hi</b><script>alert(1)</script><style>b{}</style><i onmouseover="x()">!</i>'
    assert html_note(ashby, value) == "<b>hi</b><i>!</i>"


@pytest.mark.parametrize("href", ["javascript:alert(1)", " JaVa\tScript:alert(1)", "data:text/html,<b>x</b>"])
def test_html_note_drops_dangerous_hrefs(ashby, href):
    content = html_note(ashby, f'<a href="{href}">click</a>')
    assert content == "<a>click</a>"


def test_html_note_escapes_what_remains_as_text(ashby):
    content = html_note(ashby, "1 &lt; 2 &amp; <b>x</b> &lt;script&gt;")
    assert content == "1 &lt; 2 &amp; <b>x</b> &lt;script&gt;"


def test_html_note_closes_unclosed_elements(ashby):
    assert html_note(ashby, "<b>bold <i>both") == "<b>bold <i>both</i></b>"


def test_note_type_must_be_plain_or_html(ashby):
    cand = create(ashby)
    error = ashby.error("candidate.createNote", {"candidateId": cand["id"], "note": {"type": "text/md", "value": "x"}})
    assert error["code"] == "invalid_input" and "note.type" in error["message"]


def test_note_is_required(ashby):
    cand = create(ashby)
    error = ashby.error("candidate.createNote", {"candidateId": cand["id"]})
    assert error["code"] == "invalid_input" and "note" in error["message"]


def test_note_must_not_be_empty(ashby):
    cand = create(ashby)
    assert ashby.error("candidate.createNote", {"candidateId": cand["id"], "note": "  "})["code"] == "invalid_input"


def test_note_value_must_be_a_string(ashby):
    cand = create(ashby)
    error = ashby.error("candidate.createNote", {"candidateId": cand["id"], "note": {"type": "text/html", "value": 1}})
    assert error["code"] == "invalid_input" and "note.value" in error["message"]


def test_note_on_unknown_candidate(ashby):
    assert ashby.error("candidate.createNote", {"candidateId": MISSING_ID, "note": "x"})["code"] == (
        "candidate_not_found"
    )


def test_note_send_notifications_must_be_boolean(ashby):
    cand = create(ashby)
    error = ashby.error("candidate.createNote", {"candidateId": cand["id"], "note": "x", "sendNotifications": 1})
    assert error["code"] == "invalid_input" and "sendNotifications" in error["message"]


def test_private_note_needs_the_private_fields_toggle(ashby):
    cand = create(ashby)
    body = {"candidateId": cand["id"], "note": "secret", "isPrivate": True}
    assert ashby.error("candidate.createNote", body, key=ASHBY_NO_PRIVATE_KEY)["code"] == "missing_endpoint_permission"
    assert ashby.state["notes"] == {}
    assert ashby.results("candidate.createNote", body)["isPrivate"] is True


# ---- candidate.listNotes ----------------------------------------------------------------------------


def test_list_notes_pages_to_the_end(ashby):
    cand, other = create(ashby), create(ashby, "Other")
    ids = [note(ashby, cand["id"], f"n{i}")["id"] for i in range(5)]
    note(ashby, other["id"], "elsewhere")
    items, token, pages = walk(ashby, "candidate.listNotes", {"candidateId": cand["id"]}, limit=2)
    assert [n["id"] for n in items] == ids and pages == 3 and token
    assert all(set(n) == NOTE_KEYS for n in items)


def test_list_notes_syncs_incrementally(ashby):
    cand = create(ashby)
    note(ashby, cand["id"], "first")
    _, token, _ = walk(ashby, "candidate.listNotes", {"candidateId": cand["id"]}, limit=100)
    second = note(ashby, cand["id"], "second")
    page = ashby.call("candidate.listNotes", {"candidateId": cand["id"], "syncToken": token}).json()
    assert [n["id"] for n in page["results"]] == [second["id"]] and page["syncToken"]


def test_list_notes_cursor_belongs_to_its_candidate(ashby):
    cand, other = create(ashby), create(ashby, "Other")
    for i in range(3):
        note(ashby, cand["id"], f"n{i}")
    cursor = ashby.call("candidate.listNotes", {"candidateId": cand["id"], "limit": 1}).json()["nextCursor"]
    error = ashby.error("candidate.listNotes", {"candidateId": other["id"], "cursor": cursor})
    assert error["code"] == "invalid_next_cursor"


def test_list_notes_hides_private_notes_without_the_toggle(ashby):
    cand = create(ashby)
    public_note = note(ashby, cand["id"], "public")
    note(ashby, cand["id"], "private", isPrivate=True)
    assert len(ashby.results("candidate.listNotes", {"candidateId": cand["id"]})) == 2
    seen = ashby.results("candidate.listNotes", {"candidateId": cand["id"]}, key=ASHBY_NO_PRIVATE_KEY)
    assert [n["id"] for n in seen] == [public_note["id"]]


def test_list_notes_unknown_candidate(ashby):
    assert ashby.error("candidate.listNotes", {"candidateId": MISSING_ID})["code"] == "candidate_not_found"


def test_list_notes_requires_candidate_id(ashby):
    error = ashby.error("candidate.listNotes", {})
    assert error["code"] == "invalid_input" and "candidateId" in error["message"]


# ---- tags -------------------------------------------------------------------------------------------


def test_tag_create_shape_and_idempotence_by_title(ashby):
    payload = ashby.call("candidateTag.create", {"title": "Senior Candidate"}).json()
    assert set(payload) == {"success", "results"}
    tag = payload["results"]
    assert set(tag) == TAG_KEYS and tag["title"] == "Senior Candidate" and tag["isArchived"] is False
    assert ashby.results("candidateTag.create", {"title": "Senior Candidate"}) == tag
    assert len(ashby.state["candidate_tags"]) == 1


def test_tag_create_matches_the_exact_title(ashby):
    one = ashby.results("candidateTag.create", {"title": "Remote"})
    two = ashby.results("candidateTag.create", {"title": "remote"})
    assert one["id"] != two["id"]


def test_tag_create_returns_an_archived_tag_with_that_title(ashby):
    tag = ashby.results("candidateTag.create", {"title": "Old"})
    ashby.state["candidate_tags"][tag["id"]]["isArchived"] = True
    assert ashby.results("candidateTag.create", {"title": "Old"})["id"] == tag["id"]


def test_tag_create_requires_a_title(ashby):
    error = ashby.error("candidateTag.create", {})
    assert error["code"] == "invalid_input" and "title" in error["message"]
    assert ashby.error("candidateTag.create", {"title": " "})["code"] == "invalid_input"


def test_tag_list_pages_and_hides_archived(ashby):
    ids = [ashby.results("candidateTag.create", {"title": f"T{i}"})["id"] for i in range(5)]
    ashby.state.touch(ashby.state["candidate_tags"][ids[0]])
    ashby.state["candidate_tags"][ids[0]]["isArchived"] = True
    items, token, pages = walk(ashby, "candidateTag.list", {}, limit=2)
    assert [t["id"] for t in items] == ids[1:] and pages == 2 and token
    assert all(set(t) == TAG_KEYS for t in items)
    everything, _, _ = walk(ashby, "candidateTag.list", {"includeArchived": True}, limit=2)
    assert [t["id"] for t in everything] == ids


def test_tag_list_include_archived_must_be_boolean(ashby):
    error = ashby.error("candidateTag.list", {"includeArchived": "yes"})
    assert error["code"] == "invalid_input" and "includeArchived" in error["message"]


def test_tag_list_syncs_incrementally(ashby):
    ashby.results("candidateTag.create", {"title": "A"})
    _, token, _ = walk(ashby, "candidateTag.list", {}, limit=100)
    new = ashby.results("candidateTag.create", {"title": "B"})
    page = ashby.call("candidateTag.list", {"syncToken": token}).json()
    assert [t["id"] for t in page["results"]] == [new["id"]]


def test_add_and_remove_tag(ashby):
    cand = create(ashby)
    tag = ashby.results("candidateTag.create", {"title": "Strong"})
    added = ashby.results("candidate.addTag", {"candidateId": cand["id"], "tagId": tag["id"]})
    assert added["id"] == cand["id"] and added["tags"] == [tag]
    again = ashby.results("candidate.addTag", {"candidateId": cand["id"], "tagId": tag["id"]})
    assert again["tags"] == [tag]
    removed = ashby.results("candidate.removeTag", {"candidateId": cand["id"], "tagId": tag["id"]})
    assert removed["tags"] == []
    assert ashby.results("candidate.info", {"id": cand["id"]})["tags"] == []


def test_add_tag_shows_in_candidate_sync(ashby):
    cand, _other = create(ashby), create(ashby, "Other")
    _, token, _ = walk(ashby, "candidate.list", {}, limit=100)
    tag = ashby.results("candidateTag.create", {"title": "Strong"})
    ashby.results("candidate.addTag", {"candidateId": cand["id"], "tagId": tag["id"]})
    page = ashby.call("candidate.list", {"syncToken": token}).json()
    assert [c["id"] for c in page["results"]] == [cand["id"]]


def test_add_unknown_tag(ashby):
    cand = create(ashby)
    error = ashby.error("candidate.addTag", {"candidateId": cand["id"], "tagId": MISSING_ID})
    assert error["code"] == "candidate_tag_not_found"


def test_add_tag_to_unknown_candidate(ashby):
    tag = ashby.results("candidateTag.create", {"title": "Strong"})
    error = ashby.error("candidate.addTag", {"candidateId": MISSING_ID, "tagId": tag["id"]})
    assert error["code"] == "candidate_not_found"


def test_remove_tag_requires_tag_id(ashby):
    cand = create(ashby)
    error = ashby.error("candidate.removeTag", {"candidateId": cand["id"]})
    assert error["code"] == "invalid_input" and "tagId" in error["message"]


# ---- permissions ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "scope"),
    [
        ("candidate.createNote", "candidatesWrite"),
        ("candidate.listNotes", "candidatesRead"),
        ("candidate.addTag", "candidatesWrite"),
        ("candidate.removeTag", "candidatesWrite"),
        ("candidateTag.create", "hiringProcessMetadataWrite"),
        ("candidateTag.list", "hiringProcessMetadataRead"),
    ],
)
def test_endpoints_need_their_scope(ashby, method, scope):
    response = ashby.call(method, {"candidateId": MISSING_ID, "title": "x"}, key=ashby.key_without(scope))
    assert response.status_code == 403
    assert response.json()["errorInfo"]["code"] == "missing_endpoint_permission"


def test_read_only_key_cannot_write_notes_or_tags(ashby):
    cand = create(ashby)
    for method, body in (
        ("candidate.createNote", {"candidateId": cand["id"], "note": "x"}),
        ("candidateTag.create", {"title": "x"}),
    ):
        assert ashby.call(method, body, key=ASHBY_READ_ONLY_KEY).status_code == 403
