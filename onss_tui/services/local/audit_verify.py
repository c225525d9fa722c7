"""Verifying the audit trail in one snapshot of the store: the hash chain, every signed checkpoint, the
entries the checkpoints signed, and the copy of the checkpoints kept outside the store.

What each check catches, as a problem code (`AuditVerification.problem`):
- the chain: an entry `edited`, `inserted` or `missing`, entries removed at the end (`truncated`);
- the checkpoints: one removed from the store (`checkpoint_removed`), one whose signature does not match
  (`checkpoint_forged`), one signed by a key the verifier does not hold (`unknown_key`; `wrong_key` when
  no checkpoint is signed by a key given, `no_public_key` when none is given), two histories signed
  (`fork`);
- entries rewritten with their hashes recomputed: an entry no longer has the hash a checkpoint signed
  (`rewritten`); entries removed at the end with the head moved back, behind a checkpoint of the store or
  of the outside copy (`rolled_back`).

Verification is incremental from a mark, the last checkpoint found intact: the signatures and the
checkpointed entries are checked again, and the chain is walked from the mark's entry on. A full check
walks it all.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, inspect, select
from sqlmodel import Session
from sqlmodel import select as sql_select

from onss_tui.services.dto import AuditVerification
from onss_tui.services.local.audit import GENESIS, row_hash
from onss_tui.services.local.audit_keys import PublicKey
from onss_tui.services.local.checkpoints import GENESIS as FIRST_PREV
from onss_tui.services.local.checkpoints import Statement
from onss_tui.services.local.tables import AuditCheckpoint, AuditEntry, AuditHead

BATCH = 5000
_ENTRIES = inspect(AuditEntry).local_table


class Broken(Exception):
    """What breaks the trail, with the fields of `AuditVerification` that say it."""

    def __init__(self, problem: str, reason: str, **fields: Any) -> None:
        super().__init__(reason)
        self.fields = {"problem": problem, "reason": reason, **fields}


@dataclass
class Checked:
    """What a verification found, and the mark to start from next time (None: start from the beginning)."""

    result: AuditVerification
    mark: Statement | None


@contextmanager
def snapshot(engine: Engine) -> Iterator[Session]:
    """A session whose reads all see one snapshot: a repeatable-read, read-only transaction on
    PostgreSQL; one read transaction on SQLite (WAL: writers go on, unseen)."""
    bind = engine
    if engine.dialect.name == "postgresql":
        bind = engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    with Session(bind) as session:
        yield session


def verify(
    session: Session,
    keys: Mapping[str, PublicKey],
    *,
    outside: Sequence[Statement] | None = None,
    mark: Statement | None = None,
) -> Checked:
    """Check the trail as `session` sees it (give it a `snapshot`), with the public keys `keys` (by id),
    against the checkpoints copied `outside` (None: no copy to compare), from `mark` on."""
    head = session.get(AuditHead, 1) or AuditHead(id=1, last_id=0, last_hash=GENESIS, entries=0)
    checkpoints = [Statement.of(row) for row in session.exec(sql_select(AuditCheckpoint).order_by("seq"))]
    walked = 0
    start: Statement | None = None
    try:
        _check_signatures(checkpoints, keys)
        copied = _check_outside(checkpoints, outside or [], keys, head) if outside is not None else None
        start = _usable_mark(checkpoints, mark)
        signed = {c.entry_id: c for c in checkpoints}
        if start is not None:
            _check_signed_entries(session, [c for c in checkpoints if c.entry_id <= start.entry_id])
        walked, end_id, end_hash = _walk(session, start, signed)
        _check_end(head, end_id, end_hash, checkpoints)
    except Broken as broken:
        fields = {"entries_checked": walked, **broken.fields}
        return Checked(AuditVerification(ok=False, **fields), None)
    last = checkpoints[-1] if checkpoints else None
    result = AuditVerification(
        ok=True,
        entries_checked=walked,
        entries=head.entries,
        since_entry=None if start is None else start.entry_id,
        checkpoints_checked=len(checkpoints),
        outside_checkpoints=copied,
        last_checkpoint_seq=None if last is None else last.seq,
        last_checkpoint_entry=None if last is None else last.entry_id,
        last_checkpoint_at=None if last is None else last.signed_at,
        key_id=None if last is None else last.key_id,
    )
    return Checked(result, last)


def _check_signatures(checkpoints: Sequence[Statement], keys: Mapping[str, PublicKey]) -> None:
    """Every checkpoint of the store follows the one before it and is signed by a key given."""
    if not checkpoints:
        return
    signers = sorted({c.key_id for c in checkpoints})
    if not keys:
        raise Broken(
            "no_public_key",
            f"the trail has {len(checkpoints)} signed checkpoints (key {', '.join(signers)}) and no public "
            "key was given to check them",
            key_id=signers[0],
        )
    if not set(signers) & set(keys):
        raise Broken(
            "wrong_key",
            f"no checkpoint is signed by the public key given ({', '.join(sorted(keys))}): they are signed "
            f"by key {', '.join(signers)}",
            key_id=signers[0],
        )
    seq, digest, entry_id = 0, FIRST_PREV, 0
    for checkpoint in checkpoints:
        if checkpoint.seq != seq + 1:
            raise Broken(
                "checkpoint_removed",
                f"checkpoint {seq + 1} is missing from the store (removed)",
                checkpoint_seq=seq + 1,
            )
        key = keys.get(checkpoint.key_id)
        if key is None:
            raise Broken(
                "unknown_key",
                f"checkpoint {checkpoint.seq} is signed by key {checkpoint.key_id}, none of the public keys "
                "given: it is forged, or the public key of an earlier key is missing",
                checkpoint_seq=checkpoint.seq,
                key_id=checkpoint.key_id,
            )
        if not checkpoint.signed_by(key):
            raise Broken(
                "checkpoint_forged",
                f"the signature of checkpoint {checkpoint.seq} does not match its content (forged or edited)",
                checkpoint_seq=checkpoint.seq,
                first_bad_id=checkpoint.entry_id,
            )
        if checkpoint.prev != digest or checkpoint.entry_id < entry_id:
            raise Broken(
                "fork",
                f"checkpoint {checkpoint.seq} does not follow checkpoint {seq}: two histories were signed",
                checkpoint_seq=checkpoint.seq,
            )
        seq, digest, entry_id = checkpoint.seq, checkpoint.digest(), checkpoint.entry_id


def _check_outside(
    checkpoints: Sequence[Statement],
    outside: Sequence[Statement],
    keys: Mapping[str, PublicKey],
    head: AuditHead,
) -> int:
    """The copy kept outside: each of its checkpoints genuine and in the store as it is there, and the
    store's head not behind the last of them; how many it holds."""
    stored = {c.seq: c for c in checkpoints}
    copies = sorted({c.line(): c for c in outside}.values(), key=lambda c: c.seq)
    for copy in copies:
        key = keys.get(copy.key_id)
        if key is None or not copy.signed_by(key):
            raise Broken(
                "checkpoint_forged",
                f"checkpoint {copy.seq} of the outside copy is not signed by a key given (forged)",
                checkpoint_seq=copy.seq,
            )
    if copies:
        last = max(copies, key=lambda c: (c.entry_id, c.seq))
        if head.last_id < last.entry_id:
            raise Broken(
                "rolled_back",
                f"the store's trail ends at entry {head.last_id}, but checkpoint {last.seq} of the outside "
                f"copy signed entry {last.entry_id} (entries were removed and the head moved back)",
                first_bad_id=head.last_id + 1,
                last_id=last.entry_id,
                checkpoint_seq=last.seq,
            )
    for copy in copies:
        mine = stored.get(copy.seq)
        if mine is None:
            raise Broken(
                "checkpoint_removed",
                f"checkpoint {copy.seq} (entry {copy.entry_id}) is in the outside copy but not in the store "
                "(removed)",
                checkpoint_seq=copy.seq,
            )
        if mine.digest() != copy.digest():
            raise Broken(
                "fork",
                f"checkpoint {copy.seq} differs between the store (entry {mine.entry_id}) and the outside "
                f"copy (entry {copy.entry_id}): two histories were signed",
                checkpoint_seq=copy.seq,
            )
    return len(copies)


