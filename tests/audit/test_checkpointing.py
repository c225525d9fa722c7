"""When checkpoints are made and where they are copied: every N entries, after M minutes of activity (a
write or the server's timer), on demand; to the checkpoint file (caught up after a crash) and the system
log; a refused write's transaction signs nothing."""

from __future__ import annotations

import sys
from datetime import timedelta
from itertools import pairwise
from types import SimpleNamespace

import pytest

from onss_tui.services.local.checkpoints import read_checkpoint_file
from tests.audit.anchored import EVERY, Anchored, write
from tests.conftest import World


async def test_a_checkpoint_every_n_entries(anchored: Anchored, world: World) -> None:
    signed = anchored.checkpoint_entries()
    assert all(b - a == EVERY for a, b in pairwise(signed))


async def test_a_checkpoint_after_m_minutes_of_activity(anchored: Anchored, world: World) -> None:
    service = anchored.service
    before = anchored.checkpoint_entries()
    await service.checkpoint_if_due()  # the timer: the head moved, but not for long enough
    await write(service, world.lr)
    assert anchored.checkpoint_entries() == before
    assert service.store.anchor is not None
    service.store.anchor.every = timedelta(0)  # as if M minutes had passed
    await service.checkpoint_if_due()
    assert anchored.checkpoint_entries() == [*before, anchored.head()]
    await service.checkpoint_if_due()  # no activity since: nothing to sign
    assert len(anchored.checkpoint_entries()) == len(before) + 1


async def test_a_refused_write_signs_nothing_it_did_not_write(anchored: Anchored, world: World) -> None:
    from onss_tui.services.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        await anchored.service.checkpoint_audit(world.lr)
    result = await anchored.service.verify_audit(world.support, full=True)
    assert result.ok and result.outside_checkpoints == result.checkpoints_checked


async def test_checkpoints_missing_from_the_file_are_copied_again(anchored: Anchored, world: World) -> None:
    lines = anchored.checkpoints.read_text().splitlines()
    anchored.checkpoints.write_text("\n".join(lines[:2]) + "\n")  # a process stopped before copying
    anchored.service.anchor_trail(anchored.anchor())
    assert [c.seq for c in read_checkpoint_file(anchored.checkpoints)] == list(range(1, len(lines) + 1))
    assert (await anchored.service.verify_audit(world.support, full=True)).ok


async def test_checkpoints_go_to_the_system_log_when_asked(
    anchored: Anchored, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    logged: list[tuple[int, str]] = []
    fake = SimpleNamespace(
        LOG_AUTH=32,
        LOG_NOTICE=5,
        openlog=lambda *args: None,
        syslog=lambda priority, message: logged.append((priority, message)),
    )
    monkeypatch.setitem(sys.modules, "syslog", fake)
    anchor = anchored.anchor()
    anchor.syslog = True
    anchored.service.anchor_trail(anchor)
    await write(anchored.service, world.lr)
    made = await anchored.service.checkpoint_audit(world.support)
    assert made is not None
    assert logged and logged[-1][0] == 5 and f'"seq":{made.seq}' in logged[-1][1]
    assert logged[-1][1].startswith("audit checkpoint {")


async def test_an_unreadable_outside_copy_is_said(anchored: Anchored, world: World) -> None:
    with anchored.checkpoints.open("a") as copy:
        copy.write("not a checkpoint\n")
    result = await anchored.service.verify_audit(world.support, full=True)
    assert (result.ok, result.problem) == (False, "outside_unreadable")
    assert "line" in (result.reason or "")
