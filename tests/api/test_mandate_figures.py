"""`GET /mandates/figures` over HTTP: the figures as the service counts them, refusals as 403, a bad
enterprise id as 422."""

from __future__ import annotations

from onss_tui.services.local.service import LocalService
from tests.api.clients import client_as
from tests.conftest import World

SECRET = "figures-secret-0123456789abcdefghijkl"


async def test_the_figures_answer_as_the_service_counts(local: LocalService, world: World) -> None:
    async with client_as(local, world.support, SECRET) as client:
        response = await client.get("/mandates/figures")
        assert response.status_code == 200, response.text
        assert response.json() == (await local.mandate_figures(world.support)).model_dump(mode="json")
        mine = await client.get("/mandates/figures", params={"enterprise_id": world.employer})
        assert mine.status_code == 200 and mine.json()["enterprise_id"] == world.employer
        assert (await client.get("/mandates/figures", params={"enterprise_id": "0"})).status_code == 422
        assert (await client.get("/mandates/figures", params={"enterprise_id": "x"})).status_code == 422


async def test_every_enterprises_figures_are_refused_to_a_manager(local: LocalService, world: World) -> None:
    async with client_as(local, world.lr, SECRET) as client:
        refused = await client.get("/mandates/figures")
        assert refused.status_code == 403
        assert "support staff" in refused.json()["detail"]
        assert (
            await client.get("/mandates/figures", params={"enterprise_id": world.employer})
        ).status_code == 200
