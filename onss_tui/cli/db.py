"""`onss-tui db upgrade`: bring the store's schema to the newest migration."""

from __future__ import annotations

import argparse

from onss_tui.cli.store import database_url
from onss_tui.services.local.store import HEAD_REVISION, current_revision, make_engine, upgrade


def run_db(args: argparse.Namespace) -> int:
    engine = make_engine(database_url(args))
    try:
        before = current_revision(engine)
        upgrade(engine)
        print(f"schema at revision {HEAD_REVISION} (was {before or 'empty'})")
    finally:
        engine.dispose()
    return 0
