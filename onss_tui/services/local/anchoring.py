"""The audit anchor as a store is set up with it: the signing key and the public keys from the settings,
where the copy of the checkpoints goes, and verification with a verified-up-to mark kept in memory (one
verification at a time per service, off the caller's event loop)."""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from onss_tui.config import Settings, data_directory
from onss_tui.services.dto import AuditVerification
from onss_tui.services.local.audit_keys import PublicKey, load_public_keys, load_signing_key
from onss_tui.services.local.audit_verify import snapshot, verify
from onss_tui.services.local.checkpoints import Anchor, CheckpointFileError, Statement, read_checkpoint_file
from onss_tui.services.local.store import normalise_url


def default_checkpoint_file(url: str) -> Path:
    """Where the copy of a store's checkpoints goes unless the settings name a file: beside a SQLite file
    (`store.db.checkpoints`), else in the data directory, named after the database and its server."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return Path(f"{parsed.database}.checkpoints")
    where = f"{parsed.database}@{parsed.host or 'local'}-{parsed.port or 5432}"
    readable = re.sub(r"[^A-Za-z0-9_.@-]", "_", where)
    suffix = hashlib.sha256(parsed.render_as_string(hide_password=True).encode()).hexdigest()[:8]
    return data_directory() / "checkpoints" / f"{readable}-{suffix}.checkpoints"


def checkpoint_file(settings: Settings, url: str) -> Path:
    return settings.audit_checkpoint_file or default_checkpoint_file(url)


def public_keys(files: Iterable[Path]) -> dict[str, PublicKey]:
    """The public keys in these files, by id (`AuditKeyError` for a file that cannot be used)."""
    return {key.id: key for path in files for key in load_public_keys(path)}


def anchor_from_settings(settings: Settings, url: str, *, key_file: Path | None = None) -> Anchor | None:
    """The store's anchor when a signing key is configured (`key_file`, else the settings'), else None."""
    path = key_file or settings.audit_key_file
    if path is None:
        return None
    return Anchor(
        load_signing_key(path),
        every_entries=settings.audit_checkpoint_every,
        every_minutes=settings.audit_checkpoint_minutes,
        file=checkpoint_file(settings, url),
        syslog=settings.audit_syslog,
        earlier_keys=public_keys(settings.audit_public_keys).values(),
    )


class Verifier:
    """Verifies one store's trail: one run at a time, each from the mark the last intact run left."""

    def __init__(self) -> None:
        self.mark: Statement | None = None
        self._running = threading.Lock()

    def run(
        self,
        engine: Engine,
        keys: Mapping[str, PublicKey],
        outside_file: Path | None,
        *,
        full: bool = False,
    ) -> AuditVerification:
        with self._running:
            try:
                outside = None if outside_file is None else read_checkpoint_file(outside_file)
            except CheckpointFileError as exc:
                return AuditVerification(
                    ok=False, entries_checked=0, problem="outside_unreadable", reason=str(exc)
                )
            with snapshot(engine) as session:
                checked = verify(session, keys, outside=outside, mark=None if full else self.mark)
            self.mark = checked.mark
            return checked.result
