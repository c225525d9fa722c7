"""The permission matrix: each role against each action, allowed or refused by the service itself."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from onss_tui.domain.quarters import Quarter
from onss_tui.i18n import Messages
from onss_tui.services import dto
from onss_tui.services.errors import PermissionDenied, Reason
from tests.contract.conftest import ROLES, Staff, fresh_niss, main_designation, mandate

Action = Callable[[object, Staff, int], Awaitable[object]]
MESSAGES = Messages()


async def designate_main(service, staff: Staff, actor: int) -> object:
    return await service.designate_main_access_manager(
        actor, main_designation(fresh_niss(), designee_first_name="Nieuwe", designee_last_name="Beheerder")
    )


async def designate_access_manager(service, staff: Staff, actor: int) -> object:
    return await service.designate(
        actor,
        dto.DesignationRequest(
            enterprise_id=staff.world.employer,
            role="access_manager",
            quality_code="onss_employer",
            niss=fresh_niss(),
            phone="0470 99 88 77",
            first_name="Tom",
            last_name="Peeters",
        ),
    )


async def end_access_manager(service, staff: Staff, actor: int) -> object:
    target = await designate_access_manager(service, staff, staff.mam)
    return await service.end_designation(actor, target.id, target.version)  # type: ignore[attr-defined]


async def create_user(service, staff: Staff, actor: int) -> object:
    return await service.create_user(
        actor,
        dto.UserCreate(
            enterprise_id=staff.world.employer, niss=fresh_niss(), first_name="Eva", last_name="Smet"
        ),
    )


async def grant_dimona(service, staff: Staff, actor: int) -> object:
    return await service.grant_services(actor, [staff.user_id], ["dimona"])


async def suspend_user(service, staff: Staff, actor: int) -> object:
    target = await create_user(service, staff, staff.am)
    return await service.set_user_status(actor, target.id, "suspended", target.version)  # type: ignore[attr-defined]


async def create_mandate(service, staff: Staff, actor: int) -> object:
    return await service.create_mandate(
        actor,
        dto.MandateCreate(
            principal_id=staff.world.employer,
            mandatary_id=staff.world.provider,
            groups=["temporary_unemployment"],
            start_quarter=str(Quarter.current()),
        ),
    )


async def activate_quality(service, staff: Staff, actor: int) -> object:
    overview = await service.get_overview(staff.mam, staff.world.employer)
    active = {q.code for q in overview.qualities if q.active}
    catalogue = await service.catalogue(staff.mam)
    inactive = next(q.code for q in catalogue.qualities if q.code not in active)
    return await service.activate_quality(actor, staff.world.employer, inactive)


async def deactivate_quality(service, staff: Staff, actor: int) -> object:
    """An active quality activated after registration is withdrawn (one is activated first if none is)."""
    overview = await service.get_overview(staff.mam, staff.world.employer)
    later = [q.code for q in overview.qualities if q.active and not q.from_registration]
    if not later:
        await activate_quality(service, staff, staff.mam)
        return await deactivate_quality(service, staff, actor)
    return await service.deactivate_quality(actor, staff.world.employer, later[0])


async def read_overview(service, staff: Staff, actor: int) -> object:
    return await service.get_overview(actor, staff.world.employer)


async def list_users(service, staff: Staff, actor: int) -> object:
    return await service.list_users(actor, staff.world.employer)


async def export_users_and_rights(service, staff: Staff, actor: int) -> object:
    return await service.list_users_and_rights(actor, staff.world.employer)


async def list_designations(service, staff: Staff, actor: int) -> object:
    return await service.list_designations(actor, staff.world.employer)


async def reveal_niss_of_main(service, staff: Staff, actor: int) -> object:
    return await service.reveal_niss(actor, staff.mam, "checking the designation")


MANAGERS = {"main_access_manager", "co_main_access_manager", "access_manager"}
MAIN = {"main_access_manager", "co_main_access_manager"}
INSIDERS = {"legal_representative", *MANAGERS, "user"}

MATRIX: dict[str, tuple[Action, set[str]]] = {
    "designate_main": (designate_main, {"legal_representative"}),
    "designate_access_manager": (designate_access_manager, MAIN),
    "end_access_manager": (end_access_manager, MAIN),
    "activate_quality": (activate_quality, MAIN),
    "deactivate_quality": (deactivate_quality, MAIN),
    "create_user": (create_user, MANAGERS),
    "grant_dimona": (grant_dimona, MANAGERS),
    "suspend_user": (suspend_user, MANAGERS),
    "create_mandate": (create_mandate, {"legal_representative", *MAIN}),
    "read_overview": (read_overview, INSIDERS | {"support"}),
    "list_designations": (list_designations, INSIDERS | {"support"}),
    "list_users": (list_users, MANAGERS | {"support", "user"}),  # a plain user: their own record
    "export_users_and_rights": (export_users_and_rights, MANAGERS | {"support"}),  # never a plain user
    # The people of an enterprise are revealed to its managers and legal representatives, not to its users.
    "reveal_niss_of_main": (reveal_niss_of_main, {"legal_representative", *MANAGERS, "support"}),
}


@pytest.mark.parametrize("action", sorted(MATRIX))
async def test_permission_matrix(service, staff: Staff, action: str) -> None:
    perform, allowed = MATRIX[action]
    # Refused roles first: an allowed attempt may change who holds which role (designate_main replaces).
    outcomes: dict[str, str] = {}
    reasons: list[str] = []
    for role in sorted(ROLES, key=lambda r: r in allowed):
        try:
            await perform(service, staff, staff.actor(role))
            outcomes[role] = "allowed"
        except PermissionDenied as refusal:
            outcomes[role] = "denied"
            reasons.append(refusal.message)
    expected = {role: "allowed" if role in allowed else "denied" for role in ROLES}
    assert outcomes == expected
    # Each refusal says why in words the console puts in its own language (over HTTP too).
    assert reasons
    for reason in reasons:
        assert isinstance(reason, Reason)
        french = MESSAGES.t("fr", reason.key, **reason.values_in("fr"))
        assert french != reason == MESSAGES.t("en", reason.key, **reason.values_in("en"))


async def test_refusals_are_recorded_in_the_audit_trail(service, staff: Staff) -> None:
    with pytest.raises(PermissionDenied):
        await create_user(service, staff, staff.world.outsider)
    trail = await service.list_audit(staff.world.support, dto.AuditFilter(actor_id=staff.world.outsider))
    assert [(e.action, e.outcome) for e in trail.items][:1] == [("user.create", "refused")]
    # Found in the trail of the enterprise it aimed at, as a refused step on one of its mandates is.
    given = await service.create_mandate(staff.world.lr, mandate(staff.world, submit=True))
    with pytest.raises(PermissionDenied):
        await service.accept_mandate(staff.world.lr, given.id, given.version)  # the mandatary accepts
    theirs = await service.list_audit(
        staff.world.support, dto.AuditFilter(enterprise_id=staff.world.employer)
    )
    refused = [(e.action, e.actor) for e in theirs.items if e.outcome == "refused"]
    assert refused[:2] == [("mandate.accept", "Anne Peeters"), ("user.create", "Olivier Outsider")]
    with pytest.raises(PermissionDenied):
        await service.grant_services(staff.world.outsider, [staff.user_id], ["dimona"])  # users: target
    theirs = await service.list_audit(
        staff.world.support, dto.AuditFilter(enterprise_id=staff.world.employer)
    )
    assert (theirs.items[0].action, theirs.items[0].outcome) == ("user.grant", "refused")


async def test_support_staff_read_everything_and_change_nothing(service, staff: Staff) -> None:
    support = staff.world.support
    assert (await service.list_enterprises(support)).items  # every enterprise
    mandates = await service.list_mandates(support)
    assert isinstance(mandates.items, list)
    with pytest.raises(PermissionDenied, match="Support staff"):
        await service.update_user(
            support, staff.user_id, dto.UserUpdate(expected_version=1, phone="0470000000")
        )


async def test_nobody_acts_on_an_enterprise_they_have_no_role_in(service, staff: Staff) -> None:
    outsider = staff.world.outsider
    assert (await service.list_enterprises(outsider)).items == []
    with pytest.raises(PermissionDenied):
        await service.get_overview(outsider, staff.world.townhall)
    with pytest.raises(PermissionDenied):
        await service.get_user(outsider, staff.user_id)
    # A manager of one enterprise reaches nothing of another by changing an id.
    with pytest.raises(PermissionDenied):
        await service.list_users(staff.am, staff.world.townhall)
    with pytest.raises(PermissionDenied):
        await service.get_overview(staff.am, staff.world.townhall)
