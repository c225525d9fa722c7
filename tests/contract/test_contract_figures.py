"""Mandates at a glance: the figures equal what counting the listed mandates one by one gives, each bar
matches the list filtered to it, and only support staff see every enterprise's figures."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlmodel import Session

from onss_tui.domain.quarters import Quarter
from onss_tui.services import dto
from onss_tui.services.errors import PermissionDenied
from onss_tui.services.local import registry
from onss_tui.services.local.service import LocalService
from tests.conftest import World, enterprise_number
from tests.contract.conftest import mandate
from tests.contract.test_contract_mandates import active_mandate

NOW = Quarter.current()


async def every_mandate(
    service, actor: int, wanted: dto.MandateFilter | None = None
) -> list[dto.MandatePublic]:  # type: ignore[no-untyped-def]
    """The mandates the list gives `actor`, every page of them, one by one."""
    found: list[dto.MandatePublic] = []
    page = dto.PageRequest(size=200)
    while True:
        result = await service.list_mandates(actor, wanted, page)
        found.extend(result.items)
        if result.next_cursor is None:
            return found
        page = dto.PageRequest(size=200, cursor=result.next_cursor)


async def some_mandates(service, local: LocalService, world: World) -> None:  # type: ignore[no-untyped-def]
    """Mandates of every shown status, starting in two quarters, to both providers, one of them expired."""
    await active_mandate(service, world, groups=["dmfa_dimona"])
    await active_mandate(service, world, groups=["side_jobs"], end_quarter=str(NOW))
    await active_mandate(
        service, world, groups=["drs_unemployment", "temporary_unemployment"], mandatary_id=world.provider
    )
    await service.create_mandate(
        world.lr, mandate(world, groups=["contributions"], start_quarter=str(NOW.next()))
    )
    pending = await service.create_mandate(
        world.lr,
        mandate(world, groups=["temporary_unemployment"], start_quarter=str(NOW.next()), submit=True),
    )
    await service.reject_mandate(world.lr_ssa, pending.id, pending.version)
    await service.create_mandate(
        world.lr,
        mandate(
            world,
            groups=["side_jobs"],
            mandatary_id=world.provider,
            start_quarter=str(NOW.next()),
            submit=True,
        ),
    )
    local.current_quarter = lambda: NOW.next()  # the mandate ending this quarter has now expired


def counted(figure: list[dto.FigureCount]) -> dict[str, int]:
    return {bar.key: bar.count for bar in figure if bar.count}


async def test_every_figure_equals_the_count_of_the_listed_mandates(
    service, local: LocalService, world: World
) -> None:  # type: ignore[no-untyped-def]
    await some_mandates(service, local, world)
    listed = await every_mandate(service, world.support)
    figures = await service.mandate_figures(world.support)
    assert figures.enterprise_id is None and figures.current_quarter == str(NOW.next())
    assert figures.total == len(listed) == 6
    assert counted(figures.by_status) == dict(Counter(m.shown_status.value for m in listed))
    assert [bar.key for bar in figures.by_status] == [s.value for s in dto.MandateShownStatus]
    assert counted(figures.by_start_quarter) == dict(Counter(m.start_quarter for m in listed))
    assert counted(figures.by_group) == dict(Counter(g for m in listed for g in m.groups))
    assert [(m.provider_id, m.count) for m in figures.top_mandataries] == [
        (world.secretariat, 4),
        (world.provider, 2),
    ]
    assert {m.name for m in figures.top_mandataries} == {m.mandatary.name for m in listed}


async def test_each_bar_lists_as_many_mandates_as_it_counts(
    service, local: LocalService, world: World
) -> None:  # type: ignore[no-untyped-def]
    await some_mandates(service, local, world)
    figures = await service.mandate_figures(world.lr, world.employer)
    bars = [
        *((dto.MandateFilter(status=dto.MandateShownStatus(b.key)), b.count) for b in figures.by_status),
        *((dto.MandateFilter(start_quarter=b.key), b.count) for b in figures.by_start_quarter),
        *((dto.MandateFilter(group=b.key), b.count) for b in figures.by_group),
        *((dto.MandateFilter(mandatary=m.enterprise_number), m.count) for m in figures.top_mandataries),
    ]
    for wanted, count in bars:
        scoped = wanted.model_copy(update={"enterprise_id": world.employer})
        assert len(await every_mandate(service, world.lr, scoped)) == count, wanted


async def test_an_enterprise_sees_its_groups_no_active_mandate_covers(
    service, local: LocalService, world: World
) -> None:  # type: ignore[no-untyped-def]
    await some_mandates(service, local, world)
    mine = await service.mandate_figures(world.lr, world.employer)
    # Covered now: DmfA-Dimona (secretariat), DRS and temporary unemployment (provider); side jobs expired.
    assert counted(mine.uncovered) == {"side_jobs": 1, "contributions": 1}
    assert "dmfappl_dimona" not in {bar.key for bar in mine.uncovered}  # not a group an employer mandates
    every = await service.mandate_figures(world.support)
    uncovered = {bar.key: bar.count for bar in every.uncovered}
    # Employers alone mandate DmfA-Dimona and the collection of contributions; the employer covers the first.
    enterprises = await service.list_enterprises(world.support, page=dto.PageRequest(size=200))
    employers = sum(1 for e in enterprises.items if e.category == "employer")
    assert (uncovered["contributions"], uncovered["dmfa_dimona"]) == (employers, employers - 1)


async def test_a_provider_counts_the_mandates_it_holds(service, local: LocalService, world: World) -> None:  # type: ignore[no-untyped-def]
    await some_mandates(service, local, world)
    figures = await service.mandate_figures(world.lr_sp, world.provider_enterprise)
    assert figures.total == 2
    assert [(m.provider_id, m.count) for m in figures.top_mandataries] == [(world.provider, 2)]


@pytest.mark.parametrize(("who", "whose"), [("lr", None), ("outsider", "employer"), ("lr_town", "employer")])
async def test_figures_are_refused_beyond_the_actors_enterprises(
    service, world: World, who: str, whose: str | None
) -> None:  # type: ignore[no-untyped-def]
    enterprise_id = None if whose is None else getattr(world, whose)
    with pytest.raises(PermissionDenied):
        await service.mandate_figures(getattr(world, who), enterprise_id)


async def test_a_refused_look_at_an_enterprises_figures_is_in_its_trail(service, world: World) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied, match="legal representatives and access managers"):
        await service.mandate_figures(world.lr_town, world.employer)
    trail = await service.list_audit(world.lr, dto.AuditFilter(enterprise_id=world.employer))
    [entry] = [e for e in trail.items if e.outcome == "refused"]
    assert (entry.action, entry.actor, entry.target) == (
        "mandate.figures",
        "Luc Maes",
        f"enterprise:{world.employer}",
    )


async def test_the_figures_follow_every_write(service, local: LocalService, world: World) -> None:  # type: ignore[no-untyped-def]
    before = await service.mandate_figures(world.support)
    assert await service.mandate_figures(world.support) == before  # nothing written: the same figures
    draft = await service.create_mandate(world.lr, mandate(world))
    after = await service.mandate_figures(world.support)
    assert (before.total, after.total) == (0, 1)
    await service.submit_mandate(world.lr, draft.id, draft.version)
    sent = await service.mandate_figures(world.support)
    assert (counted(after.by_status), counted(sent.by_status)) == ({"to_finalise": 1}, {"pending": 1})
    local.current_quarter = lambda: NOW.next()
    assert (await service.mandate_figures(world.support)).current_quarter == str(NOW.next())


async def test_the_figures_follow_a_bulk_load(service, local: LocalService, world: World) -> None:  # type: ignore[no-untyped-def]
    before = await service.mandate_figures(world.support)
    with Session(local.engine) as session:  # as the register is loaded: no audit entry
        registry.register_enterprise(session, enterprise_number("09300004"), "Boulangerie Neuve", "employer")
        session.commit()
    after = await service.mandate_figures(world.support)
    assert counted(after.uncovered)["contributions"] == counted(before.uncovered)["contributions"] + 1
