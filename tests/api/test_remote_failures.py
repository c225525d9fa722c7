"""How `RemoteService` meets a failing server: errors mapped back to the service's own, reads retried,
writes sent once and reported as of unknown outcome when their answer is lost or cannot be read."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from onss_tui.services.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    Reason,
    Unavailable,
    ValidationFailed,
)
from onss_tui.services.remote import RemoteService, UnreadableAnswer

HOLDER = 7
ME = {"person_id": HOLDER, "identity": None}
PERSON = {"id": HOLDER, "niss_masked": "85.07.30-***.**", "first_name": "Anne", "last_name": "Peeters"}
CATALOGUE = {"qualities": [], "online_services": [], "service_groups": []}


class Server:
    """A scripted API: GET /me answers the holder; every other request gets the next scripted answer."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[str] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/me":
            return httpx.Response(200, json=ME)
        self.requests.append(f"{request.method} {request.url.path}")
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def remote(server: Server, **options: object) -> RemoteService:
    return RemoteService(
        "http://api.test",
        "token",
        transport=httpx.MockTransport(server),
        backoff=0,
        **options,  # type: ignore[arg-type]
    )


def error(status: int, **body: object) -> httpx.Response:
    return httpx.Response(status, json={"detail": f"answer {status}", **body})


async def test_reads_are_retried_after_5xx_and_network_failures() -> None:
    server = Server(error(503), httpx.ConnectError("refused"), httpx.Response(200, json=CATALOGUE))
    assert (await remote(server).catalogue(HOLDER)).qualities == []
    assert server.requests == ["GET /catalogue"] * 3


async def test_a_read_that_keeps_failing_is_unavailable_with_a_known_outcome() -> None:
    server = Server(httpx.ReadTimeout("slow"))
    with pytest.raises(Unavailable) as caught:
        await remote(server, read_attempts=4).catalogue(HOLDER)
    assert server.requests == ["GET /catalogue"] * 4
    assert not caught.value.outcome_unknown
    assert isinstance(caught.value.message, Reason) and caught.value.message.key == "rule.api.timed_out"
    assert caught.value.message == "The server at http://api.test did not answer in time."


async def test_a_server_that_cannot_be_reached_is_said_in_the_persons_language() -> None:
    from onss_tui.i18n import Messages

    server = Server(*[httpx.ConnectError("[Errno 111] Connection refused")] * 3)
    with pytest.raises(Unavailable) as caught:
        await remote(server).catalogue(HOLDER)
    reason = caught.value.message
    assert isinstance(reason, Reason) and reason.key == "rule.api.unreachable"
    said = Messages().t("nl", reason.key, **reason.values_in("nl"))
    assert said == "De server http://api.test is niet bereikbaar."
    assert "Errno" not in said


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (403, {}, PermissionDenied),
        (404, {}, NotFound),
        (409, {}, Conflict),
        (422, {"field_errors": {"start_quarter": "in the past"}}, ValidationFailed),
    ],
)
async def test_client_errors_map_back_and_are_not_retried(status: int, body: dict, kind: type) -> None:
    server = Server(error(status, **body))
    with pytest.raises(kind) as caught:
        await remote(server).get_mandate(HOLDER, 5)
    assert server.requests == ["GET /mandates/5"]
    assert caught.value.message == f"answer {status}"
    if kind is ValidationFailed:
        assert caught.value.field_errors == {"start_quarter": "in the past"}


async def test_too_many_failed_authentications_say_when_to_retry() -> None:
    server = Server(httpx.Response(429, headers={"Retry-After": "42"}, json={"detail": "Too many"}))
    with pytest.raises(Unavailable) as caught:
        await remote(server).catalogue(HOLDER)
    assert caught.value.retry_after == 42
    assert caught.value.message == "Too many"


@pytest.mark.parametrize(
    ("failure", "outcome_unknown"),
    [
        (httpx.ConnectError("refused"), False),
        (httpx.PoolTimeout("busy"), False),
        (httpx.ReadTimeout("slow"), True),
        (httpx.WriteTimeout("slow"), True),
        (httpx.RemoteProtocolError("closed without answer"), True),
        (httpx.ReadError("reset"), True),
        (error(500), True),
        (error(502), True),
        (error(503, outcome_unknown=True), True),
        (error(503, outcome_unknown=False), False),
    ],
)
async def test_a_write_is_sent_once_and_says_whether_it_may_have_happened(
    failure: httpx.Response | Exception, outcome_unknown: bool
) -> None:
    server = Server(failure, httpx.Response(200, json=PERSON))
    with pytest.raises(Unavailable) as caught:
        await remote(server).sign_in(HOLDER)
    assert server.requests == ["POST /me/sign-in"]
    assert caught.value.outcome_unknown is outcome_unknown


UNREADABLE: dict[str, Callable[[], httpx.Response]] = {
    "html": lambda: httpx.Response(200, html="<html><body>Please sign in</body></html>"),
    "wrong-shape": lambda: httpx.Response(200, json={"unexpected": ["shape"]}),
    "a-list": lambda: httpx.Response(200, json=[CATALOGUE, PERSON]),
    "empty": lambda: httpx.Response(200),
    "cut-json": lambda: httpx.Response(
        200, content=b'{"qualities": [', headers={"Content-Type": "application/json"}
    ),
    "bad-encoding": lambda: httpx.Response(
        200, stream=httpx.ByteStream(b"not gzip"), headers={"Content-Encoding": "gzip"}
    ),
    "redirect": lambda: httpx.Response(302, headers={"Location": "/login"}),
    "unexpected-400": lambda: httpx.Response(400, text="Bad Request"),
}
"""Answers the API never gives: a proxy's sign-in page, another shape, nothing, half a body, a body that
cannot be decoded, a redirect, a status the API does not use."""


