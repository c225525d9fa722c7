"""Authentication of API requests: the bearer token names the acting person, checked before any byte of the
body is read; and a brake on addresses that keep presenting tokens that fail.

The brake counts failing tokens, never requests: a token that is valid is always served, whatever else
came from its address, so that nobody's failures lock out anybody else. An address (an IPv6 address by
its /64 network) that presented `allowed` distinct failing tokens within `window` seconds is a guesser:
its next failures are answered 429 with Retry-After (until the oldest of them ages out) and no longer
recorded, so guessing stops paying, and costs the store no writes. One stale token retried is one
failure, not a guess. The failures are kept in the store (`auth_failures`), so that the brake holds
across all workers and all servers that share it. Which address a request comes from is the peer's,
unless the operator names the proxies whose `X-Forwarded-For` is believed (`api.server`).
"""

from __future__ import annotations

import asyncio
import ipaddress
import math
import time
from collections.abc import Callable

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.types import ASGIApp, Receive, Scope, Send

from onss_tui.api.limits import RequestLimits, answer, error_answer, header
from onss_tui.services.errors import Reason, ServiceError
from onss_tui.services.local.auth_failures import recent_failures, record_failure
from onss_tui.services.local.store import store_failure
from onss_tui.services.local.tokens import resolve_token, token_hash

HOLDER = "holder"
"""Where the request's scope state keeps the id of the token's holder."""


def address_key(host: str) -> str:
    """The address failures are counted under: an IPv4 address (also when IPv6-mapped), an IPv6 address's
    /64 network (one subscriber's usual allocation), or whatever else a trusted proxy named, in printable
    ASCII and bounded."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "".join(c for c in host if c.isascii() and c.isprintable())[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


class FailedAuthBrake:
    """Distinct failing tokens per address, in the store."""

    def __init__(
        self,
        engine: Engine,
        allowed: int = 10,
        window: float = 60.0,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.allowed = allowed
        self.window = window
        self.clock = clock
        """Seconds since the epoch: servers sharing the store compare their times."""

    def failed(self, address: str, token_digest: str) -> int | None:
        """A token failed from `address`: the seconds to wait when the address is braked, else None (and
        the failure is recorded)."""
        now = self.clock()
        since = now - self.window
        failures = recent_failures(self.engine, address, since)
        if len(failures) >= self.allowed:
            return max(1, math.ceil(failures[len(failures) - self.allowed] + self.window - now))
        record_failure(self.engine, address, token_digest, now, forget_before=since)
        return None


class Refused(Exception):
    """A request not let in: its status, why, and the headers that go with it."""

    def __init__(self, status: int, detail: str | ServiceError, headers: dict[str, str]) -> None:
        super().__init__(str(detail))
        self.status = status
        self.detail = detail
        self.headers = headers


class Authenticator:
    """Turns a request's bearer token into the id of the acting person, braking addresses that guess."""

    def __init__(
        self,
        engine: Engine,
        secret: str,
        brake: FailedAuthBrake,
        limits: RequestLimits,
        *,
        inline: bool = False,
    ) -> None:
        self.engine = engine
        self.secret = secret
        self.brake = brake
        self.limits = limits
        self.inline = inline
        """The token is looked up on the event loop, as the service's reads are (`reads_inline`)."""

    async def holder(self, host: str, token: str | None) -> int:
        """The person holding `token` (None: the request carried none); else `Refused` (401, 429, 503)."""
        if not token:
            raise Refused(401, Reason("rule.api.token_required"), {"WWW-Authenticate": "Bearer"})
        try:
            if self.inline:
                person_id = resolve_token(self.engine, self.secret, token)
            else:
                person_id = await asyncio.to_thread(resolve_token, self.engine, self.secret, token)
        except (OperationalError, PoolTimeout) as exc:
            raise Refused(503, store_failure(exc), {"Retry-After": str(self.limits.retry_after)}) from exc
        if person_id is not None:
            return person_id
        try:
            digest = token_hash(self.secret, token)[:16]
            wait = await asyncio.to_thread(self.brake.failed, address_key(host), digest)
        except (OperationalError, PoolTimeout):
            wait = None  # the token is refused all the same; only its count is lost
        if wait is not None:
            raise Refused(
                429,
                Reason("rule.api.token_brake", seconds=str(wait)),
                {"Retry-After": str(wait), "WWW-Authenticate": "Bearer"},
            )
        raise Refused(401, Reason("rule.api.token_invalid"), {"WWW-Authenticate": "Bearer"})


def bearer_token(scope: Scope) -> str | None:
    """The token of an `Authorization: Bearer` header, or None."""
    value = header(scope, b"authorization")
    if value is None:
        return None
    scheme, _, token = value.decode("latin-1").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


class Authentication:
    """Lets in only requests whose bearer token names a person (the schema's pages excepted), and does so
    before the body is read: a request without a valid token is answered at once and costs no parsing."""

    def __init__(self, app: ASGIApp, authenticator: Authenticator, open_paths: frozenset[str]) -> None:
        self.app = app
        self.authenticator = authenticator
        self.open_paths = open_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.open_paths:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        try:
            holder = await self.authenticator.holder(client[0] if client else "", bearer_token(scope))
        except Refused as refused:
            await answer(send, error_answer(refused.status, refused.detail, refused.headers.items()))
            return
        scope.setdefault("state", {})[HOLDER] = holder
        await self.app(scope, receive, send)
