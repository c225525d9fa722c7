"""`onss-tui seed`: fill a store with realistic synthetic data (same seed, same data); with an audit
signing key in the settings, the trail it wrote is signed at the end."""

from __future__ import annotations

import argparse
import asyncio
import sys

from onss_tui.cli.errors import CommandError
from onss_tui.cli.progress import SeedProgressBars
from onss_tui.cli.store import anchor_local, database_url, open_local
from onss_tui.config import Settings
from onss_tui.services.local.seed import SeedError, seed_store


def run_seed(args: argparse.Namespace) -> int:
    if args.enterprises < 2:
        raise CommandError(
            "--enterprises must be at least 2 (the demo needs an employer and a local administration)"
        )
    if args.mandates < 0 or (args.users is not None and args.users < 0):
        raise CommandError("--mandates and --users cannot be negative")
    settings = Settings()
    service = open_local(args)
    try:
        report = seed_store(
            service.engine,
            enterprises=args.enterprises,
            mandates=args.mandates,
            users=args.users,
            seed=args.seed,
            progress=SeedProgressBars() if sys.stderr.isatty() else None,
        )
        if settings.audit_key_file is not None:
            anchor_local(service, settings, database_url(args))
            asyncio.run(service.checkpoint_audit(None))
    except SeedError as exc:
        raise CommandError(str(exc)) from exc
    finally:
        service.engine.dispose()
    print(report.summary())
    return 0
