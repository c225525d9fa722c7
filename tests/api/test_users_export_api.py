"""`GET /enterprises/{id}/users/rights` over HTTP: every user with their online services, a page at a time,
for the enterprise's managers and support staff; anyone else gets 403 with the reason."""

from __future__ import annotations

from onss_tui.services import dto
from onss_tui.services.local.service import LocalService
from tests.api.clients import client_as
from tests.conftest import World, niss
from tests.contract.conftest import staff_enterprise

SECRET = "users-export-secret-0123456789abcdefghij"


async def test_managers_and_support_read_every_user_a_page_at_a_time(
    local: LocalService, world: World
) -> None:
    staff = await staff_enterprise(local, world)
    other = dto.UserCreate(
        enterprise_id=world.employer, niss=niss("850505505"), first_name="Tom", last_name="Wouters"
    )
    await local.create_user(staff.am, other)
    path = f"/enterprises/{world.employer}/users/rights"
    for actor in (staff.am, world.support):
        async with client_as(local, actor, SECRET) as client:
            first = await client.get(path, params={"size": 1})
            assert first.status_code == 200, first.text
            assert len(first.json()["items"]) == 1 and first.json()["next_cursor"]
            everyone = await client.get(path)
            assert everyone.status_code == 200
            assert [u["person"]["last_name"] for u in everyone.json()["items"]] == ["Jacobs", "Wouters"]
            assert (await client.get(path, params={"size": 0})).status_code == 422


async def test_a_plain_user_and_a_stranger_are_refused_with_the_reason(
    local: LocalService, world: World
) -> None:
    staff = await staff_enterprise(local, world)
    path = f"/enterprises/{world.employer}/users/rights"
    for actor in (staff.user, world.outsider):
        async with client_as(local, actor, SECRET) as client:
            refused = await client.get(path)
            assert refused.status_code == 403, refused.text
            assert refused.json()["reason"]["key"] == "rule.users.export_managers"
            assert "Only the Access Managers of the enterprise and support staff" in refused.json()["detail"]
    async with client_as(local, staff.user, SECRET) as client:  # the list of users: their own record
        own = await client.get(f"/enterprises/{world.employer}/users")
        assert [u["id"] for u in own.json()["items"]] == [staff.user_id]
