"""The store a command works on: its URL, opening it, refusing a missing file, and the person `--as` names.

The store layer is imported when a helper runs, so that the console can call these from a worker thread
without paying for it before its first frame.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from onss_tui.cli.errors import CommandError

if TYPE_CHECKING:
    from onss_tui.config import Settings
    from onss_tui.services.local.service import LocalService


def database_url(args: argparse.Namespace) -> str:
    """`--database`, else the settings' (`ONSS_TUI_DATABASE_URL`, the config file, the data directory)."""
    if getattr(args, "database", None):
        return str(args.database)
    from onss_tui.config import Settings

    return Settings().database_url


def say_waiting() -> None:
    """Said once when another process holds the store's migration lock."""
    print("onss-tui: another process is migrating this store; waiting for it…", file=sys.stderr, flush=True)


def open_local(args: argparse.Namespace, *, migrate: bool = True) -> LocalService:
    from onss_tui.services.local.service import LocalService

    return LocalService.open(database_url(args), migrate=migrate, waiting=say_waiting)


def anchor_local(service: LocalService, settings: Settings, url: str) -> None:
    """Set up the audit anchor of a local store from the settings: sign with the key file they name, if
    any, and verify with it, with their earlier public keys, against the checkpoint file."""
    from onss_tui.services.local.anchoring import anchor_from_settings, checkpoint_file, public_keys
    from onss_tui.services.local.audit_keys import AuditKeyError

    try:
        anchor = anchor_from_settings(settings, url)
        earlier = public_keys(settings.audit_public_keys)
    except AuditKeyError as exc:
        raise CommandError(str(exc)) from exc
    service.anchor_trail(anchor, public_keys=earlier, checkpoint_copy=checkpoint_file(settings, url))


def require_store(args: argparse.Namespace) -> None:
    """Refuse a SQLite file that does not exist (rather than reading a new, empty store)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

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


def actor_by_niss(service: LocalService, niss: str | None) -> int | None:
    """The person id for `--as NISS`, or None (the operator of a local store acts as the system)."""
    if not niss:
        return None
    from sqlmodel import Session

    from onss_tui.domain.identifiers import mask_niss
    from onss_tui.services.local.registry import find_person

    with Session(service.engine) as session:
        person = find_person(session, niss)
        if person is None:
            raise CommandError(f"nobody with national register number {mask_niss(niss)} is in this store")
        return person.id
