"""Signed checkpoints of the audit trail: statements of the chain's head, signed with a key that is never in
the database, stored in it and copied outside it.

A statement names the checkpoint's sequence number, the head's entry id, hash and count, the time, the
key's id and the digest of the checkpoint before it; its signature is Ed25519 over the canonical JSON of
those fields. The `Anchor` of a store makes one every N entries and every M minutes of activity, in the
writer's transaction (under the head lock, so checkpoints never fork), and once that transaction commits
appends the same line to the checkpoint file (opened for append only) and, if asked, to the system log.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import Session, col, select

from onss_tui.services.local.audit_keys import PublicKey, SigningKey, make_private_folder
from onss_tui.services.local.tables import AuditCheckpoint, AuditHead

GENESIS = "0" * 64
KIND = "onss-tui audit checkpoint"
"""Written into every signed statement, so that a signature over anything else never passes for one."""
ANCHOR = "onss_tui.anchor"
"""The key of a session's `info` that holds the store's `Anchor` (set by the service's runners)."""
_PENDING = "onss_tui.checkpoints_to_publish"

log = logging.getLogger(__name__)


class CheckpointFileError(ValueError):
    """A checkpoint file that cannot be read: the message names the file and the line."""


@dataclass(frozen=True)
class Statement:
    """One checkpoint, as signed and as copied outside the database (one JSON line)."""

    seq: int
    entry_id: int
    entry_hash: str
    entries: int
    signed_at: str
    key_id: str
    prev: str
    signature: str

    def message(self) -> bytes:
        """The bytes signed: every field but the signature, as canonical JSON."""
        fields = {k: v for k, v in asdict(self).items() if k != "signature"}
        return json.dumps({"kind": KIND, **fields}, sort_keys=True, separators=(",", ":")).encode()

    def digest(self) -> str:
        """What the next checkpoint names as `prev`."""
        return hashlib.sha256(self.message()).hexdigest()

    def signed_by(self, key: PublicKey) -> bool:
        try:
            signature = base64.b64decode(self.signature, validate=True)
        except (binascii.Error, ValueError):
            return False
        return key.verifies(signature, self.message())

    def line(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    def row(self) -> AuditCheckpoint:
        return AuditCheckpoint(**asdict(self))

    @classmethod
    def of(cls, row: AuditCheckpoint | Any) -> Statement:
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})

    @classmethod
    def from_json(cls, data: Any) -> Statement:
        """A statement from its JSON object; `ValueError` when a field is missing or of the wrong type."""
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        values: dict[str, Any] = {}
        for name, field in cls.__dataclass_fields__.items():
            value = data.get(name)
            kind = int if field.type in ("int", int) else str
            if type(value) is not kind:
                raise ValueError(f"{name} is missing or not {'a number' if kind is int else 'a text'}")
            values[name] = value
        return cls(**values)

    def signed_time(self) -> datetime:
        return datetime.strptime(self.signed_at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def last_checkpoint(session: Session) -> Statement | None:
    row = session.exec(select(AuditCheckpoint).order_by(col(AuditCheckpoint.seq).desc()).limit(1)).first()
    return None if row is None else Statement.of(row)


def read_checkpoint_file(path: Path) -> list[Statement]:
    """The checkpoints copied in `path`, in the order written (a missing file holds none)."""
    try:
        lines = path.expanduser().read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckpointFileError(f"cannot read the checkpoint file {path}: {exc}") from exc
    found = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            found.append(Statement.from_json(json.loads(line)))
        except ValueError as exc:
            raise CheckpointFileError(f"{path}, line {number}: not a checkpoint ({exc})") from exc
    return found


def append_lines(path: Path, statements: Iterable[Statement]) -> None:
    """Append one line per statement to `path`, each in one write (whole lines, even from several
    processes), the file opened for append only."""
    path = path.expanduser()
    make_private_folder(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        for statement in statements:
            os.write(descriptor, (statement.line() + "\n").encode())
    finally:
        os.close(descriptor)


class Anchor:
    """What anchors a store's trail: the signing key, how often to sign, and where copies go.

    `trusted` holds the public keys a verification in this service accepts: this key's and those of
    earlier keys (rotation).
    """

    def __init__(
        self,
        key: SigningKey,
        *,
        every_entries: int = 1000,
        every_minutes: float = 10.0,
        file: Path | None = None,
        syslog: bool = False,
        earlier_keys: Iterable[PublicKey] = (),
    ) -> None:
        if every_entries < 1:
            raise ValueError(f"a checkpoint every {every_entries} entries: it must be at least 1")
        if every_minutes <= 0:
            raise ValueError(f"a checkpoint every {every_minutes} minutes: it must be more than 0")
        self.key = key
        self.every_entries = every_entries
        self.every = timedelta(minutes=every_minutes)
        self.file = file
        self.syslog = syslog
        self.trusted = {k.id: k for k in earlier_keys} | {key.id: key.public}
        self._seen: Statement | None = None
        """The newest checkpoint this anchor saw committed."""

    # ------------------------------------------------------------------ making checkpoints

    def due(self, session: Session, head: AuditHead, now: datetime) -> bool:
        """The head moved since the last checkpoint, by N entries or more, or M minutes after it (or it
        was signed by another key: a rotation anchors the head at once).

        The last checkpoint this anchor saw committed answers first: it is never newer than the store's
        last, so when it says "not due", the store's would too; only then is the store asked."""
        if self._seen is not None and not self._due_after(self._seen, head, now):
            return False
        last = last_checkpoint(session)
        if last is None:
            return head.entries > 0
        return self._due_after(last, head, now)

    def _due_after(self, last: Statement, head: AuditHead, now: datetime) -> bool:
        if last.entry_id == head.last_id:
            return False
        return (
            head.entries - last.entries >= self.every_entries
            or now - last.signed_time() >= self.every
            or last.key_id != self.key.id
        )

    def sign(self, session: Session, head: AuditHead, now: datetime) -> Statement:
        """A checkpoint of `head` in the caller's transaction (which holds the head lock); it is copied
        outside once the transaction commits."""
        last = last_checkpoint(session)
        unsigned = Statement(
            seq=1 if last is None else last.seq + 1,
            entry_id=head.last_id,
            entry_hash=head.last_hash,
            entries=head.entries,
            signed_at=stamp(now),
            key_id=self.key.id,
            prev=GENESIS if last is None else last.digest(),
            signature="",
        )
        signature = base64.b64encode(self.key.sign(unsigned.message())).decode()
        statement = Statement(**{**asdict(unsigned), "signature": signature})
        session.add(statement.row())
        _publish_on_commit(session, self, statement)
        return statement

    # ------------------------------------------------------------------ copies outside the store

    def publish(self, statements: list[Statement]) -> None:
        """Copy checkpoints outside the store; a failure is logged (the next catch-up copies them)."""
        newest = max(statements, key=lambda s: s.seq)
        if self._seen is None or newest.seq > self._seen.seq:
            self._seen = newest
        if self.file is not None:
            try:
                append_lines(self.file, statements)
            except OSError as exc:
                log.error("cannot append to the checkpoint file %s: %s", self.file, exc)
        if self.syslog:
            import syslog

            syslog.openlog("onss-tui", 0, syslog.LOG_AUTH)
            for statement in statements:
                syslog.syslog(syslog.LOG_NOTICE, f"audit checkpoint {statement.line()}")

    def catch_up(self, engine: Engine) -> int:
        """Copy to the checkpoint file the checkpoints of the store it lacks (written by a process that
        stopped before copying them); how many."""
        if self.file is None:
            return 0
        copied = {s.seq for s in read_checkpoint_file(self.file)}
        with Session(engine) as session:
            missing = [
                Statement.of(row)
                for row in session.exec(select(AuditCheckpoint).order_by(col(AuditCheckpoint.seq)))
                if row.seq not in copied
            ]
        if missing:
            append_lines(self.file, missing)
        return len(missing)


def _publish_on_commit(session: Session, anchor: Anchor, statement: Statement) -> None:
    pending: list[tuple[Anchor, Statement]] | None = session.info.get(_PENDING)
    if pending is None:
        session.info[_PENDING] = pending = []
        event.listen(session, "after_commit", _published)
        event.listen(session, "after_rollback", _forgotten)
    pending.append((anchor, statement))


def _published(session: Session) -> None:
    pending = session.info.get(_PENDING) or []
    session.info[_PENDING] = []
    for anchor, group in _by_anchor(pending):
        anchor.publish(group)


def _forgotten(session: Session) -> None:
    session.info[_PENDING] = []


def _by_anchor(pending: list[tuple[Anchor, Statement]]) -> Iterator[tuple[Anchor, list[Statement]]]:
    anchors: dict[int, tuple[Anchor, list[Statement]]] = {}
    for anchor, statement in pending:
        anchors.setdefault(id(anchor), (anchor, []))[1].append(statement)
    yield from anchors.values()
