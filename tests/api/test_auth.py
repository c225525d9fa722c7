"""Authentication and isolation: no token, a bad token, a revoked token, another enterprise's objects by id,
and national register numbers kept out of URLs. The brake on failing tokens: `test_brake.py`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlmodel import Session, select

from onss_tui.api.main import create_app
from onss_tui.domain.quarters import Quarter
from onss_tui.services import dto
from onss_tui.services.errors import PermissionDenied
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.tables import ApiToken
from onss_tui.services.local.tokens import issue_token, revoke_token, token_hash
from onss_tui.services.remote import RemoteService
from tests.conftest import World
from tests.contract.conftest import MAM_NISS, main_designation, staff_enterprise

SECRET = "auth-tests-secret-0123456789abcdefghijkl"


@pytest.fixture
def app(local: LocalService):  # type: ignore[no-untyped-def]
    return create_app(local, secret=SECRET)


def client_at(app, address: str = "127.0.0.1") -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(address, 40000)), base_url="http://api.test"
    )


@pytest.fixture
async def http(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    async with client_at(app) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def operations(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Every (method, path) of the schema, with 1 for each id."""
    found = []
    for path, methods in app.openapi()["paths"].items():
        concrete = path
        for name in ("person_id", "enterprise_id", "designation_id", "user_id", "mandate_id"):
            concrete = concrete.replace("{" + name + "}", "1")
        found.extend((method.upper(), concrete) for method in methods)
    return found


async def test_every_operation_refuses_a_request_without_token(app, http: httpx.AsyncClient, world) -> None:  # type: ignore[no-untyped-def]
    listed = operations(app)
    assert len(listed) >= 27
    for method, path in listed:  # from one address: a request without a token is no guess to brake
        response = await http.request(method, path, json={})
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert response.json()["detail"]


async def test_a_bad_token_is_refused(http: httpx.AsyncClient, world: World) -> None:
    response = await http.get("/me", headers=bearer("not-a-token"))
    assert response.status_code == 401
    assert response.json() == {
        "detail": "This token is not valid.",
        "reason": {"key": "rule.api.token_invalid"},
    }


async def test_a_token_made_with_another_secret_is_refused(
    http: httpx.AsyncClient, local: LocalService, world: World
) -> None:
    token = issue_token(local.engine, "another-secret-0123456789abcdefghijklmn", world.lr).token
    assert (await http.get("/me", headers=bearer(token))).status_code == 401


async def test_a_revoked_token_is_refused(http: httpx.AsyncClient, local: LocalService, world: World) -> None:
    by_value = issue_token(local.engine, SECRET, world.lr)
    by_id = issue_token(local.engine, SECRET, world.lr)
    for issued in (by_value, by_id):
        response = await http.get("/me", headers=bearer(issued.token))
        assert response.status_code == 200
        assert response.json()["person_id"] == world.lr
    assert revoke_token(local.engine, SECRET, by_value.token) == by_value.id
    assert revoke_token(local.engine, None, str(by_id.id)) == by_id.id
    for issued in (by_value, by_id):
        assert (await http.get("/catalogue", headers=bearer(issued.token))).status_code == 401


async def test_tokens_are_stored_only_as_their_hmac(local: LocalService, world: World) -> None:
    issued = issue_token(local.engine, SECRET, world.lr, "laptop")
    with Session(local.engine) as session:
        row = session.exec(select(ApiToken).where(ApiToken.id == issued.id)).one()
    assert row.token_hash == token_hash(SECRET, issued.token) != issued.token
    assert issued.token not in row.token_hash and row.label == "laptop"
    assert len(issued.token) >= 40


async def test_the_token_decides_who_acts(http: httpx.AsyncClient, local: LocalService, world: World) -> None:
    """No parameter names an actor: the same request acts for whoever holds the token."""
    lr = bearer(issue_token(local.engine, SECRET, world.lr).token)
    town = bearer(issue_token(local.engine, SECRET, world.lr_town).token)
    mine = (await http.get("/enterprises", headers=lr)).json()["items"]
    theirs = (await http.get("/enterprises", headers=town)).json()["items"]
    assert [e["id"] for e in mine] == [world.employer]
    assert [e["id"] for e in theirs] == [world.townhall]


