"""An export is one consistent read: a snapshot taken when it starts, which writers committing meanwhile
neither change nor wait for (local and over the API, on SQLite and PostgreSQL). Over `ASGITransport` the
server's stream arrives whole before the writes: the local runs are the ones that interleave them."""

from __future__ import annotations

import asyncio
from contextlib import aclosing

import pytest

from onss_tui.domain.quarters import Quarter
from onss_tui.services import dto, export
from onss_tui.services.errors import PermissionDenied, Reason
from onss_tui.services.local import service as local_service
from tests.conftest import World, niss
from tests.contract.conftest import Staff


def _mandate(world: World, principal: int, quarter: Quarter) -> dto.MandateCreate:
    """A mandate for one quarter, which no other overlaps."""
    return dto.MandateCreate(
        principal_id=principal,
        mandatary_id=world.secretariat,
        groups=["dmfa_dimona"] if principal == world.employer else ["dmfappl_dimona"],
        start_quarter=str(quarter),
        end_quarter=str(quarter),
    )


async def test_an_export_is_one_snapshot_that_blocks_no_writer(
    service, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_service, "EXPORT_PAGE", 2)  # many pages, with writes between them
    quarter = Quarter.current()
    principals = {world.employer: world.lr, world.townhall: world.lr_town}
    before = []
    for principal, actor in principals.items():
        for _ in range(4):
            before.append(await service.create_mandate(actor, _mandate(world, principal, quarter)))
            quarter = quarter.next()
    written = []
    exported = []
    async with aclosing(service.export_mandates(world.support, dto.MandateFilter())) as mandates:
        exported.append(await anext(mandates))
        # Writers meanwhile: a mandate sorting after the export's position and one before it; each
        # commits while the export is open (waiting for the export to end would never finish).
        for principal, actor in principals.items():
            made = service.create_mandate(actor, _mandate(world, principal, quarter))
            written.append(await asyncio.wait_for(made, timeout=60))
            quarter = quarter.next()
        exported += [mandate async for mandate in mandates]
    assert sorted(m.id for m in exported) == sorted(m.id for m in before)
    assert not {m.id for m in written} & {m.id for m in exported}
    again = [m async for m in service.export_mandates(world.support, dto.MandateFilter())]
    assert len(again) == len(before) + len(written)


async def test_an_export_refused_or_out_of_bounds_says_so_before_it_starts(service, world: World) -> None:
    from onss_tui.services.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        async for _ in service.export_mandates(
            world.support, dto.MandateFilter.model_construct(text="x" * 300)
        ):
            pass
    assert [m async for m in service.export_mandates(world.outsider, dto.MandateFilter())] == []


async def test_users_and_rights_are_one_row_per_user_and_service_for_managers_and_support(
    service, staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "USERS_PAGE", 1)  # a page a user: the rows run across pages
    world = staff.world
    await service.create_user(
        staff.am,
        dto.UserCreate(
            enterprise_id=world.employer, niss=niss("850505505"), first_name="Tom", last_name="Wouters"
        ),
    )
    await service.grant_services(staff.am, [staff.user_id], ["dimona", "dmfa"])

    async def rows(actor: int) -> list[tuple[str, str]]:
        return [
            (r["last_name"], r["service"])
            async for r in export.users_and_rights(service, actor, world.employer)
        ]

    everyone = [("Jacobs", "dimona"), ("Jacobs", "dmfa"), ("Wouters", "")]
    assert sorted(await rows(staff.am)) == everyone
    assert sorted(await rows(staff.mam)) == everyone
    assert sorted(await rows(world.support)) == everyone


@pytest.mark.parametrize("who", ["user", "legal_representative", "outsider"])
async def test_users_and_rights_are_refused_to_anyone_else_with_the_reason(
    service, staff: Staff, who: str
) -> None:
    """A plain user (who sees their own record in the list of users), a legal representative and a
    stranger: refused by the service, with the reason, before any row (over HTTP too)."""
    with pytest.raises(PermissionDenied) as refused:
        await anext(export.users_and_rights(service, staff.actor(who), staff.world.employer))
    reason = refused.value.message
    assert isinstance(reason, Reason) and reason.key == "rule.users.export_managers"
    assert (
        reason
        == "Only the Access Managers of the enterprise and support staff export its users and their rights."
    )
    assert (await service.list_users(staff.user, staff.world.employer)).items  # the list: still their own


async def test_a_manager_of_another_enterprise_exports_none_of_this_one(service, staff: Staff) -> None:
    with pytest.raises(PermissionDenied):
        await service.list_users_and_rights(staff.am, staff.world.townhall)
