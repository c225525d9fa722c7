"""Files that hold personal data or a secret: created readable by their owner alone, and checked when opened.

A SQLite store holds every national register number; a key file or a config file may hold a secret. On
a shared server, the usual umask would make each readable by every account. These are created with mode
0600 in folders created 0700 (SQLite gives its `-wal` and `-shm` files the store's own mode), and
`exposure` tells when one that already exists can be read by others, for the console to warn.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


def make_private_folder(folder: Path) -> None:
    """Create `folder` and any missing parent, each readable by its owner alone; existing ones are left
    as they are."""
    missing = []
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            break
        missing.append(candidate)
    for candidate in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made meanwhile by another process
            candidate.mkdir(mode=PRIVATE_FOLDER)


def create_private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 (whatever the umask) unless it exists; its folder as above."""
    make_private_folder(path.parent)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return
    os.fchmod(descriptor, PRIVATE_FILE)  # the umask may have taken bits off; none may be added
    os.close(descriptor)


def write_private_text(path: Path, text: str) -> None:
    """Replace the content of `path` at once (never half written) by a file of mode 0600."""
    make_private_folder(path.parent)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def readable_by_others(path: Path) -> bool:
    """`path` exists and its group or every account may read it."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IRGRP | stat.S_IROTH))


def exposure(paths: Iterable[Path]) -> list[Path]:
    """The files among `paths` that others can read."""
    return [path for path in paths if readable_by_others(path)]
