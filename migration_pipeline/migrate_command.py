"""`migration-pipeline migrate`: the whole graph headless against the configured APIs (extract, transform,
plan, load, checks), with progress a person can follow; `redrive` re-attempts what failed. By default the
extraction of later partitions overlaps the transform and load of earlier ones (`migrate_overlap`); with
`overlap=False` (`--no-overlap`) each step runs over everything before the next starts."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from pathlib import Path

from migration_pipeline.ashby.errors import AshbyError
from migration_pipeline.config import Settings
from migration_pipeline.defs.ashby.resources import AshbyResource
from migration_pipeline.defs.lever.resources import LeverResource
from migration_pipeline.extract import lever_extract
from migration_pipeline.extract.landing import Landing
from migration_pipeline.lever.errors import LeverError
from migration_pipeline.load.checks import CheckResult
from migration_pipeline.load.engine import LoadAborted
from migration_pipeline.load.phases import Scope
from migration_pipeline.load.progress import Progress
from migration_pipeline.load.run import LoadOutcome, PreflightFailed, Stage, run_load
from migration_pipeline.load.session import LoadBusy
from migration_pipeline.load.validate import validate
from migration_pipeline.migrate_overlap import Batches, Overlap, Producer, Timeline, extract_index, extraction_order
from migration_pipeline.plan_command import PLAN_DIR, mapping_source, plan_with_roles, run_plan
from migration_pipeline.store import Store
from migration_pipeline.transform.mapping import MappingError, load_mapping
from migration_pipeline.transform.run import TransformError, partition_keys

EXIT_OK, EXIT_ERROR, EXIT_BLOCKED, EXIT_FAILURES = 0, 1, 2, 3


def lever_resource(settings: Settings) -> LeverResource:
    return LeverResource(
        api_key=settings.lever_api_key.reveal(),
        base_url=settings.lever_base_url,
        data_dir=str(settings.data_dir),
        rate_per_second=settings.lever_rate_per_second,
        burst=settings.lever_burst,
        maintenance_max_wait_seconds=settings.lever_maintenance_max_wait_seconds,
    )


def ashby_resource(settings: Settings) -> AshbyResource:
    return AshbyResource(
        api_key=settings.ashby_api_key.reveal(),
        base_url=settings.ashby_base_url,
        rate_per_minute=settings.ashby_rate_per_minute,
        state_dir=str(settings.data_dir / "state" / "ratelimit"),
    )


def extract(settings: Settings, store: Store) -> None:
    started = time.monotonic()
    print("Extracting from Lever ...", flush=True)
    with lever_resource(settings).client() as client:
        results = lever_extract.extract_all(client, store, Landing(settings.data_dir), settings.data_dir)
        calls = client.stats.as_metadata().get("calls", 0)
    counts = store.raw_counts()
    shown = ", ".join(f"{counts.get(name, 0)} {name}" for name in sorted(results))
    print(f"Extracted in {time.monotonic() - started:.0f} s ({calls} Lever calls): {shown}", flush=True)


def print_checks(checks: dict[str, CheckResult]) -> None:
    print(f"\n{'object':<22}{'expected':>10}{'done':>8}{'failed':>8}{'unexplained':>13}")
    for name, check in checks.items():
        print(f"{name:<22}{check.expected:>10}{check.done:>8}{check.failed:>8}{check.unexplained:>13}")
    errors = {}
    for check in checks.values():
        for code, n in check.errors_by_code.items():
            errors[code] = errors.get(code, 0) + n
    if errors:
        print("failures by code: " + ", ".join(f"{code} {n}" for code, n in sorted(errors.items())))
        print("list them: SELECT * FROM ashby.ledger WHERE status <> 'done' ORDER BY object_type, lever_key")


def load(
    settings: Settings,
    store: Store,
    *,
    redrive: bool = False,
    dry_run: bool = False,
    stages: Iterable[Stage] | None = None,
) -> LoadOutcome | int:
    run_id = f"cli-{uuid.uuid4().hex[:12]}"
    print(f"Loading into Ashby (run {run_id}{', dry run' if dry_run else ''}{', redrive' if redrive else ''}) ...")
    try:
        with ashby_resource(settings).client() as client:
            scope = Scope(None, redrive=redrive)
            return run_load(
                store,
                Path(settings.data_dir),
                client,
                run_id,
                scope,
                dry_run=dry_run,
                progress=Progress(),
                stages=stages,
            )
    except (PreflightFailed, LoadAborted, LoadBusy, AshbyError) as exc:
        print(f"error: {exc}")
        return EXIT_ERROR


def _finish(outcome: LoadOutcome | int, dry_run: bool, settings: Settings, store: Store, check_api: bool) -> int:
    if isinstance(outcome, int):
        return outcome
    if dry_run:
        print("Dry run: nothing was written.")
        return EXIT_OK
    print_checks(outcome.checks)
    valid = True
    if check_api:
        print("Reading the migrated objects back through the Ashby API ...", flush=True)
        with ashby_resource(settings).client() as client, store.connect() as con:
            result = validate(client, con)
        print("\n".join(result.lines()))
        valid = result.ok
    return EXIT_OK if outcome.passed and valid else EXIT_FAILURES


def run_migrate(
    settings: Settings,
    *,
    mapping: str | None = None,
    dry_run: bool = False,
    skip_extract: bool = False,
    validate_api: bool = True,
    overlap: bool = True,
    timeline: Timeline | None = None,
) -> int:
    store = Store(settings.data_dir / "migration.duckdb")
    if overlap:
        return _overlapped(settings, store, mapping, dry_run, skip_extract, validate_api, timeline or Timeline())
    if not skip_extract:
        try:
            extract(settings, store)
        except LeverError as exc:
            print(f"error: {exc}")
            return EXIT_ERROR
    planned = run_plan(settings, mapping=mapping, quiet=True)
    if planned != 0:
        return planned
    return _finish(load(settings, store, dry_run=dry_run), dry_run, settings, store, validate_api)


def _overlapped(
    settings: Settings,
    store: Store,
    mapping: str | None,
    dry_run: bool,
    skip_extract: bool,
    validate_api: bool,
    timeline: Timeline,
) -> int:
    if skip_extract:
        keys = partition_keys(store)
        try:
            return _plan_and_load(
                settings, store, mapping, dry_run, validate_api, Batches(None, keys), timeline, len(keys)
            )
        except TransformError as exc:  # a partition's transform, while loading
            print(f"error: {exc}")
            return EXIT_ERROR
    started = time.monotonic()
    print("Extracting from Lever (reference lists, the opportunity index) ...", flush=True)
    landing = Landing(settings.data_dir)
    try:
        with lever_resource(settings).client() as client:
            session, partitions = extract_index(client, store, landing)
            order = extraction_order(store, partitions)
            print(f"{len(order)} postings to extract, each transformed and loaded once extracted", flush=True)
            producer = Producer(client, store, landing, Path(settings.data_dir), session, order, timeline)
            producer.start()
            try:
                code = _plan_and_load(
                    settings, store, mapping, dry_run, validate_api, Batches(producer), timeline, len(order)
                )
            finally:
                producer.stop.set()
                producer.join()
            if producer.finished:
                landing.close_session()
            calls = client.stats.as_metadata().get("calls", 0)
    except (LeverError, TransformError) as exc:
        print(f"error: {exc}")
        return EXIT_ERROR
    print(f"Migrated in {time.monotonic() - started:.0f} s ({calls} Lever calls)", flush=True)
    return code


def _plan_and_load(
    settings: Settings,
    store: Store,
    mapping: str | None,
    dry_run: bool,
    validate_api: bool,
    batches: Batches,
    timeline: Timeline,
    total: int,
) -> int:
    """The org-level plan and the preflight, then the load's stages as partitions arrive, the full plan."""
    timeline.mark("plan_start")
    planned = run_plan(settings, mapping=mapping, quiet=True, transform="org")
    timeline.mark("plan_end")
    if planned != 0:
        return planned
    source = mapping_source(settings, mapping)
    try:
        config = load_mapping(source)
    except MappingError as exc:
        print(f"error: {exc}")
        return EXIT_ERROR
    overlap = Overlap(store, config, batches, timeline, total)
    outcome = load(settings, store, dry_run=dry_run, stages=overlap.stages())
    if isinstance(outcome, int):
        return outcome
    _, md_path = plan_with_roles(store, config, str(source), Path(settings.data_dir) / PLAN_DIR, transform="none")
    code = _finish(outcome, dry_run, settings, store, validate_api)
    if overlap.blocked:
        print(f"{len(overlap.blocked)} posting(s) not loaded: their records have blocking problems (see {md_path})")
        return EXIT_BLOCKED
    return code


def run_redrive(settings: Settings) -> int:
    store = Store(settings.data_dir / "migration.duckdb")
    return _finish(load(settings, store, redrive=True), False, settings, store, True)
