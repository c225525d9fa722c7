"""Over a real sshd and the real ssh client: a key opens the console of its person, and nothing else.

Each test connects as a person would (`ssh -tt`, scp, sftp, forwarding) and reads the screen through a
terminal emulator; what it may not reach (a shell, a forwarded port, an agent, another identity) is
checked from the outside: the output, the process the session runs, the ports, the store's trail.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from onss_tui.services.dto import AuditFilter
from tests.ssh.conftest import ONSS_TUI, Sshd, fingerprint, keygen, register
from tests.ssh.server import free_port
from tests.ssh.terminal import Terminal

pytestmark = pytest.mark.ssh

OVERVIEW = "Your roles: Legal representative"


def console(
    sshd: Sshd, key: str = "anne", *options: str, rows: int = 24, cols: int = 80, **env: str
) -> Terminal:
    return Terminal(sshd.ssh_command(key, "-tt", *options), sshd.client_env(**env), rows, cols)


def run(sshd: Sshd, argv: list[str], timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, capture_output=True, text=True, timeout=timeout, env=sshd.client_env(), stdin=subprocess.DEVNULL
    )


def trail(sshd: Sshd, action: str) -> list[dict]:
    service = sshd.service()
    try:
        page = asyncio.run(service.list_audit(sshd.world.support, AuditFilter(action=action)))
    finally:
        service.engine.dispose()
    return [{"actor": e.actor, "action": e.action, **(e.after or {})} for e in page.items]


def session_processes() -> list[int]:
    """The `ssh-session` processes running now (the console sshd started for a key)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"ssh-session" in command and b"--key" in command:
                found.append(int(entry.name))
    return found


def test_a_key_opens_the_overview_of_its_person_and_the_trail_shows_the_session(sshd: Sshd) -> None:
    term = console(sshd)
    try:
        term.wait_for(lambda screen: OVERVIEW in screen and "Anne Peeters" in screen)
        assert "Brasserie Dupont" in term.text
        term.press("ctrl+q")
        assert term.wait_end() == 0
    finally:
        term.close()
    key = fingerprint(sshd.keys["anne"])
    started = [e for e in trail(sshd, "ssh.session_start") if e["fingerprint"] == key]
    ended = [e for e in trail(sshd, "ssh.session_end") if e["fingerprint"] == key]
    assert started and started[0]["actor"] == "Anne Peeters"
    assert started[0]["client"].startswith("127.0.0.1:")
    assert ended and ended[0]["reason"] == "quit" and ended[0]["client"] == started[0]["client"]


def test_a_command_asked_for_gets_the_console_with_a_terminal_and_a_refusal_without(sshd: Sshd) -> None:
    for command in (["bash"], ["id"], ["sh", "-c", "echo escaped"]):
        refused = run(sshd, sshd.ssh_command("anne", command=tuple(command)))
        assert refused.returncode != 0
        assert "serves the onss-tui console only" in refused.stderr
        assert "uid=" not in refused.stdout + refused.stderr and "escaped" not in refused.stdout
    term = Terminal(sshd.ssh_command("anne", "-tt", command=("bash", "-i")), sshd.client_env())
    try:
        term.wait_for(OVERVIEW)
        term.press("i", "d", "enter")
        assert "uid=" not in term.settle()
        term.press("ctrl+q")
        term.wait_end()
    finally:
        term.close()
    assert b"uid=" not in term.output


def test_scp_and_sftp_get_nothing(sshd: Sshd, tmp_path: Path) -> None:
    target = tmp_path / "copied"
    options = ["-P" if option == "-p" else option for option in sshd.ssh_command("anne")[1:-1]]
    for protocol in ([], ["-O"]):  # scp over sftp (the default), and the original scp protocol
        copied = run(sshd, ["scp", *protocol, *options, "root@127.0.0.1:/etc/hostname", str(target)])
        assert copied.returncode != 0 and not target.exists()
    sftp = subprocess.run(
        ["sftp", *options, "-b", "-", "root@127.0.0.1"],
        input=f"get /etc/hostname {target}\n",
        capture_output=True,
        text=True,
        timeout=30,
        env=sshd.client_env(),
    )
    assert sftp.returncode != 0 and not target.exists()


