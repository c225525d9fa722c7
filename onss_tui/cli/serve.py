"""`onss-tui serve`: the console in a browser (textual-serve), one console process for each tab.

textual-serve has no authentication and accepts a websocket from any page. So the server binds to
loopback by default; another host needs `--public-url`, the address browsers use (behind a front that
authenticates), and a websocket whose Origin is not that address's is refused. The page is the project's
own: it loads nothing from outside. Each tab's console runs in a process group of its own, ended when the
tab closes and when the server stops. With `--demo`, the demo store is built once and each tab opens a
copy of it, so that a tab costs what a console costs in a terminal, without the seeding.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from onss_tui.cli.errors import CommandError
from onss_tui.i18n import LANGUAGES, Messages

QUIT_GRACE = 3.0
"""Seconds a console is given to end once asked, before its process group is ended."""
KILL_GRACE = 2.0
"""Seconds a process group is given to end on SIGTERM, before SIGKILL."""
TEMPLATES = Path(__file__).with_name("templates")


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine only (a loopback address or `localhost`)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def origin_of(url: str) -> str:
    """The origin a browser sends for pages of `url`: scheme, host and port (the default one left out)."""
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port not in (None, default) else ""
    return f"{parts.scheme}://{host}{port}".lower()


def language_of(accept_language: str) -> str | None:
    """The first language of an Accept-Language header that the console speaks (qualities honoured)."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept_language.split(",")):
        tag, _, parameters = item.strip().partition(";")
        quality = 1.0
        if parameters.strip().startswith("q="):
            try:
                quality = float(parameters.strip()[2:])
            except ValueError:
                continue
        code = tag.strip().lower()[:2]
        if code in LANGUAGES and quality > 0:
            ranked.append((-quality, position, code))
    return min(ranked)[2] if ranked else None


def console_command(args: argparse.Namespace, demo_store: Path | None) -> list[str]:
    """The command that runs one tab's console on the store (or API) the server was given."""
    command = [sys.executable, "-m", "onss_tui"]
    if demo_store is not None:
        command += ["--demo", "--demo-store", str(demo_store)]
    elif args.api:
        command += ["--api", args.api]
    elif args.database:
        command += ["--database", args.database]
    return command


