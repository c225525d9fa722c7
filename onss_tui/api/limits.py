"""What one request may cost the API server: the size of its body, the time it may take to arrive and to
be served. `RequestLimits` holds the bounds (from the settings); the ASGI middleware here enforces those
an ASGI app can see, and `api.server` those only the connection sees (the size and arrival of the head,
a body left unread, the number of connections).

Every refusal is an `ErrorBody` with its status: 413 for a body over the bound (refused on its declared
length before a byte of it is read), 408 for a body that does not arrive in time, and 503 with
Retry-After for a request not served in time (`outcome_unknown` when it could have been a write).
Starlette's own body limit (FastAPI's `max_body_size`) refuses only when the app first reads the body,
which here comes after the token's check, and answers in plain text, outside the documented errors.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from onss_tui.config import Settings
from onss_tui.services.errors import Reason, ServiceError
from onss_tui.services.wire import ErrorBody, ReasonBody

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods that change nothing: a request of these that was cut short had no effect."""


@dataclass(frozen=True)
class RequestLimits:
    """The bounds on one request, and what a client is told to wait after a 503."""

    max_body: int = 1_048_576
    """Bytes of a request body."""
    max_head: int = 65_536
    """Bytes of a request line and its headers."""
    receive_timeout: float = 10.0
    """Seconds for a request to arrive, from its first byte (from the connection, for the first request)
    to its last."""
    serve_timeout: float = 15.0
    """Seconds from a request's head to its answer (reading its body included)."""
    max_connections: int = 1000
    """Open connections, or requests being served, per server process; past it a request gets 503."""
    retry_after: int = 5
    """Seconds a 503 asks the client to wait before trying again."""

    @classmethod
    def from_settings(cls, settings: Settings) -> RequestLimits:
        return cls(
            max_body=settings.api_max_body,
            receive_timeout=settings.api_receive_timeout,
            serve_timeout=settings.api_serve_timeout,
            max_connections=settings.api_max_connections,
            retry_after=max(1, round(settings.api_database_timeout)),
        )


def error_answer(
    status: int,
    detail: str | ServiceError,
    headers: Iterable[tuple[str, str]] = (),
    *,
    outcome_unknown: bool = False,
    close: bool = False,
) -> tuple[Message, Message]:
    """The ASGI messages of an `ErrorBody` answer (a service's error as the routes answer it, with its
    reason); `close` ends the connection after it (a request whose body is left unread)."""
    if isinstance(detail, ServiceError):
        body = ErrorBody.of(detail).model_dump_json(exclude_none=True).encode()
    else:
        error = ErrorBody(detail=detail, reason=ReasonBody.of(detail), outcome_unknown=outcome_unknown)
        body = error.model_dump_json(exclude_defaults=True).encode()
    fields = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    fields += [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]
    if close:
        fields.append((b"connection", b"close"))
    return (
        {"type": "http.response.start", "status": status, "headers": fields},
        {"type": "http.response.body", "body": body, "more_body": False},
    )


async def answer(send: Send, messages: tuple[Message, Message]) -> None:
    for message in messages:
        await send(message)


def header(scope: Scope, name: bytes) -> bytes | None:
    """The first value of a request header (`name` in lower case), or None."""
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


class Bounding:
    """An ASGI middleware that bounds HTTP requests by `limits` (`handle`) and lets anything else by."""

    def __init__(self, app: ASGIApp, limits: RequestLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.handle(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class ServeDeadline(Bounding):
    """Answers 503 with Retry-After when the app has not answered within `serve_timeout`; an answer already
    begun is cut instead (the connection closes). Work handed to a thread goes on to its end: the store's
    own timeout (`store.make_engine`) bounds it, and a write cut short is reported as `outcome_unknown`."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            async with asyncio.timeout(self.limits.serve_timeout) as deadline:
                await self.app(scope, receive, sending)
        except TimeoutError:
            if started or not deadline.expired():
                raise
            seconds = f"{self.limits.serve_timeout:g}"
            refusal = error_answer(
                503,
                Reason("rule.api.not_served", seconds=seconds),
                [("Retry-After", str(self.limits.retry_after))],
                outcome_unknown=scope["method"] not in SAFE_METHODS,
                close=True,
            )
            await answer(send, refusal)


class BodyLimit(Bounding):
    """Refuses with 413 a request whose declared body is over `max_body`, before reading any of it."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        length = header(scope, b"content-length")
        if length is not None and (not length.strip().isdigit() or int(length) > self.limits.max_body):
            await answer(send, too_large(self.limits) if length.strip().isdigit() else bad_length())
            return
        await self.app(scope, receive, send)


def too_large(limits: RequestLimits) -> tuple[Message, Message]:
    return error_answer(413, Reason("rule.api.body_too_large", limit=str(limits.max_body)), close=True)


def bad_length() -> tuple[Message, Message]:
    return error_answer(400, Reason("rule.api.bad_length"), close=True)


class BodyReader(Bounding):
    """Reads the whole body before the app sees it, refusing it with 413 past `max_body` (a body sent in
    chunks has no declared length) and with 408 when it has not arrived within `receive_timeout`. The
    app then gets it in one message, so that no route ever waits on a slow client."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.limits.receive_timeout) as deadline:
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return  # the client left: there is nobody to answer
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > self.limits.max_body:
                        await answer(send, too_large(self.limits))
                        return
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            if not deadline.expired():
                raise
            late = Reason("rule.api.request_late", seconds=f"{self.limits.receive_timeout:g}")
            await answer(send, error_answer(408, late, close=True))
            return
        whole: Message | None = {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        async def replay() -> Message:
            nonlocal whole
            if whole is None:
                return await receive()
            message, whole = whole, None
            return message

        await self.app(scope, replay, send)
