"""Contact data on accounts and who saw a number, on a large store: prints one JSON object.

    .venv/bin/python benchmarks/accounts.py --database /tmp/onss-accounts.db [--users 500000]
        [--reveals 200000] [--database postgresql://postgres@127.0.0.1:5432/onss_accounts]

Each database given is emptied, seeded (`--users` users, as many enterprises as half of them), taken
back to migration 0008 (a person holding a phone and an e-mail address again) and upgraded: the figure is
how long migration 0009 takes to copy them onto every user and designation and drop them from the
person. Then `--reveals` reveals of other people's numbers are appended to the trail, and a person whose
number was revealed a few times asks who saw it (`list_niss_reveals`): the median of 20 first pages,
which the trail's target index serves however many reveals it holds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlmodel import Session, func, select

from onss_tui.domain.identifiers import mask_niss
from onss_tui.services import dto
from onss_tui.services.local import audit
from onss_tui.services.local.seed import seed_store
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.store import MIGRATIONS, make_engine, open_store
from onss_tui.services.local.tables import AuditEntry, Person, PortalUser, utcnow

CHUNK = 20_000
"""Reveals appended per transaction."""


def emptied(url: str) -> None:
    """No tables left in the database (a SQLite file is removed)."""
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        path = engine.url.database or ""
        engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        return
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def migrations(connection: Any) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def append_reveals(engine: Any, count: int, actor: int, person_ids: list[int]) -> None:
    """`count` reveals by `actor` of the numbers of `person_ids`, in turn, chained as the service chains
    its entries, written a chunk per statement."""
    table = AuditEntry.__table__  # type: ignore[attr-defined]
    done = 0
    while done < count:
        with Session(engine.execution_options(write=True)) as session:
            head = audit.lock_head(session)
            rows = []
            for position in range(done, min(count, done + CHUNK)):
                entry = AuditEntry(
                    id=head.last_id + 1,
                    at=utcnow(),
                    actor_id=actor,
                    actor_name="Bench Mark",
                    action="person.reveal_niss",
                    target=f"person:{person_ids[position % len(person_ids)]}",
                    enterprise_id=None,
                    outcome="done",
                    after_json='{"stated_reason":"benchmark","support_staff":true}',
                    prev_hash=head.last_hash,
                    hash="",
                )
                entry.hash = audit.entry_hash(entry)
                rows.append(entry.model_dump())
                head.last_id, head.last_hash, head.entries = entry.id, entry.hash, head.entries + 1
            session.execute(table.insert(), rows)
            session.add(head)
            session.commit()
        done = min(count, done + CHUNK)


async def measure(url: str, users: int, reveals: int) -> dict[str, Any]:
    emptied(url)
    engine = open_store(url)
    started = time.perf_counter()
    seed_store(engine, enterprises=max(2, users // 2), mandates=users // 5, users=users, seed=11)
    seeded = time.perf_counter() - started
    with engine.begin() as connection:
        command.downgrade(migrations(connection), "0008")
    with engine.begin() as connection:
        started = time.perf_counter()
        command.upgrade(migrations(connection), "head")
        migrated = time.perf_counter() - started
    with Session(engine) as session:
        people = session.scalar(select(func.count()).select_from(Person)) or 0
        accounts = session.scalar(select(func.count()).select_from(PortalUser)) or 0
        with_phone = session.scalar(
            select(func.count()).select_from(PortalUser).where(PortalUser.phone.is_not(None))  # type: ignore[union-attr]
        )
        ids = list(session.exec(select(Person.id).order_by(Person.id).limit(1000)).all())
        support = session.exec(select(Person.id).where(Person.support_staff == True)).first()  # noqa: E712
        person = session.get(Person, ids[0])
        assert person is not None and support is not None
        masked = mask_niss(person.niss)
    started = time.perf_counter()
    append_reveals(engine, reveals, support, [i for i in ids[1:] if i is not None])
    appended = time.perf_counter() - started
    service = LocalService(engine)
    for _ in range(3):
        await service.reveal_niss(support, ids[0], "benchmark")  # the person's own few reveals
    timings = []
    for _ in range(20):
        started = time.perf_counter()
        page = await service.list_niss_reveals(ids[0], dto.PageRequest(size=50))
        timings.append(time.perf_counter() - started)
    assert len(page.items) == 3
    with Session(engine) as session:
        trail = session.scalar(select(func.count()).select_from(AuditEntry))
    await service.aclose()
    return {
        "database": engine.dialect.name,
        "people": people,
        "users": accounts,
        "users_with_a_phone": with_phone,
        "seeding_s": round(seeded, 1),
        "migration_0009_s": round(migrated, 2),
        "reveals_appended": reveals,
        "appending_s": round(appended, 1),
        "trail_entries": trail,
        "who_saw_first_page_p50_ms": round(statistics.median(timings) * 1000, 2),
        "who_saw_first_page_max_ms": round(max(timings) * 1000, 2),
        "person": masked,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", action="append", required=True)
    parser.add_argument("--users", type=int, default=500_000)
    parser.add_argument("--reveals", type=int, default=200_000)
    args = parser.parse_args()
    results = [asyncio.run(measure(url, args.users, args.reveals)) for url in args.database]
    print(json.dumps({"stores": results}, indent=2))


if __name__ == "__main__":
    main()
