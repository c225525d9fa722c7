"""A real OpenSSH `sshd` on a free loopback port, configured by `onss-tui ssh-config`, and the real `ssh`
client driven through a pseudo-terminal (pexpect), its screen read by a terminal emulator (pyte).

The sshd has its own config, host key and pid file in a folder of its own, and serves the logged-in user
(root: sshd switches to the login user, which takes root). Its AuthorizedKeysCommand is a wrapper in a
root-owned folder outside /tmp (sshd refuses a command whose folders others may write), which runs this
checkout's `onss-tui`. Where sshd cannot run (no openssh-server, not root) the tests are skipped, saying
why; `ONSS_TUI_REQUIRE_SSH=1` (set by `.ci/run`) makes that a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from onss_tui.services.local.service import LocalService
from onss_tui.services.local.store import open_store
from tests.conftest import World, build_world

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
ONSS_TUI = Path(sys.executable).with_name("onss-tui")
WAIT = 30.0
"""Seconds a test waits for what it expects on screen (a console starts in about a second)."""


def _unavailable() -> str | None:
    if not Path(SSHD).is_file():
        return "sshd is not installed (Debian: apt-get install openssh-server)"
    if shutil.which("ssh") is None:
        return "the ssh client is not installed"
    if os.geteuid() != 0:
        return "sshd needs root to switch to the user logging in"
    if not ONSS_TUI.is_file():
        return f"no onss-tui program beside {sys.executable}"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def keygen(path: Path, comment: str) -> Path:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)], check=True
    )
    return path


def fingerprint(key: Path) -> str:
    listed = subprocess.run(
        ["ssh-keygen", "-l", "-E", "sha256", "-f", f"{key}.pub"], capture_output=True, text=True, check=True
    )
    return listed.stdout.split()[1]


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
        """The real client, with nothing of the user's own configuration, agent or known hosts."""
        return [
            "ssh",
            "-F",
            "/dev/null",
            "-p",
            str(self.port),
            "-i",
            str(self.keys[key]),
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "IdentityAgent=none",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "BatchMode=yes",
            "-o",
            "LogLevel=ERROR",
            *options,
            "root@127.0.0.1",
            *command,
        ]

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


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sshd ended at start: {log.read_text(errors='replace')}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"sshd did not listen on {port}: {log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def sshd() -> Iterator[Sshd]:
    reason = _unavailable()
    if reason is not None:
        if os.environ.get("ONSS_TUI_REQUIRE_SSH"):
            pytest.fail(f"ONSS_TUI_REQUIRE_SSH is set but {reason}")
        pytest.skip(reason)
    # Root's, outside /tmp: sshd runs an AuthorizedKeysCommand only from folders no one else may write.
    base = Path("/run") if os.access("/run", os.W_OK) else Path("/var/lib")
    home = Path(tempfile.mkdtemp(prefix="onss-tui-sshd-", dir=base))
    try:
        os.chmod(home, 0o755)
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation folder
        store = home / "store.db"
        engine = open_store(f"sqlite:///{store}")
        world = build_world(engine)
        engine.dispose()
        wrapper = home / "onss-tui-keys"
        wrapper.write_text(f'#!/bin/sh\nexec {ONSS_TUI} "$@"\n', encoding="utf-8")
        wrapper.chmod(0o755)
        block = subprocess.run(
            [
                str(ONSS_TUI),
                "ssh-config",
                "--user",
                "root",
                "--database",
                str(store),
                "--command",
                str(wrapper),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        keygen(home / "host_key", "host")
        port = _free_port()
        config = home / "sshd_config"
        config.write_text(
            f"Port {port}\nListenAddress 127.0.0.1\n"
            f"HostKey {home / 'host_key'}\nPidFile {home / 'sshd.pid'}\n"
            "UsePAM no\nStrictModes no\nPermitRootLogin prohibit-password\nLogLevel VERBOSE\n"
            "AcceptEnv LANG LC_*\nSubsystem sftp internal-sftp\n"
            f"SetEnv XDG_CONFIG_HOME={home / 'config'} XDG_DATA_HOME={home / 'data'}\n\n{block}",
            encoding="utf-8",
        )
        log = home / "sshd.log"
        with log.open("wb") as output:
            process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=output, stderr=output)
        try:
            _wait_for_port(port, process, log)
            server = Sshd(port, home, f"sqlite:///{store}", world, log=log)
            for name in ("anne", "sam", "stranger"):
                server.keys[name] = keygen(home / f"key_{name}", f"{name}@laptop")
            for name, person in (("anne", world.lr), ("sam", world.support)):
                register(server, person, server.keys[name])
            yield server
        finally:
            process.terminate()
            process.wait(timeout=10)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def register(server: Sshd, person: int, key: Path) -> None:
    """Register `key` to `person` in the store sshd asks."""
    import asyncio

    from onss_tui.services import dto

    service = server.service()
    try:
        public = key.with_suffix(".pub").read_text(encoding="utf-8")
        asyncio.run(service.add_ssh_key(None, dto.SshKeyAdd(person_id=person, public_key=public)))
    finally:
        service.engine.dispose()