class _Listener:
    """A TCP server on loopback that counts the connections it accepts."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.accepted = 0
        self.socket.settimeout(0.2)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                peer, _ = self.socket.accept()
            except TimeoutError:
                continue
            self.accepted += 1
            peer.sendall(b"secret\n")
            peer.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.socket.close()


def test_forwarding_of_ports_and_of_the_agent_is_refused(sshd: Sshd) -> None:
    target = _Listener()
    local, remote = free_port(), free_port()
    agent = subprocess.run(["ssh-agent", "-s"], capture_output=True, text=True, check=True).stdout
    socket_path = agent.split("SSH_AUTH_SOCK=", 1)[1].split(";", 1)[0]
    agent_pid = agent.split("SSH_AGENT_PID=", 1)[1].split(";", 1)[0]
    options = ("-L", f"{local}:127.0.0.1:{target.port}", "-R", f"{remote}:127.0.0.1:{target.port}", "-A")
    with_agent = [
        f"IdentityAgent={socket_path}" if word == "IdentityAgent=none" else word
        for word in sshd.ssh_command("anne", "-tt", *options)
    ]
    term = Terminal(with_agent, sshd.client_env(SSH_AUTH_SOCK=socket_path))
    try:
        term.wait_for(OVERVIEW)
        with socket.create_connection(("127.0.0.1", local), timeout=5) as through:
            through.settimeout(5)
            assert through.recv(100) == b""  # sshd refused the channel: closed, nothing came
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", remote)) != 0  # nothing listens for -R
        sessions = session_processes()
        assert sessions
        for pid in sessions:
            environment = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            assert not any(v.startswith(b"SSH_AUTH_SOCK=") for v in environment)
            assert not any(v.startswith(b"SSH_ORIGINAL_COMMAND=") for v in environment)
        term.press("ctrl+q")
        term.wait_end()
    finally:
        term.close()
        target.close()
        os.kill(int(agent_pid), 15)
    assert target.accepted == 0


def test_an_unknown_key_is_refused(sshd: Sshd) -> None:
    refused = run(sshd, sshd.ssh_command("stranger", command=("true",)))
    assert refused.returncode == 255
    assert "Permission denied (publickey)" in refused.stderr


def test_a_revoked_key_is_refused_at_the_next_login_without_reloading_sshd(sshd: Sshd) -> None:
    sshd.keys["nina"] = keygen(sshd.home / "key_nina", "nina@laptop")
    register(sshd, sshd.world.newcomer, sshd.keys["nina"])
    accepted = console(sshd, "nina")
    try:
        accepted.wait_for("You hold no role in any enterprise")  # her session, with no enterprise to open
        accepted.press("ctrl+q")
        accepted.wait_end()
    finally:
        accepted.close()
    database = sshd.store_url.removeprefix("sqlite:///")
    revoked = subprocess.run(
        [str(ONSS_TUI), "keys", "revoke", "--database", database, fingerprint(sshd.keys["nina"])],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "revoked" in revoked.stdout
    refused = run(sshd, sshd.ssh_command("nina", command=("true",)))
    assert refused.returncode == 255
    assert "Permission denied (publickey)" in refused.stderr


def test_no_key_sequence_reaches_another_identity(sshd: Sshd) -> None:
    term = console(sshd, "sam")
    try:
        term.wait_for("Choose an enterprise")  # support staff: every enterprise
        term.press("escape")
        screen = term.wait_for("Signed in as Sam Support")
        assert "Who is acting?" not in screen
        term.press(*"anne", "enter")  # nowhere to type a name: e opens the picker, Enter an enterprise
        term.press("escape", "escape", "escape")
        term.press("ctrl+p")
        term.wait_for("Search for a command")
        term.press(*"act as")
        assert "Act as someone else" not in term.settle(1.0)
        term.press("escape", "escape", "escape")
        term.wait_for("Your roles: Support staff")  # still Sam, on the enterprise Enter opened
        term.press("ctrl+q")
        term.wait_end()
    finally:
        term.close()
    assert b"Who is acting" not in term.output and b"Act as someone else" not in term.output
    service = sshd.service()
    try:
        entries = asyncio.run(service.list_audit(sshd.world.support, AuditFilter(action="person.sign_in")))
    finally:
        service.engine.dispose()
    assert {e.actor for e in entries.items} <= {"Sam Support", "Anne Peeters", "Nina Nieuw"}


def test_resizing_the_terminal_reaches_the_console(sshd: Sshd) -> None:
    term = console(sshd, rows=24, cols=80)
    try:
        term.wait_for(OVERVIEW)
        footer = [i for i, line in enumerate(term.screen.display) if "Commands" in line]
        assert footer == [23]
        term.resize(30, 110)
        term.wait_for(lambda _: any("Commands" in line for line in term.screen.display[29:]))
        assert term.screen.display[29].rstrip().endswith("Commands")
        assert len(term.screen.display[29].rstrip()) > 80
        term.press("ctrl+q")
        term.wait_end()
    finally:
        term.close()


def test_the_client_language_is_used_until_the_person_chooses_one(sshd: Sshd) -> None:
    term = console(sshd, "sam", "-o", "SendEnv=LANG", LANG="nl_BE.UTF-8")
    try:
        term.wait_for("Kies een onderneming")
        term.press("escape")
        term.wait_for("Aangemeld als Sam Support")
        term.press("ctrl+q")
        term.wait_end()
    finally:
        term.close()


def test_an_idle_session_signs_out(sshd: Sshd) -> None:
    sshd.set_config("ssh_idle_minutes = 0.04\n")
    try:
        term = console(sshd)
        try:
            term.wait_for(OVERVIEW)
            assert term.wait_end(timeout=30) == 0
        finally:
            term.close()
    finally:
        sshd.set_config("")
    assert b"Signed out after 0.04 minutes without activity" in term.output
    key = fingerprint(sshd.keys["anne"])
    assert any(e["reason"] == "idle" for e in trail(sshd, "ssh.session_end") if e["fingerprint"] == key)


def test_a_connection_that_drops_ends_the_session_and_the_trail_says_so(sshd: Sshd) -> None:
    term = console(sshd, "sam")
    try:
        term.wait_for("Choose an enterprise")
        sessions = session_processes()
        assert sessions
        term.child.kill(9)  # the client dies: sshd hangs the terminal up
    finally:
        term.close()
    deadline = time.monotonic() + 30
    while any(Path(f"/proc/{pid}").exists() for pid in sessions) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(Path(f"/proc/{pid}").exists() for pid in sessions)
    key = fingerprint(sshd.keys["sam"])
    ends = [e for e in trail(sshd, "ssh.session_end") if e["fingerprint"] == key]
    assert ends and ends[0]["reason"] == "hangup"
