"""Designating the Main Access Manager, co-main access managers and Access Managers."""

from __future__ import annotations

import pytest

from onss_tui.services import dto
from onss_tui.services.errors import Conflict, PermissionDenied, ValidationFailed
from tests.conftest import EMPLOYER_ONSS, World, niss
from tests.contract.conftest import MAM_NISS, Staff, fresh_niss, main_designation


async def test_a_legal_representative_designates_the_main_access_manager(service, world: World) -> None:
    designation = await service.designate_main_access_manager(world.lr, main_designation())
    assert designation.role == "main_access_manager"
    assert designation.status == "pending"  # active at the holder's first sign-in
    assert designation.person.niss_masked == "95.06.15-***.**"
    assert designation.designated_by == "Anne Peeters"
    await service.sign_in(designation.person.id)
    overview = await service.get_overview(world.lr, world.employer)
    assert overview.main_access_manager is not None
    assert overview.main_access_manager.status == "active"
    assert "designate_main_access_manager" not in overview.next_steps


async def test_the_onss_number_identifies_the_enterprise_too(service, world: World) -> None:
    designation = await service.designate_main_access_manager(
        world.lr, main_designation(enterprise_ref="1303875-93")
    )
    assert designation.enterprise_id == world.employer
    assert EMPLOYER_ONSS == "130387593"


