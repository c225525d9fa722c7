"""SSH keys in the store: registered to a person, listed, revoked; and the SSH sessions they open.

A person adds and revokes their own keys; support staff and the operator of the store (no actor) anyone's.
A key is checked as OpenSSH reads it (`domain.ssh_keys`) and is unique in the store: a revoked key stays
for the record and cannot be registered again (it may have been lost). Every change is audited with the
key's fingerprint, never the key. sshd asks for a key through `authorized_keys` (without SQLAlchemy);
the session it starts checks the key again and records its start and end here.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from onss_tui.domain import ssh_keys
from onss_tui.services import dto
from onss_tui.services.errors import NotFound, PermissionDenied, Reason, ValidationFailed
from onss_tui.services.local.context import Context
from onss_tui.services.local.convert import names_of_people
from onss_tui.services.local.tables import Person, SshKey, id_of, utcnow

MAX_LABEL = 100


def _may_manage(c: Context, person_id: int) -> None:
    """A person manages their own keys; support staff and the operator of the store anyone's."""
    if not (c.actor is None or c.support or c.actor_id == person_id):
        raise PermissionDenied(Reason("rule.ssh_key.not_yours"))


def _public(c: Context, rows: list[SshKey]) -> list[dto.SshKeyPublic]:
    ids = {r.person_id for r in rows} | {r.added_by_id for r in rows} | {r.revoked_by_id for r in rows}
    names = names_of_people(c.session, ids)
    return [
        dto.SshKeyPublic(
            id=id_of(row),
            person_id=row.person_id,
            person_name=names.get(row.person_id, ""),
            key_type=row.key_type,
            fingerprint=row.fingerprint,
            label=row.label,
            added_by=names.get(row.added_by_id, dto.SYSTEM) if row.added_by_id else dto.SYSTEM,
            added_at=row.added_at,
            revoked_at=row.revoked_at,
            revoked_by=(names.get(row.revoked_by_id) if row.revoked_by_id else dto.SYSTEM)
            if row.revoked_at
            else None,
        )
        for row in rows
    ]


def list_keys(c: Context, person_id: int | None, include_revoked: bool) -> list[dto.SshKeyPublic]:
    """One person's keys (None: everyone's, for support staff and the operator), newest first."""
    if person_id is None:
        if not (c.actor is None or c.support):
            raise PermissionDenied(Reason("rule.ssh_key.not_yours"))
    else:
        _may_manage(c, person_id)
    stmt = select(SshKey)
    if person_id is not None:
        stmt = stmt.where(SshKey.person_id == person_id)
    if not include_revoked:
        stmt = stmt.where(col(SshKey.revoked_at).is_(None))
    rows = list(c.session.exec(stmt.order_by(col(SshKey.id).desc())).all())
    return _public(c, rows)


def _label(request: dto.SshKeyAdd, key: ssh_keys.PublicKey) -> str:
    label = (request.label or key.comment).strip()[:MAX_LABEL]
    if any(not character.isprintable() for character in label):
        raise ValidationFailed({"label": Reason("rule.ssh_key.label")})
    return label


def add_key(c: Context, request: dto.SshKeyAdd) -> dto.SshKeyPublic:
    """Register a public key to a person."""
    _may_manage(c, request.person_id)
    c.get(Person, request.person_id, "rule.no_person")
    try:
        key = ssh_keys.parse_public_key(request.public_key)
    except ssh_keys.PublicKeyError as refused:
        reason = Reason(f"rule.ssh_key.{refused.code}", **refused.params)
        raise ValidationFailed({"public_key": reason}) from None
    label = _label(request, key)
    known = c.session.exec(select(SshKey).where(SshKey.fingerprint == key.fingerprint)).first()
    if known is not None:
        if known.revoked_at is not None:
            raise ValidationFailed({"public_key": Reason("rule.ssh_key.was_revoked")})
        raise ValidationFailed({"public_key": Reason("rule.ssh_key.known")})
    row = SshKey(
        person_id=request.person_id,
        key_type=key.key_type,
        key_blob=key.blob_base64,
        fingerprint=key.fingerprint,
        label=label,
        added_by_id=c.actor_id,
    )
    c.session.add(row)
    c.session.flush()
    after = {"fingerprint": key.fingerprint, "type": key.key_type, "bits": key.bits, "label": label}
    c.record("ssh_key.add", f"person:{request.person_id}", None, after=after)
    return _public(c, [row])[0]


def revoke_key(c: Context, fingerprint: str) -> dto.SshKeyPublic:
    """End a key: the next login with it is refused (sshd asks the store at every login)."""
    fingerprint = fingerprint.strip()
    if not ssh_keys.is_fingerprint(fingerprint):
        raise ValidationFailed({"fingerprint": Reason("rule.ssh_key.fingerprint")})
    row = c.session.exec(select(SshKey).where(SshKey.fingerprint == fingerprint)).first()
    if row is None or not (c.actor is None or c.support or row.person_id == c.actor_id):
        raise NotFound(Reason("rule.ssh_key.unknown"))  # another's key is not said to exist
    if row.revoked_at is not None:
        raise ValidationFailed({"fingerprint": Reason("rule.ssh_key.already_revoked")})
    row.revoked_at, row.revoked_by_id = utcnow(), c.actor_id
    c.session.add(row)
    c.record("ssh_key.revoke", f"person:{row.person_id}", None, after={"fingerprint": fingerprint})
    return _public(c, [row])[0]


def session_key(c: Context, fingerprint: str) -> SshKey:
    """The active key a session was opened with, registered to the actor; refused otherwise (a key
    revoked between sshd's question and the session's start)."""
    row = c.session.exec(
        select(SshKey).where(SshKey.fingerprint == fingerprint, col(SshKey.revoked_at).is_(None))
    ).first()
    if row is None or row.person_id != c.actor_id:
        raise PermissionDenied(Reason("rule.ssh_key.unknown"))
    return row


def record_session(c: Context, event: str, fingerprint: str, client: str, details: dict[str, Any]) -> None:
    """Record an SSH session's start or end, with its key's fingerprint and the client's address."""
    if event == "start":
        session_key(c, fingerprint)
    after = {"fingerprint": fingerprint, "client": client, **details}
    c.record(f"ssh.session_{event}", f"person:{c.actor_id}", None, after=after)
