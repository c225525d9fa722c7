"""Pages of 50 mandates from a 1,000,000-mandate store, read through a real uvicorn on loopback.

Prints JSON: page reads per second and p50/p99 latency through `onss-tui api` (one client, then several
at once), the same pages read through `LocalService` in this process, and the remote/local ratio.
Targets on a 2-core machine: at least 500 page reads per second, p99 at most 50 ms.

    .venv/bin/python benchmarks/api_pages.py --store /tmp/onss-1m.db
    .venv/bin/python benchmarks/api_pages.py --store postgresql://postgres@127.0.0.1:5432/bench

The store is built on first use (bulk rows: enterprises, secretariats and providers, mandates with their
groups) and reused afterwards; the pages are read as the support staff member, who sees every mandate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import secrets
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select
from sqlmodel import Session

from onss_tui.api.tokens import issue_token
from onss_tui.domain.quarters import Quarter
from onss_tui.services import dto
from onss_tui.services.local import registry
from onss_tui.services.local.service import LocalService, name_key
from onss_tui.services.local.store import normalise_url, open_store
from onss_tui.services.local.tables import Enterprise, Mandate, MandateGroup, Provider
from onss_tui.services.remote import RemoteService

PAGE = 50
SUPPORT_NISS = f"900201997{97 - 900201997 % 97:02d}"
WORDS = [
    "Brasserie",
    "Boulangerie",
    "Garage",
    "Bouwbedrijf",
    "Apotheek",
    "Transport",
    "Bakkerij",
    "Cabinet",
    "Atelier",
    "Imprimerie",
    "Schrijnwerkerij",
    "Elektro",
    "Menuiserie",
    "Logistics",
    "Immo",
    "Consult",
    "Horeca",
    "Textiles",
    "Verzekeringen",
    "Drukkerij",
]
PLACES = [
    "Namur",
    "Gent",
    "Liège",
    "Brugge",
    "Mons",
    "Leuven",
    "Charleroi",
    "Hasselt",
    "Arlon",
    "Kortrijk",
    "Wavre",
    "Aalst",
    "Tournai",
    "Genk",
]
STATUS_WEIGHTS = {"active": 0.55, "closed": 0.2, "pending": 0.1, "to_finalise": 0.1, "rejected": 0.05}
GROUPS = ["dmfa_dimona", "drs_unemployment", "temporary_unemployment", "side_jobs"]


def enterprise_number(base: int) -> str:
    return f"{base:08d}{97 - base % 97:02d}"


# ---------------------------------------------------------------- the store


def count_mandates(url: str) -> int:
    engine = open_store(url)
    try:
        with Session(engine) as session:
            return session.scalar(select(func.count()).select_from(Mandate)) or 0
    finally:
        engine.dispose()


def build_store(url: str, mandates: int, principals: int, providers: int, seed: int) -> float:
    """Bulk rows in large batches; returns the seconds it took."""
    started = time.perf_counter()
    rng = random.Random(seed)
    engine = open_store(url)
    now = datetime.now(UTC)
    with Session(engine) as session:
        registry.register_person(session, SUPPORT_NISS, "Sam", "Support", support_staff=True)
        session.commit()
    with engine.begin() as connection:
        rows = []
        for i in range(principals + providers):
            name = f"{rng.choice(WORDS)} {rng.choice(PLACES)} {i}"
            rows.append(
                {
                    "enterprise_number": enterprise_number(20_000_000 + i),
                    "name": name,
                    "name_key": name_key(name),
                    "category": "employer",
                    "created_at": now,
                    "version": 1,
                }
            )
        connection.execute(insert(Enterprise), rows)
        ids = list(
            connection.execute(
                select(
                    Enterprise.id, Enterprise.enterprise_number, Enterprise.name, Enterprise.name_key
                ).order_by(Enterprise.id)
            )
        )  # type: ignore[call-overload]
        principal_rows, provider_rows = ids[:principals], ids[principals:]
        connection.execute(
            insert(Provider),
            [
                {
                    "enterprise_id": row.id,
                    "kind": "social_secretariat" if n % 2 == 0 else "service_provider",
                    "secretariat_number": f"{100 + n:03d}" if n % 2 == 0 else None,
                }
                for n, row in enumerate(provider_rows)
            ],
        )
        mandataries = list(
            zip(
                [p.id for p in connection.execute(select(Provider.id).order_by(Provider.id))],
                provider_rows,
                strict=True,
            )
        )
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    first_quarter = Quarter.current()
    quarters = [first_quarter]
    for _ in range(15):
        quarters.insert(0, quarters[0].previous())
    batch = 50_000
    for start in range(0, mandates, batch):
        mandate_rows, group_rows = [], []
        for offset in range(min(batch, mandates - start)):
            mandate_id = start + offset + 1
            principal = rng.choice(principal_rows)
            provider_id, provider = rng.choice(mandataries)
            begin = rng.randrange(len(quarters))
            end = rng.choice([None, None, min(begin + rng.randrange(1, 8), len(quarters) - 1)])
            group = rng.choice(GROUPS)
            stamp = now - timedelta(minutes=mandates - mandate_id)
            mandate_rows.append(
                {
                    "id": mandate_id,
                    "principal_id": principal.id,
                    "mandatary_id": provider_id,
                    "principal_number": principal.enterprise_number,
                    "principal_name": principal.name,
                    "principal_key": principal.name_key,
                    "mandatary_number": provider.enterprise_number,
                    "mandatary_name": provider.name,
                    "mandatary_key": provider.name_key,
                    "groups": group,
                    "start_quarter": quarters[begin].code,
                    "end_quarter": quarters[end].code if end is not None else None,
                    "status": rng.choices(statuses, weights)[0],
                    "created_at": stamp,
                    "updated_at": stamp,
                    "version": 1,
                }
            )
            group_rows.append({"mandate_id": mandate_id, "group_code": group})
        with engine.begin() as connection:
            connection.execute(insert(Mandate), mandate_rows)
            connection.execute(insert(MandateGroup), group_rows)
        print(f"  {start + len(mandate_rows):,} mandates", file=sys.stderr, end="\r")
    print(file=sys.stderr)
    engine.dispose()
    return time.perf_counter() - started


def support_person(url: str) -> int:
    engine = open_store(url)
    try:
        with Session(engine) as session:
            person = registry.find_person(session, SUPPORT_NISS)
            assert person is not None and person.id is not None, "this store was not built by this benchmark"
            return person.id
    finally:
        engine.dispose()


# ---------------------------------------------------------------- the pages


Read = tuple[dto.MandateFilter, dto.PageRequest]


async def plan_pages(service: LocalService, actor: int, walk: int) -> list[Read]:
    """Page requests of several sorts and filters, each walked `walk` pages deep by its cursors."""
    filters = [dto.MandateFilter(sort=sort) for sort in dto.MandateSort]
    filters += [
        dto.MandateFilter(sort=dto.MandateSort.PRINCIPAL, descending=True),
        dto.MandateFilter(status=dto.MandateStatus.ACTIVE),
        dto.MandateFilter(text="brasserie"),
        dto.MandateFilter(quarter=str(Quarter.current())),
    ]
    reads: list[Read] = []
    for wanted in filters:
        page = dto.PageRequest(size=PAGE)
        for _ in range(walk):
            reads.append((wanted, page))
            result = await service.list_mandates(actor, wanted, page)
            if result.next_cursor is None:
                break
            page = dto.PageRequest(size=PAGE, cursor=result.next_cursor)
    return reads


def summary(latencies: list[float], seconds: float) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "pages": len(ordered),
        "pages_per_second": round(len(ordered) / seconds, 1),
        "p50_ms": round(1000 * statistics.median(ordered), 2),
        "p99_ms": round(1000 * ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2),
        "max_ms": round(1000 * ordered[-1], 2),
    }


def server_cpu_seconds(pid: int | None) -> float:
    """CPU time used so far by a process (Linux), or 0 when it cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(
    read: Callable[[dto.MandateFilter, dto.PageRequest], Awaitable[dto.Page[dto.MandatePublic]]],
    reads: list[Read],
    clients: int,
    server: int | None = None,
) -> dict[str, float]:
    """Every read once, by `clients` readers at a time; each page must hold 50 mandates or end a list.

    CPU per page (this process, and the server process when given) is reported beside the wall-clock
    figures: on a busy machine it says what the work costs, whatever else runs."""
    queue = list(reversed(reads))
    latencies: list[float] = []

    async def reader() -> None:
        while queue:
            wanted, page = queue.pop()
            began = time.perf_counter()
            result = await read(wanted, page)
            latencies.append(time.perf_counter() - began)
            assert len(result.items) == PAGE or result.next_cursor is None

    began, cpu, server_cpu = time.perf_counter(), time.process_time(), server_cpu_seconds(server)
    await asyncio.gather(*(reader() for _ in range(clients)))
    figures = summary(latencies, time.perf_counter() - began)
    figures["client_cpu_ms_per_page"] = round(1000 * (time.process_time() - cpu) / len(reads), 2)
    if server is not None:
        used = server_cpu_seconds(server) - server_cpu
        figures["server_cpu_ms_per_page"] = round(1000 * used / len(reads), 2)
    return figures


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def run(args: argparse.Namespace) -> dict[str, object]:
    url = normalise_url(args.store)
    existing = count_mandates(url)
    built_seconds = None
    if existing == 0:
        print(f"building a store of {args.mandates:,} mandates in {args.store}", file=sys.stderr)
        built_seconds = round(build_store(url, args.mandates, args.principals, args.providers, args.seed), 1)
    elif existing < args.mandates:
        raise SystemExit(f"{args.store} holds {existing:,} mandates, fewer than {args.mandates:,}")
    actor = support_person(url)
    load_before = os.getloadavg()
    local = LocalService(open_store(url))
    secret = secrets.token_urlsafe(32)
    token = issue_token(local.engine, secret, actor, "benchmark").token
    reads = await plan_pages(local, actor, args.walk)
    random.Random(args.seed).shuffle(reads)
    port = free_port()
    env = dict(os.environ, ONSS_TUI_API_SECRET=secret)
    server = subprocess.Popen(
        [sys.executable, "-m", "onss_tui", "api", "--database", url, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    remote = RemoteService(f"http://127.0.0.1:{port}", token)
    try:
        ready = await asyncio.to_thread(server.stderr.readline)  # type: ignore[union-attr]
        if not ready.startswith("onss-tui API on"):
            raise SystemExit(f"the API server did not start: {ready.strip()}")
        await remote.holder()

        async def remote_read(
            wanted: dto.MandateFilter, page: dto.PageRequest
        ) -> dto.Page[dto.MandatePublic]:
            return await remote.list_mandates(actor, wanted, page)

        async def local_read(wanted: dto.MandateFilter, page: dto.PageRequest) -> dto.Page[dto.MandatePublic]:
            return await local.list_mandates(actor, wanted, page)

        await measure(remote_read, reads[: len(reads) // 10], 1)  # warm the server's caches
        sequential = await measure(remote_read, reads, 1, server.pid)
        concurrent = await measure(remote_read, reads, args.clients, server.pid)
        in_process = await measure(local_read, reads, 1)
    finally:
        await remote.aclose()
        server.terminate()
        server.wait(timeout=30)
        await local.aclose()
    best = max(sequential, concurrent, key=lambda r: r["pages_per_second"])
    return {
        "benchmark": "api_pages",
        "store": url.split("://", 1)[0],
        "mandates": max(existing, args.mandates),
        "store_built_seconds": built_seconds,
        "page_size": PAGE,
        "distinct_pages": len(reads),
        "cpus": os.cpu_count(),
        "load_average_1min": {"before": round(load_before[0], 2), "after": round(os.getloadavg()[0], 2)},
        "python": platform.python_version(),
        "remote_sequential": sequential,
        f"remote_{args.clients}_clients": concurrent,
        "local_sequential": in_process,
        "remote_local_ratio_p50": round(sequential["p50_ms"] / in_process["p50_ms"], 2),
        "targets": {
            "pages_per_second_min": 500,
            "p99_ms_max": 50,
            "met": best["pages_per_second"] >= 500
            and sequential["p99_ms"] <= 50
            and concurrent["p99_ms"] <= 50,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", required=True, help="SQLite file or database URL; built when empty")
    parser.add_argument("--mandates", type=int, default=1_000_000)
    parser.add_argument("--principals", type=int, default=20_000, help="employers, when building")
    parser.add_argument(
        "--providers", type=int, default=200, help="secretariats and providers, when building"
    )
    parser.add_argument("--walk", type=int, default=300, help="pages deep per sort or filter")
    parser.add_argument("--clients", type=int, default=4, help="readers at once in the concurrent run")
    parser.add_argument("--seed", type=int, default=1)
    print(json.dumps(asyncio.run(run(parser.parse_args())), indent=2))


if __name__ == "__main__":
    main()
