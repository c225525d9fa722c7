"""`onss-tui api`: the HTTP API under uvicorn, over the local store.

The secret that protects the tokens comes from the settings (`ONSS_TUI_API_SECRET` or `api_secret` in
the config file), and so does the key that signs the audit trail's checkpoints (`ONSS_TUI_AUDIT_KEY_FILE`
or `audit_key_file`). Without a proper secret or a usable key the server refuses to start, unless
`--demo` is given: then it makes a temporary secret (and prints a token for a few people of the store,
valid until it stops) and, without a key, a temporary key, whose public half it names.

With `--workers N`, N processes serve the same port (uvicorn's supervisor restarts one that dies), each
with its own connections to the store; the brake on failing tokens counts in the store, for all of them.
The bounds on a request (its size, the time it may take to arrive and to be served, the store's timeout)
come from the settings (`api_*`); `--forwarded-allow-ips` names the proxies whose `X-Forwarded-For` is
believed (none by default: the address a request comes from is its peer's).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

from onss_tui.api.limits import RequestLimits
from onss_tui.api.main import app_from_settings, open_service
from onss_tui.api.server import server_config, trusted_proxies
from onss_tui.cli.errors import CommandError
from onss_tui.cli.store import database_url, require_store
from onss_tui.config import Settings
from onss_tui.services.local.anchoring import anchor_from_settings
from onss_tui.services.local.audit_keys import AuditKeyError, write_key_pair
from onss_tui.services.local.checkpoints import Anchor
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.store import close_store
from onss_tui.services.local.tokens import issue_token, secret_problem

DEMO_TOKENS = 5
"""How many people get a token in demo mode."""


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket, so that a busy port is reported in one line before anything starts."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
    except (OSError, UnicodeError) as exc:
        raise CommandError(f"cannot listen on {host}:{port}: {exc}") from exc
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    return sock


def _demo_tokens(service: LocalService, secret: str) -> None:
    """Issue and print tokens for the first few people who may sign in (demo mode only)."""
    identities = asyncio.run(service.list_identities(limit=DEMO_TOKENS))
    if not identities:
        print("demo: nobody in this store yet: fill it with 'onss-tui seed'", file=sys.stderr)
        return
    print("demo: temporary secret; these tokens work until the server stops:", file=sys.stderr)
    for identity in identities:
        person = identity.person
        issued = issue_token(service.engine, secret, person.id, "demo")
        roles = ", ".join(identity.roles) or "no role"
        print(f"  {person.full_name} ({roles}): {issued.token}", flush=True)


def _audit_key(settings: Settings, demo: bool, temporary: ExitStack) -> Path:
    """The signing key file of the settings; in demo mode without one, a temporary key."""
    if settings.audit_key_file is not None:
        return settings.audit_key_file
    if not demo:
        raise CommandError(
            "no audit signing key is set (ONSS_TUI_AUDIT_KEY_FILE): the API server does not start without "
            "one (except with --demo); create one with 'onss-tui audit keygen'"
        )
    folder = Path(temporary.enter_context(tempfile.TemporaryDirectory(prefix="onss-tui-demo-key-")))
    key = write_key_pair(folder / "audit.key")
    print(
        f"demo: temporary audit signing key {key.id}; its public key: {folder / 'audit.key.pub'}",
        file=sys.stderr,
    )
    return folder / "audit.key"


def _anchor(settings: Settings, url: str, key_file: Path) -> Anchor:
    try:
        anchor = anchor_from_settings(settings, url, key_file=key_file)
    except AuditKeyError as exc:
        raise CommandError(f"{exc}; the API server does not start without its audit signing key") from exc
    assert anchor is not None
    return anchor


def run_server(args: argparse.Namespace) -> int:
    if args.workers < 1:
        raise CommandError(f"--workers must be at least 1, not {args.workers}")
    settings = Settings()
    proxies, named_by = args.forwarded_allow_ips, "--forwarded-allow-ips"
    if proxies is None:
        proxies, named_by = settings.api_forwarded_allow_ips, "api_forwarded_allow_ips"
    try:
        trusted_proxies(proxies)
    except ValueError as exc:
        raise CommandError(f"{named_by}: {exc}") from exc
    if not args.demo:  # the demo fills a new store; otherwise a mistyped path would serve an empty one
        require_store(args)
    secret = settings.api_secret
    problem = secret_problem(secret)
    if problem and not args.demo:
        raise CommandError(f"{problem}; the API server does not start without one (except with --demo)")
    with ExitStack() as temporary:
        key_file = _audit_key(settings, args.demo, temporary)
        anchor = _anchor(settings, database_url(args), key_file)
        return _serve(args, settings, proxies, secret, problem, anchor, key_file)


def _serve(
    args: argparse.Namespace,
    settings: Settings,
    proxies: str,
    secret: str | None,
    problem: str | None,
    anchor: Anchor,
    key_file: Path,
) -> int:
    sock = _listen(args.host, args.port)
    try:
        service = open_service(database_url(args), timeout=settings.api_database_timeout)
        try:
            service.anchor_trail(anchor)
            if problem:
                secret = secrets.token_urlsafe(32)
                _demo_tokens(service, secret)
            asyncio.run(service.checkpoint_audit(None))  # the head as the server found it, signed
            assert secret is not None
            limits = RequestLimits.from_settings(settings)
            options: dict[str, Any] = {
                "log_level": "info",
                "server_header": False,
                "date_header": True,
                "forwarded_allow_ips": proxies,
            }
            where = f"[{args.host}]" if ":" in args.host else args.host
            print(f"onss-tui API on http://{where}:{args.port} (schema at /openapi.json)", file=sys.stderr)
            if args.workers == 1:
                app = app_from_settings(service, settings.model_copy(update={"api_secret": secret}))
                uvicorn.Server(server_config(app, limits, **options)).run(sockets=[sock])
                return 0
            os.environ.update(
                ONSS_TUI_DATABASE_URL=database_url(args),
                ONSS_TUI_API_SECRET=secret,
                ONSS_TUI_AUDIT_KEY_FILE=str(key_file),
            )
            if anchor.file is not None:
                os.environ["ONSS_TUI_AUDIT_CHECKPOINT_FILE"] = str(anchor.file)
            config = server_config(
                "onss_tui.api.main:worker_app", limits, factory=True, workers=args.workers, **options
            )
            Multiprocess(config, sockets=[sock]).run()
        finally:
            close_store(service.engine)
    finally:
        sock.close()
    return 0
