"""`GET /mandates?status=...` over HTTP: the status as the lists show it, expired apart from active."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from onss_tui.domain.quarters import Quarter
from onss_tui.services import dto
from onss_tui.services.local.service import LocalService
from tests.api.clients import client_as
from tests.conftest import World

SECRET = "status-filter-secret-0123456789abcdefgh"
NOW = Quarter.current()


@pytest.fixture
async def support(local: LocalService, world: World) -> AsyncIterator[httpx.AsyncClient]:
    """A client holding a support staff member's token: they see every mandate."""
    async with client_as(local, world.support, SECRET) as client:
        yield client


async def accepted(local: LocalService, world: World, **fields: object) -> dto.MandatePublic:
    """The employer's mandate to the secretariat from this quarter, with `fields`, accepted."""
    values: dict[str, object] = {
        "principal_id": world.employer,
        "mandatary_id": world.secretariat,
        "start_quarter": str(NOW),
        "submit": True,
    }
    pending = await local.create_mandate(world.lr, dto.MandateCreate(**(values | fields)))  # type: ignore[arg-type]
    return await local.accept_mandate(world.lr_ssa, pending.id, pending.version)


async def test_active_and_expired_are_told_apart_in_the_query_string(
    support: httpx.AsyncClient, local: LocalService, world: World
) -> None:
    lasting = await accepted(local, world, groups=["dmfa_dimona"])
    ending = await accepted(local, world, groups=["side_jobs"], end_quarter=str(NOW))
    local.current_quarter = lambda: NOW.next()  # `ending` has now expired

    async def ids(status: str) -> list[int]:
        response = await support.get("/mandates", params={"status": status})
        assert response.status_code == 200, response.text
        return [m["id"] for m in response.json()["items"]]

    assert await ids("active") == [lasting.id]
    assert await ids("expired") == [ending.id]
    expired = (await support.get("/mandates", params={"status": "expired"})).json()["items"][0]
    assert (expired["status"], expired["end_quarter"]) == ("active", str(NOW))  # stored as it was
    refused = await support.get("/mandates", params={"status": "ended"})
    assert refused.status_code == 422 and "status" in refused.json()["field_errors"]
