"""`migration-pipeline plan`: read the Ashby org, transform what extraction landed, write the plan (the
same functions the `ashby_org_metadata`, `canonical_*` and `migration_plan` assets call)."""

from __future__ import annotations

from pathlib import Path

from migration_pipeline.ashby.client import AshbyClient
from migration_pipeline.ashby.errors import AshbyError
from migration_pipeline.ashby.metadata import read_org_metadata
from migration_pipeline.config import Settings
from migration_pipeline.store import Store
from migration_pipeline.transform.mapping import SAMPLE_MAPPING, MappingError, load_mapping
from migration_pipeline.transform.pipeline import make_plan, snapshot_ashby_org
from migration_pipeline.transform.plan import render_markdown
from migration_pipeline.transform.run import TransformError

PLAN_DIR = "plan"


def mapping_source(settings: Settings, override: str | None = None) -> Path:
    if override or settings.mapping_file:
        return Path(override or settings.mapping_file)
    own = settings.data_dir / "mapping.yaml"
    return own if own.is_file() else SAMPLE_MAPPING


def run_plan(settings: Settings, *, mapping: str | None = None, quiet: bool = False) -> int:
    """0: the plan is ready; 2: blocking errors remain; 1: the plan could not be built."""
    source = mapping_source(settings, mapping)
    try:
        config = load_mapping(source)
    except MappingError as exc:
        print(f"error: {exc}")
        return 1
    store = Store(settings.data_dir / "migration.duckdb")
    try:
        with AshbyClient(
            settings.ashby_base_url, settings.ashby_api_key, rate_per_minute=settings.ashby_rate_per_minute
        ) as client:
            counts = snapshot_ashby_org(store, read_org_metadata(client))
        plan, json_path, md_path = make_plan(store, config, str(source), settings.data_dir / PLAN_DIR)
    except (AshbyError, TransformError) as exc:
        print(f"error: {exc}")
        return 1
    if not quiet:
        print(f"Ashby org read: {', '.join(f'{n} {k}' for k, n in counts.items())}")
        print(render_markdown(plan))
    print(f"plan written to {md_path} and {json_path}")
    return 0 if plan["ready"] else 2
