"""The audit trail: entries appended in the writer's transaction, chained by SHA-256.

Each entry's hash covers the previous entry's hash and this entry's content, so editing, inserting or
removing any entry breaks the chain from there on; `audit_head` remembers the last entry. Whoever can
write the database can recompute the chain, so the store's `Anchor` (`checkpoints`) signs the head from
time to time with a key kept outside it; `audit_verify` checks both.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any

from sqlmodel import Session, select

from onss_tui.services.dto import SYSTEM
from onss_tui.services.local.checkpoints import ANCHOR, Anchor, Statement, last_checkpoint
from onss_tui.services.local.tables import AuditEntry, AuditHead, id_of, utcnow

GENESIS = "0" * 64


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _canonical(value: Any) -> str:
    return _ENCODER.encode(value)


HASHED = ("id", "at", "actor_id", "actor_name", "action", "target", "enterprise_id", "outcome")
"""The columns an entry's hash covers, besides `before_json`, `after_json` and the previous hash."""


def entry_hash(entry: AuditEntry) -> str:
    return row_hash(
        {name: getattr(entry, name) for name in (*HASHED, "before_json", "after_json", "prev_hash")}
    )


def row_hash(row: Mapping[Any, Any]) -> str:
    """The hash of an entry read as a row of `audit_entry` (its columns by name)."""
    content = {
        "id": row["id"],
        "at": _timestamp(row["at"]),
        "actor_id": row["actor_id"],
        "actor_name": row["actor_name"],
        "action": row["action"],
        "target": row["target"],
        "enterprise_id": row["enterprise_id"],
        "outcome": row["outcome"],
        "before": row["before_json"],
        "after": row["after_json"],
    }
    return hashlib.sha256((row["prev_hash"] + _ENCODER.encode(content)).encode()).hexdigest()


def _timestamp(at: datetime) -> str:
    """The time as the hash has it: to the microsecond, without a zone (`%Y-%m-%dT%H:%M:%S.%f`)."""
    return at.replace(tzinfo=None).isoformat(timespec="microseconds")


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
    anchor: Anchor | None = session.info.get(ANCHOR)
    if anchor is not None and anchor.due(session, head, entry.at):
        session.flush()
        anchor.sign(session, head, entry.at)
    return entry


append_by_system = partial(append, actor_id=None, actor_name=SYSTEM)
"""Append what no person did (the operator of the store, the register, the seeder): `action`, `target`,
`enterprise_id` and `after` by name."""


def checkpoint_now(session: Session, anchor: Anchor) -> Statement | None:
    """A checkpoint of the head now, unless the last one already signs it with this key (then that one);
    None for an empty trail. The caller commits."""
    head = lock_head(session)
    if head.entries == 0:
        return None
    last = last_checkpoint(session)
    if last is not None and last.entry_id == head.last_id and last.key_id == anchor.key.id:
        return last
    return anchor.sign(session, head, utcnow())


def checkpoint_if_due(session: Session, anchor: Anchor) -> Statement | None:
    """A checkpoint of the head if one is due by now (M minutes of activity since the last); the caller
    commits."""
    head = lock_head(session)
    now = utcnow()
    return anchor.sign(session, head, now) if anchor.due(session, head, now) else None
