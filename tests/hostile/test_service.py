"""Hostile input through `LocalService`, on SQLite and PostgreSQL: every text field of every write, every
list, every search and every cursor. What the rule refuses is `ValidationFailed` with a reason for the
field, whether the request was validated when made or not (`model_construct`); anything else is answered
(done, or refused by a rule), and nothing is ever another exception."""

from __future__ import annotations

import base64
import json

import pytest
from sqlmodel import Session, col, select

from onss_tui.services import dto
from onss_tui.services.errors import PermissionDenied, ServiceError, ValidationFailed
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.tables import AuditEntry, Person
from tests.conftest import World
from tests.contract.conftest import fresh_niss, staff_enterprise
from tests.hostile.requests import writes
from tests.hostile.values import MANY, REFUSED_EVERYWHERE, TEXTS


@pytest.mark.parametrize("name", list(TEXTS))
async def test_every_text_field_of_every_write(local: LocalService, world: World, name: str) -> None:
    staff = await staff_enterprise(local, world)
    value = TEXTS[name]
    for operation, write in writes(staff).items():
        for field in write.texts:
            refused = name in REFUSED_EVERYWHERE or field in write.shaped
            unchecked = write.model.model_construct(**(write.valid | {field: value}))
            try:
                await write.send(local, unchecked)
            except ValidationFailed as failure:
                assert not refused or field in failure.field_errors, (operation, field, failure.field_errors)
                assert all(getattr(r, "key", None) for r in failure.field_errors.values()), (
                    failure.field_errors
                )
            except ServiceError as failure:
                assert not refused, (operation, field, failure)
                assert failure.status_code < 500, (operation, field, failure)
            else:
                assert not refused, (operation, field, "accepted")
            if refused:  # made in code, the request is refused the same way before it is sent
                with pytest.raises(ValidationFailed) as made:
                    write.model(**(write.valid | {field: value}))
                assert field in made.value.field_errors


async def test_names_with_markup_and_emoji_are_stored_as_typed(local: LocalService, world: World) -> None:
    staff = await staff_enterprise(local, world)
    for text in ("[/]", "[bold]x[/]", "Zoë 👩‍💼"):
        version = (await local.get_user(staff.am, staff.user_id)).person.version
        person = await local.update_person(
            staff.user, staff.user, dto.PersonUpdate(expected_version=version, last_name=text)
        )
        assert person.last_name == text


async def test_names_are_trimmed(local: LocalService, world: World) -> None:
    staff = await staff_enterprise(local, world)
    version = (await local.get_user(staff.am, staff.user_id)).person.version
    person = await local.update_person(
        staff.user, staff.user, dto.PersonUpdate(expected_version=version, first_name="  Ilse  ")
    )
    assert person.first_name == "Ilse"


@pytest.mark.parametrize("size", [0, 501, MANY])
async def test_lists_of_users_and_services_are_bounded(local: LocalService, world: World, size: int) -> None:
    staff = await staff_enterprise(local, world)
    ids = [staff.user_id] * size
    codes = ["dimona"] * size
    for user_ids, service_codes, field in (
        (ids, ["dimona"], "user_ids"),
        ([staff.user_id], codes, "service_codes"),
    ):
        for change in (local.grant_services, local.withdraw_services):
            with pytest.raises(ValidationFailed) as refused:
                await change(staff.am, user_ids, service_codes)
            assert set(refused.value.field_errors) == {field}
    with pytest.raises(ValidationFailed) as refused:
        await local.create_user(
            staff.am, dto.UserCreate.model_construct(enterprise_id=world.employer, niss="x", services=codes)
        )
    assert "services" in refused.value.field_errors or size == 0
    if size:
        with pytest.raises(ValidationFailed) as refused:
            await local.create_mandate(
                world.lr,
                dto.MandateCreate.model_construct(
                    principal_id=world.employer,
                    mandatary_id=world.secretariat,
                    groups=codes,
                    start_quarter="2099Q1",
                ),
            )
        assert set(refused.value.field_errors) == {"groups"}


async def test_a_refused_grant_keeps_a_bounded_entry(local: LocalService, world: World) -> None:
    """An outsider sends as many ids as a request may hold, of a few users or of one: the trail keeps at
    most five distinct ids and how many more there were."""
    staff = await staff_enterprise(local, world)
    users = [staff.user_id]
    for _ in range(6):
        made = dto.UserCreate(enterprise_id=world.employer, niss=fresh_niss(), first_name="A", last_name="B")
        users.append((await local.create_user(staff.am, made)).id)
    for user_ids, target in (
        ((users * 100)[:500], "users:" + ",".join(map(str, users[:5])) + "+2"),
        ([staff.user_id] * 500, f"users:{staff.user_id}"),
    ):
        with pytest.raises(PermissionDenied):
            await local.grant_services(world.outsider, user_ids, ["dimona"])
        with Session(local.engine) as session:
            entry = session.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc())).first()
        assert entry is not None and entry.outcome == "refused"
        assert entry.target == target
        assert len(entry.after_json or "") < 1000


