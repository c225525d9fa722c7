"""A person known to several enterprises: their name is theirs, contact data belongs to each account, and
no enterprise reads or changes what another holds about them (through the service and the API)."""

from __future__ import annotations

import pytest

from onss_tui.services import dto
from onss_tui.services.errors import Conflict, PermissionDenied, ValidationFailed
from tests.conftest import LR_EID, World, enterprise_number, niss
from tests.contract.conftest import MAM_NISS, Staff, fresh_niss

TOWN_NUMBER = enterprise_number("02070001")


async def town_manager(service, world: World) -> int:  # type: ignore[no-untyped-def]
    """The townhall's Main Access Manager (designated by its legal representative, signed in)."""
    designation = await service.designate_main_access_manager(
        world.lr_town,
        dto.MainAccessManagerDesignation(
            enterprise_ref=TOWN_NUMBER,
            legal_representative_eid=LR_EID,  # the register knows no card of his: any valid one
            legal_representative_niss=niss("780312145"),
            legal_representative_phone="0472 00 01 11",
            designee_niss=fresh_niss(),
            designee_phone="081 24 60 00",
            designee_relation="employee",
            designee_first_name="Tine",
            designee_last_name="Stad",
        ),
    )
    await service.sign_in(designation.person.id)
    return designation.person.id


async def test_making_another_enterprise_s_manager_a_user_shows_and_changes_nothing_of_theirs(
    service, staff: Staff
) -> None:  # type: ignore[no-untyped-def]
    """The townhall's manager makes the employer's Main Access Manager one of its users, by number: the
    answer holds what the townhall gave (its own contact data) and her name, nothing the employer holds;
    a change of the townhall's account leaves the employer's designation as it was."""
    world = staff.world
    town = await town_manager(service, world)
    user = await service.create_user(
        town, dto.UserCreate(enterprise_id=world.townhall, niss=MAM_NISS, phone="0470 00 00 99")
    )
    assert user.person.id == staff.mam and user.person.full_name == "Nina Nieuw"
    assert (user.phone, user.email) == ("+32470000099", None)
    changed = await service.update_user(
        town, user.id, dto.UserUpdate(expected_version=user.version, phone="0470 00 00 98", email="n@town.be")
    )
    assert (changed.phone, changed.email) == ("+32470000098", "n@town.be")
    main = (await service.get_overview(staff.mam, world.employer)).main_access_manager
    assert main is not None and main.person.id == staff.mam
    assert (main.phone, main.email, main.person.last_name) == ("+3225551212", None, "Nieuw")
    with pytest.raises(PermissionDenied, match="changed only by themselves or by support staff"):
        await service.update_person(
            town, staff.mam, dto.PersonUpdate(expected_version=user.person.version, last_name="Renamed")
        )
    assert (await service.get_user(town, user.id)).person.last_name == "Nieuw"


async def test_names_typed_for_a_known_person_must_be_theirs(service, staff: Staff) -> None:
    """A known person keeps their name: names typed that differ are refused (the number may be mistyped),
    the same names written without accents or in capitals are theirs."""
    with pytest.raises(ValidationFailed) as refused:
        await service.create_user(
            staff.am,
            dto.UserCreate(
                enterprise_id=staff.world.employer, niss=MAM_NISS, first_name="Nina", last_name="Other"
            ),
        )
    assert set(refused.value.field_errors) == {"last_name"}
    assert "known by another name" in refused.value.field_errors["last_name"]
    same = await service.create_user(
        staff.am,
        dto.UserCreate(
            enterprise_id=staff.world.employer, niss=MAM_NISS, first_name="NINA", last_name="nieuw"
        ),
    )
    assert same.person.full_name == "Nina Nieuw"


