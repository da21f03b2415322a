"""Building sandboxes from command-line options and running them in the foreground."""

from __future__ import annotations

import argparse
import gc
import os
import secrets
import threading
from contextlib import ExitStack, suppress
from pathlib import Path

from migration_pipeline.sandbox.serving import serve_forever, serve_in_thread


def lever_sandbox(args: argparse.Namespace):
    from migration_pipeline.sandbox.lever.app import LeverSandbox, LeverSandboxConfig
    from migration_pipeline.sandbox.lever.auth import ApiKey, OAuthClient
    from migration_pipeline.sandbox.lever.generator import generate_org

    key_specs = args.key or [os.environ.get("LEVER_API_KEY") or f"lever-sandbox-{secrets.token_hex(12)}"]
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
    return sandbox


def ashby_sandbox(args: argparse.Namespace, lever_org=None):
    """From `--org FILE`, or derived from the Lever org served next to it (`sandbox both`)."""
    from migration_pipeline.sandbox.ashby.app import AshbySandbox, AshbySandboxConfig
    from migration_pipeline.sandbox.ashby.rpc import AshbyKey
    from migration_pipeline.sandbox.ashby.setup import (
        DEFAULT_SETUP_PATH,
        SetupError,
        build_state,
        load_setup,
        setup_from_lever,
    )

    key_specs = args.ashby_key or [os.environ.get("ASHBY_API_KEY") or f"ashby-sandbox-{secrets.token_hex(12)}"]
    try:
        keys = [AshbyKey.parse(spec) for spec in key_specs]
        if lever_org is not None and args.org is None:
            setup = setup_from_lever(lever_org)
        else:
            setup = load_setup(Path(args.org) if args.org else DEFAULT_SETUP_PATH)
    except (ValueError, SetupError, OSError) as exc:
        raise SystemExit(f"error: {exc}") from None
    config = AshbySandboxConfig(keys=keys, rate_per_minute=args.rate_per_minute, retry_after=not args.no_retry_after)
    sandbox = AshbySandbox(lambda: build_state(setup), config)
    sandbox.controls.set_faults({"latency_ms": args.latency_ms, "jitter_ms": args.jitter_ms})
    return sandbox


def print_lever(base_url: str, sandbox) -> None:
    print(f"Lever sandbox ready: {base_url}/v1", flush=True)
    for key in sandbox.config.keys:
        access = "confidential" if key.confidential else "no confidential access"
        print(f"  key {key.secret} ({access}{', read-only' if not key.can_write else ''})", flush=True)
    for client in sandbox.config.oauth_clients:
        print(f"  OAuth client {client.client_id}: token URL {base_url}/oauth/token", flush=True)
    print(f"  admin: {base_url}/__sandbox/inventory, /__sandbox/requests, /__sandbox/faults", flush=True)


def print_ashby(base_url: str, sandbox) -> None:
    print(f"Ashby sandbox ready: {base_url}", flush=True)
    for key in sandbox.config.keys:
        print(f"  key {key.secret} ({len(key.scopes)} scopes; {', '.join(sorted(key.toggles)) or 'no toggles'})")
    counts = sandbox.state.counts()
    seeded = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
    print(f"  org: {seeded}", flush=True)
    print(f"  admin: {base_url}/__sandbox/state, /__sandbox/requests, /__sandbox/faults, /__sandbox/reset", flush=True)


def run_lever(args: argparse.Namespace) -> None:
    sandbox = lever_sandbox(args)
    serve_forever(sandbox.app, args.host, args.port, lambda url: print_lever(url, sandbox))


def run_ashby(args: argparse.Namespace) -> None:
    sandbox = ashby_sandbox(args)
    serve_forever(sandbox.app, args.host, args.port, lambda url: print_ashby(url, sandbox))


def run_both(args: argparse.Namespace) -> None:
    """Lever and Ashby side by side; Ashby's org is the one a prepared customer has for this Lever org."""
    lever = lever_sandbox(args)
    ashby = ashby_sandbox(args, lever_org=lever.org)
    with ExitStack() as stack:
        lever_server = stack.enter_context(serve_in_thread(lever.app, args.host, args.port))
        ashby_server = stack.enter_context(serve_in_thread(ashby.app, args.host, args.ashby_port))
        ashby.base_url = ashby_server.base_url
        print_lever(lever_server.base_url, lever)
        print_ashby(ashby_server.base_url, ashby)
        print(f"seeded org: Lever seed {args.seed}, {args.contacts} contacts", flush=True)
        with suppress(KeyboardInterrupt):
            threading.Event().wait()


def write_ashby_setups(args: argparse.Namespace) -> None:
    from migration_pipeline.sandbox.ashby.setup import dump_setup, partial_setup, setup_from_lever
    from migration_pipeline.sandbox.lever.generator import generate_org

    setup = setup_from_lever(generate_org(seed=args.seed, contacts=args.contacts))
    dump_setup(setup, args.out)
    print(f"wrote {args.out}")
    if args.partial_out:
        dump_setup(partial_setup(setup), args.partial_out)
        print(f"wrote {args.partial_out}")
