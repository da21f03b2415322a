"""`migration-pipeline`: the command line (`demo`, `migrate`, `plan`, `redrive`, `trace`, `sandbox ...`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from migration_pipeline.config import Settings


def _lever_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--contacts", type=int, default=500, help="size of the generated org (10 to 100000)")
    p.add_argument(
        "--key",
        action="append",
        default=[],
        metavar="KEY[:FLAGS]",
        help="an accepted Lever API key (repeatable); flags: no-confidential, read-only. "
        "Default: LEVER_API_KEY from the environment, or a random key",
    )
    p.add_argument("--oauth-client", action="append", default=[], metavar="CLIENT_ID:SECRET")
    p.add_argument("--oauth-ttl", type=float, default=3600.0, help="access token lifetime, seconds")
    p.add_argument("--rate", type=float, default=10.0, help="steady requests/second per key")
    p.add_argument("--burst", type=int, default=20, help="token bucket capacity per key")
    p.add_argument("--retry-after", action="store_true", help="send Retry-After on rate-limit 429s")
    p.add_argument("--confidential-denied-status", type=int, default=403)


def _ashby_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--org", default=None, metavar="SETUP.yaml", help="the org setup (default: the committed default setup)"
    )
    p.add_argument(
        "--ashby-key" if p.prog.endswith("both") else "--key",
        dest="ashby_key",
        action="append",
        default=[],
        metavar="KEY[:PERMS]",
        help="an accepted Ashby API key (repeatable). PERMS: all, scopes (candidatesRead, jobsWrite, ...), toggles "
        "(confidential, private-fields, update-history), -X removes one. Default: ASHBY_API_KEY, full permissions",
    )
    p.add_argument("--rate-per-minute", type=int, default=1000, help="requests per minute per key")
    p.add_argument("--no-retry-after", action="store_true", help="omit Retry-After on rate-limited 429s")


def _serving_options(p: argparse.ArgumentParser, port: int) -> None:
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=port, help="0 picks a free port")
    p.add_argument("--latency-ms", type=float, default=0.0)
    p.add_argument("--jitter-ms", type=float, default=0.0)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="migration-pipeline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run the demo migration on the embedded defaults")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--contacts", type=int, default=200)
    sandbox = commands.add_parser("sandbox", help="run local API sandboxes")
    sandboxes = sandbox.add_subparsers(dest="sandbox", required=True)
    lever = sandboxes.add_parser("lever", help="serve a generated Lever org as a local Lever Data API under /v1")
    _serving_options(lever, 8701)
    _lever_options(lever)
    ashby = sandboxes.add_parser("ashby", help="serve an Ashby org (from a setup YAML) as a local Ashby API")
    _serving_options(ashby, 8702)
    _ashby_options(ashby)
    both = sandboxes.add_parser("both", help="Lever and Ashby sandboxes together, Ashby prepared for the Lever org")
    _serving_options(both, 8701)
    both.add_argument("--ashby-port", type=int, default=8702, help="0 picks a free port")
    _lever_options(both)
    _ashby_options(both)
    setups = sandboxes.add_parser("ashby-setup", help="write the Ashby org setup prepared for a generated Lever org")
    setups.add_argument("--seed", type=int, default=1)
    setups.add_argument("--contacts", type=int, default=500)
    setups.add_argument("--out", required=True, help="where to write the setup YAML")
    setups.add_argument("--partial-out", help="also write the setup with some stages, reasons and users missing")
    plan = commands.add_parser("plan", help="transform what was extracted and write the migration plan")
    plan.add_argument("--mapping", help="mapping YAML (default: MIGRATION_MAPPING_FILE, data/mapping.yaml, the sample)")
    plan.add_argument("--quiet", action="store_true", help="print only where the plan was written")
    migrate = commands.add_parser("migrate", help="extract, transform, plan, load and check, headless")
    migrate.add_argument(
        "--mapping", help="mapping YAML (default: MIGRATION_MAPPING_FILE, data/mapping.yaml, the sample)"
    )
    migrate.add_argument("--dry-run", action="store_true", help="run everything but the writes to Ashby")
    migrate.add_argument("--skip-extract", action="store_true", help="use what was already extracted")
    migrate.add_argument("--skip-validate", action="store_true", help="do not read the result back through the API")
    migrate.add_argument(
        "--no-overlap",
        action="store_true",
        help="extract everything, then transform, plan and load (default: postings load while later ones extract)",
    )
    sync = commands.add_parser("sync", help="one delta sync: what changed in Lever since the last one, into Ashby")
    sync.add_argument("--mapping", help="the mapping config (default: data/mapping.yaml, else the sample)")
    cutover = commands.add_parser("cutover", help="the final sync, then a full reconciliation of Lever and Ashby")
    cutover.add_argument("--mapping", help="the mapping config (default: data/mapping.yaml, else the sample)")
    cutover.add_argument(
        "--deep", action="store_true", help="count Lever's notes, feedback and files through its API (slow)"
    )
    commands.add_parser("redrive", help="re-attempt the ledger rows that failed (after fixing the mapping or data)")
    trace = commands.add_parser("trace", help="the chain of a Lever record: raw -> canonical -> ledger -> Ashby")
    trace.add_argument("lever_id", help="a Lever contact, opportunity, note, feedback, file, ... id")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    if args.command == "sandbox":
        from migration_pipeline.sandbox import launch

        runners = {
            "lever": launch.run_lever,
            "ashby": launch.run_ashby,
            "both": launch.run_both,
            "ashby-setup": launch.write_ashby_setups,
        }
        runners[args.sandbox](args)
    elif args.command == "demo":
        from migration_pipeline.demo import run_demo

        sys.exit(run_demo(Settings.from_env(), seed=args.seed, contacts=args.contacts))
    elif args.command == "migrate":
        from migration_pipeline.migrate_command import run_migrate

        sys.exit(
            run_migrate(
                Settings.from_env(),
                mapping=args.mapping,
                dry_run=args.dry_run,
                skip_extract=args.skip_extract,
                validate_api=not args.skip_validate,
                overlap=not args.no_overlap,
            )
        )
    elif args.command == "sync":
        from migration_pipeline.sync_command import run_sync_command

        sys.exit(run_sync_command(Settings.from_env(), mapping=args.mapping))
    elif args.command == "cutover":
        from migration_pipeline.cutover_command import run_cutover

        sys.exit(run_cutover(Settings.from_env(), mapping=args.mapping, deep=args.deep))
    elif args.command == "redrive":
        from migration_pipeline.migrate_command import run_redrive

        sys.exit(run_redrive(Settings.from_env()))
    elif args.command == "trace":
        from migration_pipeline.store import Store
        from migration_pipeline.trace_command import trace_lines

        settings = Settings.from_env()
        print("\n".join(trace_lines(Store(settings.data_dir / "migration.duckdb"), args.lever_id)))
    elif args.command == "plan":
        from migration_pipeline.plan_command import run_plan

        sys.exit(run_plan(Settings.from_env(), mapping=args.mapping, quiet=args.quiet))


if __name__ == "__main__":
    main()
