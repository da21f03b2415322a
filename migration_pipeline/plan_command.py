"""`migration-pipeline plan`: read the Ashby org, transform what extraction landed, write the plan (the
same functions the `ashby_org_metadata`, `canonical_*` and `migration_plan` assets call)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from migration_pipeline.ashby.client import AshbyClient
from migration_pipeline.ashby.errors import AshbyError
from migration_pipeline.ashby.metadata import read_org_metadata
from migration_pipeline.config import Settings
from migration_pipeline.load.hiring_team import add_to_plan
from migration_pipeline.store import Store
from migration_pipeline.transform.mapping import SAMPLE_MAPPING, MappingConfig, MappingError, load_mapping
from migration_pipeline.transform.pipeline import make_plan, snapshot_ashby_org
from migration_pipeline.transform.plan import build_plan, render_markdown, write_plan
from migration_pipeline.transform.run import TransformError, transform_org

PLAN_DIR = "plan"
Transform = Literal["all", "org", "none"]


def mapping_source(settings: Settings, override: str | None = None) -> Path:
    if override or settings.mapping_file:
        return Path(override or settings.mapping_file)
    own = settings.data_dir / "mapping.yaml"
    return own if own.is_file() else SAMPLE_MAPPING


def plan_with_roles(
    store: Store, config: MappingConfig, source: str, out_dir: Path, *, transform: Transform = "all"
) -> tuple[dict[str, Any], Path]:
    """Transform (the org and every partition; `org`: the org level only, as `migrate` does before it transforms
    each partition when its extraction ends; `none`: nothing), build the plan with the hiring team roles
    resolved, write it."""
    if transform == "all":
        plan, _, _ = make_plan(store, config, source, out_dir)
    else:
        if transform == "org":
            transform_org(store, config)
        plan = build_plan(store, mapping_source=source, policies=config.policies.model_dump(mode="json"))
    with store.connect() as con:
        add_to_plan(plan, con, config.hiring_team)
    _, md_path = write_plan(plan, out_dir)
    return plan, md_path


def run_plan(
    settings: Settings, *, mapping: str | None = None, quiet: bool = False, transform: Transform = "all"
) -> int:
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
        plan, md_path = plan_with_roles(store, config, str(source), settings.data_dir / PLAN_DIR, transform=transform)
    except (AshbyError, TransformError) as exc:
        print(f"error: {exc}")
        return 1
    if not quiet:
        print(f"Ashby org read: {', '.join(f'{n} {k}' for k, n in counts.items())}")
        print(render_markdown(plan))
    print(f"plan written to {md_path} and {md_path.with_suffix('.json')}")
    return 0 if plan["ready"] else 2
