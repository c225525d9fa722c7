"""Exporting mandates: every mandate matching a filter, streamed a page at a time as CSV or JSON.

The command line and the console's export dialog both write through here, from any service's
`list_mandates` for one actor.
"""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractContextManager
from typing import IO, Any

from onss_tui.services import dto

EXPORT_PAGE = 500
"""Mandates read per page while exporting."""


MandatePages = Callable[[dto.MandateFilter, dto.PageRequest], Awaitable[dto.Page[dto.MandatePublic]]]
"""A service's `list_mandates` for one actor (`functools.partial(service.list_mandates, actor)`)."""


async def iter_mandates(pages: MandatePages, wanted: dto.MandateFilter) -> AsyncIterator[dto.MandatePublic]:
    """Every mandate matching the filter, a page at a time (never the whole table in memory)."""
    page = dto.PageRequest(size=EXPORT_PAGE)
    while True:
        result = await pages(wanted, page)
        for mandate in result.items:
            yield mandate
        if result.next_cursor is None:
            return
        page = dto.PageRequest(size=EXPORT_PAGE, cursor=result.next_cursor)


EXPORT_COLUMNS = [
    "id",
    "principal_number",
    "principal_name",
    "mandatary_number",
    "mandatary_name",
    "mandatary_kind",
    "secretariat_number",
    "branch_number",
    "groups",
    "start_quarter",
    "end_quarter",
    "status",
    "procuration_reference",
]


def mandate_row(mandate: dto.MandatePublic) -> dict[str, Any]:
    return {
        "id": mandate.id,
        "principal_number": mandate.principal.enterprise_number,
        "principal_name": mandate.principal.name,
        "mandatary_number": mandate.mandatary.enterprise_number,
        "mandatary_name": mandate.mandatary.name,
        "mandatary_kind": mandate.mandatary.kind.value,
        "secretariat_number": mandate.mandatary.secretariat_number,
        "branch_number": mandate.branch_number,
        "groups": ",".join(mandate.groups),
        "start_quarter": mandate.start_quarter,
        "end_quarter": mandate.end_quarter,
        "status": mandate.shown_status.value,
        "procuration_reference": mandate.procuration_reference,
    }


async def write_mandates(mandates: AsyncIterator[dto.MandatePublic], out: IO[str], fmt: str) -> int:
    """Write mandates as CSV or as a JSON array, streaming; returns how many were written."""
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        async for mandate in mandates:
            writer.writerow(mandate_row(mandate))
            count += 1
        return count
    out.write("[")
    async for mandate in mandates:
        out.write(("," if count else "") + "\n  " + json.dumps(mandate_row(mandate), ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


async def export_mandates(
    pages: MandatePages,
    wanted: dto.MandateFilter,
    output: Callable[[], AbstractContextManager[IO[str]]],
    fmt: str,
) -> int:
    """Write the matching mandates to what `output` opens, a page at a time.

    The first page is read before anything is written, so that a refused filter leaves no output.
    """
    mandates = iter_mandates(pages, wanted)
    first = await anext(mandates, None)

    async def all_mandates() -> AsyncIterator[dto.MandatePublic]:
        if first is None:
            return
        yield first
        async for mandate in mandates:
            yield mandate

    with output() as out:
        return await write_mandates(all_mandates(), out, fmt)
