"""The SSH tests' sshd (`server.running_sshd`), the store it serves and the keys registered in it, and the
real `ssh` client driven through a pseudo-terminal (pexpect), its screen read by a terminal emulator (pyte).

sshd serves the logged-in user (root: sshd switches to the login user, which takes root). Where sshd
cannot run (no openssh-server, not root) the tests are skipped, saying why; `ONSS_TUI_REQUIRE_SSH=1`
(set by `.ci/run`) makes that a failure.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from onss_tui.services import dto
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.store import open_store
from tests.conftest import World, build_world
from tests.ssh.server import (
    ONSS_TUI,
    client_command,
    fingerprint,
    keygen,
    keys_command,
    private_home,
    running_sshd,
    unavailable,
)

__all__ = ["ONSS_TUI", "Sshd", "fingerprint", "keygen", "register"]


@dataclass
class Sshd:
    """The running sshd, the store it serves, and keys: `anne` (the legal representative of Brasserie
    Dupont) and `sam` (support staff) registered, `stranger` never."""

    port: int
    home: Path
    store_url: str
    world: World
    keys: dict[str, Path] = field(default_factory=dict)
    log: Path = Path()

    def ssh_command(self, key: str, *options: str, command: tuple[str, ...] = ()) -> list[str]:
        """The real client with `key`, with nothing of the user's own configuration, agent or hosts."""
        return client_command(self.port, self.keys[key], *options, command=command)

    def client_env(self, **extra: str) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
        }
        env.update(extra)
        return env

    def service(self) -> LocalService:
        return LocalService(open_store(self.store_url))

    def set_config(self, text: str) -> None:
        """The config file the sessions read (their XDG_CONFIG_HOME, set by sshd)."""
        path = self.home / "config" / "onss-tui" / "config.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def sshd() -> Iterator[Sshd]:
    reason = unavailable()
    if reason is not None:
        if os.environ.get("ONSS_TUI_REQUIRE_SSH"):
            pytest.fail(f"ONSS_TUI_REQUIRE_SSH is set but {reason}")
        pytest.skip(reason)
    home = private_home()
    try:
        store = home / "store.db"
        engine = open_store(f"sqlite:///{store}")
        world = build_world(engine)
        engine.dispose()
        with running_sshd(home, store, keys_command(home)) as port:
            server = Sshd(port, home, f"sqlite:///{store}", world, log=home / "sshd.log")
            for name in ("anne", "sam", "stranger"):
                server.keys[name] = keygen(home / f"key_{name}", f"{name}@laptop")
            for name, person in (("anne", world.lr), ("sam", world.support)):
                register(server, person, server.keys[name])
            yield server
    finally:
        shutil.rmtree(home, ignore_errors=True)


def register(server: Sshd, person: int, key: Path) -> None:
    """Register `key` to `person` in the store sshd asks."""
    service = server.service()
    try:
        public = key.with_name(key.name + ".pub").read_text(encoding="utf-8")
        asyncio.run(service.add_ssh_key(None, dto.SshKeyAdd(person_id=person, public_key=public)))
    finally:
        service.engine.dispose()
