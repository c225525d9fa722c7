"""A terminal for the tests: a program run in a pseudo-terminal (pexpect), its output read by a terminal
emulator (pyte), so that a test asserts on the screen a person would see, not on escape codes."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import pexpect
import pyte

KEYS = {"escape": "\x1b", "enter": "\r", "tab": "\t", "ctrl+p": "\x10", "ctrl+q": "\x11", "f1": "\x1bOP"}


class Terminal:
    """`argv` running in a terminal of `rows` x `cols`; `screen` is what it shows."""

    def __init__(self, argv: Sequence[str], env: dict[str, str], rows: int = 24, cols: int = 80) -> None:
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.output = b""
        self.ended = False
        self.child = pexpect.spawn(argv[0], list(argv[1:]), env=env, dimensions=(rows, cols))

    def _pump(self, timeout: float) -> None:
        if self.ended:
            return
        try:
            data = self.child.read_nonblocking(65536, timeout)
        except pexpect.TIMEOUT:
            return
        except pexpect.EOF:
            self.ended = True
            return
        self.output += data
        self.stream.feed(data)

    @property
    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def wait_for(self, wanted: str | Callable[[str], bool], timeout: float = 30.0) -> str:
        """Read until the screen shows `wanted` (a text, or a test of the screen's text); the screen."""
        test = (lambda text: wanted in text) if isinstance(wanted, str) else wanted
        deadline = time.monotonic() + timeout
        while not test(self.text):
            if self.ended or time.monotonic() > deadline:
                raise AssertionError(f"not on the screen: {wanted!r}\n{self.text}\n(ended: {self.ended})")
            self._pump(0.1)
        return self.text

    def settle(self, quiet: float = 0.5, timeout: float = 10.0) -> str:
        """Read until nothing more comes for `quiet` seconds (the console drew what a key asked)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.ended:
            before = len(self.output)
            self._pump(quiet)
            if len(self.output) == before:
                break
        return self.text

    def press(self, *keys: str) -> None:
        """Type keys one at a time; after Escape, long enough that the next key is not read with it as
        one sequence (Alt and that key)."""
        for key in keys:
            self.child.send(KEYS.get(key, key))
            self.settle(0.6 if key == "escape" else 0.2)

    def resize(self, rows: int, cols: int) -> None:
        self.screen.resize(rows, cols)
        self.child.setwinsize(rows, cols)

    def wait_end(self, timeout: float = 30.0) -> int | None:
        """Read until the program ends; its exit status."""
        deadline = time.monotonic() + timeout
        while not self.ended:
            if time.monotonic() > deadline:
                raise AssertionError(f"still running:\n{self.text}")
            self._pump(0.2)
        self.child.close()
        return self.child.exitstatus

    def close(self) -> None:
        if not self.ended:
            self.child.terminate(force=True)
        self.child.close()
