"""What a fresh process loads: the console over the HTTP API and `onss-tui --help` load no store layer, no
web server and no database driver (checked at run time, where import-linter sees only the source)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from onss_tui.services.local.service import LocalService
from onss_tui.services.local.store import open_store
from onss_tui.services.local.tokens import issue_token
from tests.conftest import build_world

SECRET = "import-hygiene-secret-0123456789abcdefgh"
STORE_AND_SERVER = ("sqlalchemy", "sqlmodel", "fastapi", "starlette", "alembic", "uvicorn", "psycopg")

CONSOLE = """
import json, sys, time
from textual.app import App
from onss_tui.cli import main

seen = {}
run = App.run

async def until_overview(pilot):
    app = pilot.app
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        await app.workers.wait_for_complete()
        await pilot.pause()
        seen["screen"] = type(app.screen).__name__
        if seen["screen"] == "OverviewScreen" and not any(w.is_running for w in app.workers):
            app.exit()
            return
    app.exit(return_code=9, message="the overview did not show")

App.run = lambda app, **options: run(app, headless=True, size=(100, 30), auto_pilot=until_overview)
seen["exit_code"] = main(sys.argv[2:])
seen["modules"] = sorted(sys.modules)
with open(sys.argv[1], "w") as report:
    json.dump(seen, report)
"""

HELP = """
import contextlib, io, json, sys
from onss_tui.cli import main

with contextlib.redirect_stdout(io.StringIO()) as shown:
    try:
        main(["--help"])
    except SystemExit as end:
        code = end.code
json.dump({"exit_code": code, "help": shown.getvalue(), "modules": sorted(sys.modules)}, sys.stdout)
"""


def loaded(modules: list[str], roots: tuple[str, ...]) -> list[str]:
    return sorted({name.split(".")[0] for name in modules} & set(roots))


def clean_env(tmp_path: Path) -> dict[str, str]:
    """No setting of the machine's user: no config file, no `ONSS_TUI_` variable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONSS_TUI_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    return env


def audit_key(folder: Path) -> Path:
    """A signing key for the server's audit trail (a server outside --demo does not start without one)."""
    from onss_tui.services.local.audit_keys import write_key_pair

    path = folder / "keys" / "audit.key"
    if not path.exists():
        write_key_pair(path)
    return path


@pytest.fixture
def api_server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """`onss-tui api` on a free port of 127.0.0.1 over a store holding the small world; its URL and a
    token of the world's legal representative."""
    url = f"sqlite:///{tmp_path / 'api.db'}"
    service = LocalService(open_store(url))
    world = build_world(service.engine)
    token = issue_token(service.engine, SECRET, world.lr).token
    service.engine.dispose()
    port = free_port()
    command = [sys.executable, "-m", "onss_tui", "api", "--database", url, "--port", str(port)]
    server = subprocess.Popen(
        command,
        env=clean_env(tmp_path)
        | {"ONSS_TUI_API_SECRET": SECRET, "ONSS_TUI_AUDIT_KEY_FILE": str(audit_key(tmp_path))},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        ready = server.stderr.readline()
        assert ready.startswith(f"onss-tui API on http://127.0.0.1:{port}"), ready
        yield f"http://127.0.0.1:{port}", token
    finally:
        server.terminate()
        server.communicate(timeout=30)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_console_over_the_api_loads_no_store_layer_nor_web_server(
    tmp_path: Path, api_server: tuple[str, str]
) -> None:
    url, token = api_server
    report = tmp_path / "console.json"
    done = subprocess.run(
        [sys.executable, "-c", CONSOLE, str(report), "--api", url, f"--token={token}", "--lang", "en"],
        env=clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(report.read_text())
    assert seen["exit_code"] == 0 and seen["screen"] == "OverviewScreen", (seen.get("screen"), done.stderr)
    assert loaded(seen["modules"], STORE_AND_SERVER) == []


def test_help_loads_neither_the_console_nor_the_store_layer(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", HELP], env=clean_env(tmp_path), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["exit_code"] == 0 and "usage: onss-tui" in seen["help"]
    assert loaded(seen["modules"], (*STORE_AND_SERVER, "textual")) == []
