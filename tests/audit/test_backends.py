"""The checkpoints through the service protocol, the same on the local store and over the API."""

from __future__ import annotations

from pathlib import Path

import pytest

from onss_tui.services import dto
from onss_tui.services.errors import PermissionDenied
from onss_tui.services.local.service import LocalService
from tests.audit.anchored import Anchored, new_key, write_until
from tests.conftest import World


async def test_checkpoints_through_every_backend(
    service, local: LocalService, world: World, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    key, key_file = new_key(tmp_path)
    local.anchor_trail(Anchored(local, key, key_file, tmp_path / "copy").anchor())
    await write_until(local, world.lr, 30)
    made = await service.checkpoint_audit(world.support)
    assert isinstance(made, dto.AuditCheckpointPublic) and made.key_id == key.id
    page = await service.list_checkpoints(world.lr, dto.CheckpointQuery(after=0, limit=2))
    assert [c.seq for c in page.items] == [1, 2] and page.more
    rest = await service.list_checkpoints(world.outsider, dto.CheckpointQuery(after=2))
    assert rest.items[-1] == made and not rest.more
    with pytest.raises(PermissionDenied):
        await service.checkpoint_audit(world.lr)
    with pytest.raises(PermissionDenied):
        await service.verify_audit(world.lr)
    verified = await service.verify_audit(world.support, full=True)
    assert verified.ok and verified.last_checkpoint_seq == made.seq