def _usable_mark(checkpoints: Sequence[Statement], mark: Statement | None) -> Statement | None:
    """The mark, if the store still holds that very checkpoint (else the walk starts at the beginning)."""
    if mark is None:
        return None
    for checkpoint in checkpoints:
        if checkpoint.seq == mark.seq:
            return checkpoint if checkpoint.digest() == mark.digest() else None
    return None


def _check_signed_entries(session: Session, checkpoints: Sequence[Statement]) -> None:
    """Each checkpoint before the mark: its entry still there, with the hash signed and its own content."""
    for at in range(0, len(checkpoints), BATCH):
        batch = checkpoints[at : at + BATCH]
        rows = session.execute(select(_ENTRIES).where(_ENTRIES.c.id.in_([c.entry_id for c in batch])))
        found = {row.id: row for row in rows.mappings()}
        earlier = 0
        for checkpoint in batch:
            row = found.get(checkpoint.entry_id)
            if row is None:
                raise Broken(
                    "missing",
                    f"entry {checkpoint.entry_id}, signed by checkpoint {checkpoint.seq}, is missing "
                    "(removed)",
                    first_bad_id=checkpoint.entry_id,
                    last_id=checkpoint.entry_id,
                    checkpoint_seq=checkpoint.seq,
                )
            if row["hash"] != checkpoint.entry_hash:
                raise _rewritten(checkpoint, earlier)
            if row_hash(row) != row["hash"]:
                raise Broken(
                    "edited",
                    "its content does not match its hash (it was edited)",
                    first_bad_id=checkpoint.entry_id,
                )
            earlier = checkpoint.entry_id


