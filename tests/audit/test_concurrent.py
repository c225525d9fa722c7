"""Verification reads one snapshot: with four writers appending (and signing checkpoints) all along, on
SQLite and PostgreSQL, every verification finds the trail intact, full or incremental."""

from __future__ import annotations

import asyncio

from onss_tui.services import dto
from tests.audit.anchored import Anchored, write
from tests.conftest import World

WRITERS, WRITES = 4, 40


async def test_verification_never_cries_wolf_while_people_write(anchored: Anchored, world: World) -> None:
    service = anchored.service
    writing = True
    results: list[dto.AuditVerification] = []

    async def writer(actor: int) -> None:
        for _ in range(WRITES):
            await write(service, actor)

    async def verifier() -> None:
        full = True
        while writing or len(results) < 6:
            results.append(await service.verify_audit(world.support, full=full))
            full = not full

    checking = asyncio.create_task(verifier())
    await asyncio.gather(*(writer(a) for a in (world.lr, world.lr_town, world.lr_ssa, world.lr_sp)))
    writing = False
    await checking
    broken = [r for r in results if not r.ok]
    assert broken == [], broken[0].reason if broken else ""
    assert any(r.since_entry for r in results)  # some ran incrementally
    seen = [r.entries for r in results]
    assert len(set(seen)) > 2, seen  # verifications overlapped the writes
    final = await service.verify_audit(world.support, full=True)
    assert final.ok and final.entries == 48 + WRITERS * WRITES