async def test_another_enterprises_objects_are_refused_by_id(
    http: httpx.AsyncClient, local: LocalService, world: World
) -> None:
    staff = await staff_enterprise(local, world)
    mandate = await local.create_mandate(
        world.lr,
        dto.MandateCreate(
            principal_id=world.employer,
            mandatary_id=world.secretariat,
            groups=["dmfa_dimona"],
            start_quarter=str(Quarter.current()),
        ),
    )
    designation = staff.am_designation
    town = bearer(issue_token(local.engine, SECRET, world.lr_town).token)
    refused = [
        ("GET", f"/enterprises/{world.employer}", None),
        ("GET", f"/enterprises/{world.employer}/designations", None),
        ("GET", f"/enterprises/{world.employer}/users", None),
        ("GET", f"/enterprises/{world.employer}/users/rights", None),
        ("GET", f"/users/{staff.user_id}", None),
        ("PATCH", f"/users/{staff.user_id}", {"expected_version": 1, "phone": "0470 99 88 77"}),
        ("PUT", f"/users/{staff.user_id}/status", {"status": "suspended", "expected_version": 1}),
        ("POST", "/users/services/grant", {"user_ids": [staff.user_id], "service_codes": ["dimona"]}),
        ("GET", f"/mandates/{mandate.id}", None),
        ("POST", f"/mandates/{mandate.id}/close", {"expected_version": mandate.version}),
        ("POST", f"/designations/{designation.id}/end", {"expected_version": designation.version}),
        ("POST", f"/enterprises/{world.employer}/qualities", {"quality_code": "no_staff_company"}),
        ("POST", f"/enterprises/{world.employer}/qualities/deactivate", {"quality_code": "onss_employer"}),
        ("POST", f"/persons/{world.lr}/niss", None),
    ]
    for method, path, body in refused:
        response = await http.request(method, path, headers=town, json=body)
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["detail"]
    listed = (await http.get("/mandates", headers=town)).json()["items"]
    assert mandate.id not in [m["id"] for m in listed]
    # Nothing changed behind the refusals.
    assert (await local.get_user(staff.am, staff.user_id)).version == 1
    assert (await local.get_mandate(world.lr, mandate.id)).status == dto.MandateStatus.TO_FINALISE


async def test_national_register_numbers_never_travel_in_urls(app, local: LocalService, world: World) -> None:  # type: ignore[no-untyped-def]
    schema = app.openapi()
    for path, methods in schema["paths"].items():
        assert "niss" not in path.replace("/niss", "")  # only the reveal action's name
        for operation in methods.values():
            for parameter in operation.get("parameters", []):
                assert "niss" not in parameter["name"], (path, parameter["name"])
    urls: list[str] = []

    async def remember(request: httpx.Request) -> None:
        urls.append(str(request.url))

    token = issue_token(local.engine, SECRET, world.lr).token
    remote = RemoteService("http://api.test", token, transport=httpx.ASGITransport(app=app))
    remote._client.event_hooks["request"].append(remember)
    designation = await remote.designate_main_access_manager(world.lr, main_designation())
    revealed = await remote.reveal_niss(world.lr, designation.person.id, "designation file")
    await remote.list_identities("85073003328")
    await remote.aclose()
    assert revealed.replace(".", "").replace("-", "") == MAM_NISS
    assert len(urls) >= 4
    for url in urls:
        assert MAM_NISS not in url and "85073003328" not in url and MAM_NISS[:6] not in url


async def test_a_connection_acts_only_for_its_token_holder(app, local: LocalService, world: World) -> None:  # type: ignore[no-untyped-def]
    token = issue_token(local.engine, SECRET, world.lr_town).token
    sent: list[str] = []

    async def remember(request: httpx.Request) -> None:
        sent.append(request.url.path)

    remote = RemoteService("http://api.test", token, transport=httpx.ASGITransport(app=app))
    remote._client.event_hooks["request"].append(remember)
    with pytest.raises(PermissionDenied, match="API token"):
        await remote.get_overview(world.lr, world.employer)
    assert sent == ["/me"]  # the holder was asked; the overview was never requested
    assert (await remote.get_overview(world.lr_town, world.townhall)).enterprise.id == world.townhall
    await remote.aclose()


async def test_a_bad_token_reaches_screens_as_permission_denied(app, world: World) -> None:  # type: ignore[no-untyped-def]
    remote = RemoteService("http://api.test", "wrong", transport=httpx.ASGITransport(app=app))
    with pytest.raises(PermissionDenied, match="refused the token"):
        await remote.catalogue(world.lr)
    await remote.aclose()
