"""The sign-in list's search, keystroke by keystroke, on a large store: prints one JSON object.

    .venv/bin/python benchmarks/people.py --database /tmp/onss-scale-1m.db [--database postgresql://...]

On a store seeded by `benchmarks/scale.py` (1,071,686 people), times `list_identities` as the sign-in
screen calls it (the first `MAX_IDENTITIES` matches) for: the list before anything is typed; each
keystroke of the names of people drawn from the store, typed "first last" from the third letter on,
once as stored and once without accents; and the start of national register numbers. Each the median of
three calls. Reports the spread and the slowest queries.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser import sweep_stores, sweep_summary

from onss_tui.screens.sign_in import MAX_IDENTITIES
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.tables import Person, name_key

PEOPLE = 12
"""People drawn at random whose names are typed."""
ACCENTED = ["Stéphanie", "Frédéric"]
"""First names of people whose names are typed too, with and without their accents."""


def typed(service: LocalService) -> list[str]:
    """What is typed, keystroke by keystroke: names (as stored, and accent-free) and number prefixes."""
    with Session(service.engine) as session:
        last = session.scalar(select(func.max(Person.id))) or 0
        rng = random.Random(1)
        people = [session.get(Person, rng.randrange(1, last + 1)) for _ in range(PEOPLE)]
        accented = select(Person).where(col(Person.first_name).in_(ACCENTED)).limit(len(ACCENTED))
        people += session.exec(accented).all()
    queries = [""]
    for person in filter(None, people):
        as_stored = f"{person.first_name} {person.last_name}"
        for name in dict.fromkeys((as_stored, name_key(as_stored))):
            queries += [name[:end] for end in range(3, len(name) + 1)]
        queries += [person.niss[:end] for end in (2, 4, 6, 9)]
    return list(dict.fromkeys(queries))


async def sweep(url: str) -> dict[str, Any]:
    service = LocalService.open(url)
    try:
        timings: dict[str, float] = {}
        for query in typed(service):
            runs = []
            for _ in range(3):
                started = time.perf_counter()
                await service.list_identities(query, limit=MAX_IDENTITIES)
                runs.append((time.perf_counter() - started) * 1000)
            timings[query] = round(statistics.median(runs), 1)
    finally:
        await service.aclose()
    return {"queries": len(timings), **sweep_summary(timings, slowest=8)}


if __name__ == "__main__":
    sweep_stores(__doc__.splitlines()[0], sweep)
