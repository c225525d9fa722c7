"""Bearer tokens live for their lifetime: an expired one is refused at once; a holder sees their tokens
(never a token itself) and their last use, and revokes one, over the API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlmodel import Session

from onss_tui.api.main import create_app
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.tables import ApiToken, utcnow
from onss_tui.services.local.tokens import issue_token
from tests.api.test_auth import SECRET, bearer
from tests.conftest import World


@pytest.fixture
async def http(local: LocalService) -> AsyncIterator[httpx.AsyncClient]:
    """The real app, through its ASGI transport."""
    transport = httpx.ASGITransport(app=create_app(local, secret=SECRET))
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
        yield client


async def test_an_expired_token_is_refused(
    http: httpx.AsyncClient, local: LocalService, world: World
) -> None:
    issued = issue_token(local.engine, SECRET, world.lr, days=1)
    assert (await http.get("/me", headers=bearer(issued.token))).status_code == 200
    with Session(local.engine) as session:
        row = session.get(ApiToken, issued.id)
        assert row is not None and row.last_used_at is not None  # its use is kept
        row.expires_at = utcnow()
        session.add(row)
        session.commit()
    response = await http.get("/me", headers=bearer(issued.token))
    assert response.status_code == 401 and response.json()["reason"] == {"key": "rule.api.token_invalid"}


async def test_a_holder_lists_and_revokes_their_tokens(
    http: httpx.AsyncClient, local: LocalService, world: World
) -> None:
    mine = issue_token(local.engine, SECRET, world.lr, "laptop")
    spare = issue_token(local.engine, SECRET, world.lr, "spare")
    theirs = issue_token(local.engine, SECRET, world.lr_town, "desk")
    listed = await http.get("/me/tokens", headers=bearer(mine.token))
    assert listed.status_code == 200
    assert {t["label"] for t in listed.json()} == {"laptop", "spare"}
    assert mine.token not in listed.text and spare.token not in listed.text
    assert all(t["expires_at"] and t["created_at"] for t in listed.json())
    other = await http.post(f"/me/tokens/{theirs.id}/revoke", headers=bearer(mine.token))
    assert other.status_code == 404
    revoked = await http.post(f"/me/tokens/{spare.id}/revoke", headers=bearer(mine.token))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert (await http.get("/me", headers=bearer(spare.token))).status_code == 401
    assert (await http.get("/me", headers=bearer(theirs.token))).status_code == 200
