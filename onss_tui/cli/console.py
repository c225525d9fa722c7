"""Starting the console: pick the backend and the actor, then run the Textual app.

The first frame comes before anything slow: the settings (pydantic), the store layer (SQLAlchemy,
migrations) and the demo seeding are all loaded by the app's connect worker while the sign-in screen says
what is happening. Only the language and the theme are needed earlier; `early_preferences` reads them
the way `onss_tui.config.Settings` does, without importing it. `--demo` fills a fresh temporary SQLite
file with the seeder (or, with `--demo-store`, copies one built beforehand), signs its trail with a key of
its own, and removes both on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from onss_tui.cli.early import early_preferences
from onss_tui.cli.errors import EXIT_USAGE, CommandError, describe_failure
from onss_tui.cli.store import actor_by_niss, anchor_local, require_store

if TYPE_CHECKING:
    from onss_tui.app import Connect, Connection
    from onss_tui.config import Settings
    from onss_tui.services.local.service import LocalService

DEMO_ENTERPRISES, DEMO_MANDATES, DEMO_SEED = 200, 2000, 1


def exposed_files(url: str, settings: Settings) -> tuple[str, ...]:
    """The store's file, and the config file when it holds a secret, if others can read them."""
    from onss_tui.config import config_file
    from onss_tui.private_files import readable_by_others
    from onss_tui.services.local.store import sqlite_path

    found = []
    store = sqlite_path(url)
    if store is not None and readable_by_others(store):
        found.append(str(store))
    if readable_by_others(config_file()) and settings.secret_held():
        found.append(str(config_file()))
    return tuple(found)


def _open_local(url: str, report: Callable[[str], None]) -> LocalService:
    from onss_tui.services.local.service import LocalService

    return LocalService.open(
        url,
        migrating=lambda: report("sign_in.migrating"),
        waiting=lambda: report("sign_in.waiting_migration"),
    )


def _seed_demo(service: LocalService) -> tuple[str, ...]:
    """Fill the demo store; the national register numbers of its showcase people, one per role."""
    from onss_tui.services.local.seed import seed_store

    report = seed_store(
        service.engine,
        enterprises=DEMO_ENTERPRISES,
        mandates=DEMO_MANDATES,
        users=None,
        seed=DEMO_SEED,
    )
    return tuple(identity.niss for identity in report.identities)


def write_demo_store(path: Path) -> Path:
    """A demo store at `path`, built once for several consoles (`onss-tui serve --demo`), with the people
    its sign-in list suggests beside it (`<path>.json`); each console opens a copy (`--demo-store`)."""
    from onss_tui.services.local.service import LocalService
    from onss_tui.services.local.store import close_store

    service = LocalService.open(f"sqlite:///{path}")
    try:
        suggested = _seed_demo(service)
    finally:
        close_store(service.engine)
    _suggestions(path).write_text(json.dumps({"suggested": list(suggested)}), encoding="utf-8")
    return path


def _suggestions(store: Path) -> Path:
    return store.with_name(store.name + ".json")


def _copy_demo(prepared: Path, copy: Path) -> tuple[str, ...]:
    """A copy of a prepared demo store for this console alone, and the people its sign-in list suggests."""
    shutil.copyfile(prepared, copy)
    return tuple(json.loads(_suggestions(prepared).read_text(encoding="utf-8"))["suggested"])


def _anchor_demo(service: LocalService, settings: Settings, demo_dir: Path) -> None:
    """The demo store's own signing key, so that its trail verifies with signed checkpoints."""
    from onss_tui.services.local.audit_keys import write_key_pair
    from onss_tui.services.local.checkpoints import Anchor

    key = write_key_pair(demo_dir / "audit.key")
    anchor = Anchor(
        key,
        every_entries=settings.audit_checkpoint_every,
        every_minutes=settings.audit_checkpoint_minutes,
        file=demo_dir / "demo.db.checkpoints",
    )
    service.anchor_trail(anchor)


