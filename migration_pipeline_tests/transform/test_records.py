"""Notes, feedback and files of one partition: HTML safety, long and unicode notes, secret and deleted records."""

from migration_pipeline.transform.note_html import is_safe_note_html
from migration_pipeline.transform.records import FileIndex, Owner, build_partition
from migration_pipeline_tests.transform.conftest import make_context

OWNER = {"o-1": Owner("c-1", True)}


def _note(nid: str, value: str, **fields):
    return {
        "id": nid,
        "text": "Note",
        "user": "u-1",
        "secret": False,
        "createdAt": 1_700_000_000_000,
        "deletedAt": None,
        "fields": [
            {
                "type": "note",
                "text": "Comment",
                "value": value,
                "createdAt": 1_700_000_000_000,
                "user": "u-1",
                "score": None,
                "stage": "s-phone",
            }
        ],
        **fields,
    }


def _partition(records, ctx=None, owners=OWNER, files=None, unprocessable=None):
    ctx = ctx or make_context()
    by_opp = {kind: {"o-1": items} for kind, items in records.items()}
    contents = files or {}
    index = FileIndex.build(contents, unprocessable or {}, {"c-1": "r-1"}, dict.fromkeys(contents, "c-1"))
    out = build_partition("p-1", by_opp, {}, owners, index, ctx)
    return ctx, out


def test_script_tags_never_survive_in_a_note():
    _, out = _partition({"notes": [_note("n-1", "<script>alert(1)</script><b>bold</b> <img src=x onerror=alert(1)>")]})
    body = out.notes[0]["body_html"]
    assert "<script" not in body.lower() and "<img" not in body.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<b>bold</b>" in body
    assert is_safe_note_html(body)


def test_a_100_kb_unicode_note_is_kept_whole_with_author_and_time_in_the_text():
    text = ("Ünïcödé ✓ שלום مرحبا 🚀 " * 5000)[:110_000]
    _, out = _partition({"notes": [_note("n-1", text)]})
    note = out.notes[0]
    assert text in note["body_html"]
    assert "Amy Blackwell" in note["body_html"] and "2023-11-14 22:13 UTC" in note["body_html"]
    assert note["created_at"] == "2023-11-14T22:13:20.000Z" and len(note["content_sha256"]) == 64


def test_secret_notes_are_private_or_excluded_by_policy():
    secret = _note("n-s", "salary talk", secret=True)
    _, out = _partition({"notes": [secret]})
    assert out.notes[0]["is_private"] is True
    ctx, out = _partition({"notes": [secret]}, make_context(policies={"secret_notes": "exclude"}))
    assert out.notes == [] and [s.reason_code for s in ctx.skipped] == ["secret_note_excluded"]


def test_threaded_replies_stay_in_one_note_in_order():
    note = _note("n-1", "first")
    note["fields"].append({**note["fields"][0], "value": "second", "createdAt": 1_700_000_100_000})
    _, out = _partition({"notes": [note]})
    body = out.notes[0]["body_html"]
    assert body.index("first") < body.index("Reply") < body.index("second")


def _feedback(fid: str, **fields):
    return {
        "id": fid,
        "type": "interview",
        "text": "Technical Interview",
        "user": "u-1",
        "createdAt": 1_700_000_000_000,
        "completedAt": 1_700_000_000_000,
        "deletedAt": None,
        "fields": [
            {"type": "score-system", "text": "Overall", "value": "3 - Hire"},
            {"type": "textarea", "text": "Notes", "value": "Solid <b>coder</b>"},
        ],
        **fields,
    }


def test_feedback_goes_to_the_generic_form_with_score_recommendation_and_text():
    _, out = _partition({"feedback": [_feedback("f-1")]})
    [row] = out.feedback
    values = {s["path"]: s["value"] for s in row["field_submissions"]}
    assert row["form_title"] == "Migrated Lever feedback" and row["score"] == 3
    assert values["overall_score"] == {"score": 3} and values["recommendation"] == "Hire"
    assert values["interview_date"] == "2023-11-14" and values["lever_feedback_id"] == "f-1"
    assert "Notes: Solid <b>coder</b>" in values["feedback"]["value"]  # plain text: Ashby shows it verbatim


def test_soft_deleted_feedback_is_excluded_and_counted():
    ctx, out = _partition({"feedback": [_feedback("f-1"), _feedback("f-2", deletedAt=1_700_000_000_001)]})
    assert [f["lever_feedback_id"] for f in out.feedback] == ["f-1"]
    assert [(s.lever_id, s.reason_code) for s in ctx.skipped] == [("f-2", "feedback_deleted")]


def test_mapped_forms_policy_uses_the_templates_form_and_field_paths():
    ctx = make_context(
        policies={"feedback": "mapped_forms"},
        feedback_forms={
            "templates": {
                "Technical Interview": {
                    "form": "Interview Scorecard",
                    "fields": {"Overall": "overall_score"},
                    "text_field": "notes",
                }
            }
        },
    )
    _, out = _partition({"feedback": [_feedback("f-1")]}, ctx)
    [row] = out.feedback
    assert row["form_title"] == "Interview Scorecard" and row["mode"] == "mapped"
    values = {s["path"]: s["value"] for s in row["field_submissions"]}
    assert values["overall_score"] == {"score": 3} and "Solid" in values["notes"]["value"]


