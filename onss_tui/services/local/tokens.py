"""Bearer tokens of the HTTP API in the store: issued per person, shown once, kept only as
HMAC-SHA256(secret, token), revoked by token or id, and resolved to the person on every request."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, bindparam
from sqlmodel import Session, col, select

from onss_tui.services.errors import NotFound, ValidationFailed
from onss_tui.services.local import audit
from onss_tui.services.local.tables import ApiToken, Person, utcnow

MIN_SECRET_LENGTH = 32
PLACEHOLDER_SECRETS = frozenset(
    {"changeme", "change-me", "change_me", "secret", "default", "demo", "onss-tui"}
)


def secret_problem(secret: str | None) -> str | None:
    """Why this secret must not protect the API (missing, a placeholder, too short), or None."""
    if not secret or not secret.strip():
        return "no API secret is set: set ONSS_TUI_API_SECRET (or api_secret in the config file)"
    if secret.strip().lower() in PLACEHOLDER_SECRETS:
        return "the API secret is a default value: choose a random one (e.g. openssl rand -hex 32)"
    if len(secret) < MIN_SECRET_LENGTH:
        return f"the API secret is too short: use at least {MIN_SECRET_LENGTH} characters"
    return None


def token_hash(secret: str, token: str) -> str:
    """What the store keeps of a token: its HMAC under the server's secret."""
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    """A token just issued: `token` is the only copy there will ever be."""

    id: int
    person_id: int
    token: str


def _writer(engine: Engine) -> Session:
    return Session(engine.execution_options(write=True), expire_on_commit=False)


def issue_token(engine: Engine, secret: str, person_id: int, label: str = "") -> IssuedToken:
    """A new random token for a person; the issue is audited (as `system`: the operator of the store)."""
    token = secrets.token_urlsafe(32)
    with _writer(engine) as session:
        audit.lock_head(session)
        person = session.get(Person, person_id)
        if person is None:
            raise NotFound("No such person.")
        row = ApiToken(person_id=person_id, token_hash=token_hash(secret, token), label=label.strip())
        session.add(row)
        session.flush()
        after = {"token_id": row.id, "label": row.label}
        audit.append_by_system(session, action="api_token.issue", target=f"person:{person_id}", after=after)
        session.commit()
        assert row.id is not None
        return IssuedToken(id=row.id, person_id=person_id, token=token)


def revoke_token(engine: Engine, secret: str | None, token_or_id: str) -> int:
    """End a token given itself or its id; returns the id. The revocation is audited."""
    reference = token_or_id.strip()
    with _writer(engine) as session:
        audit.lock_head(session)
        if reference.isdigit():
            row = session.get(ApiToken, int(reference))
        elif secret:
            row = session.exec(
                select(ApiToken).where(ApiToken.token_hash == token_hash(secret, reference))
            ).first()
        else:
            raise ValidationFailed(
                {"token": "Give the token's id, or set the API secret to revoke by token."}
            )
        if row is None:
            raise NotFound("No such token (a token made with another secret is not found either).")
        if row.revoked_at is not None:
            raise ValidationFailed({"token": f"Token {row.id} was already revoked."})
        row.revoked_at = utcnow()
        audit.append_by_system(
            session, action="api_token.revoke", target=f"person:{row.person_id}", after={"token_id": row.id}
        )
        session.commit()
        assert row.id is not None
        return row.id


_HOLDER = select(ApiToken.person_id).where(
    ApiToken.token_hash == bindparam("token_hash"), col(ApiToken.revoked_at).is_(None)
)


def resolve_token(engine: Engine, secret: str, token: str) -> int | None:
    """The id of the person holding this token, or None when it is unknown or revoked (checked on every
    request, so that a revocation takes effect at once; a plain connection, as no ORM object is needed)."""
    with engine.connect() as connection:
        return connection.execute(_HOLDER, {"token_hash": token_hash(secret, token)}).scalar()