def make_connect(args: argparse.Namespace, demo_dir: Path | None = None) -> Connect:
    """The app's `connect`: opens the store (or the API connection) and finds the acting person."""
    from onss_tui.app import ConnectFailed, Connection

    async def connect(report: Callable[[str], None], settings: Settings) -> Connection:
        api = args.api or (None if args.demo or args.database else settings.api_url)
        token = args.token or settings.api_token
        if api and not token:
            raise ConnectFailed("--api needs a token: --token or ONSS_TUI_API_TOKEN", EXIT_USAGE)
        if api and args.actor:
            raise ConnectFailed("--as does not apply to --api: the token names the person", EXIT_USAGE)
        if not (api or args.actor or demo_dir is not None):
            raise ConnectFailed(
                "say who acts: --as NISS on a local store (its operator), or --demo to try the console",
                EXIT_USAGE,
            )
        try:
            if api:
                from onss_tui.services.remote import RemoteService

                remote = RemoteService(api, token or "")
                holder = await remote.holder()
                return Connection(remote, holder.person_id)
            suggested: tuple[str, ...] = ()
            if demo_dir is not None:
                store = demo_dir / "demo.db"
                if args.demo_store is not None:
                    suggested = await asyncio.to_thread(_copy_demo, args.demo_store, store)
                service = await asyncio.to_thread(_open_local, f"sqlite:///{store}", report)
                if args.demo_store is None:
                    report("sign_in.seeding")
                    suggested = await asyncio.to_thread(_seed_demo, service)
                await asyncio.to_thread(_anchor_demo, service, settings, demo_dir)
                await service.checkpoint_audit(None)
            else:
                if args.database:  # a mistyped path: say so, rather than open a new, empty store
                    try:
                        await asyncio.to_thread(require_store, args)  # it imports the store layer
                    except CommandError as exc:
                        raise ConnectFailed(str(exc), EXIT_USAGE) from exc
                url = args.database or settings.database_url
                service = await asyncio.to_thread(_open_local, url, report)
                try:
                    await asyncio.to_thread(anchor_local, service, settings, url)
                except CommandError as exc:
                    await service.aclose()
                    raise ConnectFailed(str(exc), EXIT_USAGE) from exc
            actor = None
            if args.actor:
                try:
                    actor = await asyncio.to_thread(actor_by_niss, service, args.actor)
                except CommandError as exc:
                    await service.aclose()
                    raise ConnectFailed(str(exc), EXIT_USAGE) from exc
            url = args.database or settings.database_url
            warnings = () if demo_dir is not None else exposed_files(url, settings)
            return Connection(service, actor, suggested, warnings)
        except ConnectFailed:
            raise
        except Exception as exc:
            message = describe_failure(exc)
            if message is None:
                raise
            raise ConnectFailed(message) from exc

    return connect


def run_console(args: argparse.Namespace) -> int:
    if args.actor:
        from onss_tui.domain.identifiers import IdentifierError, validate_niss

        try:
            validate_niss(args.actor)
        except IdentifierError as exc:
            print(f"onss-tui: --as: {exc}", file=sys.stderr)
            return EXIT_USAGE
    # Off until the first screen has its data (`OnssApp.start_up_done`): start-up makes many objects that
    # live as long as the console, and the collector's passes over them are time the user waits.
    gc.disable()
    demo_dir = Path(tempfile.mkdtemp(prefix="onss-tui-demo-")) if args.demo else None
    try:
        from onss_tui.app import OnssApp
        from onss_tui.i18n import choose_language

        preferences = early_preferences()
        app = OnssApp(
            lang=choose_language(args.lang, preferences.get("lang")),
            theme=preferences.get("theme"),
            connect=make_connect(args, demo_dir),
            fixed_identity=not args.demo,  # the list of people is a demo's alone
        )
        app.run()
    finally:
        gc.enable()
        if demo_dir is not None:
            shutil.rmtree(demo_dir, ignore_errors=True)
    if app.exit_message:
        print(f"onss-tui: {app.exit_message}", file=sys.stderr)
    return app.return_code or 0
