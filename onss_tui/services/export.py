"""Exporting mandates and users' rights, streamed as CSV or JSON.

Mandates: every mandate matching a filter, as of one moment, from any service's `export_mandates` for one
actor (a snapshot read a page at a time, never the whole list in memory). Users and rights: one row per
user and online service of an enterprise (a user holding none: one row without), read a page at a time
from the service's `list_users_and_rights`, which refuses anyone but the enterprise's managers and support
staff. The command line and the console's export dialog both write through here.
"""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import AbstractContextManager, aclosing
from typing import IO, TYPE_CHECKING, Any

from onss_tui.services import dto
from onss_tui.services.dto import PageRequest

if TYPE_CHECKING:
    from onss_tui.services.protocol import AccessService

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


USER_COLUMNS = [
    "user_id",
    "enterprise_id",
    "niss_masked",
    "first_name",
    "last_name",
    "status",
    "email",
    "phone",
    "service",
]

USERS_PAGE = 200
"""Users read a page at a time for an export."""


def user_rows(user: dto.UserPublic) -> list[dict[str, Any]]:
    """One row per online service the user holds (none: one row with an empty service)."""
    common = {
        "user_id": user.id,
        "enterprise_id": user.enterprise_id,
        "niss_masked": user.person.niss_masked,
        "first_name": user.person.first_name,
        "last_name": user.person.last_name,
        "status": user.status.value,
        "email": user.email,
        "phone": user.phone,
    }
    return [common | {"service": service} for service in sorted(user.services) or [""]]


async def users_and_rights(
    service: AccessService, actor: int, enterprise_id: int
) -> AsyncIterator[dict[str, Any]]:
    """The rows of an enterprise's users and their online services; `PermissionDenied` at the first row
    unless `actor` manages the enterprise's users or is support staff."""
    page = PageRequest(size=USERS_PAGE)
    while True:
        found = await service.list_users_and_rights(actor, enterprise_id, page)
        for user in found.items:
            for row in user_rows(user):
                yield row
        if found.next_cursor is None:
            return
        page = PageRequest(size=USERS_PAGE, cursor=found.next_cursor)


async def write_rows(rows: AsyncIterator[dict[str, Any]], columns: list[str], out: IO[str], fmt: str) -> int:
    """Write rows as CSV or as a JSON array, streaming; returns how many were written."""
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        async for row in rows:
            writer.writerow(row)
            count += 1
        return count
    out.write("[")
    async for row in rows:
        out.write(("," if count else "") + "\n  " + json.dumps(row, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


async def write_mandates(mandates: AsyncIterator[dto.MandatePublic], out: IO[str], fmt: str) -> int:
    """Write mandates as CSV or as a JSON array, streaming; returns how many were written."""

    async def rows() -> AsyncIterator[dict[str, Any]]:
        async for mandate in mandates:
            yield mandate_row(mandate)

    return await write_rows(rows(), EXPORT_COLUMNS, out, fmt)


async def export_users(
    rows: AsyncIterator[dict[str, Any]], output: Callable[[], AbstractContextManager[IO[str]]], fmt: str
) -> int:
    """Write the users-and-rights rows (`users_and_rights`) to what `output` opens; the first page is read
    before anything is written, so that a refusal leaves no output."""
    first = await anext(rows, None)

    async def all_rows() -> AsyncIterator[dict[str, Any]]:
        if first is None:
            return
        yield first
        async for row in rows:
            yield row

    with output() as out:
        return await write_rows(all_rows(), USER_COLUMNS, out, fmt)


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
