"""The brake on failing tokens: it stops an address that guesses, never a valid token (whatever else came
from its address), counts guesses and not retries, holds across servers that share the store, and costs
the store no more than a few rows per address."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text

from onss_tui.api.auth import FailedAuthBrake, address_key
from onss_tui.api.main import create_app
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.store import open_store
from onss_tui.services.local.tokens import issue_token
from tests.conftest import World

SECRET = "brake-tests-secret-0123456789abcdefghijk"
ALLOWED = 3
WINDOW = 60.0


class Clock:
    """Seconds since the epoch, moved by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def app_over(service: LocalService, clock: Clock):  # type: ignore[no-untyped-def]
    brake = FailedAuthBrake(service.engine, allowed=ALLOWED, window=WINDOW, clock=clock)
    return create_app(service, secret=SECRET, brake=brake)


def client_at(app, address: str) -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(address, 40000)), base_url="http://api.test"
    )


@pytest.fixture
def app(local: LocalService, clock: Clock):  # type: ignore[no-untyped-def]
    return app_over(local, clock)


@pytest.fixture
async def attacker(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    async with client_at(app, "192.0.2.7") as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def failures_kept(local: LocalService) -> list[tuple[str, float]]:
    with local.engine.connect() as connection:
        rows = connection.execute(text("SELECT address, failed_at FROM auth_failure ORDER BY failed_at"))
        return [(row.address, row.failed_at) for row in rows]


async def guess(client: httpx.AsyncClient, n: int) -> int:
    return (await client.get("/me", headers=bearer(f"guess-{n}"))).status_code


async def test_an_address_that_guesses_is_braked_but_its_valid_tokens_are_served(
    attacker: httpx.AsyncClient, local: LocalService, world: World, clock: Clock
) -> None:
    """Item 14: a valid client behind the same address as a guesser is never refused."""
    good = bearer(issue_token(local.engine, SECRET, world.lr).token)
    statuses = []
    for n in range(12):
        statuses.append(await guess(attacker, n))
        clock.now += 1
        mine = await attacker.get("/me", headers=good)
        assert mine.status_code == 200, (n, mine.text)
    assert statuses == [401] * ALLOWED + [429] * (12 - ALLOWED)
    braked = await attacker.get("/me", headers=bearer("guess-99"))
    assert braked.status_code == 429
    assert braked.headers["WWW-Authenticate"] == "Bearer"
    # The brake lifts when the oldest counted failure is `WINDOW` old: it failed 12 s ago.
    assert braked.headers["Retry-After"] == str(int(WINDOW) - 12)
    assert "try again in 48 s" in braked.json()["detail"]


async def test_the_brake_lifts_as_failures_age_out(attacker: httpx.AsyncClient, clock: Clock) -> None:
    for n in range(ALLOWED):
        assert await guess(attacker, n) == 401
        clock.now += 10
    assert await guess(attacker, 10) == 429
    clock.now += WINDOW - 3 * 10 + 1  # the first failure ages out, the others not yet
    assert await guess(attacker, 11) == 401
    assert await guess(attacker, 12) == 429


async def test_one_stale_token_retried_is_not_a_guess(
    attacker: httpx.AsyncClient, local: LocalService
) -> None:
    """A client retrying its revoked token is answered 401 each time, and keeps one row."""
    for _ in range(3 * ALLOWED):
        assert (await attacker.get("/me", headers=bearer("revoked-long-ago"))).status_code == 401
    assert len(failures_kept(local)) == 1


async def test_someone_elses_failures_brake_nobody_else(app, attacker: httpx.AsyncClient) -> None:  # type: ignore[no-untyped-def]
    for n in range(ALLOWED + 2):
        await guess(attacker, n)
    async with client_at(app, "192.0.2.8") as neighbour:
        assert await guess(neighbour, 1) == 401


async def test_a_request_without_a_token_is_no_guess(
    attacker: httpx.AsyncClient, local: LocalService
) -> None:
    for _ in range(3 * ALLOWED):
        assert (await attacker.get("/me")).status_code == 401
    assert failures_kept(local) == []


async def test_braked_guesses_cost_the_store_no_rows(
    app, attacker: httpx.AsyncClient, local: LocalService, clock: Clock
) -> None:  # type: ignore[no-untyped-def]
    for n in range(50):
        await guess(attacker, n)
    assert len(failures_kept(local)) == ALLOWED
    clock.now += WINDOW + 1
    async with client_at(app, "198.51.100.1") as other:
        assert await guess(other, 1) == 401
    # A new failure prunes those past the window, whoever they were from.
    assert failures_kept(local) == [("198.51.100.1", clock.now)]


async def test_an_ipv6_address_counts_by_its_network(app) -> None:  # type: ignore[no-untyped-def]
    """One subscriber holds a /64: rotating addresses within it is one address."""
    for n in range(ALLOWED):
        async with client_at(app, f"2001:db8:1:2::{n + 1:x}") as client:
            assert await guess(client, n) == 401
    async with client_at(app, "2001:db8:1:2:ffff::9") as client:
        assert await guess(client, 99) == 429
    async with client_at(app, "2001:db8:1:3::1") as client:
        assert await guess(client, 99) == 401
    assert address_key("::ffff:192.0.2.7") == "192.0.2.7"
    assert address_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert address_key("_hidden\x00\u202e" + "x" * 100) == "_hidden" + "x" * 57


async def test_the_brake_holds_across_servers_sharing_the_store(
    store_url: str, local: LocalService, world: World, clock: Clock
) -> None:
    """Two servers (or two workers), each with its own connections to one store, brake as one."""
    other = LocalService(open_store(store_url))
    try:
        first, second = app_over(local, clock), app_over(other, clock)
        async with client_at(first, "192.0.2.7") as via_first, client_at(second, "192.0.2.7") as via_second:
            for n in range(ALLOWED):
                assert await guess(via_first, n) == 401
            assert await guess(via_second, 99) == 429
            good = bearer(issue_token(local.engine, SECRET, world.lr).token)
            assert (await via_second.get("/me", headers=good)).status_code == 200
    finally:
        other.engine.dispose()
