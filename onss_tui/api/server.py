"""The API under uvicorn: its configuration (`server_config`), and its HTTP/1.1 connections bounded where
uvicorn leaves them open (`BoundedHttpProtocol`).

uvicorn bounds the time between two requests of a connection (`timeout_keep_alive`), but neither the
time a request takes to arrive nor the size of its head: a client that sends a few bytes now and then
holds its connection forever. `BoundedHttpProtocol` is uvicorn's own protocol (httptools) with those
bounds (`RequestLimits`), and with its limit on concurrency answering as the API does, with Retry-After.
`X-Forwarded-For` is believed only from the proxies the operator names (uvicorn believes 127.0.0.1 by
default): the brake on failing tokens counts by address, and a client must not choose its own.
"""

from __future__ import annotations

import asyncio
import ipaddress
from http import HTTPStatus
from typing import Any

import uvicorn
from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from onss_tui.api.limits import RequestLimits, answer, error_answer
from onss_tui.services.errors import Reason


class ServerConfig(uvicorn.Config):
    """uvicorn's configuration, with the bounds `BoundedHttpProtocol` reads."""

    def __init__(self, app: Any, *, limits: RequestLimits, **options: Any) -> None:
        self.limits = limits
        super().__init__(app, **options)


def trusted_proxies(text: str) -> list[str]:
    """The proxies named in `text` (addresses or networks, comma-separated, or `*` for any); ValueError
    names the first entry that is neither."""
    entries = [entry.strip() for entry in text.split(",") if entry.strip()]
    for entry in entries:
        if entry == "*":
            continue
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValueError(f"not an IP address or network: {entry!r}") from None
    return entries


def server_config(
    app: Any, limits: RequestLimits, *, forwarded_allow_ips: str = "", **options: Any
) -> ServerConfig:
    """The configuration `onss-tui api` serves `app` with (an ASGI app, or the import string of a factory
    with `factory=True`); `options` go to uvicorn as they are."""
    proxies = trusted_proxies(forwarded_allow_ips)
    return ServerConfig(
        app,
        limits=limits,
        http=BoundedHttpProtocol,
        ws="none",
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
        **options,
    )


class BoundedHttpProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol, bounded:

    - a request must arrive, head and body, within `receive_timeout` of its first byte (of the connection,
      for its first request): else 408, and the connection closes (silently, if no request began);
    - a head over `max_head` bytes gets 431, and the connection closes;
    - when the app answered before reading the whole body (a refusal), at most `max_body` more bytes of it
      are read, and dropped, before the connection closes;
    - past `max_connections` connections, or requests being served, a request gets 503 with Retry-After.
    """

    def __init__(
        self,
        config: uvicorn.Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.limits = config.limits if isinstance(config, ServerConfig) else RequestLimits()
        self.served_app = self.app
        self.limit_concurrency = None  # this protocol's own limit answers with Retry-After
        self.arrival: asyncio.TimerHandle | None = None
        self.receiving = False
        """A request has begun to arrive and has not yet arrived whole."""
        self.head_bytes = 0
        self.dropped = 0

    # ------------------------------------------------------------------ the connection

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]  # uvicorn narrows it to a Transport
        self._await_request()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        super().connection_lost(exc)

    def _await_request(self) -> None:
        if self.arrival is None:
            self.arrival = self.loop.call_later(self.limits.receive_timeout, self._too_slow)

    def _stop_waiting(self) -> None:
        if self.arrival is not None:
            self.arrival.cancel()
            self.arrival = None

    def _too_slow(self) -> None:
        self.arrival = None
        if self.transport.is_closing():
            return
        cycle = self.cycle if self.receiving else None
        if self.receiving and (cycle is None or not cycle.response_started):
            seconds = f"{self.limits.receive_timeout:g}"
            self._refuse(408, Reason("rule.api.request_late", seconds=seconds))
        else:
            self.transport.close()  # no request began, or it was already answered

    def _refuse(self, status: int, detail: str, headers: tuple[tuple[str, str], ...] = ()) -> None:
        """Answer `status` on the connection itself and close it; the app, if it runs, is told that the
        client left."""
        start, body = error_answer(status, detail, headers, close=True)
        lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}".encode()]
        lines += [name + b": " + value for name, value in self.server_state.default_headers]
        lines += [name + b": " + value for name, value in start["headers"]]
        self.transport.write(b"\r\n".join(lines) + b"\r\n\r\n" + body["body"])
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.disconnected = True
            self.cycle.message_event.set()
        self.transport.close()

    def send_400_response(self, msg: str) -> None:
        if self.head_bytes > self.limits.max_head:
            self._refuse(431, Reason("rule.api.head_too_large", limit=str(self.limits.max_head)))
        else:
            super().send_400_response(msg)

    # ------------------------------------------------------------------ the parser's callbacks

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.receiving = True
        self.head_bytes = 0
        self.dropped = 0
        self._await_request()

    def on_url(self, url: bytes) -> None:
        self._count_head(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count_head(len(name) + len(value) + 4)
        super().on_header(name, value)

    def _count_head(self, size: int) -> None:
        self.head_bytes += size
        if self.head_bytes > self.limits.max_head:
            raise HeadTooLarge  # the parser stops and calls `send_400_response`

    def on_headers_complete(self) -> None:
        busy = len(self.connections) > self.limits.max_connections or (
            len(self.tasks) >= self.limits.max_connections
        )
        self.app = self._busy if busy else self.served_app
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if self.cycle.response_complete:
            self.dropped += len(body)
            if self.dropped > self.limits.max_body:
                self.transport.close()
            return
        super().on_body(body)

    def on_message_complete(self) -> None:
        self.receiving = False
        self._stop_waiting()
        super().on_message_complete()

    async def _busy(self, _scope: Scope, _receive: Receive, send: Send) -> None:
        retry = (("Retry-After", str(self.limits.retry_after)),)
        await answer(send, error_answer(503, Reason("rule.api.server_busy"), retry, close=True))


class HeadTooLarge(Exception):
    """A request's head grew past its bound."""
