"""The trail's checkpoints over HTTP: verification for support staff only and off the event loop, the
checkpoints paged for witnesses, a checkpoint on demand; and `onss-tui audit witness` against a real
uvicorn, which copies new checkpoints and reports a fork."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from onss_tui.api.main import create_app
from onss_tui.cli import main
from onss_tui.services.local.anchoring import Verifier
from onss_tui.services.local.checkpoints import read_checkpoint_file
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.tokens import issue_token
from tests.api.test_end_to_end import listening_socket
from tests.audit.anchored import Anchored, write
from tests.conftest import World

SECRET = "audit-anchor-secret-0123456789abcdefghij"


def client(service: LocalService, person: int) -> httpx.AsyncClient:
    token = issue_token(service.engine, SECRET, person).token
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(service, secret=SECRET)),
        base_url="http://api.test",
        headers={"Authorization": f"Bearer {token}"},
    )


async def test_verification_is_for_support_staff_and_runs_off_the_loop(
    anchored: Anchored, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    anchored.service.reads_inline = True  # as the server runs on SQLite: reads on the event loop
    loop_thread = threading.get_ident()
    ran_in: list[int] = []
    original = Verifier.run

    def spy(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        ran_in.append(threading.get_ident())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Verifier, "run", spy)
    async with client(anchored.service, world.lr) as lr, client(anchored.service, world.support) as support:
        refused = await lr.get("/audit/verification")
        assert refused.status_code == 403 and "support staff" in refused.json()["detail"]
        assert ran_in == []
        answer = await support.get("/audit/verification", params={"full": "true"})
        assert answer.status_code == 200 and answer.json()["ok"] is True
        assert answer.json()["checkpoints_checked"] >= 4
    assert ran_in and loop_thread not in ran_in


async def test_checkpoints_are_paged_for_any_signed_in_person(anchored: Anchored, world: World) -> None:
    stored = read_checkpoint_file(anchored.checkpoints)
    async with client(anchored.service, world.lr) as lr:
        first = (await lr.get("/audit/checkpoints", params={"limit": 2})).json()
        assert [c["seq"] for c in first["items"]] == [1, 2] and first["more"] is True
        rest = (await lr.get("/audit/checkpoints", params={"after": 2, "limit": 1000})).json()
        assert rest["more"] is False
        assert [c["seq"] for c in first["items"] + rest["items"]] == [c.seq for c in stored]
        assert first["items"][0]["signature"] == stored[0].signature
        bad = await lr.get("/audit/checkpoints", params={"limit": 0})
        assert bad.status_code == 422 and "limit" in bad.json()["field_errors"]
        assert (await lr.post("/audit/checkpoints")).status_code == 403


async def test_support_staff_sign_the_head_on_demand(anchored: Anchored, world: World) -> None:
    await write(anchored.service, world.lr)
    async with client(anchored.service, world.support) as support:
        made = (await support.post("/audit/checkpoints")).json()
        assert made["entry_id"] == anchored.head() and made["key_id"] == anchored.key.id
        again = (await support.post("/audit/checkpoints")).json()
        assert again == made  # the head did not move: the same checkpoint
    assert read_checkpoint_file(anchored.checkpoints)[-1].seq == made["seq"]


async def test_a_service_without_a_key_says_it_signs_nothing(local: LocalService, world: World) -> None:
    async with client(local, world.support) as support:
        answer = await support.post("/audit/checkpoints")
        assert answer.status_code == 422 and "no audit signing key" in answer.json()["detail"]


# ---------------------------------------------------------------------------------------------- witness


@pytest.fixture
async def live(anchored: Anchored, world: World) -> AsyncIterator[tuple[str, str]]:
    """The anchored store served by a real uvicorn; its URL and a token of the legal representative."""
    sock = listening_socket()
    server = uvicorn.Server(uvicorn.Config(create_app(anchored.service, secret=SECRET), log_level="warning"))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    yield (
        f"http://127.0.0.1:{sock.getsockname()[1]}",
        issue_token(anchored.service.engine, SECRET, world.lr).token,
    )
    server.should_exit = True
    await serving
    sock.close()


async def witness(url: str, token: str, output: Path, *extra: str) -> int:
    arguments = ["audit", "witness", "--api", url, f"--token={token}", "--output", str(output), *extra]
    return await asyncio.to_thread(main, arguments)


async def test_the_witness_copies_new_checkpoints_and_reports_a_fork(
    anchored: Anchored,
    world: World,
    live: tuple[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, token = live
    copy = tmp_path / "witness" / "copy.checkpoints"
    public = f"{anchored.key_file}.pub"
    assert await witness(url, token, copy, "--public-key", public) == 0
    first = read_checkpoint_file(copy)
    assert [c.seq for c in first] == [c.seq for c in read_checkpoint_file(anchored.checkpoints)]
    assert "signatures checked" in capsys.readouterr().out
    for _ in range(12):
        await write(anchored.service, world.lr)
    assert await witness(url, token, copy) == 0
    assert f"{len(read_checkpoint_file(copy)) - len(first)} new checkpoints" in capsys.readouterr().out
    assert len(read_checkpoint_file(copy)) > len(first)
    # The store is put back to an older state, and the service signs again from there: a fork.
    signed = anchored.checkpoint_entries()
    anchored.truncate_after(signed[-2] + 1)
    anchored.run("DELETE FROM audit_checkpoint WHERE entry_id > :id", id=signed[-2])
    await write(anchored.service, world.lr)
    await anchored.service.checkpoint_audit(world.support)
    kept = copy.read_text()
    assert await witness(url, token, copy, "--public-key", public) == 3
    said = capsys.readouterr().err
    assert "[fork]" in said and f"checkpoint {len(signed)}" in said
    assert copy.read_text() == kept  # nothing of the other history is copied
    # The witness's copy, given to `audit verify`, shows the store behind what the witness saw signed.
    database = str(anchored.service.engine.url.render_as_string(hide_password=False))
    verify = ["audit", "verify", "--database", database, "--public-key", public, "--checkpoints", str(copy)]
    assert await asyncio.to_thread(main, verify) == 3
    assert "[rolled_back]" in capsys.readouterr().err


async def test_the_witness_reports_checkpoints_the_server_no_longer_holds(
    anchored: Anchored, live: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, token = live
    copy = tmp_path / "copy.checkpoints"
    assert await witness(url, token, copy) == 0
    anchored.run("DELETE FROM audit_checkpoint WHERE seq >= 3")
    assert await witness(url, token, copy) == 3
    assert "[checkpoint_removed]" in capsys.readouterr().err
