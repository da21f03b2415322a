"""`migrate` (plan, load, checks) and `trace` against the prepared Ashby sandbox; preflight stops before writes.
The `migrate` tests run in both modes: partitions loaded as they arrive (the default) and one step after another."""

from pathlib import Path

import dagster as dg
import pytest

from migration_pipeline.config import Secret, Settings
from migration_pipeline.defs.ashby.assets import ashby_load
from migration_pipeline.defs.ashby.resources import AshbyResource
from migration_pipeline.defs.lever.partitions import lever_postings
from migration_pipeline.defs.store import StoreResource
from migration_pipeline.migrate_command import EXIT_ERROR, EXIT_OK, run_migrate
from migration_pipeline.plan_command import run_plan
from migration_pipeline.sandbox.ashby.rpc import AshbyKey
from migration_pipeline.store import Store
from migration_pipeline.trace_command import trace_lines
from migration_pipeline_tests.load.conftest import KEY


def _settings(data_dir: Path, url: str, key: str = KEY) -> Settings:
    return Settings(
        lever_api_key=Secret(""),
        lever_base_url="http://unused",
        ashby_api_key=Secret(key),
        ashby_base_url=url,
        data_dir=data_dir,
        ashby_rate_per_minute=10**7,
    )


MODES = pytest.mark.parametrize("overlap", [True, False], ids=["overlap", "sequential"])


@MODES
def test_migrate_loads_everything_planned_and_a_rerun_writes_nothing(prepared, data_dir, capsys, overlap):
    assert run_migrate(_settings(data_dir, prepared.url), skip_extract=True, overlap=overlap) == EXIT_OK
    out = capsys.readouterr().out
    assert "candidates" in out and "unexplained" in out
    with Store(data_dir / "migration.duckdb").connect() as con:
        expected = con.execute("SELECT count(*) FROM canonical.candidates").fetchone()[0]
    assert len(prepared.candidates()) == expected
    writes_before = len(prepared.admin("GET", "/requests").json()["data"])
    assert run_migrate(_settings(data_dir, prepared.url), skip_extract=True, overlap=overlap) == EXIT_OK
    log = prepared.admin("GET", "/requests").json()["data"][writes_before:]
    creates = [e for e in log if e.get("path", "").rsplit("/", 1)[-1].endswith((".create", ".createNote", ".addTag"))]
    assert creates == []
    assert len(prepared.candidates()) == expected


@MODES
def test_a_key_lacking_a_permission_stops_before_the_first_write(prepared, data_dir, capsys, overlap):
    secret = "no-candidate-writes"
    prepared.sandbox.keys[secret] = AshbyKey.parse(f"{secret}:all,-candidatesWrite")
    settings = _settings(data_dir, prepared.url, key=secret)
    assert run_migrate(settings, skip_extract=True, overlap=overlap) == EXIT_ERROR
    assert "candidatesWrite" in capsys.readouterr().out
    assert prepared.candidates() == []


@MODES
def test_a_blocked_plan_stops_the_load(prepared, data_dir, tmp_path, overlap):
    strict = tmp_path / "strict.yaml"
    strict.write_text("archive_reasons: {map: {}}\nlocations: {fallback: Remote}\ndepartments: {fallback: Ops}\n")
    settings = _settings(data_dir, prepared.url)
    assert run_migrate(settings, mapping=str(strict), skip_extract=True, overlap=overlap) == 2
    assert prepared.candidates() == []


def test_trace_follows_a_contact_from_raw_to_its_ashby_id(prepared, data_dir):
    run_migrate(_settings(data_dir, prepared.url), skip_extract=True)
    with Store(data_dir / "migration.duckdb").connect() as con:
        key, ashby_id = con.execute(
            "SELECT lever_key, ashby_id FROM ashby.ledger WHERE object_type = 'candidate' ORDER BY lever_key LIMIT 1"
        ).fetchone()
    text = "\n".join(trace_lines(Store(data_dir / "migration.duckdb"), key))
    assert "opportunities" in text and "candidates" in text and ashby_id in text and "runs that touched it" in text
    assert "nothing found" in "\n".join(trace_lines(Store(data_dir / "migration.duckdb"), "no-such-id"))


def test_the_load_asset_materializes_partitions_with_checks(prepared, data_dir):
    assert run_plan(_settings(data_dir, prepared.url), quiet=True) == 0
    store = Store(data_dir / "migration.duckdb")
    partitions = sorted(store.raw_index("opportunities")["partition_key"].unique())[:3]
    resources = {
        "ashby": AshbyResource(
            api_key=KEY, base_url=prepared.url, rate_per_minute=10**7, state_dir=str(data_dir / "state")
        ),
        "store": StoreResource(data_dir=str(data_dir)),
    }
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(lever_postings.name, partitions)
        result = dg.materialize(
            [ashby_load],
            resources=resources,
            instance=instance,
            tags={
                "dagster/asset_partition_range_start": partitions[0],
                "dagster/asset_partition_range_end": partitions[-1],
            },
        )
        assert result.success
        checks = result.get_asset_check_evaluations()
        assert checks and all(c.passed for c in checks), [(c.asset_key, c.metadata) for c in checks if not c.passed]


@MODES
def test_after_migrate_ashby_read_back_through_the_api_holds_everything_once(prepared, data_dir, overlap):
    from migration_pipeline.load.validate import validate
    from migration_pipeline_tests.load.conftest import client

    assert run_migrate(_settings(data_dir, prepared.url), skip_extract=True, overlap=overlap) == EXIT_OK
    store = Store(data_dir / "migration.duckdb")
    with client(prepared, data_dir) as c, store.connect() as con:
        result = validate(c, con)
        planned = dict(con.execute("SELECT object_type, count(*) FROM ashby.ledger GROUP BY 1").fetchall())
    assert result.ok, result.lines()
    assert result.checked["candidates"] == planned["candidate"] and result.checked["notes"] == planned["note"]
    assert result.checked["applications"] == planned["application"] and result.checked["files"] == planned["file"]
    assert result.checked["feedback"] == planned["feedback"] and result.checked["candidate fields sampled"] == 50
    # a broken attachment is caught: move one application to another stage in Ashby
    app = next(iter(prepared.sandbox.state["applications"].values()))
    other = next(
        s for s in prepared.sandbox.state["interview_stages"].values() if s["id"] != app["currentInterviewStage"]["id"]
    )
    app["currentInterviewStage"] = {**app["currentInterviewStage"], "id": other["id"]}
    with client(prepared, data_dir) as c, store.connect() as con:
        assert "applications at another stage" in validate(c, con).problems
