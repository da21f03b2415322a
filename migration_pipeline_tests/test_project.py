"""The skeleton holds together: one code location, a loadable dagster.yaml, settings that hide keys,
and a README whose test command is the one CI runs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from migration_pipeline.config import Secret, Settings
from migration_pipeline.lever.client import LeverClient

ROOT = Path(__file__).resolve().parents[1]


def test_definitions_load_and_validate() -> None:
    from migration_pipeline.definitions import defs

    dg.Definitions.validate_loadable(defs())


def test_workspace_yaml_points_at_the_same_code_location() -> None:
    import yaml

    workspace = yaml.safe_load((ROOT / "workspace.yaml").read_text())
    module = workspace["load_from"][0]["python_module"]
    assert module == {"module_name": "migration_pipeline.definitions", "location_name": "migration_pipeline"}
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'code_location_target_module = "migration_pipeline.definitions"' in pyproject
    assert 'code_location_name = "migration_pipeline"' in pyproject


def test_dagster_yaml_loads_with_pools_run_monitoring_and_no_telemetry(tmp_path: Path) -> None:
    shutil.copy(ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        settings = instance.get_concurrency_config()
        assert settings.pool_config.default_pool_limit == 1
        assert instance.run_monitoring_enabled
        assert instance.get_settings("run_monitoring")["free_slots_after_run_end_seconds"] > 0
        assert instance.get_settings("telemetry")["enabled"] is False


def test_settings_defaults_and_env() -> None:
    defaults = Settings.from_env(env={})
    assert defaults.lever_base_url == "https://api.lever.co/v1"
    assert defaults.ashby_base_url == "https://api.ashbyhq.com"
    assert str(defaults.data_dir) == "data"
    custom = Settings.from_env(
        env={"LEVER_API_KEY": "k1", "LEVER_BASE_URL": "http://127.0.0.1:9/v1/", "MIGRATION_DATA_DIR": "/tmp/x"}
    )
    assert custom.lever_base_url == "http://127.0.0.1:9/v1"
    assert custom.lever_api_key.reveal() == "k1"


def test_dotenv_fills_only_what_the_environment_leaves_unset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("LEVER_API_KEY=from-dotenv\nASHBY_API_KEY=ashby-dotenv\n")
    monkeypatch.setenv("LEVER_API_KEY", "from-env")
    monkeypatch.delenv("ASHBY_API_KEY", raising=False)
    settings = Settings.from_env(dotenv_path=tmp_path / ".env")
    assert settings.lever_api_key.reveal() == "from-env"
    assert settings.ashby_api_key.reveal() == "ashby-dotenv"


def test_keys_never_show_in_reprs_or_errors() -> None:
    settings = Settings.from_env(env={"LEVER_API_KEY": "super-secret-lever", "ASHBY_API_KEY": "super-secret-ashby"})
    client = LeverClient("http://x", Secret("s3"))
    texts = (repr(settings), str(settings), f"{settings.lever_api_key}", repr(client), repr(settings.ashby_api_key))
    for text in texts:
        assert "super-secret" not in text and "s3'" not in text


def test_readme_has_the_two_setup_commands_and_ci_runs_the_same_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    test_command = ci[-1]
    assert test_command in readme
    assert "migration-pipeline demo" in readme
    blocks = readme.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    commands = [line for line in blocks.splitlines() if line.startswith("python3 -m venv")]
    assert len(commands) == 2


def test_cli_help_lists_the_commands() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "migration_pipeline.cli", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "demo" in out and "sandbox" in out
    sandbox = subprocess.run(
        [sys.executable, "-m", "migration_pipeline.cli", "sandbox", "lever", "--help"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    for flag in ("--port", "--seed", "--contacts", "--key", "--rate", "--burst", "--latency-ms", "--jitter-ms"):
        assert flag in sandbox


def test_the_demo_extracts_exactly_what_the_sandbox_holds(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from migration_pipeline.demo import run_demo

    settings = Settings.from_env(env={"MIGRATION_DATA_DIR": str(tmp_path)})
    assert run_demo(settings, seed=3, contacts=40) == 0
    out = capsys.readouterr().out
    assert "0 tables differ from Lever" in out and "opportunities" in out
