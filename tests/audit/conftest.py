"""Fixtures of the audit tests: a store of each kind holding the small world, its trail signed every 10
entries with a key of its own and copied to a checkpoint file, 48 entries long."""

from __future__ import annotations

from pathlib import Path

import pytest

from onss_tui.services.local.service import LocalService
from tests.audit.anchored import Anchored, new_key, write_until
from tests.cli.test_commands import command  # noqa: F401 (the fixture that runs `onss-tui` in-process)
from tests.conftest import World


@pytest.fixture
async def anchored(local: LocalService, world: World, tmp_path: Path) -> Anchored:
    key, key_file = new_key(tmp_path)
    store = Anchored(local, key, key_file, tmp_path / "outside" / "store.checkpoints")
    local.anchor_trail(store.anchor())
    await write_until(local, world.lr, 48)
    return store
