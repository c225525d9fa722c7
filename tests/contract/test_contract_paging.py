"""Keyset paging: forward, backward, from the end, and stable while rows are added."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import Session

from onss_tui.services import dto
from onss_tui.services.errors import ValidationFailed
from onss_tui.services.local import registry
from onss_tui.services.local.service import LocalService
from tests.conftest import World, enterprise_number


async def _walk(service, actor: int, size: int, **wanted: object) -> list[int]:
    seen: list[int] = []
    page = dto.PageRequest(size=size)
    while True:
        result = await service.list_enterprises(actor, page=page, **wanted)
        seen += [e.id for e in result.items]
        if result.next_cursor is None:
            return seen
        page = dto.PageRequest(size=size, cursor=result.next_cursor)


_numbers = iter(range(1, 1_000_000))


def _add_enterprises(local: LocalService, names: list[str]) -> None:
    with Session(local.engine) as session:
        for name in names:
            registry.register_enterprise(
                session, enterprise_number(f"05{next(_numbers):06d}"), name, "employer"
            )
        session.commit()


async def test_forward_backward_and_from_the_end(service, world: World) -> None:
    everything = await _walk(service, world.support, 100)
    assert len(everything) == 4
    first = await service.list_enterprises(world.support, page=dto.PageRequest(size=3))
    assert first.prev_cursor is None and first.next_cursor is not None
    second = await service.list_enterprises(
        world.support, page=dto.PageRequest(size=3, cursor=first.next_cursor)
    )
    assert [e.id for e in second.items] == everything[3:] and second.next_cursor is None
    back = await service.list_enterprises(
        world.support, page=dto.PageRequest(size=3, cursor=second.prev_cursor)
    )
    assert [e.id for e in back.items] == everything[:3]
    last = await service.list_enterprises(world.support, page=dto.PageRequest(size=3, from_end=True))
    assert [e.id for e in last.items] == everything[-3:] and last.next_cursor is None
    assert last.prev_cursor is not None


async def test_a_forged_cursor_is_refused_clearly(service, world: World) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await service.list_enterprises(world.support, page=dto.PageRequest(cursor="not-a-cursor"))
    assert "cursor" in refused.value.field_errors


async def test_no_row_is_skipped_or_repeated_while_rows_are_added(local: LocalService, world: World) -> None:
    _add_enterprises(local, [f"Onderneming {chr(65 + i % 26)}{i:03d}" for i in range(60)])
    before = await _walk(local, world.support, 500)
    seen: list[int] = []
    page = dto.PageRequest(size=7)
    for round_ in range(100):
        result = await local.list_enterprises(world.support, page=page)
        seen += [e.id for e in result.items]
        # Meanwhile someone registers enterprises that sort before and after the current position.
        _add_enterprises(local, [f"AAA nieuw {round_}", f"zzz nieuw {round_}"])
        if result.next_cursor is None:
            break
        page = dto.PageRequest(size=7, cursor=result.next_cursor)
    assert len(seen) == len(set(seen)), "a row was shown twice"
    assert set(before) <= set(seen), "a row was skipped"


async def test_concurrent_writers_keep_one_main_access_manager_and_one_chain(
    store_url: str, world: World
) -> None:
    """Two processes' worth of services write at once; writes serialise, the chain stays linear."""
    from tests.contract.conftest import fresh_niss, main_designation

    first, second = LocalService.open(store_url), LocalService.open(store_url)
    try:
        designations = [
            main_designation(fresh_niss(), designee_first_name=f"Kandidaat{i}", designee_last_name="Test")
            for i in range(6)
        ]
        results = await asyncio.gather(
            *(
                (first if i % 2 else second).designate_main_access_manager(world.lr, d)
                for i, d in enumerate(designations)
            )
        )
        assert len(results) == 6
        current = await first.list_designations(
            world.lr, world.employer, dto.DesignationFilter(include_ended=False)
        )
        mains = [d for d in current.items if d.role == "main_access_manager"]
        assert len(mains) == 1
        assert (await second.verify_audit(world.support)).ok
    finally:
        await first.aclose()
        await second.aclose()
