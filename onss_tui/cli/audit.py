"""`onss-tui audit`: verify the trail (chain, signed checkpoints, their outside copy), make a signing key,
sign the head now, and keep a witness copy of a server's checkpoints.

`verify` is incremental: it remembers the last checkpoint it found intact beside the outside copy
(`<copy>.verified`) and walks the chain from there; `--full` walks all of it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from onss_tui.cli.errors import EXIT_BROKEN_TRAIL, EXIT_USAGE, CommandError
from onss_tui.cli.store import database_url, open_local, require_store
from onss_tui.config import Settings, data_directory
from onss_tui.services.dto import AuditVerification
from onss_tui.services.local.audit_keys import AuditKeyError, PublicKey, load_public_keys, write_key_pair
from onss_tui.services.local.checkpoints import CheckpointFileError, Statement, read_checkpoint_file

KEY_PROBLEMS = ("no_public_key", "wrong_key")
"""Problems of the verifier's setup rather than of the trail: a usage error."""


def run_audit(args: argparse.Namespace) -> int:
    try:
        match args.audit_command:
            case "verify":
                return _verify(args)
            case "keygen":
                return _keygen(args)
            case "checkpoint":
                return _checkpoint(args)
            case "witness":
                from onss_tui.cli.witness import run_witness

                return asyncio.run(run_witness(args))
    except (AuditKeyError, CheckpointFileError) as exc:
        raise CommandError(str(exc)) from exc
    raise AssertionError(f"no such audit command: {args.audit_command}")


# ---------------------------------------------------------------------------------------------- verify


def verifier_keys(settings: Settings, given: list[str] | None) -> dict[str, PublicKey]:
    """`--public-key` files, else the settings' public keys and the public half of the signing key."""
    files = [Path(p) for p in given] if given else [*settings.audit_public_keys]
    if not given and settings.audit_key_file is not None:
        files.append(settings.audit_key_file)
    return {key.id: key for path in files for key in load_public_keys(path)}


def _verify(args: argparse.Namespace) -> int:
    from onss_tui.services.local.anchoring import checkpoint_file
    from onss_tui.services.local.audit_verify import snapshot, verify

    require_store(args)
    settings = Settings()
    keys = verifier_keys(settings, args.public_key)
    copy = Path(args.checkpoints) if args.checkpoints else checkpoint_file(settings, database_url(args))
    if args.checkpoints and not copy.is_file():
        raise CommandError(f"no checkpoint file at {copy}")
    try:
        outside = read_checkpoint_file(copy) if copy.is_file() else None
    except CheckpointFileError as exc:
        print(f"onss-tui: audit trail broken [outside_unreadable]: {exc}", file=sys.stderr)
        return EXIT_BROKEN_TRAIL
    mark_file = copy.with_name(copy.name + ".verified")
    mark = None if args.full else _read_mark(mark_file)
    service = open_local(args, migrate=False)
    try:
        with snapshot(service.engine) as session:
            checked = verify(session, keys, outside=outside, mark=mark)
    finally:
        service.engine.dispose()
    result = checked.result
    if not result.ok:
        where = f" at entry {result.first_bad_id}" if result.first_bad_id is not None else ""
        print(f"onss-tui: audit trail broken{where} [{result.problem}]: {result.reason}", file=sys.stderr)
        return EXIT_USAGE if result.problem in KEY_PROBLEMS else EXIT_BROKEN_TRAIL
    if checked.mark is not None and outside is not None:
        _write_mark(mark_file, checked.mark)
    print(intact_line(result, copy if outside is not None else None))
    for warning in _warnings(result, copy, outside is not None):
        print(f"onss-tui: warning: {warning}", file=sys.stderr)
    return 0


def intact_line(result: AuditVerification, copy: Path | None) -> str:
    read = f" ({result.entries_checked} read since entry {result.since_entry})" if result.since_entry else ""
    line = f"audit trail intact: {result.entries or result.entries_checked} entries{read}"
    if result.checkpoints_checked:
        line += (
            f", {result.checkpoints_checked} signed checkpoints (the last at entry "
            f"{result.last_checkpoint_entry}, key {result.key_id})"
        )
    if copy is not None:
        line += f", {result.outside_checkpoints} of them in {copy}"
    return line


def _warnings(result: AuditVerification, copy: Path, has_copy: bool) -> list[str]:
    if not result.checkpoints_checked:
        return [
            "no signed checkpoint: whoever can write the database could rewrite the trail unseen "
            "(see 'onss-tui audit keygen')"
        ]
    found = []
    if not has_copy:
        found.append(f"no copy of the checkpoints at {copy}: --checkpoints FILE names one")
    unsigned = (result.entries or 0) - (result.last_checkpoint_entry or 0)
    if unsigned:
        found.append(f"the last {unsigned} entries are not signed yet (the next checkpoint signs them)")
    return found


def _read_mark(path: Path) -> Statement | None:
    try:
        return Statement.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None  # no mark, or an unreadable one: a full walk


def _write_mark(path: Path, mark: Statement) -> None:
    try:
        path.write_text(mark.line() + "\n", encoding="utf-8")
    except OSError as exc:
        print(f"onss-tui: warning: cannot remember where this check ended ({exc})", file=sys.stderr)


# ---------------------------------------------------------------------------------------------- keys


def _keygen(args: argparse.Namespace) -> int:
    settings = Settings()
    path = Path(args.output) if args.output else settings.audit_key_file or data_directory() / "audit.key"
    key = write_key_pair(path)
    print(f"audit signing key {key.id}: private key {path} (mode 0600), public key {path}.pub")
    print(
        f"the service signs with it once ONSS_TUI_AUDIT_KEY_FILE={path} (or audit_key_file in the config "
        f"file); verifiers need only {path}.pub",
        file=sys.stderr,
    )
    return 0


def _checkpoint(args: argparse.Namespace) -> int:
    from onss_tui.services.local.anchoring import anchor_from_settings

    require_store(args)
    settings = Settings()
    anchor = anchor_from_settings(settings, database_url(args), key_file=Path(args.key) if args.key else None)
    if anchor is None:
        raise CommandError(
            "no audit signing key: --key FILE, or ONSS_TUI_AUDIT_KEY_FILE (create one with "
            "'onss-tui audit keygen')"
        )
    service = open_local(args, migrate=False)
    try:
        service.anchor_trail(anchor)
        made = asyncio.run(service.checkpoint_audit(None))
    finally:
        service.engine.dispose()
    if made is None:
        print("the trail is empty: nothing to sign")
        return 0
    print(
        f"checkpoint {made.seq}: entry {made.entry_id} ({made.entries} entries), key {made.key_id}, "
        f"copied to {anchor.file}"
    )
    return 0
