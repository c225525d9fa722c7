"""`onss-tui serve` in a real browser: Debian's headless Chromium, driven by Playwright.

The terminal in the page draws on a canvas, so the screen is read from what the page receives: the
console's output on its websocket, fed to a terminal emulator (pyte). Each test serves the demo on a free
loopback port, as a user would start it.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from onss_tui.cli.serve import is_loopback, language_of, origin_of

BROWSER = shutil.which("chromium-headless-shell") or shutil.which("chromium")
ARTIFACTS = Path(
    os.environ.get("ONSS_TUI_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts")
)
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT = 60.0
"""Seconds a condition may take before a test gives up (a busy machine builds the demo slowly)."""

needs_browser = pytest.mark.skipif(
    BROWSER is None and not os.environ.get("ONSS_TUI_REQUIRE_BROWSER"),
    reason="no Chromium here (Debian's chromium-headless-shell); .ci/run installs it",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def children(pid: int) -> set[int]:
    """The live processes whose parent is `pid`."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, parent = stat.rsplit(")", 1)[1].split()[:2]
        if int(parent) == pid and state != "Z":
            found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def until(condition, what: str, timeout: float = WAIT, pause=lambda: time.sleep(0.05)):  # type: ignore[no-untyped-def]
    """Wait for `condition()` to be true, or fail saying `what` did not happen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        pause()
    pytest.fail(f"{what} did not happen within {timeout:.0f} s")


@dataclass
class Served:
    """A running `onss-tui serve --demo` and where it answers."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def consoles(self) -> set[int]:
        return children(self.process.pid)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    port = free_port()
    log = tmp_path / "serve.log"
    environment = os.environ | {
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    environment.pop("ONSS_TUI_LANG", None)
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "onss_tui", "serve", "--demo", "--port", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=environment,
            start_new_session=True,
        )
    served = Served(process, f"http://127.0.0.1:{port}", log)
    try:
        until(lambda: "console on" in log.read_text() or process.poll() is not None, "the server starting")
        assert process.poll() is None, log.read_text()
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@dataclass
class Tab:
    """A browser tab on the served console, and the screen its terminal shows."""

    page: object
    screens: list[object] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)

    def text(self) -> str:
        return "\n".join(self.screens[-1].display) if self.screens else ""  # type: ignore[attr-defined]

    def wait_for(self, words: str) -> None:
        until(
            lambda: words in self.text(),
            f"{words!r} on the screen",
            pause=lambda: self.page.wait_for_timeout(50),
        )  # type: ignore[attr-defined]

    def press(self, *keys: str) -> None:
        self.page.locator("textarea").focus()  # type: ignore[attr-defined]
        for key in keys:
            self.page.keyboard.press(key)  # type: ignore[attr-defined]


@pytest.fixture
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if BROWSER is None:
        pytest.fail("ONSS_TUI_REQUIRE_BROWSER is set but no Chromium is installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=BROWSER, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def open_tab(browser, url: str, locale: str = "en-GB") -> Tab:  # type: ignore[no-untyped-def]
    import pyte

    page = browser.new_page(viewport={"width": 1000, "height": 600}, locale=locale)
    tab = Tab(page)

    def watch(websocket) -> None:  # type: ignore[no-untyped-def]
        query = parse_qs(urlsplit(websocket.url).query)
        screen = pyte.Screen(int(query["width"][0]), int(query["height"][0]))
        stream = pyte.ByteStream(screen)
        tab.screens.append(screen)
        websocket.on(
            "framereceived", lambda payload: stream.feed(payload) if isinstance(payload, bytes) else None
        )

    page.on("websocket", watch)
    page.on("request", lambda request: tab.requested.append(request.url))
    page.goto(url)
    return tab


@needs_browser
def test_a_tab_opens_on_the_demo_sign_in_then_follows_the_keys(served: Served, browser) -> None:  # type: ignore[no-untyped-def]
    tab = open_tab(browser, served.url)
    tab.wait_for("Who is acting?")
    tab.wait_for("To try each role of the demo")
    tab.press("Tab", "Enter")  # the first person suggested: the legal representative
    tab.wait_for("Next steps")
    assert "Your roles: Legal representative" in tab.text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.page.screenshot(path=str(ARTIFACTS / "serve-overview.png"))  # type: ignore[attr-defined]
    outside = [url for url in tab.requested if not url.startswith(served.url)]
    assert outside == []  # the page loads nothing from outside (no font host)


@needs_browser
def test_a_tab_speaks_the_browser_language(served: Served, browser) -> None:  # type: ignore[no-untyped-def]
    tab = open_tab(browser, served.url, locale="nl-BE")
    tab.wait_for("Wie handelt er?")
    assert 'lang="nl"' in tab.page.content()  # type: ignore[attr-defined]


@needs_browser
def test_closing_a_tab_ends_its_console(served: Served, browser) -> None:  # type: ignore[no-untyped-def]
    tab = open_tab(browser, served.url)
    tab.wait_for("Who is acting?")
    [console] = served.consoles()
    tab.page.close()  # type: ignore[attr-defined]
    until(lambda: not alive(console), "the console ending with its tab")
    assert served.consoles() == set()


@needs_browser
def test_stopping_the_server_ends_every_console(served: Served, browser) -> None:  # type: ignore[no-untyped-def]
    first, second = open_tab(browser, served.url), open_tab(browser, served.url)
    first.wait_for("Who is acting?")
    second.wait_for("Who is acting?")
    consoles = served.consoles()
    assert len(consoles) == 2
    served.process.send_signal(signal.SIGINT)
    served.process.wait(timeout=WAIT)
    until(lambda: not any(alive(pid) for pid in consoles), "every console ending with the server")


def test_a_websocket_from_another_origin_is_refused(served: Served) -> None:
    import asyncio

    import aiohttp

    async def connect(origin: str) -> int:
        async with aiohttp.ClientSession() as session:
            try:
                async with session.ws_connect(f"{served.url}/ws", headers={"Origin": origin}):
                    return 101
            except aiohttp.WSServerHandshakeError as refused:
                return refused.status

    assert asyncio.run(connect("http://evil.example")) == 403
    assert asyncio.run(connect(served.url.replace("127.0.0.1", "localhost"))) == 403
    assert served.consoles() == set()


def test_a_host_beyond_loopback_needs_a_public_url() -> None:
    refused = subprocess.run(
        [sys.executable, "-m", "onss_tui", "serve", "--host", "0.0.0.0", "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 1
    assert re.search(r"refusing to serve the console on 0\.0\.0\.0 without --public-url", refused.stderr)


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("https://Console.Example.be/", "https://console.example.be"),
        ("https://console.example.be:443/onss", "https://console.example.be"),
        ("http://[::1]:8000", "http://[::1]:8000"),
    ],
)
def test_the_origin_a_browser_sends(url: str, origin: str) -> None:
    assert origin_of(url) == origin


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("nl-BE,nl;q=0.9,en;q=0.8", "nl"),
        ("de-BE, fr-BE;q=0.8, en;q=0.5", "de"),
        ("it-IT, fr-BE;q=0.8, en;q=0.5", "fr"),
        ("en;q=0.2, fr;q=0.9", "fr"),
        ("fr;q=0, en-GB", "en"),
        ("ja, zh", None),
        ("", None),
    ],
)
def test_the_language_of_a_browser(header: str, language: str | None) -> None:
    assert language_of(header) == language


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("192.0.2.1", False),
        ("example.be", False),
    ],
)
def test_what_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
