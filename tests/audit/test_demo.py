"""The demo store gets a signing key of its own: `--demo` shows a trail that verifies with signed
checkpoints."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from onss_tui.cli.console import make_connect
from onss_tui.config import Settings
from onss_tui.services.local.service import LocalService
from tests.tui.test_app import launch_args


async def test_the_demo_signs_its_trail_with_a_key_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    connection = await make_connect(launch_args(demo=True), tmp_path)(lambda _step: None, Settings())
    service = connection.service
    assert isinstance(service, LocalService)
    try:
        assert stat.S_IMODE((tmp_path / "audit.key").stat().st_mode) == 0o600
        result = await service.verify_audit(None, full=True)
        assert result.ok, result.reason
        assert result.checkpoints_checked == 1 == result.outside_checkpoints
        assert result.last_checkpoint_entry == result.entries
    finally:
        await service.aclose()
