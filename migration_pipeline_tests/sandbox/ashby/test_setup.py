"""Org setups: the committed default matches the demo's Lever org; the partial one leaves things unmapped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from migration_pipeline.sandbox.ashby.setup import (
    ARCHIVED_STAGE_TITLE,
    DEFAULT_SETUP_PATH,
    DEMO_CONTACTS,
    DEMO_SEED,
    HIRED_STAGE_TITLE,
    MIGRATED_FEEDBACK_FORM_TITLE,
    PARTIAL_SETUP_PATH,
    SetupError,
    build_state,
    load_setup,
    partial_setup,
    setup_from_lever,
)
from migration_pipeline.sandbox.lever.generator import generate_org


@pytest.fixture(scope="module")
def demo_lever_org():
    return generate_org(seed=DEMO_SEED, contacts=DEMO_CONTACTS)


def test_committed_setups_are_what_the_generator_derives(demo_lever_org) -> None:
    derived = setup_from_lever(demo_lever_org)
    assert load_setup(DEFAULT_SETUP_PATH) == derived, "run: migration-pipeline sandbox ashby-setup"
    assert load_setup(PARTIAL_SETUP_PATH) == partial_setup(derived)


def test_default_setup_maps_every_lever_name(demo_lever_org) -> None:
    setup = load_setup(DEFAULT_SETUP_PATH)
    assert {u["email"] for u in setup["users"]} == {u["email"] for u in demo_lever_org.users}
    stage_titles = {s["title"] for s in setup["interview_stages"]}
    assert {s["text"] for s in demo_lever_org.stages} <= stage_titles
    assert {HIRED_STAGE_TITLE, ARCHIVED_STAGE_TITLE} <= stage_titles
    lever_reasons = {r["text"] for r in demo_lever_org.archive_reasons if r["type"] != "hired"}
    assert lever_reasons == {r["text"] for r in setup["archive_reasons"]}
    types = {s["type"] for s in setup["interview_stages"]}
    assert types == {"Lead", "PreInterviewScreen", "Active", "Offer", "Hired", "Archived"}
    assert any(f["title"] == MIGRATED_FEEDBACK_FORM_TITLE for f in setup["feedback_forms"])
    admins = [u for u in setup["users"] if u["globalRole"] == "Organization Admin" and u["isEnabled"]]
    assert setup["users"][0] == admins[0]  # the API key acts as the first enabled admin


def test_partial_setup_leaves_stages_reasons_and_users_unmapped() -> None:
    full, partial = load_setup(DEFAULT_SETUP_PATH), load_setup(PARTIAL_SETUP_PATH)
    for kind in ("interview_stages", "archive_reasons", "users"):
        assert len(partial[kind]) < len(full[kind]), kind
        assert {x["id"] for x in partial[kind]} < {x["id"] for x in full[kind]}


def test_build_state_seeds_each_collection() -> None:
    setup = load_setup(DEFAULT_SETUP_PATH)
    state = build_state(setup)
    for kind in ("users", "interview_stages", "archive_reasons", "sources", "feedback_forms", "hiring_team_roles"):
        assert len(state[kind]) == len(setup[kind]) > 0
    assert state["candidates"] == {}
    state["users"].clear()
    assert build_state(setup)["users"]  # the setup itself is untouched


@pytest.mark.parametrize(
    "mutate,message",
    [
        (lambda s: s.update(robots=[]), "unknown collections"),
        (lambda s: s["users"][0].pop("email"), "users[0] lacks email"),
        (lambda s: s["interview_stages"][0].update(interviewPlanId="nope"), "unknown interviewPlanId"),
        (lambda s: s["sources"].append(dict(s["sources"][0])), "repeats id"),
        (lambda s: s.update(users="everyone"), "users must be a list"),
    ],
)
def test_bad_setup_names_collection_item_and_field(tmp_path: Path, mutate, message: str) -> None:
    setup = load_setup(DEFAULT_SETUP_PATH)
    mutate(setup)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(setup))
    with pytest.raises(SetupError, match=re.escape(message)):
        load_setup(path)
