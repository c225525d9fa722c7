"""sshd's question at every login, answered from the store: is this key a person's active key?

`onss-tui keys authorized` is sshd's `AuthorizedKeysCommand`: sshd waits on it, so it reads the
`ssh_key` table through the database's own driver (sqlite3, psycopg), without SQLAlchemy, Alembic or
pydantic, in one indexed lookup by fingerprint. It answers with one `authorized_keys` line that forces
the locked console for that person, or with nothing; any failure is nothing (sshd then refuses the key).
The line names the person by id and the key by fingerprint: never a national register number.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import shlex
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from onss_tui.domain.ssh_keys import ACCEPTED_TYPES, fingerprint_of

KEY_OPTIONS = "restrict,pty"
"""No forwarding of any kind, no `~/.ssh/rc`, no X11; a terminal, which the console needs."""

_LOOKUP = "SELECT person_id, key_type, key_blob FROM ssh_key WHERE fingerprint = {} AND revoked_at IS NULL"


class LookupFailed(Exception):
    """The store could not be asked; the key is refused."""


def _sqlite_path(url: str) -> str | None:
    if "://" not in url:
        return str(Path(url).expanduser())
    if url.startswith("sqlite://"):
        return unquote(urlsplit(url).path.removeprefix("/")) if url.startswith("sqlite:///") else None
    return None


def _person_for(url: str, fingerprint: str) -> tuple[int, str, str] | None:
    """The person id, key type and blob of the active key with this fingerprint, if any."""
    path = _sqlite_path(url)
    if path is not None:
        if not Path(path).is_file():
            raise LookupFailed(f"no store at {path}")
        try:
            # Read-only: sshd's question never creates nor changes a store.
            read_only = f"file:{quote(Path(path).resolve().as_posix())}?mode=ro"
            with contextlib.closing(sqlite3.connect(read_only, uri=True, timeout=10)) as connection:
                row = connection.execute(_LOOKUP.format("?"), (fingerprint,)).fetchone()
        except sqlite3.Error as exc:
            raise LookupFailed(f"cannot read the store: {exc}") from exc
        return None if row is None else (int(row[0]), str(row[1]), str(row[2]))
    if url.startswith(("postgresql", "postgres://")):
        import psycopg

        conninfo = "postgresql://" + url.split("://", 1)[1]
        try:
            with psycopg.connect(conninfo, connect_timeout=5, autocommit=True) as connection:
                found = connection.execute(_LOOKUP.format("%s"), (fingerprint,)).fetchone()
        except psycopg.Error as exc:
            raise LookupFailed(f"cannot read the store: {str(exc).strip().splitlines()[0]}") from exc
        return None if found is None else (int(found[0]), str(found[1]), str(found[2]))
    raise LookupFailed("unsupported database URL: use SQLite or PostgreSQL")


def session_command(program: Sequence[str], person_id: int, fingerprint: str, database: str | None) -> str:
    """The forced command of a key: the locked console for its person, as sshd will run it."""
    words = [*program, "ssh-session", "--person", str(person_id), "--key", fingerprint]
    if database:
        words += ["--database", database]
    command = " ".join(shlex.quote(word) for word in words)
    if '"' in command or "\n" in command or "\\" in command:
        raise LookupFailed("the program path or the database URL holds a character a key option cannot")
    return command


def authorized_line(
    url: str, key_type: str, key: str, program: Sequence[str], database: str | None
) -> str | None:
    """The `authorized_keys` line for this key, or None when it is no person's active key."""
    if key_type not in ACCEPTED_TYPES:
        return None
    try:
        blob = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        return None
    fingerprint = fingerprint_of(blob)
    found = _person_for(url, fingerprint)
    if found is None:
        return None
    person_id, stored_type, stored_blob = found
    if stored_type != key_type or stored_blob != key:
        return None
    command = session_command(program, person_id, fingerprint, database)
    return f'{KEY_OPTIONS},command="{command}" {key_type} {key}'
