"""`migration-pipeline`: the command line (`demo`, `sandbox lever`)."""

from __future__ import annotations

import argparse
import gc
import os
import secrets
import sys
from collections.abc import Sequence

from migration_pipeline.config import Settings


def _lever_sandbox_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "lever",
        help="serve a generated Lever org over HTTP on loopback",
        description="Serve a generated Lever org as a local Lever Data API under /v1.",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8701, help="0 picks a free port")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--contacts", type=int, default=500, help="size of the generated org (10 to 100000)")
    p.add_argument(
        "--key",
        action="append",
        default=[],
        metavar="KEY[:FLAGS]",
        help="an accepted API key (repeatable); flags: no-confidential, read-only. "
        "Default: LEVER_API_KEY from the environment, or a random key",
    )
    p.add_argument("--oauth-client", action="append", default=[], metavar="CLIENT_ID:SECRET")
    p.add_argument("--oauth-ttl", type=float, default=3600.0, help="access token lifetime, seconds")
    p.add_argument("--rate", type=float, default=10.0, help="steady requests/second per key")
    p.add_argument("--burst", type=int, default=20, help="token bucket capacity per key")
    p.add_argument("--retry-after", action="store_true", help="send Retry-After on rate-limit 429s")
    p.add_argument("--confidential-denied-status", type=int, default=403)
    p.add_argument("--latency-ms", type=float, default=0.0)
    p.add_argument("--jitter-ms", type=float, default=0.0)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="migration-pipeline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run the demo migration on the embedded defaults")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--contacts", type=int, default=500)
    sandbox = commands.add_parser("sandbox", help="run a local API sandbox")
    sandboxes = sandbox.add_subparsers(dest="sandbox", required=True)
    _lever_sandbox_parser(sandboxes)
    return parser


def run_lever_sandbox(args: argparse.Namespace) -> None:
    from migration_pipeline.sandbox.lever.app import LeverSandbox, LeverSandboxConfig
    from migration_pipeline.sandbox.lever.auth import ApiKey, OAuthClient
    from migration_pipeline.sandbox.lever.generator import generate_org
    from migration_pipeline.sandbox.serving import serve_forever

    key_specs = args.key or [os.environ.get("LEVER_API_KEY") or f"sandbox-{secrets.token_hex(12)}"]
    try:
        keys = [ApiKey.parse(spec) for spec in key_specs]
        clients = [OAuthClient.parse(spec) for spec in args.oauth_client]
    except ValueError as exc:
        raise SystemExit(f"error: {exc}") from None
    if not 10 <= args.contacts <= 100_000:
        raise SystemExit("error: --contacts must be between 10 and 100000")
    print(f"generating a Lever org: seed {args.seed}, {args.contacts} contacts ...", flush=True)
    org = generate_org(seed=args.seed, contacts=args.contacts)
    gc.freeze()  # the org lives as long as the server: keep the collector from rescanning it
    sandbox = LeverSandbox(
        org,
        LeverSandboxConfig(
            keys=keys,
            oauth_clients=clients,
            oauth_access_ttl_seconds=args.oauth_ttl,
            rate=args.rate,
            burst=args.burst,
            rate_limit_retry_after=args.retry_after,
            confidential_denied_status=args.confidential_denied_status,
        ),
    )
    sandbox.controls.set_faults({"latency_ms": args.latency_ms, "jitter_ms": args.jitter_ms})

    def ready(base_url: str) -> None:
        print(f"Lever sandbox ready: {base_url}/v1", flush=True)
        for key in keys:
            access = "confidential" if key.confidential else "no confidential access"
            print(f"  key {key.secret} ({access}{', read-only' if not key.can_write else ''})", flush=True)
        for client in clients:
            print(f"  OAuth client {client.client_id}: token URL {base_url}/oauth/token", flush=True)
        print(f"  admin: {base_url}/__sandbox/inventory, /__sandbox/requests, /__sandbox/faults", flush=True)

    serve_forever(sandbox.app, args.host, args.port, ready)


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    if args.command == "sandbox" and args.sandbox == "lever":
        run_lever_sandbox(args)
    elif args.command == "demo":
        from migration_pipeline.demo import run_demo

        sys.exit(run_demo(Settings.from_env(), seed=args.seed, contacts=args.contacts))


if __name__ == "__main__":
    main()
