"""A real OpenSSH `sshd` for the tests and the benchmark: on a free loopback port, with its own config, host
key and pid file in a folder of its own, serving the block `onss-tui ssh-config` prints.

sshd runs an AuthorizedKeysCommand only from a path whose folders are root's and writable by no one
else: `private_home` makes such a folder outside /tmp, for the command (a wrapper that runs this
checkout's `onss-tui`), the store and the keys.
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
from contextlib import contextmanager
from pathlib import Path

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
ONSS_TUI = Path(sys.executable).with_name("onss-tui")
WAIT = 30.0
"""Seconds to wait for sshd to listen."""


def unavailable() -> str | None:
    """Why sshd cannot run here, or None."""
    if not Path(SSHD).is_file():
        return "sshd is not installed (Debian: apt-get install openssh-server)"
    if shutil.which("ssh") is None:
        return "the ssh client is not installed"
    if os.geteuid() != 0:
        return "sshd needs root to switch to the user logging in"
    if not ONSS_TUI.is_file():
        return f"no onss-tui program beside {sys.executable}"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def keygen(path: Path, comment: str) -> Path:
    """A new Ed25519 key pair at `path` and `path`.pub."""
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)], check=True
    )
    return path


def fingerprint(key: Path) -> str:
    """OpenSSH's fingerprint of the key pair at `key`."""
    listed = subprocess.run(
        ["ssh-keygen", "-l", "-E", "sha256", "-f", f"{key}.pub"], capture_output=True, text=True, check=True
    )
    return listed.stdout.split()[1]


def private_home() -> Path:
    """A folder of root's outside /tmp, as sshd wants the AuthorizedKeysCommand's."""
    base = Path("/run") if os.access("/run", os.W_OK) else Path("/var/lib")
    home = Path(tempfile.mkdtemp(prefix="onss-tui-sshd-", dir=base))
    home.chmod(0o755)
    return home


def keys_command(home: Path, script: str = "") -> Path:
    """The AuthorizedKeysCommand: a wrapper (root's) that runs this checkout's `onss-tui`, after `script`."""
    wrapper = home / "onss-tui-keys"
    wrapper.write_text(f'#!/bin/sh\n{script}exec {ONSS_TUI} "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    return wrapper


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


@contextmanager
def running_sshd(home: Path, store: Path, command: Path, *, user: str = "root") -> Iterator[int]:
    """sshd serving `store` to `user` with the block `onss-tui ssh-config` prints; yields its port."""
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation folder
    block = subprocess.run(
        [str(ONSS_TUI), "ssh-config", "--user", user, "--database", str(store), "--command", str(command)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    keygen(home / "host_key", "host")
    port = free_port()
    config = home / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\n"
        f"HostKey {home / 'host_key'}\nPidFile {home / 'sshd.pid'}\n"
        "UsePAM no\nStrictModes no\nPermitRootLogin prohibit-password\nLogLevel VERBOSE\n"
        "AcceptEnv LANG LC_*\nSubsystem sftp internal-sftp\nMaxStartups 100:30:200\n"
        f"SetEnv XDG_CONFIG_HOME={home / 'config'} XDG_DATA_HOME={home / 'data'}\n\n{block}",
        encoding="utf-8",
    )
    log = home / "sshd.log"
    with log.open("wb") as output:
        process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=output, stderr=output)
    try:
        _wait_for_port(port, process, log)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def client_command(port: int, key: Path, *options: str, command: tuple[str, ...] = ()) -> list[str]:
    """The real client, with nothing of the user's own configuration, agent or known hosts."""
    return [
        "ssh",
        "-F",
        "/dev/null",
        "-p",
        str(port),
        "-i",
        str(key),
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