SEARCHES = ["Anne\x00", "\x1b[2J", "\ud800", "abc\u202edef", "[/]", "%_\\", "x" * 200]


@pytest.mark.parametrize("text", SEARCHES, ids=range(len(SEARCHES)))
async def test_searches_with_any_character_are_answered(local: LocalService, world: World, text: str) -> None:
    """A search holding a character no stored text may hold finds nothing, on both databases."""
    staff = await staff_enterprise(local, world)
    assert await local.list_identities(text) == []
    assert (await local.list_enterprises(world.support, text)).items == []
    assert (await local.list_providers(world.lr, text)).items == []
    assert (await local.list_users(staff.am, world.employer, dto.UserFilter(text=text))).items == []
    for wanted in ({"text": text}, {"principal": text}, {"mandatary": text}):
        assert (await local.list_mandates(world.support, dto.MandateFilter(**wanted))).items == []
    assert (await local.list_audit(world.support, dto.AuditFilter(action=text[:60]))).items == []


async def test_searches_past_their_bound_are_refused(local: LocalService, world: World) -> None:
    for call in (
        lambda: local.list_identities("x" * 201),
        lambda: local.list_enterprises(world.support, "x" * 201),
        lambda: local.list_providers(world.lr, "x" * 201),
        lambda: local.list_mandates(world.support, dto.MandateFilter.model_construct(text="x" * 10_000_000)),
    ):
        with pytest.raises(ValidationFailed):
            await call()


def _encoded(data: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


CURSORS = [
    *(
        _encoded({"k": value, "d": "next"})
        for value in ([[1]], [{}], ["x"], [True], [2**70], [1.5], [None], "x")
    ),
    *(_encoded({"k": value, "d": "prev"}) for value in (["a", True], [False, 1], [2**63, 1], ["\ud800", 1])),
    _encoded({"k": ["a", 1], "d": "sideways"}),
    _encoded([1, 2]),
    _encoded(None),
    "!!!",
    "a",
    base64.urlsafe_b64encode(b"\xff\xfe\x00").decode(),
    base64.urlsafe_b64encode(b"[" * 3000).decode().rstrip("="),
    "A" * 5000,
]


async def test_crafted_cursors_are_refused_on_every_list(local: LocalService, world: World) -> None:
    staff = await staff_enterprise(local, world)
    lists = {
        "enterprises": lambda page: local.list_enterprises(world.support, "", page),
        "providers": lambda page: local.list_providers(world.lr, "", page),
        "mandates": lambda page: local.list_mandates(world.support, None, page),
        "mandates by start": lambda page: local.list_mandates(
            world.support, dto.MandateFilter(sort="start"), page
        ),
        "users": lambda page: local.list_users(staff.am, world.employer, None, page),
        "users by status": lambda page: local.list_users(
            staff.am, world.employer, dto.UserFilter(sort="status"), page
        ),
        "designations": lambda page: local.list_designations(world.lr, world.employer, None, page),
        "audit": lambda page: local.list_audit(world.support, None, page),
    }
    for name, fetch in lists.items():
        for cursor in CURSORS:
            with pytest.raises(ValidationFailed) as refused:
                await fetch(dto.PageRequest.model_construct(size=50, cursor=cursor, from_end=False))
            assert set(refused.value.field_errors) == {"cursor"}, (name, cursor[:40])


async def test_ids_out_of_range_are_refused(local: LocalService, world: World) -> None:
    for call in (
        lambda: local.get_user(world.lr, 2**70),
        lambda: local.get_mandate(world.lr, -1),
        lambda: local.get_overview(world.lr, 2**31),
        lambda: local.reveal_niss(world.lr, 0),
        lambda: local.submit_mandate(world.lr, 1, 2**40),
    ):
        with pytest.raises(ValidationFailed):
            await call()


async def test_stored_text_is_never_changed_by_the_rule(local: LocalService, world: World) -> None:
    """A name the rule would refuse today, stored before it (SQLite holds a NUL), is still listed."""
    if local.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL never held a NUL")
    with Session(local.engine) as session:
        person = session.get(Person, world.lr)
        assert person is not None
        person.first_name = "An\x00ne\x1b[2J"
        session.add(person)
        session.commit()
    found = await local.list_identities("Peeters")
    assert any(i.person.first_name == "An\x00ne\x1b[2J" for i in found)
