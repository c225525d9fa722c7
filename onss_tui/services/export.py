"""Exporting mandates: every mandate matching a filter, as of one moment, streamed as CSV or JSON.

The command line and the console's export dialog both write through here, from any service's
`export_mandates` for one actor (a snapshot read a page at a time, never the whole list in memory).
"""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import AbstractContextManager, aclosing
from typing import IO, Any

from onss_tui.services import dto

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
    mandates: AsyncGenerator[dto.MandatePublic],
    output: Callable[[], AbstractContextManager[IO[str]]],
    fmt: str,
) -> int:
    """Write the mandates (a service's `export_mandates`) to what `output` opens, as they come.

    The first mandate is read before anything is written, so that a refused filter leaves no output;
    the read ends (its snapshot released) however the writing ends.
    """
    async with aclosing(mandates):
        first = await anext(mandates, None)

        async def all_mandates() -> AsyncIterator[dto.MandatePublic]:
            if first is None:
                return
            yield first
            async for mandate in mandates:
                yield mandate

        with output() as out:
            return await write_mandates(all_mandates(), out, fmt)
