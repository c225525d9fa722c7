"""`onss-tui db upgrade`: bring the store's schema to the newest migration.

Several at once on one store migrate it once: the others say they wait, then find it current.
"""

from __future__ import annotations

import argparse

from onss_tui.cli.store import database_url, say_waiting
from onss_tui.services.local.store import HEAD_REVISION, make_engine, upgrade


def run_db(args: argparse.Namespace) -> int:
    engine = make_engine(database_url(args))
    try:
        before = upgrade(engine, waiting=say_waiting)
        print(f"schema at revision {HEAD_REVISION} (was {before or 'empty'})")
    finally:
        engine.dispose()
    return 0
