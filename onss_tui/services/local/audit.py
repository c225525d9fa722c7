"""The audit trail: entries appended in the writer's transaction, chained by SHA-256.

Each entry's hash covers the previous entry's hash and this entry's content, so editing, inserting or
removing any entry breaks the chain from there on; `audit_head` remembers the last entry, so that
removing entries at the end is caught too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime
from functools import partial
from typing import Any

from sqlmodel import Session, col, select

from onss_tui.services.dto import SYSTEM, AuditVerification
from onss_tui.services.local.tables import AuditEntry, AuditHead, id_of, utcnow

GENESIS = "0" * 64


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(entry: AuditEntry) -> str:
    content = {
        "id": entry.id,
        "at": _timestamp(entry.at),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "target": entry.target,
        "enterprise_id": entry.enterprise_id,
        "outcome": entry.outcome,
        "before": entry.before_json,
        "after": entry.after_json,
    }
    return hashlib.sha256((entry.prev_hash + _canonical(content)).encode()).hexdigest()


def _timestamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%f")


def lock_head(session: Session) -> AuditHead:
    """Lock the chain's head for this transaction (row lock on PostgreSQL; SQLite writers are serial)."""
    head = session.exec(select(AuditHead).where(AuditHead.id == 1).with_for_update()).first()
    if head is None:
        head = AuditHead(id=1, last_id=0, last_hash=GENESIS, entries=0)
        session.add(head)
        session.flush()
    return head


def append(
    session: Session,
    *,
    actor_id: int | None,
    actor_name: str,
    action: str,
    target: str,
    enterprise_id: int | None = None,
    outcome: str = "done",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry after the head; the caller's transaction commits both or neither."""
    head = lock_head(session)
    entry = AuditEntry(
        id=head.last_id + 1,
        at=utcnow(),
        actor_id=actor_id,
        actor_name=actor_name,
        action=action,
        target=target,
        enterprise_id=enterprise_id,
        outcome=outcome,
        before_json=None if before is None else _canonical(before),
        after_json=None if after is None else _canonical(after),
        prev_hash=head.last_hash,
        hash="",
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    head.last_id, head.last_hash, head.entries = id_of(entry), entry.hash, head.entries + 1
    session.add(head)
    return entry


append_by_system = partial(append, actor_id=None, actor_name=SYSTEM)
"""Append what no person did (the operator of the store, the register, the seeder): `action`, `target`,
`enterprise_id` and `after` by name."""


def _entries(session: Session, batch: int = 5000) -> Iterator[AuditEntry]:
    last = 0
    while True:
        rows = session.exec(
            select(AuditEntry).where(col(AuditEntry.id) > last).order_by(col(AuditEntry.id)).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = id_of(rows[-1])
        session.expunge_all()


def verify(session: Session) -> AuditVerification:
    """Walk the whole chain; name the first entry that does not fit."""
    head = session.get(AuditHead, 1)
    previous_hash, previous_id, count = GENESIS, 0, 0
    for entry in _entries(session):
        count += 1
        entry_id = id_of(entry)
        if entry_id != previous_id + 1:
            missing = (
                f"{previous_id + 1}" if entry_id == previous_id + 2 else f"{previous_id + 1}..{entry_id - 1}"
            )
            return AuditVerification(
                ok=False,
                entries_checked=count,
                first_bad_id=previous_id + 1,
                reason=f"entry {missing} is missing (removed)",
                problem="missing",
                last_id=entry_id - 1,
            )
        if entry.prev_hash != previous_hash:
            return AuditVerification(
                ok=False,
                entries_checked=count,
                first_bad_id=entry_id,
                reason="it does not follow the entry before it (an entry was inserted or replaced)",
                problem="inserted",
            )
        if entry_hash(entry) != entry.hash:
            return AuditVerification(
                ok=False,
                entries_checked=count,
                first_bad_id=entry_id,
                reason="its content does not match its hash (it was edited)",
                problem="edited",
            )
        previous_hash, previous_id = entry.hash, entry_id
    if head is not None and (head.last_id != previous_id or head.last_hash != previous_hash):
        return AuditVerification(
            ok=False,
            entries_checked=count,
            first_bad_id=previous_id + 1,
            reason=f"the trail ends at entry {previous_id} but entry {head.last_id} was written "
            "(entries were removed at the end)",
            problem="truncated",
            last_id=head.last_id,
        )
    return AuditVerification(ok=True, entries_checked=count)
