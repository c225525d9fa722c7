"""End to end over real HTTP: uvicorn on 127.0.0.1 on a free port, `RemoteService` as the client, and the
`onss-tui api` / `onss-tui token` commands as an operator runs them."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import uvicorn

from onss_tui.api.main import create_app
from onss_tui.domain.quarters import Quarter
from onss_tui.services import dto
from onss_tui.services.errors import Conflict, PermissionDenied, ValidationFailed
from onss_tui.services.local.audit_keys import write_key_pair
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.store import open_store
from onss_tui.services.local.tokens import issue_token
from onss_tui.services.remote import RemoteService
from tests.conftest import LR_NISS, World, build_world
from tests.contract.conftest import main_designation

SECRET = "end-to-end-secret-0123456789abcdefghijkl"


def listening_socket() -> socket.socket:
    """A socket on a free port of 127.0.0.1, already listening: connections wait until uvicorn accepts."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


@pytest.fixture
async def live_url(local: LocalService, world: World) -> AsyncIterator[str]:
    """The API served by a real uvicorn in this event loop."""
    sock = listening_socket()
    config = uvicorn.Config(create_app(local, secret=SECRET), log_level="warning")
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    await serving
    sock.close()


async def test_a_mandate_lives_its_life_over_http(live_url: str, local: LocalService, world: World) -> None:
    employer = RemoteService(live_url, issue_token(local.engine, SECRET, world.lr).token)
    secretariat = RemoteService(live_url, issue_token(local.engine, SECRET, world.lr_ssa).token)
    try:
        assert [i.person.id for i in await employer.list_identities()] == [world.lr]
        created = await employer.create_mandate(
            world.lr,
            dto.MandateCreate(
                principal_id=world.employer,
                mandatary_id=world.secretariat,
                groups=["dmfa_dimona"],
                start_quarter=str(Quarter.current().next()),
                submit=True,
            ),
        )
        assert created.status == dto.MandateStatus.PENDING
        waiting = await secretariat.list_mandates(world.lr_ssa, dto.MandateFilter(status="pending"))
        assert [m.id for m in waiting.items] == [created.id]
        accepted = await secretariat.accept_mandate(world.lr_ssa, created.id, created.version)
        assert accepted.status == dto.MandateStatus.ACTIVE and accepted.version == created.version + 1
        with pytest.raises(Conflict):
            await employer.close_mandate(world.lr, created.id, created.version)
        with pytest.raises(PermissionDenied):
            await secretariat.get_overview(world.lr_ssa, world.employer)
        with pytest.raises(ValidationFailed) as invalid:
            await employer.designate_main_access_manager(world.lr, main_designation(designee_niss="123"))
        assert set(invalid.value.field_errors) == {"designee_niss"}
        overview = await employer.get_overview(world.lr, world.employer)
        assert overview.mandates_active == 1
        with pytest.raises(PermissionDenied, match="Only support staff verify"):
            await employer.verify_audit(world.lr)  # a legal representative reads the trail, not verifies it
    finally:
        await employer.aclose()
        await secretariat.aclose()


# ---------------------------------------------------------------- the commands


@pytest.fixture
def store_file(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'api.db'}"
    engine = open_store(url)
    build_world(engine)
    engine.dispose()
    yield url