def test_unprocessable_files_are_listed_not_fatal_and_the_latest_resume_is_the_resume():
    resumes = [
        {"id": "r-1", "createdAt": 1, "file": {"name": "cv.pdf", "ext": "pdf"}},
        {"id": "r-2", "createdAt": 2, "file": {"name": "old.pdf", "ext": "pdf"}},
    ]
    files = {("resumes", "r-1"): {"sha256": "a" * 64, "size": 10, "path": "x"}}
    ctx, out = _partition({"resumes": resumes}, files=files, unprocessable={("resumes", "r-2"): {"status": 422}})
    by_id = {f["lever_file_id"]: f for f in out.files}
    assert by_id["r-1"]["upload_context"] == "CandidateResume" and by_id["r-1"]["content_type"] == "application/pdf"
    assert by_id["r-2"]["status"] == "unprocessable"
    assert [(s.lever_id, s.reason_code) for s in ctx.skipped] == [("r-2", "file_unprocessable")]


def test_interviews_offers_and_referrals_become_notes_and_panels_are_archive_only():
    records = {
        "interviews": [
            {
                "id": "i-1",
                "subject": "Phone <script>x</script>",
                "date": 1,
                "duration": 30,
                "interviewers": [{"name": "Amy"}],
                "user": "u-1",
                "createdAt": 1,
            }
        ],
        "offers": [
            {
                "id": "of-1",
                "status": "signed",
                "creator": "u-1",
                "createdAt": 1,
                "fields": [{"text": "Salary", "identifier": "salary_amount", "value": 100}],
            }
        ],
        "referrals": [
            {
                "id": "rf-1",
                "referrer": "u-1",
                "createdAt": 1,
                "fields": [{"type": "text", "text": "Why", "value": "great"}],
            }
        ],
        "panels": [{"id": "pa-1"}],
    }
    _, out = _partition(records)
    assert sorted(n["lever_type"] for n in out.notes) == ["interviews", "offers", "referrals"]
    assert all(is_safe_note_html(n["body_html"]) for n in out.notes)
    assert [a["lever_id"] for a in out.archived] == ["pa-1"]


def test_records_of_an_opportunity_that_is_not_migrated_are_listed_as_skipped():
    ctx, out = _partition({"notes": [_note("n-1", "x")]}, owners={})
    assert out.notes == [] and [s.reason_code for s in ctx.skipped] == ["opportunity_not_migrated"]


def test_the_same_content_twice_on_one_candidate_is_uploaded_once_with_the_resume_first():
    resumes = [
        {"id": "r-1", "createdAt": 2, "file": {"name": "cv.pdf"}},
        {"id": "r-0", "createdAt": 1, "file": {"name": "cv.pdf"}},
    ]
    files = [{"id": "f-1", "name": "cv copy.pdf"}]
    same = {"sha256": "b" * 64, "size": 3, "path": "p"}
    contents = {("resumes", "r-1"): same, ("resumes", "r-0"): same, ("files", "f-1"): same}
    ctx, out = _partition({"resumes": resumes, "files": files}, files=contents)
    by_id = {f["lever_file_id"]: f for f in out.files}
    assert by_id["r-1"]["status"] == "ready" and by_id["r-1"]["upload_context"] == "CandidateResume"
    assert by_id["r-0"]["status"] == by_id["f-1"]["status"] == "duplicate"
    assert "resumes r-1" in by_id["f-1"]["reason"]
    assert sorted(s.lever_id for s in ctx.skipped if s.reason_code == "file_duplicate") == ["f-1", "r-0"]


def test_a_chunks_part_of_the_file_index_keeps_first_copies_and_resumes_chosen_on_other_postings():
    same = {"sha256": "c" * 64, "size": 3, "path": "p"}
    contents = {("resumes", "r-1"): same, ("resumes", "r-2"): same, ("files", "f-2"): same}
    owner_of = dict.fromkeys(contents, "c-1")
    index = FileIndex.build(contents, {}, {"c-1": "r-1"}, owner_of)  # r-1 is on o-1, in another chunk
    part = index.subset([("resumes", "r-2"), ("files", "f-2")], ["c-1"])
    assert ("resumes", "r-1") not in part.contents and part.resume_choice == {"c-1": "r-1"}
    records = {"resumes": {"o-2": [{"id": "r-2", "createdAt": 1, "file": {"name": "cv.pdf"}}]}}
    records["files"] = {"o-2": [{"id": "f-2", "name": "cv.pdf"}]}
    out = build_partition("p-2", records, {}, {"o-2": Owner("c-1", True)}, part, make_context())
    by_id = {f["lever_file_id"]: f for f in out.files}
    assert by_id["r-2"]["status"] == by_id["f-2"]["status"] == "duplicate"
    assert "resumes r-1" in by_id["f-2"]["reason"] and by_id["r-2"]["upload_context"] == "CandidateFiles"


def test_feedback_of_an_opportunity_without_application_becomes_a_note():
    ctx, out = _partition({"feedback": [_feedback("f-1")]}, owners={"o-1": Owner("c-1", False)})
    assert out.feedback == []
    [note] = out.notes
    assert note["lever_type"] == "feedback" and "Lever feedback: Technical Interview" in note["body_html"]
    assert "score 3 (Hire)" in note["body_html"] and is_safe_note_html(note["body_html"])
    assert ctx.skipped == []
