"""The cost of a connection, through a real uvicorn on 127.0.0.1 configured as `onss-tui api` configures it,
spoken to over raw sockets: heads and bodies that never finish arriving are cut, a 100 MB body is refused
before it is sent, a head over its bound is 431, the rest of a refused body is not read forever, and past
its connections the server answers 503 with Retry-After; valid clients are served meanwhile.

Every wait below waits for the server to act (an answer, a closed connection); `GUARD` only turns a server
that never acts into a failure instead of a hung run."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
import uvicorn

from onss_tui.api.limits import RequestLimits
from onss_tui.api.main import create_app
from onss_tui.api.server import server_config
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.tokens import issue_token
from tests.conftest import World

SECRET = "connection-tests-secret-0123456789abcdef"
LIMITS = RequestLimits(max_body=64 * 1024, receive_timeout=0.5)
GUARD = 60.0


@asynccontextmanager
async def serving(local: LocalService, limits: RequestLimits = LIMITS) -> AsyncIterator[int]:
    """The app under uvicorn in this event loop, on a free port of 127.0.0.1 (already listening)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(512)
    app = create_app(local, secret=SECRET, limits=limits)
    config = server_config(app, limits, log_level="warning", timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    serve = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        await serve
        sock.close()


@pytest.fixture
def token(local: LocalService, world: World) -> str:
    return issue_token(local.engine, SECRET, world.lr).token


def head(method: str, path: str, *lines: str) -> bytes:
    return "\r\n".join([f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *lines, "", ""]).encode("latin-1")


async def answer(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    """The status, headers and body of the next answer on the connection."""
    async with asyncio.timeout(GUARD):
        status = int((await reader.readline()).split()[1])
        headers: dict[str, str] = {}
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers, body


async def closed(reader: asyncio.StreamReader) -> bytes:
    """Whatever the server still sends, until it closes the connection."""
    async with asyncio.timeout(GUARD):
        try:
            return await reader.read()
        except ConnectionResetError:
            return b""


async def test_a_100_mb_body_is_refused_before_it_is_sent(local: LocalService, token: str) -> None:
    """Item 5: the declared length is enough to refuse, with or without a token."""
    async with serving(local) as port:
        for authorization in ([], [f"Authorization: Bearer {token}"]):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            lines = ["Content-Type: application/json", "Content-Length: 104857600", *authorization]
            writer.write(head("POST", "/mandates", *lines))
            status, headers, body = await answer(reader)
            assert status == 413 and headers["connection"] == "close", body
            assert b"over 65536 bytes" in body
            assert await closed(reader) == b""
            writer.close()


async def test_partial_bodies_are_cut_and_a_valid_client_is_served_meanwhile(
    local: LocalService, token: str, world: World
) -> None:
    """Item 6: 200 bodies that never finish; those with a token wait for their body and get 408, those
    without are refused at once; every connection is closed when its request has not arrived in time."""
    async with serving(local) as port:
        partial = []
        for n in range(200):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            authorization = [f"Authorization: Bearer {token}"] if n % 2 else []
            writer.write(head("POST", "/mandates", "Content-Length: 1000", *authorization) + b'{"id":')
            partial.append((n, reader, writer))
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as valid:
            me = await valid.get("/me", headers={"Authorization": f"Bearer {token}"})
            assert me.status_code == 200 and me.json()["person_id"] == world.lr
        for n, reader, writer in partial:
            status, _, body = await answer(reader)
            assert status == (408 if n % 2 else 401), body
            assert await closed(reader) == b""
            writer.close()


async def test_a_head_that_stops_coming_is_408(local: LocalService) -> None:
    async with serving(local) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /me HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthoriz")
        status, headers, body = await answer(reader)
        assert status == 408 and headers["connection"] == "close"
        assert json.loads(body) == {
            "detail": "The request did not arrive within 0.5 s.",
            "reason": {"key": "rule.api.request_late", "params": {"seconds": "0.5"}},
        }
        assert await closed(reader) == b""
        writer.close()


async def test_a_connection_that_sends_nothing_is_closed_without_an_answer(local: LocalService) -> None:
    async with serving(local) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        assert await closed(reader) == b""
        writer.close()


async def test_a_head_over_its_bound_is_431(local: LocalService, token: str) -> None:
    async with serving(local) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(head("GET", "/me", f"Authorization: Bearer {token}", "X-Padding: " + "a" * 70_000))
        status, headers, _ = await answer(reader)
        assert status == 431 and headers["connection"] == "close"
        assert await closed(reader) == b""
        writer.close()


async def test_the_rest_of_a_refused_body_is_not_read_forever(local: LocalService) -> None:
    """Refused at once, a body sent in chunks is read and dropped up to `max_body` more bytes, then the
    connection closes (the client learns it when its writes fail)."""
    async with serving(local) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(head("POST", "/mandates", "Transfer-Encoding: chunked"))
        status, _, _ = await answer(reader)
        assert status == 401
        chunk = b"4000\r\n" + b"x" * 0x4000 + b"\r\n"
        sent = 0
        with pytest.raises(ConnectionError):
            async with asyncio.timeout(GUARD):
                while sent < 100 * 1024 * 1024:
                    writer.write(chunk)
                    await writer.drain()
                    sent += len(chunk)
        assert sent < 100 * 1024 * 1024
        writer.close()


async def test_past_its_connections_the_server_answers_503_with_retry_after(
    local: LocalService, token: str
) -> None:
    limits = RequestLimits(max_connections=2, receive_timeout=GUARD)
    async with serving(local, limits) as port:
        idle = [await asyncio.open_connection("127.0.0.1", port) for _ in range(2)]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(head("GET", "/me", f"Authorization: Bearer {token}"))
        status, headers, body = await answer(reader)
        assert status == 503, body
        assert headers["retry-after"] == "5" and headers["connection"] == "close"
        assert json.loads(body) == {
            "detail": "The server is busy: try again later.",
            "reason": {"key": "rule.api.server_busy"},
        }
        for _, idle_writer in idle:
            idle_writer.close()
        writer.close()
