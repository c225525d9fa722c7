"""Revealing a national register number: who may reveal whose, the reason asked and kept, and a person
seeing who saw their number (through the service and the API)."""

from __future__ import annotations

import pytest

from onss_tui.services import dto
from onss_tui.services.dto import STATED_REASON_MAX
from onss_tui.services.errors import PermissionDenied, ValidationFailed
from tests.contract.conftest import Staff
from tests.contract.test_contract_people import town_manager


async def test_a_plain_user_reveals_their_own_number_but_not_their_managers(service, staff: Staff) -> None:
    own = await service.reveal_niss(staff.user, staff.user)  # no reason asked of one's own
    assert own == "84.04.04-404.07"
    for manager in (staff.mam, staff.co_mam, staff.am, staff.world.lr):
        with pytest.raises(PermissionDenied, match="may not see this person's national register number"):
            await service.reveal_niss(staff.user, manager, "I would like to know")


async def test_managers_and_legal_representatives_reveal_the_numbers_of_their_enterprise_s_people(
    service, staff: Staff
) -> None:  # type: ignore[no-untyped-def]
    for actor in (staff.world.lr, staff.mam, staff.co_mam, staff.am):
        assert (await service.reveal_niss(actor, staff.user, "payroll file")) == "84.04.04-404.07"
    assert await service.reveal_niss(staff.world.support, staff.user, "helpdesk ticket 12")
    # A manager of another enterprise reveals nobody of this one, by changing an id.
    town = await town_manager(service, staff.world)
    with pytest.raises(PermissionDenied):
        await service.reveal_niss(town, staff.user, "just looking")
    with pytest.raises(PermissionDenied):
        await service.reveal_niss(staff.world.outsider, staff.mam, "just looking")


@pytest.mark.parametrize(
    ("reason", "says"),
    [
        ("", "Say why you need it"),
        ("   ", "Say why you need it"),
        ("x" * (STATED_REASON_MAX + 1), "At most 200 characters"),
        ("checking\nthe file", "one line of text"),
        ("\x1b[2J", "one line of text"),
        ("file \u202eelif", "one line of text"),
    ],
)
async def test_a_reveal_of_someone_else_s_number_asks_for_a_reason(
    service, staff: Staff, reason: str, says: str
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as refused:
        await service.reveal_niss(staff.am, staff.user, reason)
    assert set(refused.value.field_errors) == {"reason"}
    assert says in refused.value.field_errors["reason"]
    trail = await service.list_audit(staff.world.support, dto.AuditFilter(action="person.reveal_niss"))
    assert trail.items == []  # nothing revealed, nothing refused


async def test_the_trail_keeps_who_revealed_as_what_for_which_enterprise_and_why(
    service, staff: Staff
) -> None:
    await service.reveal_niss(staff.am, staff.user, "  Dimona declaration for March  ")
    [entry] = (await service.list_audit(staff.world.lr, dto.AuditFilter(action="person.reveal_niss"))).items
    assert (entry.actor, entry.target, entry.outcome) == ("Bram Claes", f"person:{staff.user}", "done")
    assert entry.enterprise_id == staff.world.employer  # in the employer's trail: its representative sees it
    assert entry.after == {"stated_reason": "Dimona declaration for March", "role": "access_manager"}


async def test_a_person_sees_who_saw_their_number_newest_first(service, staff: Staff) -> None:
    assert (await service.list_niss_reveals(staff.user)).items == []
    await service.reveal_niss(staff.user, staff.user)  # their own: not listed
    await service.reveal_niss(staff.am, staff.user, "Dimona declaration")
    await service.reveal_niss(staff.world.support, staff.user, "helpdesk ticket 12")
    with pytest.raises(PermissionDenied):
        await service.reveal_niss(staff.world.outsider, staff.user, "curious")  # refused: never saw it
    await service.reveal_niss(staff.am, staff.mam, "someone else's")  # another person's number
    seen = (await service.list_niss_reveals(staff.user)).items
    assert [(r.revealed_by, r.support_staff, r.role, r.enterprise_name, r.reason) for r in seen] == [
        ("Sam Support", True, None, None, "helpdesk ticket 12"),
        ("Bram Claes", False, "access_manager", "Brasserie Dupont", "Dimona declaration"),
    ]
    assert seen[1].enterprise_number == "0403170701" and seen[0].at >= seen[1].at
    first = await service.list_niss_reveals(staff.user, dto.PageRequest(size=1))
    second = await service.list_niss_reveals(staff.user, dto.PageRequest(size=1, cursor=first.next_cursor))
    assert [r.id for r in first.items + second.items] == [r.id for r in seen]
    assert second.next_cursor is None
    # Each person sees their own: the Main Access Manager, the one revealed by the Access Manager.
    [theirs] = (await service.list_niss_reveals(staff.mam)).items
    assert theirs.reason == "someone else's"
