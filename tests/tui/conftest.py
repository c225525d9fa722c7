"""Fixtures for the console's Pilot tests: a real SQLite store holding the small world, and the app on it.

The top-level `local` fixture runs over PostgreSQL too; the screens need one store only, so these use a
SQLite file in `tmp_path`. The config file is redirected to `tmp_path` so that switching the theme or
the language in a test never touches the user's own settings.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from textual.worker import WorkerFailed

from onss_tui.app import OnssApp
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.store import open_store
from tests.conftest import World, build_world


@pytest.fixture(autouse=True)
def config_home(tmp_path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Settings saved by the app land in `tmp_path`, never in the user's config directory."""
    home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    for variable in ("ONSS_TUI_LANG", "ONSS_TUI_THEME", "ONSS_TUI_DATABASE_URL"):
        monkeypatch.delenv(variable, raising=False)
    return home


@dataclass
class Store:
    """The service on a fresh SQLite file, and the ids of the world it holds."""

    service: LocalService
    world: World
    url: str

    def app(self, actor_id: int | None = None, *, lang: str = "en", **options: object) -> OnssApp:
        """The console on this store, signed in as `actor_id` (or showing the sign-in list)."""
        return OnssApp(self.service, actor_id=actor_id, lang=lang, **options)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path) -> Iterator[Store]:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'console.db'}"
    service = LocalService(open_store(url))
    world = build_world(service.engine)
    yield Store(service, world, url)
    service.engine.dispose()


def hold(service: object, method: str, when: Callable[..., bool] = lambda *args: True) -> asyncio.Event:
    """Make the service's `method` answer (the calls for which `when(*args)`) only once the returned gate is
    set: a slow link, so that what the console does meanwhile can be checked."""
    gate = asyncio.Event()
    answer = getattr(service, method)

    async def held(*args: object, **kwargs: object) -> object:
        if when(*args):
            await gate.wait()
        return await answer(*args, **kwargs)

    setattr(service, method, held)
    return gate


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait until every worker has finished and the screen has caught up with their results. A worker that
    failed is the app's to report (its handler of failed workers): the test asserts on what it said."""
    app = pilot.app
    for _ in range(20):
        with contextlib.suppress(WorkerFailed):
            await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            return


@dataclass(frozen=True)
class Notice:
    title: str
    message: str
    severity: str


def record_notices(app: OnssApp) -> list[Notice]:
    """Every notification the app shows from now on (they are still shown)."""
    notices: list[Notice] = []
    show = app.notify

    def notify(message: str, *, title: str = "", severity: str = "information", **options: object) -> None:
        notices.append(Notice(title, message, severity))
        show(message, title=title, severity=severity, **options)  # type: ignore[arg-type]

    app.notify = notify  # type: ignore[method-assign]
    return notices


async def type_into(pilot, field_id: str, text: str) -> None:  # type: ignore[no-untyped-def]
    """Empty an identifier field, then type `text` into it key by key, as a user would."""
    field = pilot.app.screen.query_one(f"#{field_id}")
    field.value = ""
    field.focus_input()
    await pilot.pause()
    await pilot.press(*text)
    await pilot.pause()


def reason(app: OnssApp, field_id: str) -> str:
    """The reason shown beside an identifier field."""
    return str(app.screen.query_one(f"#{field_id} .field-reason").content)
