"""`onss-tui audit verify`: check that no entry of the audit trail was edited, inserted or removed."""

from __future__ import annotations

import argparse
import sys

from sqlmodel import Session

from onss_tui.cli.errors import EXIT_BROKEN_TRAIL
from onss_tui.cli.store import open_local, require_store
from onss_tui.services.local.audit import verify


def run_audit(args: argparse.Namespace) -> int:
    require_store(args)
    service = open_local(args, migrate=False)
    try:
        with Session(service.engine) as session:
            result = verify(session)
    finally:
        service.engine.dispose()
    if result.ok:
        print(f"audit trail intact: {result.entries_checked} entries")
        return 0
    print(f"onss-tui: audit trail broken at entry {result.first_bad_id}: {result.reason}", file=sys.stderr)
    return EXIT_BROKEN_TRAIL
