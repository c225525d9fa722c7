"""`onss-tui ssh-session`: the console for the one person an SSH key belongs to; `onss-tui ssh-config`: the
sshd_config block that serves it.

sshd runs `ssh-session` as the key's forced command (`keys authorized` wrote it): the person and the key
come from that line alone. What the client asked to run (`SSH_ORIGINAL_COMMAND`) and the environment it
sent are ignored (only `LANG` and `LC_*` choose a language when the person has none remembered yet);
without a terminal (`ssh host cmd`, scp, sftp) it refuses. The key is checked again when the session
starts, and the start and end are audited with the key's fingerprint and the client's address.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from onss_tui.cli.errors import EXIT_USAGE, CommandError, describe_failure

if TYPE_CHECKING:
    from onss_tui.app import Connect
    from onss_tui.config import Settings

IGNORED_PREFIXES = ("ONSS_TUI_", "TEXTUAL", "SSH_ORIGINAL_COMMAND", "PYTHON")
"""What a client may have sent, or asked to run, that must not steer the session."""


@dataclass
class Session:
    """One SSH session: where the client is, and once it started, its store and when."""

    client: str
    url: str | None = None
    started_at: float = 0.0


def client_address(environ: Mapping[str, str]) -> str:
    """`SSH_CONNECTION`'s client address and port ("203.0.113.5:51234", "[2001:db8::1]:51234")."""
    fields = environ.get("SSH_CONNECTION", "").split()
    if len(fields) < 2:
        return "local"
    host, port = fields[0], fields[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _session_connect(args: argparse.Namespace, session: Session) -> Connect:
    """Opens the store, checks the key and records the session's start."""
    from onss_tui.app import ConnectFailed, Connection
    from onss_tui.cli.console import exposed_files

    async def connect(report: Callable[[str], None], settings: Settings) -> Connection:
        from onss_tui.services.errors import ServiceError
        from onss_tui.services.local.service import LocalService

        url = args.database or settings.database_url
        try:
            service = await asyncio.to_thread(
                LocalService.open,
                url,
                migrating=lambda: report("sign_in.migrating"),
                waiting=lambda: report("sign_in.waiting_migration"),
            )
        except Exception as exc:
            message = describe_failure(exc)
            if message is None:
                raise
            raise ConnectFailed(message) from exc
        try:
            await service.record_ssh_session(args.person, "start", args.key, session.client)
        except ServiceError as exc:
            await service.aclose()
            raise ConnectFailed(f"this key opens no session: {exc.message}") from exc
        session.url, session.started_at = url, time.monotonic()
        return Connection(service, args.person, warnings=exposed_files(url, settings))

    return connect


def _record_end(session: Session, args: argparse.Namespace, reason: str) -> None:
    """The session's end in the trail (a store of its own: the console's is closed by now)."""
    from onss_tui.services.local.service import LocalService

    assert session.url is not None
    service = LocalService.open(session.url)
    try:
        details = {"reason": reason, "seconds": round(time.monotonic() - session.started_at)}
        asyncio.run(service.record_ssh_session(args.person, "end", args.key, session.client, details))
    finally:
        service.engine.dispose()


def run_ssh_session(args: argparse.Namespace) -> int:
    if args.actor or args.demo or args.api or args.token:
        print("onss-tui: ssh-session acts for the person of its key alone", file=sys.stderr)
        return EXIT_USAGE
    client_language = {k: v for k, v in os.environ.items() if k in ("LANG", "LC_ALL", "LC_MESSAGES")}
    for name in list(os.environ):
        if name.startswith(IGNORED_PREFIXES) or name.startswith("LC_"):
            del os.environ[name]
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(
            "onss-tui: this account serves the onss-tui console only: connect with a terminal (ssh -t)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from onss_tui.i18n import choose_language
    from onss_tui.ssh_console import SshConsole

    session = Session(client_address(os.environ))
    # The account's config file is everyone's: its language is not the person's. Theirs comes from the
    # store once signed in; until then, or when they have none, the client's.
    app = SshConsole(
        connect=_session_connect(args, session), lang=choose_language(None, None, client_language)
    )
    try:
        app.run()
    except BaseException:
        if app.end_reason == "quit":
            app.end_reason = "error"
        raise
    finally:
        if session.url is not None:
            _record_end(session, args, app.end_reason)
    if app.exit_message:
        print(f"onss-tui: {app.exit_message}", file=sys.stderr)
    return app.return_code or 0


# ---------------------------------------------------------------------------------------- ssh-config

SSHD_BLOCK = """\
# onss-tui over SSH: people log in as {user} with a key registered in the store (onss-tui keys add);
# sshd asks the store at every login, and the key's line forces the console for its person alone.
# Append to the end of /etc/ssh/sshd_config, check with 'sshd -t', then reload sshd.
Match User {user}
    AuthenticationMethods publickey
    PasswordAuthentication no
    KbdInteractiveAuthentication no
    AuthorizedKeysFile none
    AuthorizedKeysCommand {command} keys authorized{database} %u %t %k
    AuthorizedKeysCommandUser {keys_user}
    DisableForwarding yes
    PermitTunnel no
    PermitTTY yes
    PermitUserRC no
    MaxSessions 1
    ClientAliveInterval 60
    ClientAliveCountMax 3
"""


def unsafe_for_sshd(program: Path) -> list[str]:
    """Why sshd would refuse to run `program` as the AuthorizedKeysCommand: it and every folder above
    it must be root's and writable by nobody else."""
    problems = []
    for path in (program, *program.parents):
        try:
            status = path.stat()
        except OSError as exc:
            problems.append(f"{path}: {exc.strerror}")
            continue
        if status.st_uid != 0:
            problems.append(f"{path} is not owned by root")
        if status.st_mode & 0o022:
            problems.append(f"{path} is writable by others than its owner")
    return problems


def run_ssh_config(args: argparse.Namespace) -> int:
    from onss_tui.cli.keys import onss_tui_program

    database = ""
    if args.database:
        from urllib.parse import urlsplit

        if "://" in args.database and urlsplit(args.database).password:
            raise CommandError(
                "the database URL holds a password, and sshd_config is readable by every account: put "
                "database_url in the config file of the keys account instead, and leave out --database"
            )
        url = args.database if "://" in args.database else str(Path(args.database).expanduser().resolve())
        database = f" --database {shlex.quote(url)}"
    program = args.program or " ".join(shlex.quote(word) for word in onss_tui_program())
    for problem in unsafe_for_sshd(Path(program.split()[0]).absolute()):
        print(f"onss-tui: warning: {problem}: sshd will refuse to run it", file=sys.stderr)
    print(
        SSHD_BLOCK.format(
            user=args.user, keys_user=args.keys_user or args.user, command=program, database=database
        ),
        end="",
    )
    return 0
