"""The transform of a generated org of about 100k opportunities: `transform_org`, `transform_partitions` over
every posting (one call, like a single-run backfill) and `build_plan`, timed in a fresh child process.

The input is built without HTTP: a generated Lever org is landed into a store exactly as extraction would land
it (reference lists, the opportunity index with applications expanded, every per-opportunity record as the
sandbox serves it, downloaded files in `meta.file_contents` and the 422s in `meta.unprocessable_files`), and
the Ashby org a prepared customer would have (`setup_from_lever`) is snapshotted. The built store is cached
under /tmp/migration-bench/transform-<seed>-<contacts>/; each measurement copies it to a scratch path.

Prints: opportunities, wall seconds per phase and in total (and as a fraction of 60 s), rows per table and
rows/second per table (rows / the wall time of the phase that built them), the child's peak RSS plus its partition
workers' peaks in MB (an upper bound) and as a fraction of 2 GB; then a second run of both phases on the
unchanged store, which must change 0 rows.

    python benchmarks/transform.py [--contacts 61900] [--seed 1] [--rebuild] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from migration_pipeline.extract.lever_extract import FOLD_CHUNK
from migration_pipeline.lever.streams import (
    OPPORTUNITIES,
    OPPORTUNITY_STREAMS,
    REFERENCE_STREAMS,
    Stream,
    applications_of,
    partition_of,
)
from migration_pipeline.sandbox.ashby.setup import setup_from_lever
from migration_pipeline.sandbox.lever import queries
from migration_pipeline.sandbox.lever.app import LeverSandbox, LeverSandboxConfig
from migration_pipeline.sandbox.lever.generator import generate_org
from migration_pipeline.sandbox.lever.inventory import sources, tags
from migration_pipeline.sandbox.lever.materialize import document_bytes, posting_of
from migration_pipeline.sandbox.lever.org import LeverOrg
from migration_pipeline.store import Store
from migration_pipeline.store import ashby_org as ashby_org_store
from migration_pipeline.store import files as store_files
from migration_pipeline.store.files import content_path
from migration_pipeline.store.lever_raw import utc_naive
from migration_pipeline.transform.mapping import MappingConfig, load_mapping
from migration_pipeline.transform.partition_build import peak_rss_mb
from migration_pipeline.transform.pipeline import SNAPSHOT_KINDS
from migration_pipeline.transform.plan import build_plan
from migration_pipeline.transform.run import (
    TransformResult,
    partition_keys,
    transform_org,
    transform_partitions,
)

Json = dict[str, Any]

DEFAULT_CONTACTS = 61_900  # seed 1: 100,138 opportunities (about 1.62 per contact at this size)
CACHE_ROOT = Path("/tmp/migration-bench")
DB_NAME = "migration.duckdb"
SUMMARY_NAME = "summary.json"
TARGET_S = 60.0
TARGET_MB = 2048.0
RECORD_BATCH = 2_000  # opportunities whose records are folded per `upsert_many` (extraction folds 200)
PROFILE_ENTRIES = 25


# ---- building the store: what extraction would land, without HTTP --------------------------------------


def _params(stream: Stream) -> queries.Params:
    return queries.Params((name, str(value)) for name, value in stream.params.items())


def _by_created(item: Json) -> tuple[int, str]:
    return item.get("createdAt") or 0, item["id"]


def _reference_list(sandbox: LeverSandbox, stream: Stream) -> list[Json]:
    """A reference list as `LeverSandbox`'s list handlers select, order and render it (every page together)."""
    org, params = sandbox.org, _params(stream)
    if stream.name == "users":
        return sorted(queries.select(org.users, queries.user_predicates(params)), key=_by_created)
    if stream.name in ("postings", "requisitions"):
        predicates = queries.posting_predicates if stream.name == "postings" else queries.requisition_predicates
        items = sorted(queries.select(getattr(org, stream.name), predicates(params)), key=_by_created)
        expander = sandbox._expander()
        return [expander.apply(stream.name, item, params.all("expand"), params.all("include")) for item in items]
    computed: dict[str, Callable[[LeverOrg], list[Json]]] = {"sources": sources, "tags": tags}
    return computed[stream.name](org) if stream.name in computed else list(getattr(org, stream.name))


def _served_opportunities(sandbox: LeverSandbox) -> list[Json]:
    """`GET /opportunities?confidentiality=all&expand=applications`, every page: the index extraction scans."""
    org, params = sandbox.org, _params(OPPORTUNITIES)
    predicates = queries.opportunity_predicates(params, int(time.time() * 1000), lambda o: posting_of(org, o["id"]))
    expander, expand, include = sandbox._expander(), params.all("expand"), params.all("include")
    views = [org.opportunity_view(opp_id) for opp_id in org.opportunities]
    return [expander.apply("opportunities", v, expand, include) for v in views if all(p(v) for p in predicates)]


