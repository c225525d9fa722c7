"""The audit trail: every write leaves an entry, and any tampering with the chain is detected."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from onss_tui.domain.quarters import Quarter
from onss_tui.services import dto
from onss_tui.services.local.service import LocalService
from tests.conftest import LR_NISS, World
from tests.contract.conftest import Staff, mandate


async def test_every_write_leaves_an_entry_with_before_and_after(service, staff: Staff) -> None:
    user = await service.create_user(
        staff.am,
        dto.UserCreate(enterprise_id=staff.world.employer, niss="00010100105", first_name="Z", last_name="E"),
    )
    await service.set_user_status(staff.am, user.id, "suspended", user.version)
    trail = (await service.list_audit(staff.world.support, dto.AuditFilter(action="user."))).items
    suspend = next(e for e in trail if e.action == "user.suspend")
    assert suspend.target == f"user:{user.id}" and suspend.actor == "Bram Claes"
    assert (suspend.before["status"], suspend.after["status"]) == ("active", "suspended")
    assert any(e.action == "user.create" and e.target == f"user:{user.id}" for e in trail)
    typed = (await service.list_audit(staff.world.support, dto.AuditFilter(action=" User.Sus"))).items
    assert [e.action for e in typed] == ["user.suspend"]  # as typed, in any case


async def test_an_entry_names_its_enterprise(service, staff: Staff) -> None:
    trail = await service.list_audit(staff.world.support, dto.AuditFilter(enterprise_id=staff.world.employer))
    assert trail.items
    named = {(e.enterprise_number, e.enterprise_name) for e in trail.items}
    assert named == {("0403170701", "Brasserie Dupont")}


async def test_an_entry_says_what_its_target_is(service, staff: Staff) -> None:
    """By name, never by national register number: the user, the designated manager, the person whose
    number was revealed, the enterprise, the mandate's two parties."""
    world = staff.world
    next_quarter = str(Quarter.current().next())
    created = await service.create_mandate(world.lr, mandate(world, start_quarter=next_quarter))
    await service.reveal_niss(world.lr, staff.mam, "designation file")
    qualities = (await service.catalogue(world.lr)).qualities
    inactive = next(q.code for q in qualities if q.code != "onss_employer")
    await service.activate_quality(staff.mam, world.employer, inactive)
    trail = (await service.list_audit(world.support, page=dto.PageRequest(size=100))).items
    labels = {e.target: e.target_label for e in trail}
    assert labels[f"user:{staff.user_id}"] == "Ilse Jacobs"
    assert labels[f"designation:{staff.am_designation.id}"] == "Bram Claes"
    assert labels[f"person:{staff.mam}"] == "Nina Nieuw"
    assert labels[f"enterprise:{world.employer}"] == "Brasserie Dupont"
    assert labels[f"mandate:{created.id}"] == "Brasserie Dupont → Securex Secrétariat Social"


async def test_national_register_numbers_are_masked_in_the_trail(service, staff: Staff) -> None:
    trail = await service.list_audit(staff.world.support, dto.AuditFilter(enterprise_id=staff.world.employer))
    dumped = json.dumps([e.model_dump(mode="json") for e in trail.items])
    assert LR_NISS not in dumped and "95061533" not in dumped
    assert "***" in dumped


async def test_revealing_a_number_is_recorded(service, staff: Staff) -> None:
    shown = await service.reveal_niss(staff.world.lr, staff.mam, "designation file")
    assert shown.startswith("95.06.15-") and "*" not in shown
    entries = (await service.list_audit(staff.world.lr, dto.AuditFilter(action="person.reveal_niss"))).items
    assert entries[0].target == f"person:{staff.mam}" and entries[0].actor == "Anne Peeters"


async def test_who_sees_which_entries(service, staff: Staff) -> None:
    outsider = (await service.list_audit(staff.world.outsider)).items
    assert outsider == []
    user_view = (await service.list_audit(staff.user)).items
    assert {e.actor for e in user_view} <= {"Ilse Jacobs"}
    manager_view = (await service.list_audit(staff.mam)).items
    assert {e.enterprise_id for e in manager_view} <= {staff.world.employer, None}
    assert len(manager_view) > len(user_view)


async def test_the_trail_pages_newest_first(service, staff: Staff) -> None:
    first = await service.list_audit(staff.world.support, page=dto.PageRequest(size=5))
    second = await service.list_audit(
        staff.world.support, page=dto.PageRequest(size=5, cursor=first.next_cursor)
    )
    ids = [e.id for e in first.items + second.items]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 10


async def test_an_intact_chain_verifies(service, staff: Staff) -> None:
    result = await service.verify_audit(staff.world.support)
    assert result.ok and result.entries_checked > 10


# Tampering goes around the service, straight into the store: local backends only.


async def _tamper(local: LocalService, statement: str) -> None:
    with local.engine.begin() as connection:
        connection.execute(text(statement))


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        ("UPDATE audit_entry SET actor_name = 'Mallory' WHERE id = 5", "edited"),
        ("UPDATE audit_entry SET after_json = '{}' WHERE id = 5", "edited"),
        ("DELETE FROM audit_entry WHERE id = 5", "missing"),
        ("UPDATE audit_entry SET id = id + 1000 WHERE id = 5", "missing"),
        ("UPDATE audit_entry SET prev_hash = 'forged' WHERE id = 5", "inserted"),
    ],
)
async def test_tampering_is_detected(local: LocalService, world: World, statement: str, reason: str) -> None:
    assert (await local.verify_audit(world.support)).ok
    await _tamper(local, statement)
    result = await local.verify_audit(world.support)
    assert not result.ok
    assert result.first_bad_id == 5
    assert reason in (result.reason or "")
    assert result.problem == reason  # for a console to say it in its language


async def test_an_inserted_entry_is_detected(local: LocalService, world: World) -> None:
    # Make room at 5, keeping the order (through negative ids: unique keys hold at every row).
    await _tamper(local, "UPDATE audit_entry SET id = -(id + 1) WHERE id >= 5")
    await _tamper(local, "UPDATE audit_entry SET id = -id WHERE id < 0")
    await _tamper(
        local,
        "INSERT INTO audit_entry (id, at, actor_name, action, target, outcome, prev_hash, hash) "
        "SELECT 5, at, 'Mallory', 'user.create', 'user:1', 'done', hash, hash FROM audit_entry WHERE id = 4",
    )
    result = await local.verify_audit(world.support)
    # The forged entry follows entry 4's hash, but its own hash is not that of its content.
    assert (result.ok, result.first_bad_id, result.problem) == (False, 5, "edited")


async def test_removing_the_last_entries_is_detected(local: LocalService, world: World) -> None:
    with local.engine.begin() as connection:
        last = connection.execute(text("SELECT max(id) FROM audit_entry")).scalar()
    await _tamper(local, f"DELETE FROM audit_entry WHERE id = {last}")
    result = await local.verify_audit(world.support)
    assert not result.ok and "removed at the end" in (result.reason or "")
    assert (result.problem, result.first_bad_id, result.last_id) == ("truncated", last, last)
