"""Every refusal is recorded once, bounded, under the enterprise it concerns, so that the enterprise's
legal representative sees the attempts made on it: designations by enterprise number, reveals of
national register numbers, a failed proof of the legal representative's own identity, refused reads."""

from __future__ import annotations

import json

import pytest

from onss_tui.domain.identifiers import eid_card_for
from onss_tui.services import dto
from onss_tui.services.errors import PermissionDenied, ValidationFailed
from tests.conftest import EMPLOYER_NUMBER, EMPLOYER_ONSS, World, niss
from tests.contract.conftest import Staff, main_designation, mandate
from tests.contract.test_contract_people import town_manager


async def refusals(service, world: World, enterprise_id: int) -> list[dto.AuditEntryPublic]:  # type: ignore[no-untyped-def]
    """The refused attempts in an enterprise's trail, newest first, as its legal representative reads it."""
    trail = await service.list_audit(
        world.lr if enterprise_id == world.employer else world.lr_town,
        dto.AuditFilter(enterprise_id=enterprise_id),
        dto.PageRequest(size=200),
    )
    return [e for e in trail.items if e.outcome == "refused"]


@pytest.mark.parametrize("typed", [EMPLOYER_NUMBER, "0403.170.701", EMPLOYER_ONSS])
async def test_a_refused_main_access_manager_designation_names_the_enterprise_typed(
    service, world: World, typed: str
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied, match="Only a legal representative"):
        await service.designate_main_access_manager(world.lr_town, main_designation(enterprise_ref=typed))
    [entry] = await refusals(service, world, world.employer)
    assert (entry.action, entry.actor, entry.target) == (
        "designation.designate_main",
        "Luc Maes",
        f"enterprise:{world.employer}",
    )
    assert entry.target_label == "Brasserie Dupont"


@pytest.mark.parametrize(
    ("field", "typed", "reason"),
    [
        ("legal_representative_eid", eid_card_for(5_900_000_001), "not the number of your eID card"),
        ("legal_representative_niss", niss("880808222"), "not your national register number"),
    ],
)
async def test_a_failed_proof_of_the_legal_representative_s_identity_is_recorded_as_refused(
    service, world: World, field: str, typed: str, reason: str
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as refused:  # said beside the field, as any wrong value
        await service.designate_main_access_manager(world.lr, main_designation(**{field: typed}))
    assert reason in refused.value.field_errors[field]
    [entry] = await refusals(service, world, world.employer)
    assert (entry.action, entry.actor) == ("designation.designate_main", "Anne Peeters")
    assert reason in entry.after["reason"] and entry.after["unproven"] == [field]
    assert typed.replace("-", "") not in json.dumps(entry.after)  # what was typed is not kept
    overview = await service.get_overview(world.lr, world.employer)
    assert overview.main_access_manager is None


async def test_a_wrong_value_that_proves_nothing_is_not_a_refusal(service, world: World) -> None:
    with pytest.raises(ValidationFailed):
        await service.designate_main_access_manager(world.lr, main_designation(designee_phone="12"))
    assert await refusals(service, world, world.employer) == []


async def test_a_refused_reveal_is_in_the_trail_of_the_enterprise_it_concerns(service, staff: Staff) -> None:
    """A plain user's attempt on her Main Access Manager: the enterprise they share. An outsider's: the
    enterprise the person is part of. Its legal representative sees both, with the reason given."""
    world = staff.world
    with pytest.raises(PermissionDenied):
        await service.reveal_niss(staff.user, staff.mam, "curious")
    with pytest.raises(PermissionDenied):
        await service.reveal_niss(world.outsider, staff.user)
    outsider, user = await refusals(service, world, world.employer)
    assert (user.actor, user.target, user.target_label) == (
        "Ilse Jacobs",
        f"person:{staff.mam}",
        "Nina Nieuw",
    )
    assert user.after["stated_reason"] == "curious"
    assert (outsider.actor, outsider.target) == ("Olivier Outsider", f"person:{staff.user}")
    assert outsider.after["stated_reason"] is None


async def test_a_refused_change_of_a_name_is_in_the_trail_of_the_enterprise_shared(
    service, staff: Staff
) -> None:
    me = (await service.get_user(staff.am, staff.user_id)).person
    with pytest.raises(PermissionDenied):
        await service.update_person(
            staff.am, me.id, dto.PersonUpdate(expected_version=me.version, last_name="X")
        )
    [entry] = await refusals(service, staff.world, staff.world.employer)
    assert (entry.action, entry.actor, entry.target) == ("person.rename", "Bram Claes", f"person:{me.id}")


async def test_refused_reads_are_recorded_once_each_in_the_trail_of_what_they_aimed_at(
    service, staff: Staff
) -> None:  # type: ignore[no-untyped-def]
    world = staff.world
    given = await service.create_mandate(world.lr, mandate(world))
    reads = {
        "enterprise.view": lambda: service.get_overview(world.outsider, world.employer),
        "designation.list": lambda: service.list_designations(world.outsider, world.employer),
        "user.list": lambda: service.list_users(world.outsider, world.employer),
        "user.export": lambda: service.list_users_and_rights(world.outsider, world.employer),
        "user.view": lambda: service.get_user(world.outsider, staff.user_id),
        "mandate.view": lambda: service.get_mandate(world.outsider, given.id),
    }
    for read in reads.values():
        for _ in range(2):
            with pytest.raises(PermissionDenied):
                await read()
    recorded = await refusals(service, world, world.employer)
    assert sorted(e.action for e in recorded) == sorted([*reads] * 2)
    assert {e.actor for e in recorded} == {"Olivier Outsider"}
    sizes = {len(json.dumps(e.after)) for e in recorded if e.action == "user.view"}
    assert len(sizes) == 1 and max(sizes) < 300  # the same small entry each time
    # A plain user asking for the list of users sees herself: no refusal. A manager of another enterprise
    # asking for this one's users is refused, in this one's trail.
    await service.list_users(staff.user, world.employer)
    town = await town_manager(service, world)
    with pytest.raises(PermissionDenied):
        await service.list_users(town, world.employer)
    assert len(await refusals(service, world, world.employer)) == len(recorded) + 1


async def test_the_legal_representative_sees_the_attempts_of_the_enterprise_s_own_people(
    service, staff: Staff
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        await service.reveal_niss(staff.user, staff.am, "curious")
    with pytest.raises(PermissionDenied):
        await service.grant_services(staff.user, [staff.user_id], ["dimona"])
    trail = await service.list_audit(staff.world.lr, dto.AuditFilter(actor_id=staff.user))
    refused = [(e.action, e.enterprise_id) for e in trail.items if e.outcome == "refused"]
    assert refused == [("user.grant", staff.world.employer), ("person.reveal_niss", staff.world.employer)]