def _serve(args: argparse.Namespace, command: list[str], public_url: str) -> None:
    """Run the web server until it is stopped (textual-serve's aiohttp server, with the project's page,
    the Origin check and a supervised process for each tab)."""
    import textual_serve
    from aiohttp import web
    from textual_serve.app_service import AppService
    from textual_serve.server import Server

    messages = Messages()
    statics = Path(textual_serve.__file__).with_name("static")

    class ConsoleProcess(AppService):
        """One tab's console: its own process group, ended for certain when the tab goes."""

        def __init__(self, argv: list[str], **options: Any) -> None:
            super().__init__(" ".join(argv), **options)
            self.argv = argv

        async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
            self._process = process = await asyncio.create_subprocess_exec(
                *self.argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=self._build_environment(width=width, height=height),
                start_new_session=True,
            )
            assert process.stdin is not None
            self._stdin = process.stdin
            return process

        async def stop(self) -> None:
            task, self._task = self._task, None
            if task is not None:
                await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
                await self.send_meta({"type": "quit"})
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(task), QUIT_GRACE)
            await self.end_group()
            if task is not None:
                await task

        async def end_group(self) -> None:
            """End every process the console started, then collect its own."""
            process = self._process
            if process is None or process.returncode is not None:
                return
            for sent, grace in ((signal.SIGTERM, KILL_GRACE), (signal.SIGKILL, None)):
                try:
                    os.killpg(process.pid, sent)
                except ProcessLookupError:
                    break
                try:
                    await asyncio.wait_for(process.wait(), grace)
                    break
                except TimeoutError:
                    continue
            await process.wait()

    class ConsoleServer(Server):
        """textual-serve's server with the project's page, an Origin check and supervised consoles."""

        def __init__(self) -> None:
            super().__init__(
                " ".join(command),
                host=args.host,
                port=args.port,
                title="onss-tui",
                public_url=public_url,
                statics_path=statics,
                templates_path=TEMPLATES,
            )
            self.origin = origin_of(self.public_url)
            self.consoles: set[ConsoleProcess] = set()

        def initialize_logging(self) -> None:
            """The server says what it serves in one line of its own (no banner)."""

        async def on_startup(self, app: web.Application) -> None:
            where = "loopback only" if is_loopback(args.host) else f"behind {self.public_url}"
            print(f"onss-tui console on {self.public_url} ({where}); ctrl+c stops it", file=sys.stderr)

        async def on_shutdown(self, app: web.Application) -> None:
            await asyncio.gather(*(console.stop() for console in list(self.consoles)))

        async def handle_index(self, request: web.Request) -> web.StreamResponse:
            import aiohttp_jinja2

            router, lang = request.app.router, self._language(request)
            static = f"{self.public_url}{router['static'].url_for(filename='/')}".rstrip("/") + "/"
            scheme = "wss" if self.public_url.startswith("https") else "ws"
            websocket = f"{scheme}:{self.public_url.split(':', 1)[1]}{router['websocket'].url_for()}"
            context = {
                "lang": lang,
                "font_size": _size(request.query.get("fontsize"), 16),
                "app_websocket_url": websocket,
                "config": {"static": {"url": static}},
                "application": {"name": "onss-tui"},
                "words": {word: messages.t(lang, f"serve.{word}") for word in ("start", "ended", "restart")},
            }
            return aiohttp_jinja2.render_template("app_index.html", request, context)

        def _language(self, request: web.Request) -> str:
            return args.lang or language_of(request.headers.get("Accept-Language", "")) or "en"

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            if request.headers.get("Origin", "").lower() != self.origin:
                raise web.HTTPForbidden(text="This console is served to its own page only.\n")
            websocket = web.WebSocketResponse(heartbeat=15)
            width = _size(request.query.get("width"), 80)
            height = _size(request.query.get("height"), 24)
            argv = [*command, "--lang", self._language(request)]
            console: ConsoleProcess | None = None
            try:
                await websocket.prepare(request)
                console = ConsoleProcess(
                    argv,
                    write_bytes=websocket.send_bytes,
                    write_str=websocket.send_str,
                    close=websocket.close,
                    download_manager=self.download_manager,
                )
                self.consoles.add(console)
                await console.start(width, height)
                await self._process_messages(websocket, console)
            except asyncio.CancelledError:
                await websocket.close()
            finally:
                if console is not None:
                    await console.stop()
                    self.consoles.discard(console)
            return websocket

    ConsoleServer().serve()


def _size(value: str | None, default: int) -> int:
    """A terminal dimension from the page, kept within what a console can draw."""
    try:
        return max(10, min(int(value or default), 1000))
    except ValueError:
        return default


def _prepare_demo(directory: Path) -> Path:
    """Build the demo store once; each tab's console opens a copy of it."""
    from onss_tui.cli.console import write_demo_store

    print("onss-tui: building the demo store...", file=sys.stderr)
    return write_demo_store(directory / "demo.db")


def run_serve(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise CommandError(f"--port must be between 1 and 65535, not {args.port}")
    if not is_loopback(args.host) and not args.public_url:
        raise CommandError(
            f"refusing to serve the console on {args.host} without --public-url: the browser console has "
            "no authentication of its own; serve it behind a front that authenticates (see the README)"
        )
    if args.public_url and urlsplit(args.public_url).scheme not in ("http", "https"):
        raise CommandError(f"--public-url must be an http:// or https:// address, not {args.public_url!r}")
    where = f"[{args.host}]" if ":" in args.host else args.host
    public_url = (args.public_url or f"http://{where}:{args.port}").rstrip("/")
    if args.token:
        os.environ["ONSS_TUI_API_TOKEN"] = args.token  # to the consoles, never on their command line
    demo_dir = Path(tempfile.mkdtemp(prefix="onss-tui-serve-")) if args.demo else None
    try:
        demo_store = _prepare_demo(demo_dir) if demo_dir is not None else None
        _serve(args, console_command(args, demo_store), public_url)
    finally:
        if demo_dir is not None:
            shutil.rmtree(demo_dir, ignore_errors=True)
    return 0
