"""`onss-tui audit witness`: keep, on another machine, a copy of a server's signed checkpoints.

Each run asks the server (`GET /audit/checkpoints`) for the checkpoints after the last one copied,
together with that one again, and checks that each follows the one before it: the same sequence number
and the same head with the same hash, a chain of `prev` digests, a head that never moves back. A server
that shows another history than the one copied (a fork) is reported and nothing of it is copied. With
`--public-key`, every signature is checked as well. The copy is a checkpoint file like the service's, so
`onss-tui audit verify --checkpoints FILE` compares a store with it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from onss_tui.cli.audit import verifier_keys
from onss_tui.cli.errors import EXIT_BROKEN_TRAIL, CommandError
from onss_tui.config import Settings
from onss_tui.services.dto import CheckpointQuery
from onss_tui.services.local.audit_keys import PublicKey
from onss_tui.services.local.checkpoints import GENESIS, Statement, append_lines, read_checkpoint_file

PAGE = 1000


class Fork(Exception):
    """The server shows a history other than the one the witness copied; `problem` names how."""

    def __init__(self, message: str, problem: str = "fork") -> None:
        super().__init__(message)
        self.problem = problem


async def run_witness(args: argparse.Namespace) -> int:
    from onss_tui.services.remote import RemoteService

    settings = Settings()
    url, token = args.api or settings.api_url, args.token or settings.api_token
    if not url or not token:
        raise CommandError("the witness needs --api URL and --token T (or ONSS_TUI_API_URL and _TOKEN)")
    keys = verifier_keys(settings, args.public_key) if args.public_key else {}
    output = Path(args.output)
    known = read_checkpoint_file(output)
    remote = RemoteService(url, token)
    try:
        me = await remote.holder()
        last = max(known, key=lambda c: c.seq) if known else None
        fetched: list[Statement] = []
        after = 0 if last is None else last.seq - 1
        while True:
            page = await remote.list_checkpoints(me.person_id, CheckpointQuery(after=after, limit=PAGE))
            fetched += [Statement.of(item) for item in page.items]
            if not page.more or not page.items:
                break
            after = page.items[-1].seq
    finally:
        await remote.aclose()
    try:
        new = follow(known, fetched, keys)
    except Fork as fork:
        print(
            f"onss-tui: the server's checkpoints disagree with {output} [{fork.problem}]: {fork}",
            file=sys.stderr,
        )
        return EXIT_BROKEN_TRAIL
    if last is not None and not any(c.seq == last.seq for c in fetched):
        print(
            f"onss-tui: the server no longer holds checkpoint {last.seq} of {output} [checkpoint_removed]",
            file=sys.stderr,
        )
        return EXIT_BROKEN_TRAIL
    append_lines(output, new)
    checked = "signatures checked" if keys else "signatures not checked (no --public-key)"
    head = new[-1] if new else last
    where = f"; the last at entry {head.entry_id} (checkpoint {head.seq})" if head is not None else ""
    print(f"{len(new)} new checkpoints copied to {output}{where}; {checked}")
    return 0


def follow(
    known: Sequence[Statement], fetched: Sequence[Statement], keys: dict[str, PublicKey]
) -> list[Statement]:
    """The checkpoints of `fetched` that extend `known`; `Fork` when the two disagree."""
    by_seq = {c.seq: c for c in known}
    by_entry = {c.entry_id: c for c in known}
    last = max(known, key=lambda c: c.seq) if known else None
    new: list[Statement] = []
    for checkpoint in sorted(fetched, key=lambda c: c.seq):
        copied = by_seq.get(checkpoint.seq)
        if copied is not None:
            if copied.digest() != checkpoint.digest():
                raise Fork(
                    f"checkpoint {checkpoint.seq} was entry {copied.entry_id} with hash "
                    f"{copied.entry_hash[:16]}…, the server now says entry {checkpoint.entry_id} with hash "
                    f"{checkpoint.entry_hash[:16]}…"
                )
            continue
        _check_signature(checkpoint, keys)
        same_head = by_entry.get(checkpoint.entry_id)
        if same_head is not None and same_head.entry_hash != checkpoint.entry_hash:
            raise Fork(
                f"entry {checkpoint.entry_id} has two hashes: {same_head.entry_hash[:16]}… (checkpoint "
                f"{same_head.seq}) and {checkpoint.entry_hash[:16]}… (checkpoint {checkpoint.seq})"
            )
        expected_seq = 1 if last is None else last.seq + 1
        expected_prev = GENESIS if last is None else last.digest()
        if checkpoint.seq != expected_seq or checkpoint.prev != expected_prev:
            raise Fork(f"checkpoint {checkpoint.seq} does not follow checkpoint {expected_seq - 1} as copied")
        if last is not None and (checkpoint.entry_id < last.entry_id or checkpoint.entries < last.entries):
            raise Fork(
                f"checkpoint {checkpoint.seq} is at entry {checkpoint.entry_id}, behind checkpoint "
                f"{last.seq} at entry {last.entry_id}: the trail was rolled back",
                "rolled_back",
            )
        new.append(checkpoint)
        by_entry[checkpoint.entry_id] = last = checkpoint
    return new


def _check_signature(checkpoint: Statement, keys: dict[str, PublicKey]) -> None:
    if not keys:
        return
    key = keys.get(checkpoint.key_id)
    if key is None:
        raise CommandError(
            f"checkpoint {checkpoint.seq} is signed by key {checkpoint.key_id}, none of the public keys "
            f"given ({', '.join(sorted(keys))})"
        )
    if not checkpoint.signed_by(key):
        raise Fork(
            f"the signature of checkpoint {checkpoint.seq} does not match its content", "checkpoint_forged"
        )