@pytest.mark.parametrize("answer", UNREADABLE)
async def test_a_read_whose_answer_cannot_be_read_is_an_unreadable_answer(answer: str) -> None:
    server = Server(UNREADABLE[answer](), httpx.Response(200, json=CATALOGUE))
    with pytest.raises(UnreadableAnswer) as caught:
        await remote(server).catalogue(HOLDER)
    assert server.requests == ["GET /catalogue"]
    assert "answer could not be read" in caught.value.message
    assert ("HTTP " in caught.value.message) is (answer != "bad-encoding")


@pytest.mark.parametrize("answer", UNREADABLE)
async def test_a_write_whose_answer_cannot_be_read_has_an_unknown_outcome(answer: str) -> None:
    server = Server(UNREADABLE[answer](), httpx.Response(200, json=PERSON))
    with pytest.raises(Unavailable) as caught:
        await remote(server).sign_in(HOLDER)
    assert server.requests == ["POST /me/sign-in"]
    assert caught.value.outcome_unknown
    assert "answer could not be read" in caught.value.message
    assert "may or may not" in caught.value.message


async def test_the_holder_read_at_connection_says_so_when_its_answer_cannot_be_read() -> None:
    service = RemoteService(
        "http://api.test",
        "token",
        transport=httpx.MockTransport(lambda request: httpx.Response(200, html="<h1>Welcome</h1>")),
    )
    with pytest.raises(UnreadableAnswer, match=r"HTTP 200, text/html"):
        await service.holder()


async def test_a_well_formed_answer_is_read_after_an_unreadable_one() -> None:
    server = Server(httpx.Response(200, html="<p>maintenance</p>"), httpx.Response(200, json=CATALOGUE))
    service = remote(server)
    with pytest.raises(UnreadableAnswer):
        await service.catalogue(HOLDER)
    assert (await service.catalogue(HOLDER)).qualities == []


# ---------------------------------------------------------------- real sockets


async def test_a_refused_connection_is_unavailable() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
        port = closed.getsockname()[1]
        service = RemoteService(f"http://127.0.0.1:{port}", "token", backoff=0)
        with pytest.raises(Unavailable) as caught:
            await service.catalogue(HOLDER)
        await service.aclose()
    assert not caught.value.outcome_unknown


@pytest.fixture
async def raw_server() -> AsyncIterator[Callable[[str], Awaitable[tuple[str, list[str]]]]]:
    """A TCP server on 127.0.0.1 that answers GET /me and then, per mode, drops, cuts short the answer
    to, or holds every request."""
    servers: list[asyncio.Server] = []
    held: list[asyncio.StreamWriter] = []

    async def start(mode: str) -> tuple[str, list[str]]:
        seen: list[str] = []

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            head = (await reader.readuntil(b"\r\n\r\n")).decode()
            request_line, *headers = head.split("\r\n")
            lengths = [int(h.split(":")[1]) for h in headers if h.lower().startswith("content-length")]
            await reader.readexactly(lengths[0] if lengths else 0)
            if request_line.startswith("GET /me "):
                body = json.dumps(ME).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
                writer.close()
                return
            seen.append(request_line)
            if mode == "drop":
                writer.close()
            elif mode == "truncate":  # a body shorter than announced, then the connection closes
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n"
                    + b'{"qualities": ['
                )
                await writer.drain()
                writer.close()
            else:
                held.append(writer)

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        servers.append(server)
        return f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", seen

    yield start
    for writer in held:
        writer.close()
    for server in servers:
        server.close()
        await server.wait_closed()


async def test_a_write_whose_connection_drops_has_an_unknown_outcome(raw_server) -> None:  # type: ignore[no-untyped-def]
    url, seen = await raw_server("drop")
    service = RemoteService(url, "token", backoff=0)
    with pytest.raises(Unavailable) as caught:
        await service.end_designation(HOLDER, 3, expected_version=1)
    assert caught.value.outcome_unknown
    assert "may or may not" in caught.value.message
    assert seen == ["POST /designations/3/end HTTP/1.1"]
    with pytest.raises(Unavailable) as read:
        await service.get_user(HOLDER, 3)
    assert not read.value.outcome_unknown
    assert seen[1:] == ["GET /users/3 HTTP/1.1"] * 3
    await service.aclose()


async def test_a_write_without_answer_times_out_with_an_unknown_outcome(raw_server) -> None:  # type: ignore[no-untyped-def]
    url, seen = await raw_server("hold")
    timeout = httpx.Timeout(connect=2.0, read=0.3, write=2.0, pool=2.0)
    service = RemoteService(url, "token", timeout=timeout, backoff=0)
    with pytest.raises(Unavailable) as caught:
        await service.close_mandate(HOLDER, 9, expected_version=2)
    assert caught.value.outcome_unknown
    assert seen == ["POST /mandates/9/close HTTP/1.1"]
    await service.aclose()


async def test_an_answer_cut_short_is_read_again_or_for_a_write_of_unknown_outcome(raw_server) -> None:  # type: ignore[no-untyped-def]
    url, seen = await raw_server("truncate")
    service = RemoteService(url, "token", backoff=0)
    with pytest.raises(Unavailable) as caught:
        await service.reveal_niss(HOLDER, 3)
    assert caught.value.outcome_unknown
    assert seen == ["POST /persons/3/niss HTTP/1.1"]
    with pytest.raises(Unavailable) as read:
        await service.get_user(HOLDER, 3)
    assert not read.value.outcome_unknown
    assert seen[1:] == ["GET /users/3 HTTP/1.1"] * 3
    await service.aclose()