async def test_every_field_is_checked_and_every_error_is_reported_at_once(service, world: World) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await service.designate_main_access_manager(
            world.lr,
            main_designation(
                designee_niss="85.07.30-033.29",
                legal_representative_eid="591-1917064-59",
                legal_representative_phone="12",
                designee_phone="hello",
            ),
        )
    errors = refused.value.field_errors
    assert set(errors) == {
        "designee_niss",
        "legal_representative_eid",
        "legal_representative_phone",
        "designee_phone",
    }
    assert "check digits" in errors["designee_niss"]
    overview = await service.get_overview(world.lr, world.employer)
    assert overview.main_access_manager is None  # nothing was written


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("enterprise_ref", "0403.170.702", "check digits"),
        ("enterprise_ref", "0999.999.999", "check digits"),
        ("legal_representative_niss", "78.03.12-145.xx", "Only digits"),
        ("legal_representative_niss", niss("780312145"), "not your national register number"),
        ("legal_representative_eid", "000-0011032-71", "not the number of your eID card"),
    ],
)
async def test_the_legal_representative_proves_who_they_are(
    service, world: World, field, value, expected
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await service.designate_main_access_manager(world.lr, main_designation(**{field: value}))
    assert expected in refused.value.field_errors[field]


async def test_an_unknown_designee_needs_a_name(service, world: World) -> None:
    newcomer = fresh_niss()
    with pytest.raises(ValidationFailed) as refused:
        await service.designate_main_access_manager(world.lr, main_designation(newcomer))
    assert set(refused.value.field_errors) == {"designee_first_name", "designee_last_name"}
    done = await service.designate_main_access_manager(
        world.lr, main_designation(newcomer, designee_first_name="Jef", designee_last_name="Vermeulen")
    )
    assert done.person.full_name == "Jef Vermeulen"


async def test_an_unregistered_enterprise_is_named_as_such(service, world: World) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await service.designate_main_access_manager(world.lr, main_designation(enterprise_ref="0202.239.951"))
    assert "No enterprise" in refused.value.field_errors["enterprise_ref"]


async def test_a_legal_representative_of_another_enterprise_is_refused(service, world: World) -> None:
    with pytest.raises(PermissionDenied):
        await service.designate_main_access_manager(
            world.lr_town, main_designation(legal_representative_niss=niss("780312145"))
        )


async def test_replacing_ends_the_previous_designation_which_stays_in_history(service, staff: Staff) -> None:
    world = staff.world
    replacement = await service.designate_main_access_manager(
        world.lr, main_designation(fresh_niss(), designee_first_name="Lotte", designee_last_name="Mertens")
    )
    history = (await service.list_designations(world.lr, world.employer)).items
    mains = [d for d in history if d.role == "main_access_manager"]
    assert [(d.person.id, d.status) for d in mains] == [
        (replacement.person.id, "pending"),
        (staff.mam, "ended"),
    ]
    assert mains[1].ended_at is not None
    # One Main Access Manager at a time: the previous one lost the powers.
    with pytest.raises(PermissionDenied):
        await service.designate(
            staff.mam,
            dto.DesignationRequest(
                enterprise_id=world.employer,
                role="co_main_access_manager",
                niss=fresh_niss(),
                phone="0470 12 12 12",
                first_name="A",
                last_name="B",
            ),
        )


async def test_the_same_person_is_not_designated_twice(service, staff: Staff) -> None:
    with pytest.raises(ValidationFailed, match="is already the Main Access Manager"):
        await service.designate_main_access_manager(staff.world.lr, main_designation(MAM_NISS))


async def test_an_access_manager_is_designated_for_a_quality_the_enterprise_holds(
    service, staff: Staff
) -> None:
    request = dto.DesignationRequest(
        enterprise_id=staff.world.employer,
        role="access_manager",
        quality_code="approved_social_secretariat",
        niss=fresh_niss(),
        phone="0470 12 12 12",
        first_name="Rik",
        last_name="Goossens",
    )
    with pytest.raises(ValidationFailed) as refused:
        await service.designate(staff.mam, request)
    assert "does not hold this quality" in refused.value.field_errors["quality_code"]
    await service.activate_quality(staff.mam, staff.world.employer, "approved_social_secretariat")
    designation = await service.designate(staff.mam, request)
    assert designation.quality_code == "approved_social_secretariat"
    with pytest.raises(ValidationFailed) as missing:
        await service.designate(staff.mam, request.model_copy(update={"quality_code": None}))
    assert "quality" in missing.value.field_errors["quality_code"]


async def test_the_main_access_manager_is_designated_only_by_a_legal_representative(
    service, staff: Staff
) -> None:
    with pytest.raises(ValidationFailed, match="legal representative"):
        await service.designate(
            staff.mam,
            dto.DesignationRequest(
                enterprise_id=staff.world.employer,
                role="main_access_manager",
                niss=fresh_niss(),
                phone="0470 12 12 12",
                first_name="A",
                last_name="B",
            ),
        )


async def test_ending_a_designation_removes_the_powers(service, staff: Staff) -> None:
    ended = await service.end_designation(staff.mam, staff.am_designation.id, staff.am_designation.version)
    assert ended.status == "ended"
    with pytest.raises(PermissionDenied):
        await service.list_users(staff.am, staff.world.employer)
    with pytest.raises(ValidationFailed, match="already ended"):
        await service.end_designation(staff.mam, ended.id, ended.version)


async def test_ending_with_a_stale_version_is_a_conflict(service, staff: Staff) -> None:
    with pytest.raises(Conflict):
        await service.end_designation(staff.mam, staff.am_designation.id, staff.am_designation.version - 1)
    current = (await service.list_designations(staff.mam, staff.world.employer)).items
    assert all(d.status != "ended" for d in current)


async def test_the_main_access_manager_holds_every_access_manager_power(service, staff: Staff) -> None:
    user = await service.create_user(
        staff.mam,
        dto.UserCreate(enterprise_id=staff.world.employer, niss=fresh_niss(), first_name="X", last_name="Y"),
    )
    granted = await service.grant_services(staff.mam, [user.id], ["dmfa"])
    assert granted[0].services == ["dmfa"]


async def test_overview_next_steps_follow_the_procedure(service, world: World) -> None:
    steps = (await service.get_overview(world.lr, world.employer)).next_steps
    assert steps == ["designate_main_access_manager", "give_mandate"]
    mam = (await service.designate_main_access_manager(world.lr, main_designation())).person.id
    steps = (await service.get_overview(world.lr, world.employer)).next_steps
    assert steps == ["designate_access_manager", "create_users", "pending_designations"]
    await service.sign_in(mam)
    assert (await service.get_overview(mam, world.employer)).next_steps == [
        "designate_access_manager",
        "create_users",
    ]


async def test_a_co_main_promoted_to_main_is_listed_once_as_main(service, staff: Staff) -> None:
    world = staff.world
    await service.designate_main_access_manager(world.lr, main_designation(niss("820202202")))
    overview = await service.get_overview(world.lr, world.employer)
    assert overview.main_access_manager is not None
    assert overview.main_access_manager.person.id == staff.co_mam
    assert staff.co_mam not in [d.person.id for d in overview.co_main_access_managers]


async def test_a_listed_designation_says_whether_the_asker_may_end_it(service, staff: Staff) -> None:
    """As the rule that ends them: the main one by a legal representative, the others by the main ones,
    legal representatives never (they come from the register); support staff end nothing."""

    def endable(listed: list[dto.DesignationPublic]) -> set[str]:
        return {d.role.value for d in listed if d.may_end}

    world = staff.world
    by_main = endable((await service.list_designations(staff.mam, world.employer)).items)
    assert by_main == {"access_manager", "co_main_access_manager"}
    assert endable((await service.list_designations(world.lr, world.employer)).items) == {
        "main_access_manager"
    }
    assert endable((await service.list_designations(staff.am, world.employer)).items) == set()
    assert endable((await service.list_designations(world.support, world.employer)).items) == set()


async def test_each_active_quality_asks_for_its_own_access_manager(service, staff: Staff) -> None:
    employer = staff.world.employer
    assert "designate_access_manager" not in (await service.get_overview(staff.mam, employer)).next_steps
    await service.activate_quality(staff.mam, employer, "company_without_staff")
    assert "designate_access_manager" in (await service.get_overview(staff.mam, employer)).next_steps


async def test_the_designations_waiting_for_a_first_sign_in_are_listed_and_cancelled(
    service, world: World
) -> None:
    pending = await service.designate_main_access_manager(world.lr, main_designation())
    waiting = dto.DesignationFilter(status=dto.DesignationStatus.PENDING)
    listed = (await service.list_designations(world.lr, world.employer, waiting)).items
    assert [d.id for d in listed] == [pending.id]
    assert all(d.status == "pending" for d in listed) and listed[0].may_end
    cancelled = await service.end_designation(world.lr, pending.id, pending.version)
    assert cancelled.status == "ended"
    assert (await service.list_designations(world.lr, world.employer, waiting)).items == []
    trail = await service.list_audit(
        world.lr, dto.AuditFilter(action="designation.end", enterprise_id=world.employer)
    )
    assert [e.target for e in trail.items] == [f"designation:{pending.id}"]


async def test_giving_a_mandate_is_a_step_for_who_may_while_no_group_is_handled(
    service, world: World
) -> None:
    assert "give_mandate" in (await service.get_overview(world.lr, world.employer)).next_steps
    assert "give_mandate" not in (await service.get_overview(world.support, world.employer)).next_steps
    mam = (await service.designate_main_access_manager(world.lr, main_designation())).person.id
    await service.sign_in(mam)
    assert "give_mandate" not in (await service.get_overview(world.lr, world.employer)).next_steps
