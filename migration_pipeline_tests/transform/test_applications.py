"""Applications: stage history onto the Ashby plan, archive reasons hired and not, the no-posting policies."""

from migration_pipeline.transform.applications import build_applications
from migration_pipeline.transform.jobs import HOLDING_JOB_KEY, build_jobs
from migration_pipeline.transform.people import build_people
from migration_pipeline_tests.transform.conftest import HIRED, POSTINGS, UNDERQUALIFIED, make_context, opportunity

DAY = 86_400_000
T0 = 1_700_000_000_000


def _run(opps, **config):
    ctx = make_context(**config)
    people = build_people(opps, ctx)
    holding = ctx.policies.no_posting == "holding_job"
    jobs = build_jobs(POSTINGS, ctx, holding_needed=holding)
    applications, values = build_applications(opps, people.candidate_of, jobs, ctx)
    return ctx, people, jobs, {a["lever_opportunity_id"]: a for a in applications}, values


def _changes(*stages):
    return [{"toStageId": s, "toStageIndex": i, "updatedAt": T0 + i * DAY} for i, s in enumerate(stages)]


def test_stage_history_maps_every_change_in_order_with_original_times():
    opp = opportunity(
        "o-1", "c-1", stage="s-onsite", stageChanges=_changes("lead-new", "applicant-new", "s-phone", "s-onsite")
    )
    _, _, _, apps, _ = _run([opp])
    history = apps["o-1"]["application_history"]
    assert [h["stageTitle"] for h in history] == ["New lead", "New applicant", "Phone screen", "On-site interview"]
    assert [h["stageNumber"] for h in history] == [0, 1, 2, 3]
    assert history[2]["enteredStageAt"] == "2023-11-16T22:13:20.000Z"
    assert apps["o-1"]["status"] == "Active" and apps["o-1"]["current_stage_title"] == "On-site interview"
    assert not apps["o-1"]["blocked_by"]


def test_a_candidate_moved_back_keeps_both_visits():
    opp = opportunity("o-1", "c-1", stageChanges=_changes("s-phone", "s-onsite", "s-phone"))
    _, _, _, apps, _ = _run([opp])
    assert [h["stageTitle"] for h in apps["o-1"]["application_history"]] == [
        "Phone screen",
        "On-site interview",
        "Phone screen",
    ]


def test_an_unmapped_stage_is_a_blocking_problem_with_the_stage_name():
    opp = opportunity("o-1", "c-1", stageChanges=_changes("applicant-new", "s-mystery"))
    ctx, _, _, apps, _ = _run([opp])
    assert apps["o-1"]["blocked_by"] == ["Lever stage 'Mystery stage' has no Ashby stage"]
    blocking = [p for p in ctx.resolution.all_problems() if p.blocking]
    assert any("Mystery stage" in p.message for p in blocking)
    assert any(m.lever_name == "Mystery stage" and m.how == "unmapped" for m, _ in ctx.unresolved)


def test_an_explicit_stage_mapping_resolves_the_unmapped_stage():
    opp = opportunity("o-1", "c-1", stageChanges=_changes("applicant-new", "s-mystery"))
    _, _, _, apps, _ = _run([opp], stages={"map": {"Mystery stage": "HM Review"}})
    assert apps["o-1"]["current_stage_title"] == "HM Review" and not apps["o-1"]["blocked_by"]


def test_hired_archive_reason_ends_on_the_hired_stage_without_a_reason():
    opp = opportunity("o-1", "c-1", archived={"reason": HIRED, "archivedAt": T0 + 9 * DAY})
    _, _, _, apps, _ = _run([opp])
    app = apps["o-1"]
    assert app["status"] == "Hired" and app["current_stage_title"] == "Hired"
    assert app["archive_reason_id"] is None
    assert app["application_history"][-1]["enteredStageAt"] == "2023-11-23T22:13:20.000Z"


def test_non_hired_archive_reason_ends_archived_with_the_mapped_reason():
    opp = opportunity("o-1", "c-1", archived={"reason": UNDERQUALIFIED, "archivedAt": T0 + DAY})
    ctx, _, _, apps, _ = _run([opp])
    app = apps["o-1"]
    assert app["status"] == "Archived" and app["current_stage_title"] == "Archived"
    reason = next(r for r in ctx.resolution.org.archive_reasons if r["text"] == "Underqualified")
    assert app["archive_reason_id"] == reason["id"]  # matched ignoring case and the trailing space
    assert app["application_history"][-1]["archiveReasonId"] == reason["id"]


