"""The figures of the mandates (`mandate_figures`) on a store of 1,000,000 mandates: prints one JSON object.

    .venv/bin/python benchmarks/figures.py [--database PATH] [--postgres URL] [--calls N] [--skip-remote]

The store is the scale benchmark's (seeded with `onss-tui seed --enterprises 250000 --mandates 1000000
--users 500000` when empty, reused otherwise). Each figure is asked `--calls` times after one call to warm
up, and its latency given as p50 / p95 in milliseconds:
- `all`: every mandate, as support staff;
- `largest_mandatary`: the enterprise of the mandatary holding the most mandates (as support staff);
- `principal`: an employer with a handful of mandates (as support staff);
each counted afresh (the actor's theme saved, changed, before each call: a write with its audit entry,
so the figures kept are forgotten)
and kept (asked again with nothing written since); through `LocalService` in this process and, unless
`--skip-remote`, through `RemoteService` against a real `onss-tui api` on 127.0.0.1 over the same store
(signing its trail with a key made for the run, in a temporary directory). Target: under 200 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import ensure_store, load, remote_service, support_niss

from onss_tui.services.dto import Preferences
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.store import normalise_url, open_store
from onss_tui.services.local.tables import Mandate, Provider

TARGET_MS = 200


def enterprises(url: str) -> dict[str, int]:
    """The enterprise of the mandatary holding the most mandates, and a principal of a few mandates."""
    engine = open_store(url)
    try:
        with Session(engine) as session:
            count = func.count().label("n")
            largest = session.execute(
                select(Provider.enterprise_id)
                .join(Mandate, Mandate.mandatary_id == Provider.id)  # type: ignore[arg-type]
                .group_by(Provider.enterprise_id)
                .order_by(count.desc())
                .limit(1)
            ).scalar_one()
            principal = session.execute(
                select(Mandate.principal_id).order_by(Mandate.id).limit(1)
            ).scalar_one()
    finally:
        engine.dispose()
    return {"largest_mandatary": largest, "principal": principal}


async def latencies(
    call: Callable[[], Awaitable[Any]], calls: int, before: Callable[[], Awaitable[Any]] | None = None
) -> dict[str, float]:
    """p50 / p95 / max of `call` in ms, `before` awaited (not timed) before each call."""
    await call()
    took = []
    for _ in range(calls):
        if before is not None:
            await before()
        started = time.perf_counter()
        await call()
        took.append((time.perf_counter() - started) * 1000)
    took.sort()
    return {
        "p50_ms": round(statistics.median(took), 1),
        "p95_ms": round(took[min(len(took) - 1, round(0.95 * (len(took) - 1)))], 1),
        "max_ms": round(took[-1], 1),
    }


async def measure(service: Any, actor: int, targets: dict[str, int], calls: int) -> dict[str, Any]:
    """Each figure counted (a write before each call, the actor's theme changed: the figures kept are
    forgotten), then kept (asked again with nothing written since)."""
    figures: dict[str, Any] = {"load_before": load()}
    themes = itertools.cycle(["textual-light", "textual-dark"])

    async def write() -> None:
        await service.save_preferences(actor, Preferences(theme=next(themes)))

    wanted: dict[str, int | None] = {"all": None, **targets}
    for name, enterprise_id in wanted.items():

        def ask(e: int | None = enterprise_id) -> Awaitable[Any]:
            return service.mandate_figures(actor, e)

        figures[name] = {
            "counted": await latencies(ask, calls, before=write),
            "kept": await latencies(ask, calls),
        }
    figures["load_after"] = load()
    return figures


async def local(url: str, actor: int, targets: dict[str, int], calls: int) -> dict[str, Any]:
    service = LocalService(open_store(url))
    try:
        return await measure(service, actor, targets, calls)
    finally:
        await service.aclose()


async def remote(url: str, actor: int, targets: dict[str, int], calls: int) -> dict[str, Any]:
    """The same calls through `RemoteService` and a real `onss-tui api` on loopback."""
    async with remote_service(url, actor, "figures benchmark") as client:
        return await measure(client, actor, targets, calls)


def run(url: str, args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {"store": ensure_store(url)}
    actor, _ = support_niss(url)
    targets = enterprises(url)
    result["enterprises"] = targets
    result["local"] = asyncio.run(local(url, actor, targets, args.calls))
    print(json.dumps({url: result["local"]}), file=sys.stderr)
    if not args.skip_remote:
        result["remote"] = asyncio.run(remote(url, actor, targets, args.calls))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="/tmp/onss-scale-1m.db", help="SQLite file or URL")
    parser.add_argument("--postgres", help="a PostgreSQL URL to measure too")
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--skip-remote", action="store_true")
    args = parser.parse_args()
    report: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "target_ms": TARGET_MS,
        "calls": args.calls,
        "sqlite": run(normalise_url(args.database), args),
    }
    if args.postgres:
        report["postgresql"] = run(args.postgres, args)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