def _served_records(sandbox: LeverSandbox, opportunity_id: str, stream: Stream) -> list[Json]:
    """`GET /opportunities/:id/<kind>` as `LeverSandbox._list_sub` serves it (every page together)."""
    params = _params(stream)
    items = sandbox.org.sub_resources(opportunity_id, stream.name)
    if stream.name in ("resumes", "files"):
        items = queries.select(items, queries.file_predicates(params))
    expander = sandbox._expander()
    return [expander.apply(stream.name, item, params.all("expand"), params.all("include")) for item in items]


def _download(org: LeverOrg, opportunity_id: str, kind: str, record: Json, data_dir: Path) -> Json:
    """What the extractor records for one download: its content's place, or the 422 the sandbox answers."""
    content = document_bytes(org, opportunity_id, kind, record["id"])
    if content is None:
        message = f"{kind} {record['id']} could not be processed by Lever"
        return {
            "kind": kind,
            "file_id": record["id"],
            "opportunity_id": opportunity_id,
            "status": 422,
            "message": message,
        }
    sha256 = hashlib.sha256(content).hexdigest()  # contents are not written: the transform never reads them
    return {
        "kind": kind,
        "file_id": record["id"],
        "opportunity_id": opportunity_id,
        "sha256": sha256,
        "size": len(content),
        "path": str(content_path(data_dir, sha256)),
    }


def _land_reference(store: Store, sandbox: LeverSandbox) -> None:
    for stream in REFERENCE_STREAMS:
        records = _reference_list(sandbox, stream)
        store.upsert_raw(stream.name, records, partition_key="", id_of=stream.id_of, on_error="skip")
        _advance(store, stream.name, records)


def _advance(store: Store, object_type: str, records: Iterable[Json]) -> None:
    updated = [r["updatedAt"] for r in records if isinstance(r.get("updatedAt"), int)]
    if updated:
        store.advance_watermark(object_type, max(updated))


def _chunks(items: list[Json], size: int) -> Iterator[list[Json]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _land_index(store: Store, opportunities: list[Json]) -> None:
    """`extract_opportunities`: opportunities and their expanded applications, folded in chunks."""
    for chunk in _chunks(opportunities, FOLD_CHUNK):
        parents = {app["id"]: opp for opp in chunk for app in applications_of(opp)}
        store.upsert_many(
            [
                (
                    "opportunities",
                    chunk,
                    {"partition_key": partition_of, "contact_id_of": lambda o: o.get("contact"), "on_error": "skip"},
                ),
                (
                    "applications",
                    [a for opp in chunk for a in applications_of(opp)],
                    {
                        "partition_key": lambda a, p=parents: partition_of(p[a["id"]]),
                        "opportunity_id_of": lambda a, p=parents: p[a["id"]]["id"],
                        "contact_id_of": lambda a, p=parents: p[a["id"]].get("contact"),
                        "on_error": "skip",
                    },
                ),
            ]
        )
    _advance(store, "opportunities", opportunities)


def _land_records(store: Store, sandbox: LeverSandbox, opportunities: list[Json], data_dir: Path) -> None:
    """`extract_partition` for every partition: per-opportunity records, files and 422s, in large batches."""
    for chunk in _chunks(opportunities, RECORD_BATCH):
        partition = {opp["id"]: partition_of(opp) for opp in chunk}
        contact = {opp["id"]: opp.get("contact") for opp in chunk}
        batches, downloads = [], []
        for stream in OPPORTUNITY_STREAMS:
            records, owner = [], {}
            for opp_id in partition:
                served = _served_records(sandbox, opp_id, stream)
                records += served
                owner.update((r.get("id"), opp_id) for r in served)
                downloads += [_download(sandbox.org, opp_id, stream.name, r, data_dir) for r in _files(stream, served)]
            batches.append(
                (
                    stream.name,
                    records,
                    {
                        "partition_key": lambda r, o=owner, p=partition: p[o[r["id"]]],
                        "opportunity_id_of": lambda r, o=owner: o.get(r.get("id")),
                        "contact_id_of": lambda r, o=owner, c=contact: c.get(o.get(r.get("id"), "")),
                        "on_error": "skip",
                    },
                )
            )
        store.upsert_many(batches)
        _record_downloads(store, downloads)


def _files(stream: Stream, records: list[Json]) -> list[Json]:
    if stream.download_kind is None:
        return []
    # a resume parsed from an online profile has no file to download
    return [r for r in records if stream.download_kind == "files" or isinstance(r.get("file"), dict)]


def _record_downloads(store: Store, downloads: list[Json]) -> None:
    store.record_files([d for d in downloads if "sha256" in d])
    refused = [d for d in downloads if "status" in d]
    if refused:  # the store records 422s one at a time: all of them in one connection here
        with store.connect() as con:
            for d in refused:
                store_files.record_unprocessable(
                    con, d["kind"], d["file_id"], d["opportunity_id"], d["status"], d["message"], now=utc_naive(None)
                )


def _snapshot_ashby(store: Store, org: LeverOrg) -> dict[str, int]:
    """The Ashby org a prepared customer would have, as `snapshot_ashby_org` stores it (no HTTP)."""
    setup = setup_from_lever(org)
    kinds = {kind: setup.get(kind, []) for kind in SNAPSHOT_KINDS}
    with store.connect() as con:
        ashby_org_store.replace_snapshot(con, kinds)
    return {kind: len(items) for kind, items in kinds.items()}


def build(seed: int, contacts: int, target: Path) -> Json:
    """Generate the org and land it into a new store under `target`; returns a summary."""
    started = time.monotonic()
    org = generate_org(seed, contacts)
    sandbox = LeverSandbox(org, LeverSandboxConfig(keys=[]))
    store = Store(target / DB_NAME)
    _land_reference(store, sandbox)
    opportunities = _served_opportunities(sandbox)
    _land_index(store, opportunities)
    _land_records(store, sandbox, opportunities, target)
    ashby = _snapshot_ashby(store, org)
    return {
        "seed": seed,
        "contacts": contacts,
        "opportunities": len(opportunities),
        "raw": store.raw_counts(),
        "ashby": ashby,
        "files": len(store.file_contents()),
        "unprocessable": len(store.unprocessable()),
        "build_s": time.monotonic() - started,
    }


def cached_store(seed: int, contacts: int, rebuild: bool) -> tuple[Path, Json, bool]:
    """The cached store (built first when missing or when `rebuild`): (database path, summary, built now)."""
    final = CACHE_ROOT / f"transform-{seed}-{contacts}"
    built = rebuild or not (final / SUMMARY_NAME).is_file()
    if built:
        CACHE_ROOT.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".building-{seed}-{contacts}-", dir=CACHE_ROOT))
        try:
            summary = build(seed, contacts, work)
            (work / SUMMARY_NAME).write_text(json.dumps(summary, indent=1), encoding="utf-8")
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        shutil.rmtree(final, ignore_errors=True)
        work.rename(final)  # the summary is written last: a half-built store is never reused
    return final / DB_NAME, json.loads((final / SUMMARY_NAME).read_text(encoding="utf-8")), built


