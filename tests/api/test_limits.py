"""The cost of a request, through the ASGI app: a request without a valid token, or with a body over the
bound, is answered before its body is read; a body that comes too slowly is 408; a request the store
cannot serve in time (a frozen store) is 503 with Retry-After; 405 lists every method of its path.

The same through a real uvicorn, where the connection matters (slow heads, partial bodies, 100 MB
bodies): `test_server.py`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy import Engine, text

from onss_tui.api.limits import RequestLimits
from onss_tui.api.main import create_app, open_service
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.tokens import issue_token
from tests.conftest import World

SECRET = "limits-tests-secret-0123456789abcdefghij"
SMALL = RequestLimits(max_body=64 * 1024, receive_timeout=0.2)
MIB = 1024 * 1024


class Body:
    """A request body that says how much of it was read, and may stop coming after its first chunk."""

    def __init__(self, chunks: int, chunk: bytes = b"x" * 65536, *, stall: bool = False) -> None:
        self.chunks = chunks
        self.chunk = chunk
        self.stall = stall
        self.read = 0
        self.never = asyncio.Event()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for n in range(self.chunks):
            if self.stall and n == 1:
                await self.never.wait()
            self.read += len(self.chunk)
            yield self.chunk


def client(app, token: str | None = None) -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://api.test", headers=headers
    )


@pytest.fixture
def token(local: LocalService, world: World) -> str:
    return issue_token(local.engine, SECRET, world.lr).token


@pytest.mark.parametrize("presented", [None, "not-a-token"])
async def test_without_a_valid_token_no_byte_of_the_body_is_read(
    local: LocalService, world: World, presented: str | None
) -> None:
    """Item 5: the token is checked before the body is read, let alone parsed as JSON."""
    body = Body(16)
    async with client(create_app(local, secret=SECRET), presented) as http:
        response = await http.post(
            "/mandates",
            content=body,
            headers={"Content-Type": "application/json", "Content-Length": str(MIB)},
        )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert body.read == 0


async def test_a_declared_body_over_the_bound_is_413_before_any_of_it_is_read(
    local: LocalService, token: str
) -> None:
    body = Body(1600)
    async with client(create_app(local, secret=SECRET), token) as http:
        response = await http.post(
            "/mandates",
            content=body,
            headers={"Content-Type": "application/json", "Content-Length": str(100 * MIB)},
        )
    assert response.status_code == 413
    assert response.json()["detail"] == "The request body is over 1048576 bytes."
    assert response.headers["Connection"] == "close"
    assert body.read == 0


async def test_a_body_without_a_length_is_cut_at_the_bound(local: LocalService, token: str) -> None:
    body = Body(1600)  # 100 MiB, sent in chunks with no declared length
    async with client(create_app(local, secret=SECRET, limits=SMALL), token) as http:
        response = await http.post("/mandates", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert body.read <= SMALL.max_body + len(body.chunk)


async def test_a_body_under_the_bound_reaches_the_route(
    local: LocalService, token: str, world: World
) -> None:
    """A body sent in many small chunks is read whole, and parsed once it is all there."""
    payload = b'{"query": "", "limit": 5}'

    async def trickle() -> AsyncIterator[bytes]:
        for at in range(len(payload)):
            yield payload[at : at + 1]

    async with client(create_app(local, secret=SECRET, limits=SMALL), token) as http:
        response = await http.post(
            "/me/identities", content=trickle(), headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 200, response.text
    assert [identity["person"]["id"] for identity in response.json()] == [world.lr]


async def test_a_body_that_stops_coming_is_408(local: LocalService, token: str) -> None:
    body = Body(4, stall=True)
    async with client(create_app(local, secret=SECRET, limits=SMALL), token) as http:
        response = await http.post("/mandates", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 408
    assert response.json()["detail"] == "The request did not arrive within 0.2 s."
    assert response.headers["Connection"] == "close"


async def test_every_method_of_a_path_is_in_allow(local: LocalService, token: str) -> None:
    """Item 15: one path served by several routes names all their methods, not the first route's."""
    async with client(create_app(local, secret=SECRET), token) as http:
        for method, path, allowed in [
            ("DELETE", "/users/1", "GET, PATCH"),
            ("PUT", "/mandates", "GET, POST"),
            ("DELETE", "/me", "GET"),
            ("GET", "/mandates/1/close", "POST"),
        ]:
            response = await http.request(method, path)
            assert response.status_code == 405, (method, path)
            assert response.headers["Allow"] == allowed, (method, path)
            assert response.json()["detail"] == "Method Not Allowed"


# ---------------------------------------------------------------- a frozen store


@contextlib.contextmanager
def frozen(engine: Engine) -> Iterator[None]:
    """The store held by another connection for as long as the block lasts: on SQLite its write lock, on
    PostgreSQL an exclusive lock on the tokens and on the audit chain's head (every request reads the
    first, every write takes the second)."""
    with engine.execution_options(write=True).connect() as holder:
        if engine.dialect.name == "sqlite":
            holder.exec_driver_sql("SELECT 1")  # in the transaction its BEGIN IMMEDIATE opened
        else:
            holder.execute(text("LOCK TABLE api_token, audit_head IN ACCESS EXCLUSIVE MODE"))
        try:
            yield
        finally:
            holder.rollback()


@pytest.fixture
def bounded(store_url: str, local: LocalService) -> Iterator[LocalService]:
    """The store as the API server opens it: no statement waits or runs over 0.5 s."""
    service = open_service(store_url, timeout=0.5)
    yield service
    service.engine.dispose()


async def test_a_frozen_store_answers_503_with_retry_after(
    bounded: LocalService, local: LocalService, world: World
) -> None:
    """Item 6: a write (and on PostgreSQL, even the token's check) waits no longer than the store's timeout,
    then is told when to come back; the answer names no host or port of the store."""
    token = issue_token(local.engine, SECRET, world.lr).token
    async with client(create_app(bounded, secret=SECRET), token) as http:
        with frozen(local.engine):
            response = await asyncio.wait_for(http.post("/me/sign-in"), timeout=60)  # a guard, not a measure
        assert response.status_code == 503, response.text
        assert response.headers["Retry-After"] == "5"
        assert "127.0.0.1" not in response.text and "5432" not in response.text
        assert (await http.post("/me/sign-in")).status_code == 200


async def test_a_request_not_served_in_time_is_503_and_a_write_may_have_happened(
    store_url: str, local: LocalService, world: World
) -> None:
    """The deadline to serve holds even when the store's own timeout is longer."""
    token = issue_token(local.engine, SECRET, world.lr).token
    patient = open_service(store_url, timeout=30)
    try:
        app = create_app(patient, secret=SECRET, limits=RequestLimits(serve_timeout=0.3))
        async with client(app, token) as http:
            with frozen(local.engine):
                write = await asyncio.wait_for(http.post("/me/sign-in"), timeout=60)
        assert write.status_code == 503
        assert write.headers["Retry-After"] == "5"
        assert write.json() == {
            "detail": "The request was not served within 0.3 s; try again later.",
            "reason": {"key": "rule.api.not_served", "params": {"seconds": "0.3"}},
            "outcome_unknown": True,
        }
    finally:
        patient.engine.dispose()


async def test_a_store_whose_connections_are_all_taken_is_503(bounded: LocalService, token: str) -> None:
    taken = [bounded.engine.connect() for _ in range(15)]  # the pool's 5 and its overflow of 10
    try:
        async with client(create_app(bounded, secret=SECRET), token) as http:
            response = await http.get("/me")
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
    finally:
        for connection in taken:
            connection.close()
