"""Error answers of the API: each typed error with its status and an `ErrorBody`, per-field messages on 422
whether the service or the request parser found the fault."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from onss_tui.api.main import create_app
from onss_tui.domain.quarters import Quarter
from onss_tui.i18n import LANGUAGES
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.store import make_engine
from tests.api.clients import client_as
from tests.conftest import World

SECRET = "error-tests-secret-0123456789abcdefghijk"


@pytest.fixture
async def lr(local: LocalService, world: World) -> AsyncIterator[httpx.AsyncClient]:
    """A client holding the employer's legal representative's token."""
    async with client_as(local, world.lr, SECRET) as client:
        yield client


def mandate(world: World, **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "principal_id": world.employer,
        "mandatary_id": world.secretariat,
        "groups": ["dmfa_dimona"],
        "start_quarter": str(Quarter.current()),
    }
    body.update(changes)
    return body


async def test_a_rule_broken_is_422_with_the_services_field_errors(
    lr: httpx.AsyncClient, world: World
) -> None:
    response = await lr.post(
        "/mandates", json=mandate(world, start_quarter="2001Q1", groups=["no_such_group"])
    )
    assert response.status_code == 422
    body = response.json()
    assert set(body["field_errors"]) == {"start_quarter", "groups"}
    assert "past" in body["field_errors"]["start_quarter"]
    assert body["detail"]
    # The same, as message keys and values for a client to say in its user's language.
    assert body["field_reasons"] == {
        "start_quarter": {
            "key": "rule.mandate.start_past",
            "params": {"now": {lang: Quarter.current().written(lang) for lang in LANGUAGES}},
        },
        "groups": {"key": "rule.mandate.unknown_group", "params": {"code": "no_such_group"}},
    }


async def test_a_refusal_gives_its_reason_as_a_message_key(lr: httpx.AsyncClient, world: World) -> None:
    response = await lr.get(f"/enterprises/{world.townhall}/users")
    assert response.status_code == 403
    body = response.json()
    assert body["detail"] == "Only the Access Managers of the enterprise see its users."
    assert body["reason"] == {"key": "rule.users.managers_see", "params": {}}


async def test_withdrawing_a_quality_is_refused_with_its_reason(
    local: LocalService, world: World, lr: httpx.AsyncClient
) -> None:
    from tests.contract.conftest import staff_enterprise

    staff = await staff_enterprise(local, world)
    path = f"/enterprises/{world.employer}/qualities/deactivate"
    refused = await lr.post(path, json={"quality_code": "onss_employer"})
    assert refused.status_code == 403
    assert refused.json()["reason"] == {"key": "rule.quality.withdraw_main_only", "params": {}}
    async with client_as(local, staff.mam, SECRET) as mam:
        registration = await mam.post(path, json={"quality_code": "onss_employer"})
        assert registration.status_code == 422
        assert registration.json()["field_reasons"] == {
            "quality_code": {"key": "rule.quality.from_registration", "params": {}}
        }
        assert "since its registration" in registration.json()["field_errors"]["quality_code"]
        activated = await mam.post(
            f"/enterprises/{world.employer}/qualities", json={"quality_code": "company_without_staff"}
        )
        assert activated.status_code == 200
        withdrawn = await mam.post(path, json={"quality_code": "company_without_staff"})
        assert withdrawn.status_code == 200, withdrawn.text
        qualities = {q["code"]: q for q in withdrawn.json()["qualities"]}
        assert qualities["company_without_staff"]["active"] is False
        assert qualities["onss_employer"]["from_registration"] is True
        again = await mam.post(path, json={"quality_code": "company_without_staff"})
        assert again.status_code == 422
        assert again.json()["field_reasons"]["quality_code"]["key"] == "rule.quality.not_active"
        shapeless = await mam.post(path, json={"quality_code": "[bold]x[/]"})
        assert shapeless.status_code == 422 and "quality_code" in shapeless.json()["field_errors"]


async def test_a_malformed_request_is_422_with_field_errors(lr: httpx.AsyncClient, world: World) -> None:
    response = await lr.post("/mandates", json={"principal_id": "one", "groups": "x", "surplus": 1})
    assert response.status_code == 422
    fields = response.json()["field_errors"]
    assert {"principal_id", "mandatary_id", "start_quarter", "surplus"} <= set(fields)
    assert (await lr.get("/mandates", params={"size": 0})).json()["field_errors"].keys() == {"size"}
    assert (await lr.get("/mandates", params={"status": "lost"})).status_code == 422


async def test_values_the_store_cannot_hold_are_422(lr: httpx.AsyncClient, world: World) -> None:
    huge = await lr.post("/mandates", json=mandate(world, principal_id=2**70))
    assert huge.status_code == 422, huge.text
    nul = await lr.get("/mandates", params={"text": "Dupont\x00"})
    # A search with a character no stored text may hold finds nothing, on both databases.
    assert nul.status_code == 200 and nul.json()["items"] == [], nul.text


async def test_unreadable_json_is_400(lr: httpx.AsyncClient) -> None:
    response = await lr.post(
        "/mandates", content=b"\xff\xfe not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["detail"]


async def test_unknown_and_stale_objects_are_404_and_409(lr: httpx.AsyncClient, world: World) -> None:
    missing = await lr.get("/mandates/999999")
    assert missing.status_code == 404 and missing.json()["detail"] == "No such mandate."
    created = (await lr.post("/mandates", json=mandate(world))).json()
    stale = await lr.post(
        f"/mandates/{created['id']}/submit", json={"expected_version": created["version"] + 1}
    )
    assert stale.status_code == 409 and "changed by someone else" in stale.json()["detail"]
    fresh = await lr.post(f"/mandates/{created['id']}/submit", json={"expected_version": created["version"]})
    assert fresh.status_code == 200 and fresh.json()["status"] == "pending"


async def test_a_store_that_is_down_is_503() -> None:
    down = LocalService(make_engine("postgresql://postgres@127.0.0.1:1/nowhere"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(down, secret=SECRET)), base_url="http://api.test"
    ) as client:
        response = await client.get("/catalogue", headers={"Authorization": "Bearer some-token"})
    assert response.status_code == 503
    assert "cannot be reached" in response.json()["detail"]
