"""`onss-tui keys add|list|revoke|authorized`: SSH keys in the store, and sshd's question at every login.

`add`, `list` and `revoke` are the operator's (audited as `system`). `authorized` is sshd's
`AuthorizedKeysCommand` (`onss-tui ssh-config` prints the block): it prints one `authorized_keys` line
for a person's active key, else nothing, and it fails closed: whatever goes wrong, it prints nothing on
standard output, one line on standard error (sshd logs it), and exits non-zero. It never loads the store
layer, so that sshd does not wait on it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from onss_tui.cli.errors import EXIT_FAILURE, CommandError


def onss_tui_program() -> list[str]:
    """How sshd should start this installation's `onss-tui`: its script beside the running interpreter
    (a virtual environment's), else the interpreter with `-m onss_tui`."""
    script = Path(sys.executable).with_name("onss-tui")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "onss_tui"]


def run_keys(args: argparse.Namespace) -> int:
    if args.keys_command == "authorized":
        return _authorized(args)
    import asyncio

    from onss_tui.cli.store import open_local, require_store

    require_store(args)
    service = open_local(args)
    try:
        return asyncio.run(_manage(args, service))
    finally:
        service.engine.dispose()


def _authorized(args: argparse.Namespace) -> int:
    from onss_tui.cli.early import early_database_url
    from onss_tui.services.local.authorized_keys import LookupFailed, authorized_line

    try:
        line = authorized_line(
            args.database or early_database_url(),
            args.key_type,
            args.key,
            onss_tui_program(),
            args.database,
        )
    except LookupFailed as exc:
        print(f"onss-tui keys authorized: {exc}; key refused", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:  # fail closed, whatever it was
        print(f"onss-tui keys authorized: {type(exc).__name__}; key refused", file=sys.stderr)
        return EXIT_FAILURE
    if line is not None:
        print(line)
    return 0


def _read_key_file(name: str) -> str:
    if name == "-":
        return sys.stdin.read(1 << 16)
    path = Path(name).expanduser()
    try:
        if path.stat().st_size > 1 << 16:
            raise CommandError(f"{name} is too large to be a public key")
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise CommandError(f"cannot read {name}: {exc.strerror}") from exc


async def _manage(args: argparse.Namespace, service: object) -> int:
    from onss_tui.cli.store import actor_by_niss
    from onss_tui.domain.identifiers import mask_niss
    from onss_tui.services import dto
    from onss_tui.services.local.service import LocalService

    assert isinstance(service, LocalService)
    if args.keys_command == "add":
        person_id = actor_by_niss(service, args.actor)
        assert person_id is not None
        request = dto.SshKeyAdd(person_id=person_id, public_key=_read_key_file(args.file), label=args.label)
        key = await service.add_ssh_key(None, request)
        print(f"{key.fingerprint} ({key.key_type}) added for {mask_niss(args.actor)}: {key.label}")
        return 0
    if args.keys_command == "revoke":
        key = await service.revoke_ssh_key(None, args.fingerprint)
        print(f"{key.fingerprint} revoked: the next login with it is refused")
        return 0
    person_id = actor_by_niss(service, args.actor) if args.actor else None
    keys = await service.list_ssh_keys(None, person_id, include_revoked=args.all)
    for key in keys:
        ended = f"  revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else ""
        print(
            f"{key.fingerprint}  {key.key_type:<20} {key.person_name:<28} {key.label or '-'}"
            f"  added {key.added_at:%Y-%m-%d} by {key.added_by or 'system'}{ended}"
        )
    if not keys:
        print("no keys", file=sys.stderr)
    return 0