def _rewritten(checkpoint: Statement, earlier: int) -> Broken:
    first = earlier + 1
    span = f"entry {first}" if first == checkpoint.entry_id else f"entries {first} to {checkpoint.entry_id}"
    return Broken(
        "rewritten",
        f"{span} were rewritten: entry {checkpoint.entry_id} no longer has the hash checkpoint "
        f"{checkpoint.seq} signed",
        first_bad_id=first,
        last_id=checkpoint.entry_id,
        checkpoint_seq=checkpoint.seq,
    )


def _rows(session: Session, after: int) -> Iterator[Mapping[Any, Any]]:
    while True:
        rows = (
            session.execute(
                select(_ENTRIES).where(_ENTRIES.c.id > after).order_by(_ENTRIES.c.id).limit(BATCH)
            )
            .mappings()
            .all()
        )
        if not rows:
            return
        yield from rows
        after = rows[-1]["id"]


def _walk(session: Session, start: Statement | None, signed: Mapping[int, Statement]) -> tuple[int, int, str]:
    """Walk the chain from `start`'s entry (or the first): how many entries were read, and the last one's
    id and hash."""
    previous_id, previous_hash = (0, GENESIS) if start is None else (start.entry_id, start.entry_hash)
    earlier = previous_id
    count = 0
    for row in _rows(session, previous_id):
        count += 1
        entry_id = row["id"]
        if entry_id != previous_id + 1:
            first, last = previous_id + 1, entry_id - 1
            missing = f"entry {first} is" if first == last else f"entries {first}..{last} are"
            raise Broken(
                "missing",
                f"{missing} missing (removed)",
                first_bad_id=first,
                last_id=last,
                entries_checked=count,
            )
        if row["prev_hash"] != previous_hash:
            raise Broken(
                "inserted",
                "it does not follow the entry before it (an entry was inserted or replaced)",
                first_bad_id=entry_id,
                entries_checked=count,
            )
        if row_hash(row) != row["hash"]:
            raise Broken(
                "edited",
                "its content does not match its hash (it was edited)",
                first_bad_id=entry_id,
                entries_checked=count,
            )
        checkpoint = signed.get(entry_id)
        if checkpoint is not None:
            if checkpoint.entry_hash != row["hash"]:
                broken = _rewritten(checkpoint, earlier)
                broken.fields["entries_checked"] = count
                raise broken
            earlier = entry_id
        previous_id, previous_hash = entry_id, row["hash"]
    return count, previous_id, previous_hash


def _check_end(head: AuditHead, end_id: int, end_hash: str, checkpoints: Sequence[Statement]) -> None:
    """The trail ends where the head and the last checkpoint say it does."""
    beyond = [c for c in checkpoints if c.entry_id > end_id]
    if beyond:
        raise Broken(
            "rolled_back",
            f"the trail ends at entry {end_id}, but checkpoint {beyond[-1].seq} signed entry "
            f"{beyond[-1].entry_id} (entries were removed and the head moved back)",
            first_bad_id=end_id + 1,
            last_id=beyond[-1].entry_id,
            checkpoint_seq=beyond[-1].seq,
        )
    if head.last_id != end_id or head.last_hash != end_hash:
        raise Broken(
            "truncated",
            f"the trail ends at entry {end_id} but entry {head.last_id} was written "
            "(entries were removed at the end)",
            first_bad_id=end_id + 1,
            last_id=head.last_id,
        )
