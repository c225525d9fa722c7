"""`onss-tui export mandates`: the mandates matching the filters; `onss-tui export users`: an enterprise's
users and their online services. As CSV or JSON, to a file or stdout."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import IO, TYPE_CHECKING

from onss_tui.cli.errors import CommandError
from onss_tui.cli.store import actor_by_niss, open_local, require_store
from onss_tui.services import dto
from onss_tui.services.export import export_mandates, export_users, users_and_rights

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from onss_tui.services.local.service import LocalService

    Output = Callable[[], AbstractContextManager[IO[str]]]

MANDATE_FILTERS = ("text", "principal", "mandatary", "status", "group", "quarter")
"""The options of `export mandates` that are fields of its `MandateFilter`."""


@contextmanager
def _output(path: str | None) -> Iterator[IO[str]]:
    if not path or path == "-":
        yield sys.stdout
        return
    with open(path, "w", encoding="utf-8", newline="") as handle:
        yield handle


async def _export_users(service: LocalService, actor: int, enterprise: str, output: Output, fmt: str) -> int:
    found = await service.list_enterprises(actor, enterprise, dto.PageRequest(size=2))
    if len(found.items) != 1:
        raise CommandError(f"{len(found.items) or 'no'} enterprises match {enterprise!r}: give its number")
    return await export_users(users_and_rights(service, actor, found.items[0].id), output, fmt)


def run_export(args: argparse.Namespace) -> int:
    require_store(args)
    service = open_local(args, migrate=False)
    what = "rows of users and services" if args.export_what == "users" else "mandates"
    try:
        actor = actor_by_niss(service, args.actor)
        output = partial(_output, args.output)
        if args.export_what == "users":
            assert actor is not None  # --as is required
            count = asyncio.run(_export_users(service, actor, args.enterprise, output, args.format))
        else:
            wanted = dto.MandateFilter(**{name: getattr(args, name) for name in MANDATE_FILTERS})
            count = asyncio.run(export_mandates(service.export_mandates(actor, wanted), output, args.format))
    except BrokenPipeError:
        # The reader stopped early (`| head`): that ends the export, quietly. Standard output goes to
        # the null device so that flushing it at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        service.engine.dispose()
    if args.output:
        print(f"{count} {what} written to {args.output}", file=sys.stderr)
    return 0
