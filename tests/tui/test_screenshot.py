"""A screenshot is saved in the data directory (the current one is often unwritable) and the notice says
where, in the console's language."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.conftest import record_notices, settle


@pytest.mark.parametrize(("lang", "saved"), [("en", "Saved in"), ("fr", "Enregistrée dans")])
async def test_a_screenshot_lands_in_the_data_directory(  # type: ignore[no-untyped-def]
    store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str, saved: str
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    app = store.app(store.world.lr, lang=lang)
    async with app.run_test(size=(100, 30)) as pilot:
        notices = record_notices(app)
        await settle(pilot)
        app.action_screenshot()
        folder = tmp_path / "data" / "onss-tui" / "screenshots"
        for _ in range(50):
            if notices:
                break
            await pilot.pause(0.05)
        [shot] = list(folder.glob("*.svg"))
        assert "<svg" in shot.read_text(encoding="utf-8")
        assert [notice.message for notice in notices] == [f"{saved} {shot}"]
        assert not list(Path.cwd().glob("*.svg"))
