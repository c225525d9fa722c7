"""Authentication of API requests: bearer token -> person id, and a brake on repeated failures per client.

A client that fails to authenticate `allowed` times within `window` seconds is answered 429 with
Retry-After until its oldest failure ages out, whatever token it presents meanwhile.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable

from fastapi import HTTPException
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from onss_tui.services.local.store import unavailable
from onss_tui.services.local.tokens import resolve_token


class FailedAuthLimiter:
    """Failed authentications per client address, kept in memory."""

    def __init__(
        self,
        allowed: int = 10,
        window: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = 10_000,
    ) -> None:
        self.allowed = allowed
        self.window = window
        self.clock = clock
        self.max_clients = max_clients
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, client: str, now: float) -> deque[float] | None:
        failures = self._failures.get(client)
        if failures is None:
            return None
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self._failures[client]
            return None
        return failures

    def retry_after(self, client: str) -> int | None:
        """Seconds this client must wait before trying again, or None when it may try now."""
        now = self.clock()
        failures = self._recent(client, now)
        if failures is None or len(failures) < self.allowed:
            return None
        return max(1, math.ceil(failures[0] + self.window - now))

    def record_failure(self, client: str) -> None:
        now = self.clock()
        if client not in self._failures and len(self._failures) >= self.max_clients:
            for known in list(self._failures):
                self._recent(known, now)
            if len(self._failures) >= self.max_clients:
                del self._failures[next(iter(self._failures))]
        failures = self._recent(client, now) or self._failures.setdefault(client, deque())
        failures.append(now)


class Authenticator:
    """Turns a request's bearer token into the id of the acting person, braking clients that keep failing."""

    def __init__(
        self, engine: Engine, secret: str, limiter: FailedAuthLimiter, *, inline: bool = False
    ) -> None:
        self.engine = engine
        self.secret = secret
        self.limiter = limiter
        self.inline = inline
        """The token is looked up on the event loop, as the service's reads are (`reads_inline`)."""

    async def person_id(self, client: str, token: str | None) -> int:
        """The person holding `token` (None: the request carried none); 401, or 429 for a braked client."""
        wait = self.limiter.retry_after(client)
        if wait is not None:
            raise HTTPException(
                429,
                f"Too many failed authentications from this address: try again in {wait} s.",
                headers={"Retry-After": str(wait)},
            )
        person_id = None
        if token:
            try:
                if self.inline:
                    person_id = resolve_token(self.engine, self.secret, token)
                else:
                    person_id = await asyncio.to_thread(resolve_token, self.engine, self.secret, token)
            except OperationalError as exc:
                raise unavailable(exc) from exc
        if person_id is None:
            self.limiter.record_failure(client)
            detail = "A bearer token is required." if token is None else "This token is not valid."
            raise HTTPException(401, detail, headers={"WWW-Authenticate": "Bearer"})
        return person_id
