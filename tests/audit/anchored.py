"""An anchored store for the audit tests, and the attacker's tools: direct SQL that rewrites entries and
recomputes their hashes with the published algorithm, as someone who read the code would."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select, text

from onss_tui.services.local.audit import row_hash
from onss_tui.services.local.audit_keys import SigningKey, write_key_pair
from onss_tui.services.local.checkpoints import Anchor
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.tables import AuditEntry

ENTRIES = inspect(AuditEntry).local_table
EVERY = 10
"""A checkpoint every 10 entries in these tests."""


@dataclass
class Anchored:
    service: LocalService
    key: SigningKey
    key_file: Path
    checkpoints: Path

    def anchor(self, key: SigningKey | None = None, earlier: tuple[SigningKey, ...] = ()) -> Anchor:
        return Anchor(
            key or self.key,
            every_entries=EVERY,
            every_minutes=60,
            file=self.checkpoints,
            earlier_keys=[k.public for k in earlier],
        )

    def rows(self, statement: str, **params: Any) -> list[Any]:
        with self.service.engine.begin() as connection:
            return list(connection.execute(text(statement), params))

    def run(self, statement: str, **params: Any) -> None:
        with self.service.engine.begin() as connection:
            connection.execute(text(statement), params)

    def head(self) -> int:
        return self.rows("SELECT last_id FROM audit_head")[0][0]

    def checkpoint_entries(self) -> list[int]:
        return [r[0] for r in self.rows("SELECT entry_id FROM audit_checkpoint ORDER BY seq")]

    def rechain(self, first: int) -> None:
        """Recompute the hash of every entry from `first` on, and the head, as the code does."""
        with self.service.engine.begin() as connection:
            previous = connection.execute(
                text("SELECT hash FROM audit_entry WHERE id = :id"), {"id": first - 1}
            ).scalar_one()
            rows = connection.execute(  # typed columns: SQLite gives times back as text otherwise
                select(ENTRIES).where(ENTRIES.c.id >= first).order_by(ENTRIES.c.id)
            ).mappings()
            for row in list(rows):
                new = dict(row) | {"prev_hash": previous}
                new["hash"] = row_hash(new)
                connection.execute(
                    text("UPDATE audit_entry SET prev_hash = :p, hash = :h WHERE id = :id"),
                    {"p": previous, "h": new["hash"], "id": row["id"]},
                )
                previous = new["hash"]
            last = connection.execute(text("SELECT max(id), count(*) FROM audit_entry")).one()
            connection.execute(
                text("UPDATE audit_head SET last_id = :id, last_hash = :h, entries = :n"),
                {"id": last[0], "h": previous, "n": last[1]},
            )

    def truncate_after(self, last: int) -> None:
        """Remove the entries after `last` and move the head back onto it."""
        with self.service.engine.begin() as connection:
            connection.execute(text("DELETE FROM audit_entry WHERE id > :id"), {"id": last})
            kept = connection.execute(text("SELECT hash FROM audit_entry WHERE id = :id"), {"id": last})
            connection.execute(
                text("UPDATE audit_head SET last_id = :id, last_hash = :h, entries = :id"),
                {"id": last, "h": kept.scalar_one()},
            )


def new_key(folder: Path, name: str = "audit.key") -> tuple[SigningKey, Path]:
    path = folder / "keys" / name
    return write_key_pair(path), path


async def write(service: LocalService, actor: int) -> None:
    """One audited write through the service: the actor shows their own national register number."""
    await service.reveal_niss(actor, actor)


async def write_until(service: LocalService, actor: int, entries: int) -> None:
    """Audited writes until the trail holds `entries` entries."""
    with service.engine.connect() as connection:
        head = connection.execute(text("SELECT last_id FROM audit_head")).scalar_one()
    for _ in range(entries - head):
        await write(service, actor)