async def test_a_person_s_name_changes_by_themselves_or_support_staff_and_a_stale_change_is_refused(
    service, staff: Staff
) -> None:  # type: ignore[no-untyped-def]
    me = (await service.get_user(staff.user, staff.user_id)).person
    renamed = await service.update_person(
        staff.user, me.id, dto.PersonUpdate(expected_version=me.version, last_name="Jacobs-Peeters")
    )
    with pytest.raises(Conflict):  # support staff read the name before she changed it
        await service.update_person(
            staff.world.support, me.id, dto.PersonUpdate(expected_version=me.version, first_name="Ilsa")
        )
    fixed = await service.update_person(
        staff.world.support, me.id, dto.PersonUpdate(expected_version=renamed.version, first_name="Ilse")
    )
    assert (fixed.full_name, fixed.version) == ("Ilse Jacobs-Peeters", me.version + 2)
    for actor in (staff.am, staff.mam, staff.world.lr):  # her managers: not theirs to change
        with pytest.raises(PermissionDenied):
            await service.update_person(actor, me.id, dto.PersonUpdate(expected_version=fixed.version))
    with pytest.raises(ValidationFailed) as refused:
        await service.update_person(
            staff.user, me.id, dto.PersonUpdate(expected_version=fixed.version, first_name="  ")
        )
    assert set(refused.value.field_errors) == {"first_name"}


async def test_contact_data_edited_from_two_enterprises_never_overwrites_the_other(
    service, staff: Staff
) -> None:  # type: ignore[no-untyped-def]
    """Ilse is a user of the employer and of the townhall; both managers read her, then save a phone: each
    saves its own account's, and neither sees the other's."""
    world = staff.world
    town = await town_manager(service, world)
    ilse = await service.reveal_niss(staff.user, staff.user)  # her own, to be made a user of the townhall
    theirs = await service.create_user(town, dto.UserCreate(enterprise_id=world.townhall, niss=ilse))
    read_here = await service.get_user(staff.am, staff.user_id)
    read_there = await service.get_user(town, theirs.id)
    await service.update_user(
        staff.am, read_here.id, dto.UserUpdate(expected_version=read_here.version, phone="0470 11 11 11")
    )
    await service.update_user(
        town, read_there.id, dto.UserUpdate(expected_version=read_there.version, phone="0470 22 22 22")
    )
    assert (await service.get_user(staff.am, staff.user_id)).phone == "+32470111111"
    assert (await service.get_user(town, theirs.id)).phone == "+32470222222"
    assert (await service.get_user(staff.user, staff.user_id)).phone == "+32470111111"


async def test_two_managers_of_one_enterprise_reading_then_writing_the_second_is_refused(
    service, staff: Staff
) -> None:  # type: ignore[no-untyped-def]
    """The Main Access Manager and an Access Manager both read Ilse, both save: the stale one is a
    conflict and overwrites nothing, as the README promises."""
    by_main = await service.get_user(staff.mam, staff.user_id)
    by_access_manager = await service.get_user(staff.am, staff.user_id)
    await service.update_user(
        staff.am, staff.user_id, dto.UserUpdate(expected_version=by_access_manager.version, email="i@a.be")
    )
    with pytest.raises(Conflict):
        await service.update_user(
            staff.mam, staff.user_id, dto.UserUpdate(expected_version=by_main.version, email="i@b.be")
        )
    assert (await service.get_user(staff.mam, staff.user_id)).email == "i@a.be"


async def test_designating_a_known_person_keeps_the_contact_data_on_the_designation(
    service, staff: Staff
) -> None:  # type: ignore[no-untyped-def]
    """Ilse, a user without a phone, is designated Access Manager with one: the designation holds it, her
    user account still has none."""
    ilse = await service.reveal_niss(staff.user, staff.user)
    designation = await service.designate(
        staff.mam,
        dto.DesignationRequest(
            enterprise_id=staff.world.employer,
            role="access_manager",
            quality_code="onss_employer",
            niss=ilse,
            phone="0470 33 33 33",
            email="ilse@dupont.be",
        ),
    )
    assert (designation.phone, designation.email) == ("+32470333333", "ilse@dupont.be")
    assert (await service.get_user(staff.am, staff.user_id)).phone is None
    listed = await service.list_designations(
        staff.mam, staff.world.employer, dto.DesignationFilter(role="access_manager")
    )
    assert {(d.person.full_name, d.phone) for d in listed.items} >= {("Ilse Jacobs", "+32470333333")}


async def test_the_legal_representative_s_phone_is_kept_on_their_own_designation(
    service, world: World
) -> None:  # type: ignore[no-untyped-def]
    from tests.contract.conftest import main_designation

    await service.designate_main_access_manager(
        world.lr, main_designation(legal_representative_phone="0471 99 99 99")
    )
    overview = await service.get_overview(world.lr, world.employer)
    [mine] = [d for d in overview.legal_representatives if d.person.id == world.lr]
    assert mine.phone == "+32471999999"
