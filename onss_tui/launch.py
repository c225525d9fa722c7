"""Starting the console: pick the backend and the actor, then run the Textual app.

The store is opened after the first frame (importing the store layer and running migrations takes
longer than drawing the sign-in screen), so the console appears at once and says what it is doing.
`--demo` fills a fresh temporary SQLite file with the seeder and removes it on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from onss_tui.cli import EXIT_USAGE, CommandError

if TYPE_CHECKING:
    from onss_tui.services.protocol import AccessService

DEMO_ENTERPRISES, DEMO_MANDATES, DEMO_SEED = 200, 2000, 1


def _open_local(url: str, report: Callable[[str], None]) -> AccessService:
    from onss_tui.services.local.service import LocalService
    from onss_tui.services.local.store import HEAD_REVISION, current_revision, make_engine

    engine = make_engine(url)
    if current_revision(engine) != HEAD_REVISION:
        report("sign_in.migrating")
    engine.dispose()
    return LocalService.open(url)


def _seed_demo(service: AccessService) -> None:
    from onss_tui.services.local.seed import seed_store

    seed_store(
        service.engine,  # type: ignore[attr-defined]
        enterprises=DEMO_ENTERPRISES,
        mandates=DEMO_MANDATES,
        users=None,
        seed=DEMO_SEED,
        progress=False,
    )


def make_connect(args: argparse.Namespace, database_url: str, api_token: str | None, demo_dir: Path | None):  # type: ignore[no-untyped-def]
    """The app's `connect`: opens the store (or the API connection) and finds the acting person."""
    from onss_tui.app import ConnectFailed

    async def connect(report: Callable[[str], None]) -> tuple[AccessService, int | None]:
        from onss_tui.commands import describe_failure

        try:
            if args.api:
                from onss_tui.services.remote import RemoteService

                remote = RemoteService(args.api, api_token or "")
                holder = await remote.holder()
                return remote, holder.person_id
            if demo_dir is not None:
                url = f"sqlite:///{demo_dir / 'demo.db'}"
                service = await asyncio.to_thread(_open_local, url, report)
                report("sign_in.seeding")
                await asyncio.to_thread(_seed_demo, service)
            else:
                service = await asyncio.to_thread(_open_local, database_url, report)
            actor = None
            if args.actor:
                from onss_tui.commands import actor_by_niss

                try:
                    actor = await asyncio.to_thread(actor_by_niss, service, args.actor)
                except CommandError as exc:
                    await service.aclose()
                    raise ConnectFailed(str(exc), EXIT_USAGE) from exc
            return service, actor
        except ConnectFailed:
            raise
        except Exception as exc:
            message = describe_failure(exc)
            if message is None:
                raise
            raise ConnectFailed(message) from exc

    return connect


def run_console(args: argparse.Namespace) -> int:
    from onss_tui.app import OnssApp
    from onss_tui.config import Settings
    from onss_tui.i18n import choose_language

    settings = Settings()
    if args.actor:
        from onss_tui.domain.identifiers import IdentifierError, validate_niss

        try:
            validate_niss(args.actor)
        except IdentifierError as exc:
            print(f"onss-tui: --as: {exc}", file=sys.stderr)
            return EXIT_USAGE
    api_token = args.token or settings.api_token
    args.api = args.api or (None if args.demo or args.database else settings.api_url)
    if args.api and not api_token:
        print("onss-tui: --api needs a token: --token or ONSS_TUI_API_TOKEN", file=sys.stderr)
        return EXIT_USAGE
    if args.api and args.actor:
        print("onss-tui: --as does not apply to --api: the token names the person", file=sys.stderr)
        return EXIT_USAGE
    demo_dir = Path(tempfile.mkdtemp(prefix="onss-tui-demo-")) if args.demo else None
    try:
        app = OnssApp(
            lang=choose_language(args.lang, settings.lang),
            settings=settings,
            connect=make_connect(args, args.database or settings.database_url, api_token, demo_dir),
        )
        app.run()
    finally:
        if demo_dir is not None:
            shutil.rmtree(demo_dir, ignore_errors=True)
    if app.exit_message:
        print(f"onss-tui: {app.exit_message}", file=sys.stderr)
    return app.return_code or 0
