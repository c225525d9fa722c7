"""The console over an API server whose answers cannot be read (a proxy's HTML page where the list of
mandates should be): the mandate browser stays up and says, in the console's language, what happened."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from onss_tui.api.main import create_app
from onss_tui.screens.mandates import MandatesScreen
from onss_tui.screens.overview import OverviewScreen
from onss_tui.services.local.tokens import issue_token
from onss_tui.services.remote import RemoteService
from tests.tui.browsing import console
from tests.tui.conftest import Store

SECRET = "a-secret-for-the-api-of-these-tests-0123456789"
SAID = {
    "en": "The server's answer could not be read (HTTP 200, text/html)",
    "fr": "La réponse du serveur n'a pas pu être lue (HTTP 200, text/html)",
    "nl": "Het antwoord van de server kon niet gelezen worden (HTTP 200, text/html)",
    "de": "Die Antwort des Servers konnte nicht gelesen werden (HTTP 200, text/html)",
}


class ProxyPageForMandates(httpx.AsyncBaseTransport):
    """The real API app, except that the list of mandates is answered by a sign-in page of HTML, with 200."""

    def __init__(self, store: Store) -> None:
        self.api = httpx.ASGITransport(app=create_app(store.service, secret=SECRET))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/mandates":
            return httpx.Response(200, html="<html><body><h1>Sign in to the proxy</h1></body></html>")
        return await self.api.handle_async_request(request)


@pytest.mark.parametrize("lang", ["fr", "nl", "de", "en"])
async def test_the_mandate_browser_stays_up_and_says_the_answer_could_not_be_read(
    store: Store, lang: str
) -> None:
    token = issue_token(store.service.engine, SECRET, store.world.lr).token
    remote = RemoteService("http://api.test", token, transport=ProxyPageForMandates(store))
    async with console(remote, store.world.lr, lang=lang) as session:  # type: ignore[arg-type]
        async with asyncio.timeout(60):  # a console brought down would leave the table loading for ever
            await session.open("mandates")
        assert isinstance(session.app.screen, MandatesScreen)
        assert session.app.is_running
        assert session.noticed(SAID[lang])
        assert SAID[lang] in str(session.table.border_subtitle)
        assert session.table.rows == []

        await session.open("overview")  # the console goes on working
        assert isinstance(session.app.screen, OverviewScreen)
    assert session.app.return_code in (None, 0)
    await remote.aclose()
