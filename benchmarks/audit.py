"""The audit anchor's cost: verifying a trail of 1,000,000 entries, and what signing checkpoints costs
the writers.

    .venv/bin/python benchmarks/audit.py [--store URL] [--entries 1000000] [--appends 2000]

Prints one JSON object. The trail is built in a new store (a SQLite file in a temporary folder unless
`--store` names an empty PostgreSQL database): entries with their chain computed as `audit.append`
does, written in bulk, and a checkpoint signed every 1,000 entries as the service would.
- `verify`: a full verification (the chain of every entry, every checkpoint's signature and entry, the
  outside copy), then an incremental one after 1,000 more entries (from the last checkpoint verified);
- `appends_per_second`: one entry per transaction, as a write of the service appends it (the head lock,
  the entry, the commit), without an anchor, with a checkpoint every 1,000 entries (the default), and
  with one at every entry (the worst case: a signature and a copy per write).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, insert
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from onss_tui.services.local import audit
from onss_tui.services.local.anchoring import Verifier
from onss_tui.services.local.audit import GENESIS, lock_head, row_hash
from onss_tui.services.local.audit_keys import SigningKey
from onss_tui.services.local.checkpoints import ANCHOR, Anchor
from onss_tui.services.local.store import open_store
from onss_tui.services.local.tables import AuditEntry, AuditHead

EVERY = 1000
CHUNK = 10_000


def build_trail(engine: Engine, anchor: Anchor, entries: int) -> float:
    """`entries` chained entries written in bulk, the head signed every `EVERY`; seconds taken."""
    began = time.perf_counter()
    start = datetime.now(UTC) - timedelta(days=1)
    previous = GENESIS
    for first in range(1, entries + 1, CHUNK):
        rows = []
        for entry_id in range(first, min(first + CHUNK, entries + 1)):
            row = {
                "id": entry_id,
                "at": start + timedelta(milliseconds=entry_id),
                "actor_id": entry_id % 5000 + 1,
                "actor_name": f"Person {entry_id % 5000}",
                "action": "user.update",
                "target": f"user:{entry_id % 70000}",
                "enterprise_id": entry_id % 20000 + 1,
                "outcome": "done",
                "before_json": '{"phone":"+32470000000"}',
                "after_json": '{"phone":"+32470000001"}',
                "prev_hash": previous,
            }
            row["hash"] = previous = row_hash(row)
            rows.append(row)
        with Session(engine) as session:
            session.execute(insert(AuditEntry), rows)
            head = lock_head(session)
            head.last_id, head.last_hash, head.entries = rows[-1]["id"], previous, rows[-1]["id"]
            session.commit()
        # The checkpoints of this chunk, one every EVERY entries, as the service signs them.
        with Session(engine) as session:
            for at in range(first + EVERY - 1, rows[-1]["id"] + 1, EVERY):
                signed = AuditHead(id=1, last_id=at, last_hash=rows[at - first]["hash"], entries=at)
                anchor.sign(session, signed, start + timedelta(milliseconds=at))
            session.commit()
    return time.perf_counter() - began


def appends_per_second(engine: Engine, anchor: Anchor | None, count: int) -> float:
    """Entries appended one per transaction, as a service write appends its entry."""
    writer = engine.execution_options(write=True)
    began = time.perf_counter()
    for _ in range(count):
        with Session(writer, info={ANCHOR: anchor}) as session:
            audit.append_by_system(session, action="benchmark.append", target="audit")
            session.commit()
    return round(count / (time.perf_counter() - began), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", help="an empty PostgreSQL database URL (default: a new SQLite file)")
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--appends", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="onss-audit-bench-") as folder:
        url = args.store or f"sqlite:///{Path(folder) / 'audit.db'}"
        engine = open_store(url)
        key = SigningKey.generate()
        outside = Path(folder) / "audit.checkpoints"
        anchor = Anchor(key, every_entries=EVERY, every_minutes=60 * 24 * 365, file=outside)
        built = build_trail(engine, anchor, args.entries)
        keys = anchor.trusted
        verifier = Verifier()
        tick = time.perf_counter()
        full = verifier.run(engine, keys, outside, full=True)
        full_seconds = time.perf_counter() - tick
        assert full.ok, full.reason
        for _ in range(EVERY):
            with Session(engine, info={ANCHOR: anchor}) as session:
                audit.append_by_system(session, action="benchmark.append", target="audit")
                session.commit()
        tick = time.perf_counter()
        incremental = verifier.run(engine, keys, outside)
        incremental_seconds = time.perf_counter() - tick
        assert incremental.ok, incremental.reason
        rates = {
            "no_anchor": appends_per_second(engine, None, args.appends),
            "checkpoint_every_1000": appends_per_second(engine, anchor, args.appends),
            "checkpoint_every_entry": appends_per_second(
                engine, Anchor(key, every_entries=1, file=outside), args.appends
            ),
        }
        backend = engine.dialect.name
        engine.dispose()
    print(
        json.dumps(
            {
                "store": backend,
                "entries": args.entries,
                "checkpoints": full.checkpoints_checked,
                "build_seconds": round(built, 1),
                "verify": {
                    "full_seconds": round(full_seconds, 2),
                    "full_entries_per_second": round(full.entries_checked / full_seconds),
                    "incremental_seconds": round(incremental_seconds, 3),
                    "incremental_entries_read": incremental.entries_checked,
                },
                "appends_per_second": rates,
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
