"""`onss-tui export mandates`: the mandates matching the filters, as CSV or JSON, to a file or stdout."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import IO

from onss_tui.cli.store import actor_by_niss, open_local, require_store
from onss_tui.services import dto
from onss_tui.services.export import export_mandates

MANDATE_FILTERS = ("text", "principal", "mandatary", "status", "group", "quarter")
"""The options of `export mandates` that are fields of its `MandateFilter`."""


@contextmanager
def _output(path: str | None) -> Iterator[IO[str]]:
    if not path or path == "-":
        yield sys.stdout
        return
    with open(path, "w", encoding="utf-8", newline="") as handle:
        yield handle


def run_export(args: argparse.Namespace) -> int:
    wanted = dto.MandateFilter(**{name: getattr(args, name) for name in MANDATE_FILTERS})
    require_store(args)
    service = open_local(args, migrate=False)
    try:
        actor = actor_by_niss(service, args.actor)
        count = asyncio.run(
            export_mandates(
                service.export_mandates(actor, wanted), partial(_output, args.output), args.format
            )
        )
    except BrokenPipeError:
        # The reader stopped early (`| head`): that ends the export, quietly. Standard output goes to
        # the null device so that flushing it at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        service.engine.dispose()
    if args.output:
        print(f"{count} mandates written to {args.output}", file=sys.stderr)
    return 0
