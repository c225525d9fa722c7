"""Old data said: while the API server cannot be reached, each screen showing data says when it was
loaded; once the server answers again and the screen has loaded its data again, the line goes."""

from __future__ import annotations

import re

import httpx
import pytest
from textual.widgets import Static

from onss_tui.api.main import create_app
from onss_tui.screens.base import STALE
from onss_tui.screens.overview import OverviewScreen
from onss_tui.screens.users import UsersScreen
from onss_tui.services.local.tokens import issue_token
from onss_tui.services.remote import RemoteService
from tests.tui.browsing import Session, console, make_main_access_manager
from tests.tui.conftest import Store

SECRET = "a-secret-for-the-api-of-these-tests-0123456789"
SAID = {
    "en": "the service cannot be reached",
    "fr": "le service est injoignable",
    "nl": "de dienst is onbereikbaar",
    "de": "der Dienst ist nicht erreichbar",
}


class StoppableServer(httpx.AsyncBaseTransport):
    """The real API app, behind a server that can be stopped (every connection refused) and started."""

    def __init__(self, store: Store) -> None:
        self.api = httpx.ASGITransport(app=create_app(store.service, secret=SECRET))
        self.running = True

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.running:
            raise httpx.ConnectError("connection refused", request=request)
        return await self.api.handle_async_request(request)


def notice(session: Session) -> str | None:
    found = session.app.screen.query(f"#{STALE}")
    return str(found.first(Static).render()) if found else None


@pytest.mark.parametrize("lang", ["en", "fr", "nl", "de"])
async def test_the_screens_say_their_data_is_old_while_the_server_is_stopped(store: Store, lang: str) -> None:
    await make_main_access_manager(store.service, store.world)  # she may list the users
    server = StoppableServer(store)
    token = issue_token(store.service.engine, SECRET, store.world.lr).token
    remote = RemoteService("http://api.test", token, transport=server, backoff=0)
    async with console(remote, store.world.lr, lang=lang) as session:  # type: ignore[arg-type]
        await session.open("users")
        await session.open("overview")
        assert isinstance(session.app.screen, OverviewScreen)
        assert notice(session) is None

        server.running = False
        await session.press("f5")
        said = notice(session)
        assert said is not None and SAID[lang] in said
        assert re.search(r"\b\d\d:\d\d\b", said)  # the time the overview was loaded
        await session.press("3")  # the users list, loaded before, is as old
        assert isinstance(session.app.screen, UsersScreen)
        assert notice(session) is not None and SAID[lang] in notice(session)  # type: ignore[operator]

        server.running = True
        await session.press("1")
        assert notice(session) is not None  # nothing has asked the server since
        await session.press("f5")  # it answers: the overview is loaded again and says nothing more
        assert isinstance(session.app.screen, OverviewScreen)
        assert notice(session) is None
        await session.press("3")  # the service came back: the users list too is loaded again
        assert notice(session) is None
    await remote.aclose()
