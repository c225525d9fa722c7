"""The store subcommands of `onss-tui`: db upgrade, seed, export mandates, audit verify."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import IO, Any

from onss_tui.services import dto
from onss_tui.services.export import export_mandates


def database_url(args: argparse.Namespace) -> str:
    if getattr(args, "database", None):
        return args.database
    from onss_tui.config import Settings

    return Settings().database_url


def describe_failure(exc: BaseException) -> str | None:
    """One line for an expected failure; None for a bug (which keeps its traceback)."""
    from pydantic import ValidationError
    from sqlalchemy.exc import OperationalError

    from onss_tui.cli import CommandError
    from onss_tui.domain.identifiers import IdentifierError
    from onss_tui.services.errors import ServiceError, ValidationFailed
    from onss_tui.services.local.store import StoreError

    if isinstance(exc, ValidationFailed):
        return "; ".join(f"{field}: {message}" for field, message in exc.field_errors.items())
    if isinstance(exc, ServiceError):
        return exc.message
    if isinstance(exc, StoreError | CommandError | IdentifierError):
        return str(exc)
    if isinstance(exc, OperationalError):
        reason = str(exc.orig if exc.orig is not None else exc).strip().splitlines()
        return "the database is unavailable: " + (reason[0] if reason else type(exc).__name__)
    if isinstance(exc, ValidationError):
        return "invalid setting: " + "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
        )
    if isinstance(exc, OSError):
        return str(exc)
    if isinstance(exc, ValueError) and "config file" in str(exc):
        return str(exc)
    return None


def open_local(args: argparse.Namespace, *, migrate: bool = True):  # type: ignore[no-untyped-def]
    from onss_tui.services.local.service import LocalService

    return LocalService.open(database_url(args), migrate=migrate)


def require_store(args: argparse.Namespace) -> None:
    """Refuse a SQLite file that does not exist (rather than reading a new, empty store)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from onss_tui.cli import CommandError
    from onss_tui.services.local.store import normalise_url

    try:
        url = make_url(normalise_url(database_url(args)))
    except ArgumentError:
        return  # opening the store reports it
    database = url.database or ""
    if (
        url.get_backend_name() == "sqlite"
        and database not in ("", ":memory:")
        and not Path(database).is_file()
    ):
        raise CommandError(
            f"no store at {database}: create one with 'onss-tui db upgrade' or 'onss-tui seed'"
        )


def actor_by_niss(service: Any, niss: str | None) -> int | None:
    """The person id for `--as NISS`, or None (the operator of a local store acts as the system)."""
    if not niss:
        return None
    from sqlmodel import Session

    from onss_tui.cli import CommandError
    from onss_tui.domain.identifiers import mask_niss
    from onss_tui.services.local.registry import find_person

    with Session(service.engine) as session:
        person = find_person(session, niss)
        if person is None:
            raise CommandError(f"nobody with national register number {mask_niss(niss)} is in this store")
        return person.id


def run_db(args: argparse.Namespace) -> int:
    from onss_tui.services.local.store import HEAD_REVISION, current_revision, make_engine, upgrade

    engine = make_engine(database_url(args))
    try:
        before = current_revision(engine)
        upgrade(engine)
        print(f"schema at revision {HEAD_REVISION} (was {before or 'empty'})")
    finally:
        engine.dispose()
    return 0


def run_seed(args: argparse.Namespace) -> int:
    from onss_tui.cli import CommandError
    from onss_tui.seed_progress import SeedProgressBars
    from onss_tui.services.local.seed import SeedError, seed_store

    if args.enterprises < 2:
        raise CommandError(
            "--enterprises must be at least 2 (the demo needs an employer and a local administration)"
        )
    if args.mandates < 0 or (args.users is not None and args.users < 0):
        raise CommandError("--mandates and --users cannot be negative")
    service = open_local(args)
    try:
        report = seed_store(
            service.engine,
            enterprises=args.enterprises,
            mandates=args.mandates,
            users=args.users,
            seed=args.seed,
            progress=SeedProgressBars() if sys.stderr.isatty() else None,
        )
    except SeedError as exc:
        raise CommandError(str(exc)) from exc
    finally:
        service.engine.dispose()
    print(report.summary())
    return 0


@contextmanager
def _output(path: str | None) -> Iterator[IO[str]]:
    if not path or path == "-":
        yield sys.stdout
        return
    with open(path, "w", encoding="utf-8", newline="") as handle:
        yield handle


def run_export(args: argparse.Namespace) -> int:
    wanted = dto.MandateFilter(
        text=args.text,
        principal=args.principal,
        mandatary=args.mandatary,
        status=args.status,
        group=args.group,
        quarter=args.quarter,
    )
    require_store(args)
    service = open_local(args, migrate=False)
    try:
        actor = actor_by_niss(service, args.actor)
        count = asyncio.run(
            export_mandates(service, actor, wanted, partial(_output, args.output), args.format)
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


def run_audit(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from onss_tui.services.local.audit import verify

    require_store(args)
    service = open_local(args, migrate=False)
    try:
        with Session(service.engine) as session:
            result = verify(session)
    finally:
        service.engine.dispose()
    if result.ok:
        print(f"audit trail intact: {result.entries_checked} entries")
        return 0
    print(f"onss-tui: audit trail broken at entry {result.first_bad_id}: {result.reason}", file=sys.stderr)
    return 3
