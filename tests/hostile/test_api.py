"""Hostile input through the API (the real app over `httpx.ASGITransport`), on SQLite and PostgreSQL:
every text field of every write, every list, search and cursor parameter. Every answer is a 4xx or a
2xx, never a 5xx; what the rule refuses is 422 with a reason (a message key) for its field."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from onss_tui.api.limits import RequestLimits
from onss_tui.api.main import create_app
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.store import make_engine
from onss_tui.services.wire import ServiceChange
from tests.api.clients import client_as
from tests.conftest import World
from tests.contract.conftest import staff_enterprise
from tests.hostile.requests import writes
from tests.hostile.test_service import CURSORS
from tests.hostile.values import HUGE, MANY, REFUSED_EVERYWHERE, TEXTS

SECRET = "hostile-suite-secret-0123456789abcdefghij"


async def _send(client: httpx.AsyncClient, method: str, path: str, body: dict[str, Any]) -> httpx.Response:
    """`body` as JSON with every character outside ASCII escaped (an unpaired surrogate too)."""
    return await client.request(
        method, path, content=json.dumps(body), headers={"Content-Type": "application/json"}
    )


def _refused_for(response: httpx.Response, field: str) -> None:
    """422 with a reason for `field`; or, for a body larger than the server takes at all, 413 before it is
    read (a 10 MB text, 100,000 items)."""
    sent = response.request.content
    if len(sent) > RequestLimits().max_body:
        assert response.status_code == 413, (field, response.status_code, response.text[:300])
        return
    assert response.status_code == 422, (field, response.status_code, response.text[:300])
    body = response.json()
    assert field in body["field_errors"], body
    assert body["field_reasons"][field]["key"].startswith(("rule.", "ident.")), body


@pytest.mark.parametrize("name", list(TEXTS))
async def test_every_text_field_of_every_write(local: LocalService, world: World, name: str) -> None:
    staff = await staff_enterprise(local, world)
    value = TEXTS[name]
    actors = {
        "designate_main_access_manager": world.lr,
        "designate": staff.mam,
        "create_user": staff.am,
        "update_user": staff.am,
        "update_person": staff.user,
        "create_mandate": world.lr,
    }
    for operation, write in writes(staff).items():
        async with client_as(local, actors[operation], SECRET) as client:
            for field in write.texts:
                response = await _send(client, write.method, write.path, write.valid | {field: value})
                assert response.status_code < 500, (operation, field, response.text[:300])
                if name in REFUSED_EVERYWHERE or field in write.shaped:
                    _refused_for(response, field)


async def test_lists_far_too_long_are_422(local: LocalService, world: World) -> None:
    staff = await staff_enterprise(local, world)
    async with client_as(local, staff.am, SECRET) as client:
        for verb in ("grant", "withdraw"):
            for body, field in (
                ({"user_ids": [staff.user_id] * MANY, "service_codes": ["dimona"]}, "user_ids"),
                ({"user_ids": [staff.user_id], "service_codes": ["dimona"] * MANY}, "service_codes"),
                ({"user_ids": [], "service_codes": ["dimona"]}, "user_ids"),
            ):
                _refused_for(await _send(client, "POST", f"/users/services/{verb}", body), field)
        for code in ("\ud800", "[/]", "x" * 41, "dimona\x00"):
            body = {"user_ids": [staff.user_id], "service_codes": [code]}
            _refused_for(await _send(client, "POST", "/users/services/grant", body), "service_codes.0")
        made = {"enterprise_id": world.employer, "niss": "85073003328", "services": ["dimona"] * MANY}
        _refused_for(await _send(client, "POST", "/users", made), "services")
    async with client_as(local, world.lr, SECRET) as client:
        mandate = {
            "principal_id": world.employer,
            "mandatary_id": world.secretariat,
            "groups": ["dmfa_dimona"] * MANY,
            "start_quarter": "2099Q1",
        }
        _refused_for(await _send(client, "POST", "/mandates", mandate), "groups")
        for code in ("\ud800", "[bold]x[/]", "onss_employer\u202e", HUGE):
            for path in ("qualities", "qualities/deactivate"):
                quality = await _send(
                    client, "POST", f"/enterprises/{world.employer}/{path}", {"quality_code": code}
                )
                _refused_for(quality, "quality_code")


LIST_SEARCHES: dict[str, list[str]] = {
    "/enterprises": ["query"],
    "/providers": ["query"],
    "/mandates": ["text", "principal", "mandatary"],
    "/audit": ["action"],
}


@pytest.mark.parametrize("name", list(TEXTS))
async def test_searches_with_hostile_text_are_answered(local: LocalService, world: World, name: str) -> None:
    staff = await staff_enterprise(local, world)
    # A URL carries UTF-8 (an unpaired surrogate cannot be sent), and the client sends 64 kB at most.
    text = TEXTS[name].replace("\ud800", "\ufffd")[:30_000]
    async with client_as(local, staff.am, SECRET) as client:
        searches = LIST_SEARCHES | {f"/enterprises/{world.employer}/users": ["text"]}
        for path, parameters in searches.items():
            for parameter in parameters:
                response = await client.get(path, params={parameter: text})
                assert response.status_code in (200, 422), (path, parameter, response.text[:300])
                if len(text) > 200:
                    _refused_for(response, parameter)
                elif response.status_code == 200:
                    assert response.json()["items"] == [] or name in ("closing_tag", "bold_markup", "emoji")
        response = await _send(client, "POST", "/me/identities", {"query": TEXTS[name][:200]})
        assert response.status_code == 200, response.text[:300]


async def test_crafted_cursors_and_ids_are_422(local: LocalService, world: World) -> None:
    staff = await staff_enterprise(local, world)
    async with client_as(local, staff.am, SECRET) as client:
        for path in (
            *LIST_SEARCHES,
            f"/enterprises/{world.employer}/users",
            f"/enterprises/{world.employer}/designations",
        ):
            for cursor in CURSORS:
                _refused_for(await client.get(path, params={"cursor": cursor}), "cursor")
        for path in ("/users/99999999999", "/mandates/0", f"/enterprises/{2**31}", "/mandates/-1"):
            assert (await client.get(path)).status_code == 422, path
        response = await client.get("/enterprises", params={"query": HUGE[:30_000]})
        _refused_for(response, "query")
        step = await _send(
            client,
            "PUT",
            f"/users/{staff.user_id}/status",
            {"status": "suspended", "expected_version": 2**70},
        )
        _refused_for(step, "expected_version")


async def test_the_schema_states_every_bound(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """What the server refuses for a bound, the schema says: lengths, items, patterns, ranges."""
    unopened = LocalService(make_engine(str(tmp_path / "unopened.db")))
    schema = create_app(unopened, secret=SECRET).openapi()
    components = schema["components"]["schemas"]
    change = components["ServiceChange"]["properties"]
    assert change["user_ids"]["maxItems"] == 500 and change["user_ids"]["minItems"] == 1
    assert change["user_ids"]["items"]["maximum"] == 2**31 - 1
    assert change["service_codes"]["items"]["pattern"] and change["service_codes"]["maxItems"] == 50
    user = components["UserCreate"]["properties"]
    assert user["first_name"]["anyOf"][0]["maxLength"] == 100
    assert user["niss"]["minLength"] == 1 and user["niss"]["maxLength"] == 32
    mandate = components["MandateCreate"]["properties"]
    assert mandate["groups"]["minItems"] == 1 and mandate["start_quarter"]["pattern"]
    parameters = {p["name"]: p for p in schema["paths"]["/mandates"]["get"]["parameters"]}
    assert parameters["cursor"]["schema"]["anyOf"][0]["maxLength"] == 4096
    assert parameters["text"]["schema"]["maxLength"] == 200
    query = {p["name"]: p for p in schema["paths"]["/enterprises"]["get"]["parameters"]}["query"]
    assert query["schema"]["maxLength"] == 200
    assert ServiceChange.model_json_schema()["properties"]["user_ids"]["maxItems"] == 500


async def test_an_unreachable_database_is_503_without_its_address() -> None:
    """Even to an unknown token: no host, port or user in the answer; a read's outcome is never unknown."""
    down = LocalService(make_engine("postgresql://onss_operator@127.0.0.1:1/nowhere"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(down, secret=SECRET)), base_url="http://api.test"
    ) as client:
        for method, path in (("GET", "/catalogue"), ("GET", "/mandates"), ("POST", "/me/sign-in")):
            response = await client.request(method, path, headers={"Authorization": "Bearer not-a-token"})
            assert response.status_code == 503, response.text
            body = response.json()
            for secret in ("127.0.0.1", "onss_operator", "port", "nowhere", ":1"):
                assert secret not in response.text, secret
            assert body["reason"]["key"] == "rule.store.unavailable"
            assert body["outcome_unknown"] is False
