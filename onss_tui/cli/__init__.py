"""The `onss-tui` command: the console by default, and subcommands for the store, the API and the trail.

Each subcommand is a module of this package, imported only once it is chosen, so that `--help` and the
console's start-up never pay for the store layer or the web server. Every expected failure ends in one
clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from onss_tui.cli.errors import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USAGE, describe_failure

Command = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """Reports a bad argument in one line (no usage block), with exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see '{self.prog} --help')\n")


def _add_database(parser: argparse.ArgumentParser, *, command: bool = True) -> None:
    """`--database`, before or after the command's name: a command's own default never hides the one
    given before it (`onss-tui --database X db upgrade` upgrades X)."""
    parser.add_argument(
        "--database",
        metavar="URL",
        default=argparse.SUPPRESS if command else None,
        help="SQLAlchemy URL or SQLite file path (default: ONSS_TUI_DATABASE_URL, then the data directory)",
    )


def _add_mandate_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--text", default="", help="principal or mandatary number or name")
    parser.add_argument("--principal", default="", help="principal number or name")
    parser.add_argument("--mandatary", default="", help="mandatary number or name")
    parser.add_argument(
        "--status",
        choices=["to_finalise", "pending", "active", "expired", "rejected", "closed"],
        help="mandate status as shown: active ones cover the current quarter or a later one, expired ones "
        "are active with their end quarter past",
    )
    parser.add_argument("--group", help="group of services code, e.g. dmfa_dimona")
    parser.add_argument("--quarter", help="valid during this quarter, e.g. 2026Q3")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="onss-tui",
        description=(
            "Secure access for Belgian employers (ONSS / RSZ): managers, users, mandates, audit trail."
        ),
    )
    _add_database(parser, command=False)
    parser.add_argument(
        "--demo", action="store_true", help="open a fresh temporary store filled with demo data"
    )
    parser.add_argument(
        "--as", dest="actor", metavar="NISS", help="act as this person (national register number)"
    )
    parser.add_argument("--lang", choices=["fr", "nl", "de", "en"], help="language of the interface")
    parser.add_argument("--api", metavar="URL", help="work against an onss-tui API server")
    parser.add_argument("--token", help="bearer token for --api (default: ONSS_TUI_API_TOKEN)")
    parser.add_argument("--demo-store", metavar="FILE", type=Path, help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    db = commands.add_parser("db", help="manage the store's schema")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    _add_database(db_commands.add_parser("upgrade", help="apply the migrations not yet applied"))

    seed = commands.add_parser("seed", help="fill a store with realistic synthetic data")
    _add_database(seed)
    seed.add_argument("--enterprises", type=int, default=200, help="number of employers (default 200)")
    seed.add_argument("--mandates", type=int, default=1000, help="number of mandates (default 1000)")
    seed.add_argument("--users", type=int, default=None, help="number of users (default: 2 per enterprise)")
    seed.add_argument("--seed", type=int, default=1, help="random seed; same seed, same data (default 1)")

    export = commands.add_parser("export", help="write data out")
    export_commands = export.add_subparsers(dest="export_what", metavar="WHAT", required=True)
    mandates = export_commands.add_parser("mandates", help="the mandates matching the filters")
    _add_database(mandates)
    _add_mandate_filters(mandates)
    mandates.add_argument("--format", choices=["csv", "json"], default="csv")
    mandates.add_argument("--output", "-o", metavar="FILE", help="file to write (default: standard output)")
    mandates.add_argument("--as", dest="actor", metavar="NISS", help="export what this person may see")
    users = export_commands.add_parser(
        "users", help="an enterprise's users and their online services, one row per user and service"
    )
    _add_database(users)
    users.add_argument("--enterprise", required=True, metavar="NUMBER", help="the enterprise (its number)")
    users.add_argument("--format", choices=["csv", "json"], default="csv")
    users.add_argument("--output", "-o", metavar="FILE", help="file to write (default: standard output)")
    users.add_argument(
        "--as",
        dest="actor",
        required=True,
        metavar="NISS",
        help="a manager of the enterprise, or support staff",
    )

    audit = commands.add_parser("audit", help="the audit trail")
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = audit_commands.add_parser(
        "verify", help="check the chain, the signed checkpoints and their copy outside the store"
    )
    _add_database(verify)
    verify.add_argument(
        "--public-key",
        action="append",
        metavar="FILE",
        help="public key file (PEM; repeat for the keys of earlier rotations; default: the settings')",
    )
    verify.add_argument(
        "--checkpoints", metavar="FILE", help="the copy of the checkpoints (default: the settings')"
    )
    verify.add_argument(
        "--full", action="store_true", help="walk the whole chain, not only what came since the last check"
    )
    keygen = audit_commands.add_parser("keygen", help="write a new key pair to sign checkpoints")
    keygen.add_argument(
        "--output", metavar="FILE", help="private key file (mode 0600); the public key goes to FILE.pub"
    )
    checkpoint = audit_commands.add_parser("checkpoint", help="sign the trail's head now")
    _add_database(checkpoint)
    checkpoint.add_argument("--key", metavar="FILE", help="private key (default: the settings')")
    witness = audit_commands.add_parser(
        "witness", help="copy a server's new checkpoints to a file and report a fork"
    )
    witness.add_argument("--api", metavar="URL", help="the server (default: ONSS_TUI_API_URL)")
    witness.add_argument("--token", help="bearer token (default: ONSS_TUI_API_TOKEN)")
    witness.add_argument("--output", metavar="FILE", required=True, help="the witness's checkpoint file")
    witness.add_argument(
        "--public-key", action="append", metavar="FILE", help="check each signature with this public key"
    )

    api = commands.add_parser("api", help="run the HTTP API server")
    _add_database(api)
    api.add_argument("--host", default="127.0.0.1")
    api.add_argument("--port", type=int, default=8080)
    api.add_argument("--demo", action="store_true", help="allow running without a secret (demo only)")
    api.add_argument("--workers", type=int, default=1, help="server processes sharing the port (default 1)")
    api.add_argument(
        "--forwarded-allow-ips",
        metavar="IPS",
        help="proxies (addresses or networks, comma-separated) whose X-Forwarded-For is believed "
        "(default: api_forwarded_allow_ips, which names none)",
    )

    serve = commands.add_parser("serve", help="serve the console to web browsers (one console per tab)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers use: needed to listen on another host than loopback; websockets from "
        "other origins are refused",
    )
    serve.add_argument(
        "--lang", choices=["fr", "nl", "de", "en"], help="language of every tab (default: the browser's)"
    )
    backend = serve.add_mutually_exclusive_group()
    backend.add_argument("--demo", action="store_true", help="each tab opens a copy of one demo store")
    backend.add_argument("--database", metavar="URL", help="SQLite file path or SQLAlchemy URL")
    backend.add_argument("--api", metavar="URL", help="an onss-tui API server")
    serve.add_argument("--token", help="bearer token for --api (default: ONSS_TUI_API_TOKEN)")

    token = commands.add_parser("token", help="bearer tokens for the HTTP API")
    token_commands = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    create = token_commands.add_parser("create", help="issue a token for a person (printed once)")
    _add_database(create)
    create.add_argument("--as", dest="actor", metavar="NISS", required=True)
    create.add_argument("--label", default="")
    create.add_argument(
        "--days",
        type=int,
        help="how long it lives (default: token_lifetime_days of the settings, 90)",
    )
    revoke = token_commands.add_parser("revoke", help="end a token")
    _add_database(revoke)
    revoke.add_argument("token", help="the token, or its id as printed by 'token create'")
    listed = token_commands.add_parser("list", help="the tokens: label, created, last used, expires")
    _add_database(listed)
    listed.add_argument("--as", dest="actor", metavar="NISS", help="this person's tokens (default: all)")
    listed.add_argument("--all", action="store_true", help="with revoked and expired ones")

    _add_ssh_commands(commands)
    return parser


def _add_ssh_commands(commands: argparse._SubParsersAction[_Parser]) -> None:
    keys = commands.add_parser("keys", help="SSH keys: who logs in with which key")
    key_commands = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    add = key_commands.add_parser("add", help="register a person's OpenSSH public key")
    _add_database(add)
    add.add_argument("--as", dest="actor", metavar="NISS", required=True, help="the person the key is for")
    add.add_argument("file", metavar="FILE", help="the public key file (e.g. id_ed25519.pub), or - for stdin")
    add.add_argument("--label", default="", help="a name for the key (default: the key's comment)")
    listed = key_commands.add_parser("list", help="the registered keys (fingerprints, never the keys)")
    _add_database(listed)
    listed.add_argument("--as", dest="actor", metavar="NISS", help="this person's keys (default: all)")
    listed.add_argument("--all", action="store_true", help="with revoked ones")
    revoke = key_commands.add_parser("revoke", help="end a key: the next login with it is refused")
    _add_database(revoke)
    revoke.add_argument("fingerprint", help="SHA256:... as 'keys list' or 'ssh-keygen -l' prints it")
    authorized = key_commands.add_parser(
        "authorized",
        help="sshd's AuthorizedKeysCommand: the authorized_keys line for an active key, else nothing",
    )
    _add_database(authorized)
    authorized.add_argument("user", help="the account logging in (sshd's %%u)")
    authorized.add_argument("key_type", help="the key's type (sshd's %%t)")
    authorized.add_argument("key", help="the key, base64 (sshd's %%k)")

    session = commands.add_parser(
        "ssh-session", help="the console for one person, as an SSH key's forced command runs it"
    )
    _add_database(session)
    session.add_argument("--person", type=int, required=True, help="the person's id (from the key)")
    session.add_argument("--key", required=True, metavar="FINGERPRINT", help="the key logged in with")

    config = commands.add_parser("ssh-config", help="print the sshd_config block that serves the console")
    _add_database(config)
    config.add_argument("--user", default="onss", help="the service account people log in as (default onss)")
    config.add_argument(
        "--keys-user",
        default=None,
        help="the account sshd asks the store as (AuthorizedKeysCommandUser; default: --user)",
    )
    config.add_argument(
        "--command",
        dest="program",
        metavar="PATH",
        help="the onss-tui program sshd runs (default: this one); it and its folders must be root's",
    )


def _command(args: argparse.Namespace) -> Command:
    """The function that runs a parsed command, its module imported only now."""
    match args.command:
        case None:
            from onss_tui.cli.console import run_console

            return run_console
        case "db":
            from onss_tui.cli.db import run_db

            return run_db
        case "seed":
            from onss_tui.cli.seed import run_seed

            return run_seed
        case "export":
            from onss_tui.cli.export import run_export

            return run_export
        case "audit":
            from onss_tui.cli.audit import run_audit

            return run_audit
        case "api":
            from onss_tui.cli.api import run_server

            return run_server
        case "token":
            from onss_tui.cli.token import run_token_command

            return run_token_command
        case "serve":
            from onss_tui.cli.serve import run_serve

            return run_serve
        case "keys":
            from onss_tui.cli.keys import run_keys

            return run_keys
        case "ssh-session":
            from onss_tui.cli.ssh import run_ssh_session

            return run_ssh_session
        case "ssh-config":
            from onss_tui.cli.ssh import run_ssh_config

            return run_ssh_config
    raise AssertionError(f"no such command: {args.command}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _command(args)(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # one line, whatever failed
        message = describe_failure(exc)
        if message is None:
            raise
        print(f"onss-tui: {message}", file=sys.stderr)
        return EXIT_FAILURE
