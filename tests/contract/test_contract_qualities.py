"""Qualities: a main access manager withdraws one activated after registration, never the one held since
then, nor one an Access Manager designation still covers; the same rules locally and over the API."""

from __future__ import annotations

import pytest

from onss_tui.services import dto
from onss_tui.services.errors import PermissionDenied, ValidationFailed
from tests.conftest import niss
from tests.contract.conftest import Staff

LATER = "company_without_staff"
"""A quality the employer does not hold at registration (it holds the ONSS employer's)."""


def held(overview: dto.EnterpriseOverview) -> dict[str, tuple[bool, bool]]:
    """Each quality the overview lists: (active, held since registration)."""
    return {q.code: (q.active, q.from_registration) for q in overview.qualities}


def refusal_key(refused: pytest.ExceptionInfo[ValidationFailed]) -> str:
    return refused.value.field_errors["quality_code"].key  # type: ignore[attr-defined]


async def designate_for(service, staff: Staff, quality_code: str) -> dto.DesignationPublic:  # type: ignore[no-untyped-def]
    return await service.designate(
        staff.mam,
        dto.DesignationRequest(
            enterprise_id=staff.world.employer,
            role="access_manager",
            quality_code=quality_code,
            niss=niss("860606606"),
            phone="0470 66 77 88",
            first_name="Lotte",
            last_name="Willems",
        ),
    )


async def test_the_overview_tells_the_quality_held_since_registration(service, staff: Staff) -> None:
    before = await service.get_overview(staff.mam, staff.world.employer)
    assert held(before) == {"onss_employer": (True, True)}
    after = await service.activate_quality(staff.mam, staff.world.employer, LATER)
    assert held(after) == {"onss_employer": (True, True), LATER: (True, False)}


async def test_a_main_access_manager_withdraws_a_quality_activated_later(service, staff: Staff) -> None:
    activated = await service.activate_quality(staff.mam, staff.world.employer, LATER)
    withdrawn = await service.deactivate_quality(staff.co_mam, staff.world.employer, LATER)
    assert held(withdrawn)[LATER] == (False, False)
    assert held(withdrawn)["onss_employer"] == (True, True)
    assert withdrawn.version == activated.version + 1
    assert held(await service.get_overview(staff.am, staff.world.employer))[LATER][0] is False
    # And back again: activated once more, withdrawn once more.
    await service.activate_quality(staff.mam, staff.world.employer, LATER)
    again = await service.deactivate_quality(staff.mam, staff.world.employer, LATER)
    assert held(again)[LATER] == (False, False)


async def test_withdrawing_a_quality_is_recorded(service, staff: Staff) -> None:
    await service.activate_quality(staff.mam, staff.world.employer, LATER)
    await service.deactivate_quality(staff.co_mam, staff.world.employer, LATER)
    trail = await service.list_audit(staff.world.support, dto.AuditFilter(action="quality.deactivate"))
    [entry] = trail.items
    assert (entry.actor, entry.outcome) == ("Chloé Lambert", "done")
    assert entry.target == f"enterprise:{staff.world.employer}"
    assert entry.enterprise_id == staff.world.employer
    assert (entry.before, entry.after) == ({"quality": LATER}, None)


async def test_the_quality_held_since_registration_is_never_withdrawn(service, staff: Staff) -> None:
    for actor in (staff.mam, staff.co_mam):
        with pytest.raises(ValidationFailed) as refused:
            await service.deactivate_quality(actor, staff.world.employer, "onss_employer")
        assert refusal_key(refused) == "rule.quality.from_registration"
    overview = await service.get_overview(staff.mam, staff.world.employer)
    assert held(overview)["onss_employer"] == (True, True)


async def test_only_an_active_quality_is_withdrawn(service, staff: Staff) -> None:
    with pytest.raises(ValidationFailed) as never_held:
        await service.deactivate_quality(staff.mam, staff.world.employer, LATER)
    assert refusal_key(never_held) == "rule.quality.not_active"
    await service.activate_quality(staff.mam, staff.world.employer, LATER)
    await service.deactivate_quality(staff.mam, staff.world.employer, LATER)
    with pytest.raises(ValidationFailed) as twice:
        await service.deactivate_quality(staff.mam, staff.world.employer, LATER)
    assert refusal_key(twice) == "rule.quality.not_active"
    with pytest.raises(ValidationFailed) as unknown:
        await service.deactivate_quality(staff.mam, staff.world.employer, "no_such_quality")
    assert refusal_key(unknown) == "rule.quality.unknown"


async def test_a_quality_stays_while_an_access_manager_designation_for_it_is_current(
    service, staff: Staff
) -> None:
    await service.activate_quality(staff.mam, staff.world.employer, LATER)
    designation = await designate_for(service, staff, LATER)
    assert designation.status == dto.DesignationStatus.PENDING
    with pytest.raises(ValidationFailed) as pending:
        await service.deactivate_quality(staff.mam, staff.world.employer, LATER)
    assert refusal_key(pending) == "rule.quality.designated"
    assert "end those designations first" in pending.value.field_errors["quality_code"]
    await service.sign_in(designation.person.id)
    active = next(
        d
        for d in (await service.list_designations(staff.mam, staff.world.employer)).items
        if d.id == designation.id
    )
    assert active.status == dto.DesignationStatus.ACTIVE
    with pytest.raises(ValidationFailed) as still:
        await service.deactivate_quality(staff.mam, staff.world.employer, LATER)
    assert refusal_key(still) == "rule.quality.designated"
    await service.end_designation(staff.mam, active.id, active.version)
    withdrawn = await service.deactivate_quality(staff.mam, staff.world.employer, LATER)
    assert held(withdrawn)[LATER] == (False, False)


async def test_the_access_managers_of_another_quality_do_not_hold_it_back(service, staff: Staff) -> None:
    """The staff's Access Manager is designated for the ONSS employer's quality, not for this one."""
    await service.activate_quality(staff.mam, staff.world.employer, LATER)
    withdrawn = await service.deactivate_quality(staff.mam, staff.world.employer, LATER)
    assert held(withdrawn)[LATER][0] is False


@pytest.mark.parametrize("role", ["legal_representative", "access_manager", "user", "outsider"])
async def test_others_may_not_withdraw_a_quality(service, staff: Staff, role: str) -> None:
    await service.activate_quality(staff.mam, staff.world.employer, LATER)
    with pytest.raises(PermissionDenied) as refused:
        await service.deactivate_quality(staff.actor(role), staff.world.employer, LATER)
    assert refused.value.message.key == "rule.quality.withdraw_main_only"  # type: ignore[attr-defined]
    assert held(await service.get_overview(staff.mam, staff.world.employer))[LATER] == (True, False)


async def test_support_staff_withdraw_nothing(service, staff: Staff) -> None:
    await service.activate_quality(staff.mam, staff.world.employer, LATER)
    with pytest.raises(PermissionDenied, match="Support staff"):
        await service.deactivate_quality(staff.world.support, staff.world.employer, LATER)
