"""Opening the console in a browser tab against starting it in a terminal, on the demo: prints JSON.

    .venv/bin/python benchmarks/serve.py [--runs 5]

A tab: from asking for the page to the demo's sign-in list on its terminal (read from what the page
receives, through a terminal emulator), with `onss-tui serve --demo` already running (its demo store is
built once, at start). A terminal: from starting `onss-tui --demo` in a pseudo-terminal to the same list
(it builds its own demo store). Medians of `--runs` of each; Debian's headless Chromium through
Playwright.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from urllib.parse import parse_qs, urlsplit

READY = "To try each role of the demo"
"""What the sign-in list shows once the demo's people are listed."""


def tab_openings(runs: int) -> list[float]:
    import pyte
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as home:
        port = 8000 + os.getpid() % 1000
        environment = os.environ | {"XDG_CONFIG_HOME": home, "XDG_DATA_HOME": home}
        server = subprocess.Popen(
            [sys.executable, "-m", "onss_tui", "serve", "--demo", "--port", str(port), "--lang", "en"],
            stderr=subprocess.PIPE,
            env=environment,
            start_new_session=True,
        )
        assert server.stderr is not None
        while b"console on" not in server.stderr.readline():
            pass
        browser_path = shutil.which("chromium-headless-shell") or shutil.which("chromium")
        timings = []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=browser_path, args=["--no-sandbox", "--disable-gpu"]
                )
                for _ in range(runs):
                    page = browser.new_page(viewport={"width": 1000, "height": 600})
                    screens: list[pyte.Screen] = []

                    def watch(websocket, screens=screens) -> None:  # type: ignore[no-untyped-def]
                        query = parse_qs(urlsplit(websocket.url).query)
                        screen = pyte.Screen(int(query["width"][0]), int(query["height"][0]))
                        stream = pyte.ByteStream(screen)
                        screens.append(screen)
                        websocket.on(
                            "framereceived",
                            lambda data: stream.feed(data) if isinstance(data, bytes) else None,
                        )

                    page.on("websocket", watch)
                    start = time.perf_counter()
                    page.goto(f"http://127.0.0.1:{port}/")
                    while not (screens and READY in "\n".join(screens[-1].display)):
                        page.wait_for_timeout(10)
                    timings.append(time.perf_counter() - start)
                    page.close()
                browser.close()
        finally:
            os.killpg(server.pid, signal.SIGINT)
            server.wait()
    return timings


def terminal_starts(runs: int) -> list[float]:
    import pexpect
    import pyte

    timings = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as home:
            screen = pyte.Screen(120, 40)
            stream = pyte.ByteStream(screen)
            environment = os.environ | {
                "XDG_CONFIG_HOME": home,
                "XDG_DATA_HOME": home,
                "TERM": "xterm-256color",
            }
            start = time.perf_counter()
            console = pexpect.spawn(
                sys.executable,
                ["-m", "onss_tui", "--demo", "--lang", "en"],
                env=environment,
                dimensions=(40, 120),
            )
            while READY not in "\n".join(screen.display):
                try:
                    stream.feed(console.read_nonblocking(65536, timeout=5))
                except pexpect.TIMEOUT:
                    continue
            timings.append(time.perf_counter() - start)
            console.sendcontrol("q")
            console.close(force=True)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    tabs, terminals = tab_openings(runs), terminal_starts(runs)
    print(
        json.dumps(
            {
                "runs": runs,
                "tab_to_sign_in_list_s": {
                    "median": round(statistics.median(tabs), 3),
                    "all": [round(t, 3) for t in tabs],
                },
                "terminal_to_sign_in_list_s": {
                    "median": round(statistics.median(terminals), 3),
                    "all": [round(t, 3) for t in terminals],
                },
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
