"""Benchmark the synthetic Lever org generator.

    python benchmarks/bench_lever_generator.py [--sizes 1000,10000,100000] [--seed 1]

Each size runs in a fresh subprocess (so peak RSS is that size's alone) which measures:
- the time to generate the org and the peak RSS right after (`ru_maxrss`),
- the time to materialize every sub-resource of every opportunity once and `json.dumps` it (objects/s),
- the peak RSS at the end, and the time of one `inventory(org)` call.
Results are printed as a table.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def measure(size: int, seed: int) -> dict[str, float]:
    """Runs in the child process."""
    sys.path.insert(0, str(ROOT))
    from migration_pipeline.sandbox.lever.generator import generate_org
    from migration_pipeline.sandbox.lever.inventory import inventory
    from migration_pipeline.sandbox.lever.org import SUB_RESOURCE_KINDS

    start = time.perf_counter()
    org = generate_org(seed=seed, contacts=size)
    generate_s = time.perf_counter() - start
    rss_generate = _peak_rss_mb()

    objects = 0
    json_bytes = 0
    start = time.perf_counter()
    for opportunity_id in org.opportunities:
        for kind in SUB_RESOURCE_KINDS:
            items = org.sub_resources(opportunity_id, kind)
            objects += len(items)
            json_bytes += len(json.dumps(items))
    materialize_s = time.perf_counter() - start

    start = time.perf_counter()
    inventory(org)
    inventory_s = time.perf_counter() - start
    return {
        "contacts": size,
        "opportunities": len(org.opportunities),
        "generate_s": generate_s,
        "rss_generate_mb": rss_generate,
        "objects": objects,
        "materialize_s": materialize_s,
        "objects_per_s": objects / materialize_s if materialize_s else 0.0,
        "json_mb": json_bytes / 1e6,
        "rss_end_mb": _peak_rss_mb(),
        "inventory_s": inventory_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated contact counts")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(measure(args.child, args.seed)))
        return

    rows = []
    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(size), "--seed", str(args.seed)],
            capture_output=True,
            text=True,
            check=True,
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(f"measured {size} contacts", file=sys.stderr)

    header = (
        f"{'contacts':>9} {'opps':>8} {'generate s':>10} {'peak RSS MB':>11} {'sub-objects':>11} "
        f"{'mat+dumps s':>11} {'objects/s':>10} {'JSON MB':>8} {'RSS end MB':>10} {'inventory s':>11}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['contacts']:>9,} {r['opportunities']:>8,} {r['generate_s']:>10.2f} {r['rss_generate_mb']:>11.0f} "
            f"{r['objects']:>11,} {r['materialize_s']:>11.1f} {r['objects_per_s']:>10,.0f} {r['json_mb']:>8.0f} "
            f"{r['rss_end_mb']:>10.0f} {r['inventory_s']:>11.2f}"
        )


if __name__ == "__main__":
    main()
