"""`onss-tui api` as an operator runs it, on either store: `X-Forwarded-For` is believed only from the
proxies named with `--forwarded-allow-ips`, so that 1,000 guessed tokens with a rotating header are braked
as one address; the brake holds across `--workers`; a bad option is one line."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from sqlalchemy import text

from onss_tui.services.local.service import LocalService
from onss_tui.services.local.tokens import issue_token
from tests.api.test_end_to_end import command_env, free_port, onss_tui
from tests.conftest import World

SECRET = "serving-tests-secret-0123456789abcdefghi"


@asynccontextmanager
async def api_server(
    store_url: str, tmp_path: Path, *options: str, **settings: str
) -> AsyncIterator[httpx.AsyncClient]:
    """`onss-tui api` on a free port, and a client of it; `settings` as ONSS_TUI_API_* variables. Its log
    is read as it comes, so that a full pipe never stops the server."""
    port = free_port()
    env = command_env(tmp_path, SECRET)
    env.update({f"ONSS_TUI_API_{name.upper()}": value for name, value in settings.items()})
    command = [sys.executable, "-m", "onss_tui", "api", "--database", store_url, "--port", str(port)]
    server = subprocess.Popen(
        [*command, *options], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    assert server.stderr is not None
    log = server.stderr
    try:
        first_line = await asyncio.to_thread(log.readline)
        assert first_line.startswith("onss-tui API on"), first_line  # listening from now on
        reading = asyncio.create_task(asyncio.to_thread(log.read))
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            yield client
    finally:
        server.terminate()
        await asyncio.to_thread(server.wait, timeout=60)
    await reading


def failing_addresses(local: LocalService) -> set[str]:
    with local.engine.connect() as connection:
        return set(connection.execute(text("SELECT address FROM auth_failure")).scalars())


async def test_guesses_with_a_rotating_forwarded_for_are_braked_as_their_peer(
    store_url: str, tmp_path: Path, local: LocalService, world: World
) -> None:
    """Item 13: with no proxy named, a client cannot choose the address it is counted under."""
    good = {"Authorization": f"Bearer {issue_token(local.engine, SECRET, world.lr).token}"}
    async with api_server(store_url, tmp_path) as client:
        statuses: Counter[int] = Counter()
        for n in range(1000):
            claimed = f"10.{n // 65536}.{n // 256 % 256}.{n % 256}"
            headers = {"Authorization": f"Bearer guess-{n}", "X-Forwarded-For": claimed}
            statuses[(await client.get("/me", headers=headers)).status_code] += 1
            if n % 100 == 0:
                assert (await client.get("/me", headers=good)).status_code == 200
    assert statuses == {401: 10, 429: 990}
    assert failing_addresses(local) == {"127.0.0.1"}


async def test_forwarded_for_is_believed_from_a_named_proxy(
    store_url: str, tmp_path: Path, local: LocalService
) -> None:
    async with api_server(store_url, tmp_path, "--forwarded-allow-ips", "127.0.0.1") as client:
        for n in range(12):
            headers = {"Authorization": f"Bearer guess-{n}", "X-Forwarded-For": f"203.0.113.{n}"}
            assert (await client.get("/me", headers=headers)).status_code == 401
    assert failing_addresses(local) == {f"203.0.113.{n}" for n in range(12)}


async def test_the_brake_holds_across_workers(store_url: str, tmp_path: Path, local: LocalService) -> None:
    """Item 14: each guess on a new connection, which either worker may take; together they allow 3."""
    async with api_server(store_url, tmp_path, "--workers", "2", failed_auth_allowed="3") as client:
        statuses = []
        for n in range(20):
            headers = {"Authorization": f"Bearer guess-{n}", "Connection": "close"}
            statuses.append((await client.get("/me", headers=headers)).status_code)
    assert Counter(statuses) == {401: 3, 429: 17}


def test_a_proxy_that_is_no_address_is_refused_in_one_line(tmp_path: Path) -> None:
    done = onss_tui(
        "api",
        "--forwarded-allow-ips",
        "127.0.0.1,proxy.example",
        "--database",
        str(tmp_path / "none.db"),
        env=command_env(tmp_path, SECRET),
    )
    assert done.returncode == 1
    assert done.stderr == "onss-tui: --forwarded-allow-ips: not an IP address or network: 'proxy.example'\n"


async def test_the_bounds_come_from_the_settings(store_url: str, tmp_path: Path, local: LocalService) -> None:
    async with api_server(store_url, tmp_path, max_body="100") as client:
        response = await client.post(
            "/me/identities", content=b"{}".ljust(200), headers={"Authorization": "Bearer x"}
        )
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is over 100 bytes.",
        "reason": {"key": "rule.api.body_too_large", "params": {"limit": "100"}},
    }


def test_a_bound_that_is_no_bound_is_refused_in_one_line(tmp_path: Path) -> None:
    env = command_env(tmp_path, SECRET) | {"ONSS_TUI_API_RECEIVE_TIMEOUT": "0"}
    done = onss_tui("api", "--database", str(tmp_path / "none.db"), env=env)
    assert done.returncode == 1
    assert done.stderr == "onss-tui: invalid setting: api_receive_timeout: Input should be greater than 0\n"