# ---- measuring, in a child process ------------------------------------------------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _reset_peak() -> bool:
    """Linux: start VmHWM afresh (`5` to /proc/self/clear_refs), so a phase's own peak can be read."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _phase(fn: Callable[[], Any]) -> tuple[Any, Json]:
    """Run `fn`: its result and {wall seconds, CPU seconds (all threads), the process's peak RSS after it, and
    its peak during `fn` alone where Linux can reset it (else the same)}."""
    reset = _reset_peak()
    wall, cpu = time.perf_counter(), _cpu_s()
    out = fn()
    own = peak_rss_mb() if reset else _peak_mb()
    return out, {"s": time.perf_counter() - wall, "cpu_s": _cpu_s() - cpu, "peak_mb": _peak_mb(), "phase_mb": own}


def _all_partitions(store: Store, config: MappingConfig) -> TransformResult:
    return transform_partitions(store, config, partition_keys(store))  # one call, like a single-run backfill


def _changed(results: Iterable[TransformResult]) -> dict[str, int]:
    changed: dict[str, int] = {}
    for result in results:
        for name, merged in result.tables.items():
            changed[name] = changed.get(name, 0) + merged.inserted + merged.updated + merged.deleted
    return changed


def _profile_text(profiler: cProfile.Profile) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(PROFILE_ENTRIES)
    stats.sort_stats("tottime").print_stats(PROFILE_ENTRIES)  # where the time is spent, not just under what
    return out.getvalue()


def _first_run(store: Store, config: MappingConfig) -> Json:
    """transform_org, transform_partitions (all keys) and build_plan, each timed."""
    policies = config.policies.model_dump(mode="json")
    org, org_phase = _phase(lambda: transform_org(store, config))
    partitions, partitions_phase = _phase(lambda: _all_partitions(store, config))
    plan, plan_phase = _phase(lambda: build_plan(store, mapping_source="sample", policies=policies))
    return {
        "phases": {"transform_org": org_phase, "transform_partitions": partitions_phase, "build_plan": plan_phase},
        "rows": {"transform_org": org.rows, "transform_partitions": partitions.rows},
        "partitions": len(partition_keys(store)),  # untimed
        "worker_peak_mb": partitions.worker_peak_mb,
        "blocking": len(plan["blocking"]),
    }


def _second_run(store: Store, config: MappingConfig) -> Json:
    """Both phases again on the unchanged store: what they changed, and how long they took."""
    (org, partitions), phase = _phase(lambda: (transform_org(store, config), _all_partitions(store, config)))
    return {**phase, "changed": _changed([org, partitions])}


def measure_child(source: Path, profile: bool) -> Json:
    """Runs in the child: copy the store to a scratch path, time the first run, then run both phases again."""
    with tempfile.TemporaryDirectory(prefix="transform-run-", dir=CACHE_ROOT) as scratch:
        shutil.copy(source, Path(scratch) / DB_NAME)
        store, config = Store(Path(scratch) / DB_NAME), load_mapping(None)
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        first = _first_run(store, config)
        if profiler:
            profiler.disable()
        return {
            **first,
            "peak_mb": _peak_mb(),
            "rerun": _second_run(store, config),
            "profile": _profile_text(profiler) if profiler else None,
        }


def measure(db: Path, profile: bool) -> Json:
    command = [sys.executable, __file__, "--child", str(db)] + (["--profile"] if profile else [])
    out = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)  # the child's errors pass through
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---- reporting --------------------------------------------------------------------------------------------


def print_build(summary: Json, built: bool, db: Path) -> None:
    how = "built" if built else "reused (built earlier"
    print(f"store {how} in {summary['build_s']:.1f} s{')' if not built else ''}: {db}  (not part of the measure)")
    raw = ", ".join(f"{name} {count:,}" for name, count in summary["raw"].items() if count)
    print(f"  raw rows: {raw}")
    print(
        f"  files {summary['files']:,}, unprocessable {summary['unprocessable']:,}; Ashby snapshot: "
        + ", ".join(f"{k} {v}" for k, v in summary["ashby"].items() if v)
    )


def print_result(summary: Json, result: Json) -> None:
    phases = result["phases"]
    total = sum(p["s"] for p in phases.values())
    profiled = "   (timed under cProfile)" if result["profile"] else ""
    print(
        f"org: seed {summary['seed']}, {summary['contacts']:,} contacts, {summary['opportunities']:,} opportunities,"
        f" {result['partitions']:,} partitions{profiled}"
    )
    print(f"  {'phase':<22} {'wall s':>8} {'cpu s':>8} {'peak RSS after, MB':>19}")
    for name, p in phases.items():
        print(f"  {name:<22} {p['s']:>8.2f} {p['cpu_s']:>8.2f} {p['peak_mb']:>19.0f}")
    print(f"  {'total':<22} {total:>8.2f}   total / 60 s = {total / TARGET_S:.3f}   (target < 1)")
    print(f"  {'phase':<22} {'table':<22} {'rows':>10} {'rows/s':>12}")
    for phase, rows in result["rows"].items():
        for table, count in rows.items():
            print(f"  {phase:<22} {table:<22} {count:>10,} {count / phases[phase]['s']:>12,.0f}")
    # the workers run beside this process during transform_partitions: their peaks are added to its own peak
    phases, workers = result["phases"], result["worker_peak_mb"]
    org, parts = phases["transform_org"]["phase_mb"], phases["transform_partitions"]["phase_mb"]
    peak = max(org, parts + workers)
    print(
        f"  peak RSS: transform_org {org:.0f} MB; transform_partitions {parts:.0f} MB (this process) + {workers:.0f} MB"
        f" (partition workers, added up) = {parts + workers:.0f} MB"
    )
    print(f"  peak {peak:.0f} MB   peak / 2 GB = {peak / TARGET_MB:.3f}   (target < 1)")
    print(f"  plan: {result['blocking']} blocking problem(s)")
    print_rerun(result["rerun"])
    if result["profile"]:
        phases = "transform_org + transform_partitions + build_plan, this process only"
        print(f"top {PROFILE_ENTRIES} by cumulative time, then by own time ({phases}):")
        print(result["profile"])


def print_rerun(rerun: Json) -> None:
    changed = rerun["changed"]
    nonzero = {k: v for k, v in changed.items() if v}
    verdict = f"   NOT IDEMPOTENT: {json.dumps(nonzero)}" if nonzero else ""
    print(
        f"second run of both phases (unchanged store): changed {sum(changed.values())} rows;"
        f" {rerun['s']:.2f} s wall, {rerun['cpu_s']:.2f} s cpu{verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=DEFAULT_CONTACTS, help="generated contacts (~1.6 opps each)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached store")
    parser.add_argument("--profile", action="store_true", help="cProfile the transform in the child")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure_child(args.child, args.profile)))
        return
    db, summary, built = cached_store(args.seed, args.contacts, args.rebuild)
    print_build(summary, built, db)
    print_result(summary, measure(db, args.profile))


if __name__ == "__main__":
    main()
