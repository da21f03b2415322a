"""`migration-pipeline plan`: reads the Ashby org over HTTP, transforms the store, writes the plan; exit codes."""

import shutil
from pathlib import Path

from migration_pipeline.config import Secret, Settings
from migration_pipeline.plan_command import run_plan
from migration_pipeline.sandbox.ashby.app import AshbySandbox, AshbySandboxConfig
from migration_pipeline.sandbox.ashby.rpc import AshbyKey
from migration_pipeline.sandbox.ashby.setup import build_state, setup_from_lever
from migration_pipeline.sandbox.serving import serve_in_thread


def _settings(data_dir: Path, base_url: str, key: str = "k", mapping: str = "") -> Settings:
    return Settings(
        lever_api_key=Secret(""),
        lever_base_url="http://unused",
        ashby_api_key=Secret(key),
        ashby_base_url=base_url,
        data_dir=data_dir,
        ashby_rate_per_minute=10**6,
        mapping_file=mapping,
    )


def _data_dir(extracted: Path, tmp_path: Path) -> Path:
    data_dir = tmp_path / "data"
    shutil.copytree(extracted, data_dir, ignore=shutil.ignore_patterns("*.lock", "landing", "state"))
    return data_dir


def test_plan_command_writes_the_plan_and_exits_by_readiness(extracted, lever_org_pristine, tmp_path, capsys):
    data_dir = _data_dir(extracted, tmp_path)
    setup = setup_from_lever(lever_org_pristine)
    sandbox = AshbySandbox(lambda: build_state(setup), AshbySandboxConfig(keys=[AshbyKey("k")], rate_per_minute=10**6))
    with serve_in_thread(sandbox.app) as server:
        assert run_plan(_settings(data_dir, server.base_url)) == 0
        out = capsys.readouterr().out
        assert "# Migration plan (READY" in out and (data_dir / "plan" / "migration_plan.json").is_file()
        strict = tmp_path / "strict.yaml"
        strict.write_text("archive_reasons: {map: {}}\nlocations: {fallback: Remote}\ndepartments: {fallback: Ops}\n")
        assert run_plan(_settings(data_dir, server.base_url, mapping=str(strict)), quiet=True) == 2
        assert run_plan(_settings(data_dir, server.base_url, key="wrong")) == 1
        assert "error:" in capsys.readouterr().out


def test_plan_command_reports_a_bad_mapping_file(tmp_path, capsys):
    bad = tmp_path / "m.yaml"
    bad.write_text("policies: {no_posting: maybe}\n")
    assert run_plan(_settings(tmp_path, "http://127.0.0.1:9", mapping=str(bad))) == 1
    assert "policies.no_posting" in capsys.readouterr().out
