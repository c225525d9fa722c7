"""The routes of a person over HTTP: a reveal's reason in its body (bounded, never in the URL), who saw the
holder's number, a person's name, and an account's contact data without the person's."""

from __future__ import annotations

import pytest

from onss_tui.services.local.service import LocalService
from tests.api.clients import client_as
from tests.conftest import World
from tests.contract.conftest import staff_enterprise

SECRET = "people-api-secret-0123456789abcdefghijk"


async def test_a_reveal_carries_its_reason_in_the_body_and_the_holder_reads_who_saw_theirs(
    local: LocalService, world: World
) -> None:
    staff = await staff_enterprise(local, world)
    async with client_as(local, staff.am, SECRET) as manager, client_as(local, staff.user, SECRET) as user:
        path = f"/persons/{staff.user}/niss"
        missing = await manager.post(path)  # no body: no reason
        assert missing.status_code == 422 and set(missing.json()["field_errors"]) == {"reason"}
        assert missing.json()["field_reasons"]["reason"]["key"] == "rule.reason.required"
        too_long = await manager.post(path, json={"reason": "x" * 201})
        assert too_long.status_code == 422 and "reason" in too_long.json()["field_errors"]
        shown = await manager.post(path, json={"reason": "Dimona declaration"})
        assert shown.status_code == 200 and shown.json()["niss"].startswith("84.04.04-")
        assert (await user.post(path)).status_code == 200  # one's own: no reason, no body
        refused = await user.post(f"/persons/{staff.mam}/niss", json={"reason": "curious"})
        assert refused.status_code == 403 and refused.json()["reason"]["key"] == "rule.niss_hidden"
        seen = await user.get("/me/niss-reveals", params={"size": 10})
        assert seen.status_code == 200
        assert [(r["revealed_by"], r["reason"]) for r in seen.json()["items"]] == [
            ("Bram Claes", "Dimona declaration")
        ]


async def test_a_user_s_answer_holds_the_account_s_contact_data_and_the_person_s_name_only(
    local: LocalService, world: World
) -> None:
    staff = await staff_enterprise(local, world)
    async with client_as(local, staff.am, SECRET) as manager, client_as(local, staff.user, SECRET) as user:
        body = (await manager.get(f"/users/{staff.user_id}")).json()
        assert set(body["person"]) == {
            "id",
            "niss_masked",
            "first_name",
            "last_name",
            "support_staff",
            "version",
        }
        assert {"phone", "email"} <= set(body)
        stale = await manager.patch(f"/users/{staff.user_id}", json={"expected_version": 1, "last_name": "X"})
        assert stale.status_code == 422  # a user's change holds contact data only
        renamed = await user.patch(
            f"/persons/{staff.user}",
            json={"expected_version": body["person"]["version"], "first_name": "Ils"},
        )
        assert renamed.status_code == 200 and renamed.json()["first_name"] == "Ils"
        refused = await manager.patch(
            f"/persons/{staff.user}", json={"expected_version": 2, "first_name": "I"}
        )
        assert refused.status_code == 403


@pytest.mark.parametrize("path", ["/me/niss-reveals", "/persons/{person_id}", "/persons/{person_id}/niss"])
def test_the_schema_documents_the_routes_of_a_person(local: LocalService, path: str) -> None:
    from onss_tui.api.main import create_app

    schema = create_app(local, secret=SECRET).openapi()
    assert path in schema["paths"]
