"""An HTTP client of the real API app over a local service, through `httpx.ASGITransport`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from onss_tui.api.main import create_app
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.tokens import issue_token


@asynccontextmanager
async def client_as(local: LocalService, person_id: int, secret: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client holding a token issued to `person_id`, against an app signing tokens with `secret`."""
    token = issue_token(local.engine, secret, person_id).token
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(local, secret=secret)),
        base_url="http://api.test",
        headers={"Authorization": f"Bearer {token}"},
    ) as client:
        yield client