def command_env(tmp_path: Path, secret: str | None, *, key: bool = True) -> dict[str, str]:
    """The environment of a command: no settings of the machine's user, the secret, and (with `key`) an
    audit signing key of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONSS_TUI_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")  # no config file of the machine's user
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    if secret is not None:
        env["ONSS_TUI_API_SECRET"] = secret
    if key:
        path = tmp_path / "keys" / "audit.key"
        if not path.exists():
            write_key_pair(path)
        env["ONSS_TUI_AUDIT_KEY_FILE"] = str(path)
    return env


def onss_tui(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "onss_tui", *args], env=env, capture_output=True, text=True, timeout=120
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_server_refuses_to_start_without_a_proper_secret(tmp_path: Path, store_file: str) -> None:
    for secret, reason in [
        (None, "no API secret is set"),
        ("changeme", "default value"),
        ("x" * 12, "too short"),
    ]:
        done = onss_tui("api", "--database", store_file, env=command_env(tmp_path, secret))
        assert done.returncode == 1
        assert done.stderr.count("\n") == 1 and done.stderr.startswith("onss-tui: ")
        assert reason in done.stderr


def test_the_server_refuses_to_start_without_its_audit_signing_key(tmp_path: Path, store_file: str) -> None:
    no_key = onss_tui("api", "--database", store_file, env=command_env(tmp_path, SECRET, key=False))
    assert no_key.returncode == 1 and no_key.stderr.count("\n") == 1
    assert "no audit signing key is set (ONSS_TUI_AUDIT_KEY_FILE)" in no_key.stderr
    assert "onss-tui audit keygen" in no_key.stderr
    env = command_env(tmp_path, SECRET)
    Path(env["ONSS_TUI_AUDIT_KEY_FILE"]).chmod(0o644)
    open_key = onss_tui("api", "--database", store_file, env=env)
    assert open_key.returncode == 1 and "may be read by others" in open_key.stderr
    absent = env | {"ONSS_TUI_AUDIT_KEY_FILE": str(tmp_path / "absent.key")}
    missing = onss_tui("api", "--database", store_file, env=absent)
    assert missing.returncode == 1 and "no audit signing key at" in missing.stderr


async def test_tokens_from_the_command_line_open_and_close_the_door(tmp_path: Path, store_file: str) -> None:
    env = command_env(tmp_path, SECRET)
    created = onss_tui("token", "create", "--as", LR_NISS, "--label", "ci", "--database", store_file, env=env)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert LR_NISS not in created.stderr and "85.07.30-***.**" in created.stderr
    token_id = created.stderr.split()[1]
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "onss_tui", "api", "--database", store_file, "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first_line = await asyncio.to_thread(server.stderr.readline)  # type: ignore[union-attr]
        assert first_line.startswith(f"onss-tui API on http://127.0.0.1:{port}")
        remote = RemoteService(f"http://127.0.0.1:{port}", token)
        me = await remote.holder()
        catalogue = await remote.catalogue(me.person_id)
        assert "dimona" in {s.code for s in catalogue.online_services}
        revoked = onss_tui("token", "revoke", token_id, "--database", store_file, env=env)
        assert revoked.returncode == 0 and revoked.stdout.strip() == f"token {token_id} revoked"
        with pytest.raises(PermissionDenied, match="refused the token"):
            await remote.catalogue(me.person_id)
        await remote.aclose()
    finally:
        server.terminate()
        _, errors = await asyncio.to_thread(server.communicate, timeout=30)
    assert "Application shutdown complete" in errors  # a graceful stop (uvicorn then re-raises SIGTERM)
    assert token not in errors and LR_NISS not in errors
    again = onss_tui("token", "revoke", token_id, "--database", store_file, env=env)
    assert again.returncode == 1 and "already revoked" in again.stderr


async def test_demo_mode_starts_without_a_secret_and_prints_tokens(tmp_path: Path, store_file: str) -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "onss_tui", "api", "--demo", "--database", store_file, "--port", str(port)],
        env=command_env(tmp_path, None, key=False),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = await asyncio.to_thread(server.stdout.readline)  # type: ignore[union-attr]
        name, token = line.strip().rsplit(": ", 1)
        remote = RemoteService(f"http://127.0.0.1:{port}", token)
        me = await remote.holder()
        assert me.identity is not None and me.identity.person.full_name in name
        assert me.identity.person.support_staff  # the first listed: support staff may verify
        verified = await remote.verify_audit(me.person_id)
        assert verified.ok and verified.checkpoints_checked == 1, verified.reason
        await remote.aclose()
    finally:
        server.terminate()
        _, errors = await asyncio.to_thread(server.communicate, timeout=30)
    assert "demo: temporary audit signing key" in errors


async def test_workers_share_the_port_with_the_secret_and_the_store(tmp_path: Path, store_file: str) -> None:
    port = free_port()
    command = [sys.executable, "-m", "onss_tui", "api", "--demo", "--database", store_file]
    server = subprocess.Popen(
        [*command, "--port", str(port), "--workers", "2"],
        env=command_env(tmp_path, None),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = await asyncio.to_thread(server.stdout.readline)  # type: ignore[union-attr]
        token = line.strip().rsplit(": ", 1)[1]
        readers = [RemoteService(f"http://127.0.0.1:{port}", token) for _ in range(6)]
        try:  # several connections at once: the workers take them from the one listening socket
            answers = await asyncio.gather(*(reader.holder() for reader in readers))
            assert len({answer.person_id for answer in answers}) == 1
            catalogues = await asyncio.gather(*(r.catalogue(answers[0].person_id) for r in readers))
            assert all("dimona" in {s.code for s in c.online_services} for c in catalogues)
        finally:
            for reader in readers:
                await reader.aclose()
    finally:
        server.terminate()
        _, errors = await asyncio.to_thread(server.communicate, timeout=60)
    assert errors.count("Started server process") == 2
    assert errors.count("Application shutdown complete") == 2
    assert token not in errors


def test_a_server_needs_at_least_one_worker(tmp_path: Path, store_file: str) -> None:
    done = onss_tui("api", "--workers", "0", "--database", store_file, env=command_env(tmp_path, SECRET))
    assert done.returncode == 1 and done.stderr == "onss-tui: --workers must be at least 1, not 0\n"
