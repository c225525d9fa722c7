"""Bearer tokens of the HTTP API in the store: issued per person for a lifetime, shown once, kept only as
HMAC-SHA256(secret, token), listed (never the token), revoked by token or id, and resolved to the person
on every request: an expired or revoked token is refused, and its last use is kept to the minute."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, bindparam, update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from onss_tui.services import dto
from onss_tui.services.errors import NotFound, PermissionDenied, Reason, ValidationFailed
from onss_tui.services.local import audit
from onss_tui.services.local.context import Context
from onss_tui.services.local.tables import TOKEN_LIFETIME, ApiToken, Person, id_of, utcnow

DEFAULT_LIFETIME_DAYS = TOKEN_LIFETIME.days
MAX_LIFETIME_DAYS = 3650
LAST_USE_PRECISION = timedelta(minutes=1)
"""A token's last use is written when the one stored is older than this: not a write per request."""

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
    expires_at: datetime


def _writer(engine: Engine) -> Session:
    return Session(engine.execution_options(write=True), expire_on_commit=False)


def issue_token(
    engine: Engine, secret: str, person_id: int, label: str = "", *, days: int = DEFAULT_LIFETIME_DAYS
) -> IssuedToken:
    """A new random token for a person, valid for `days`; the issue is audited (as `system`: the operator
    of the store)."""
    if not 1 <= days <= MAX_LIFETIME_DAYS:
        raise ValidationFailed({"days": f"A token lives 1 to {MAX_LIFETIME_DAYS} days."})
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(days=days)
    with _writer(engine) as session:
        audit.lock_head(session)
        person = session.get(Person, person_id)
        if person is None:
            raise NotFound("No such person.")
        row = ApiToken(
            person_id=person_id,
            token_hash=token_hash(secret, token),
            label=label.strip(),
            expires_at=expires_at,
        )
        session.add(row)
        session.flush()
        after = {"token_id": row.id, "label": row.label, "expires_at": expires_at.isoformat()}
        audit.append_by_system(session, action="api_token.issue", target=f"person:{person_id}", after=after)
        session.commit()
        assert row.id is not None
        return IssuedToken(id=row.id, person_id=person_id, token=token, expires_at=expires_at)


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


_HOLDER = select(ApiToken.id, ApiToken.person_id, ApiToken.last_used_at).where(
    ApiToken.token_hash == bindparam("token_hash"),
    col(ApiToken.revoked_at).is_(None),
    col(ApiToken.expires_at) > bindparam("now"),
)
_USED = (
    update(ApiToken)
    .where(col(ApiToken.id) == bindparam("token_id"))
    .values(last_used_at=bindparam("now"))
    .execution_options(synchronize_session=False)
)


def resolve_token(engine: Engine, secret: str, token: str) -> int | None:
    """The id of the person holding this token, or None when it is unknown, revoked or expired (checked
    on every request, so that a revocation takes effect at once; a plain connection, as no ORM object is
    needed). Its last use is written when the one stored is a minute old; a store too busy to write it
    now keeps the older one."""
    now = utcnow()
    with engine.connect() as connection:
        found = connection.execute(_HOLDER, {"token_hash": token_hash(secret, token), "now": now}).first()
    if found is None:
        return None
    if found.last_used_at is None or found.last_used_at < now - LAST_USE_PRECISION:
        _note_use(engine, found.id, now)
    return int(found.person_id)


def _note_use(engine: Engine, token_id: int, now: datetime) -> None:
    """Write a token's last use, unless another writer holds the store: the request does not wait."""
    with engine.execution_options(write=True).connect() as connection:
        driver: Any = connection.connection.driver_connection
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            driver.execute("PRAGMA busy_timeout=0")
        try:
            with connection.begin():
                if not sqlite:
                    connection.exec_driver_sql("SET LOCAL lock_timeout = '100ms'")
                connection.execute(_USED, {"token_id": token_id, "now": now})
        except OperationalError:
            pass
        finally:
            if sqlite:
                driver.execute("PRAGMA busy_timeout=30000")


def _public(row: ApiToken) -> dto.TokenPublic:
    return dto.TokenPublic(
        id=id_of(row),
        person_id=row.person_id,
        label=row.label,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
    )


def list_tokens(c: Context, person_id: int | None, include_ended: bool) -> list[dto.TokenPublic]:
    """A person's tokens (None: everyone's, for the operator of the store), newest first; a person sees
    only their own."""
    if c.actor is not None and person_id != c.actor_id:
        raise PermissionDenied(Reason("rule.token.not_yours"))
    stmt = select(ApiToken)
    if person_id is not None:
        stmt = stmt.where(ApiToken.person_id == person_id)
    if not include_ended:
        stmt = stmt.where(col(ApiToken.revoked_at).is_(None), col(ApiToken.expires_at) > utcnow())
    return [_public(row) for row in c.session.exec(stmt.order_by(col(ApiToken.id).desc())).all()]


def revoke_own_token(c: Context, token_id: int) -> dto.TokenPublic:
    """End one of the actor's own tokens (another's is not said to exist)."""
    row = c.session.get(ApiToken, token_id)
    if row is None or row.person_id != c.actor_id:
        raise NotFound(Reason("rule.token.unknown"))
    if row.revoked_at is not None:
        raise ValidationFailed({"token": Reason("rule.token.already_revoked")})
    row.revoked_at = utcnow()
    c.session.add(row)
    c.record("api_token.revoke", f"person:{row.person_id}", None, after={"token_id": row.id})
    return _public(row)