def test_a_stage_change_made_while_archived_still_ends_on_the_archive_in_time_order():
    changes = _changes("applicant-new", "s-phone", "s-onsite")
    opp = opportunity("o-1", "c-1", stageChanges=changes, archived={"reason": UNDERQUALIFIED, "archivedAt": T0 + DAY})
    _, _, _, apps, _ = _run([opp])
    history = apps["o-1"]["application_history"]
    assert [h["stageTitle"] for h in history][-2:] == ["On-site interview", "Archived"]
    times = [h["enteredStageAt"] for h in history]
    assert times == sorted(times) and times[-1] == times[-2]  # never before the stage it closes


def test_an_unknown_archive_reason_blocks_unless_a_fallback_is_set():
    opp = opportunity("o-1", "c-1", archived={"reason": "r-gone", "archivedAt": T0})
    _, _, _, apps, _ = _run([opp])
    assert apps["o-1"]["blocked_by"] == ["no mapping for archive reason 'r-gone'"]
    _, _, _, apps, _ = _run([opp], archive_reasons={"fallback": "Timing"})
    assert apps["o-1"]["status"] == "Archived" and not apps["o-1"]["blocked_by"]


def test_no_posting_candidate_only_creates_the_candidate_and_lists_the_skipped_application():
    opp = opportunity("o-1", "c-1", posting=None)
    ctx, people, jobs, apps, _ = _run([opp])
    assert len(people.candidates) == 1 and apps == {}
    assert [(s.lever_type, s.reason_code) for s in ctx.skipped] == [("applications", "no_posting_candidate_only")]
    assert HOLDING_JOB_KEY not in {j["job_key"] for j in jobs}


def test_no_posting_holding_job_puts_a_lead_application_on_the_holding_job():
    opp = opportunity("o-1", "c-1", posting=None, stage="lead-new", stageChanges=_changes("lead-new"))
    _, _, jobs, apps, _ = _run(
        [opp],
        policies={"no_posting": "holding_job"},
        locations={"fallback": "Remote"},
        departments={"fallback": "Operations"},
    )
    assert apps["o-1"]["job_key"] == HOLDING_JOB_KEY and apps["o-1"]["status"] == "Lead"
    holding = next(j for j in jobs if j["job_key"] == HOLDING_JOB_KEY)
    assert holding["location_name"] == "Remote" and holding["department_name"] == "Operations"


def test_no_posting_archive_only_keeps_the_opportunity_out_of_ashby():
    ctx, people, _, apps, _ = _run([opportunity("o-1", "c-1", posting=None)], policies={"no_posting": "archive_only"})
    assert people.candidates == [] and apps == {}
    assert [(s.lever_id, s.reason_code) for s in ctx.skipped] == [("o-1", "no_posting_archive_only")]


def test_confidential_postings_excluded_by_policy_take_their_opportunities_along():
    opp = opportunity("o-1", "c-1", posting="p-conf")
    ctx, _, jobs, apps, _ = _run([opp], policies={"confidential_postings": "exclude"})
    assert "p-conf" not in {j["job_key"] for j in jobs} and apps == {}
    assert {s.reason_code for s in ctx.skipped} == {"confidential_posting_excluded"}


def test_jobs_get_department_location_plan_and_target_status():
    _, _, jobs, _, _ = _run([])
    engineer = next(j for j in jobs if j["job_key"] == "p-1")
    assert (engineer["department_how"], engineer["location_how"]) == ("auto", "auto")
    assert engineer["interview_plan_title"] == "Default Interview Plan"
    assert engineer["target_status"] == "Open"
    secret = next(j for j in jobs if j["job_key"] == "p-conf")
    assert secret["target_status"] == "Closed" and secret["confidential"]


def test_application_custom_fields_carry_the_lever_ids_and_origin():
    _, _, _, _, values = _run([opportunity("o-1", "c-1", origin="sourced")])
    assert {(v["field_title"], v["value"]) for v in values} == {
        ("Lever opportunity id", "o-1"),
        ("Lever origin", "sourced"),
    }
