"""Pages of 50 mandates from a 1,000,000-mandate store, read through a real uvicorn on loopback.

    .venv/bin/python benchmarks/api_pages.py [--store /tmp/onss-scale-1m.db] [--workers 2] [--clients 8]
    .venv/bin/python benchmarks/api_pages.py --store postgresql://postgres@127.0.0.1:5432/onss_bench

Prints one JSON object. The store is the scale benchmark's (seeded with `onss-tui seed --enterprises
250000 --mandates 1000000 --users 500000` when empty, reused otherwise); the pages are read as a support
staff member, who sees every mandate: each sort and a few filters, walked `--walk` pages deep by their
cursors, shuffled.
- `throughput`: `onss-tui api --workers N` under `--clients` keep-alive connections at once, each sending
  the next request as soon as its answer is in (a small raw HTTP/1.1 client, so that the load generator
  takes little of the machine's two cores: `client_cpu_ms_per_page` says how little); pages per second,
  p50/p99 latency, and the server's CPU per page (all its processes);
- `remote_sequential`: one reader through `RemoteService` (httpx, what the console uses), page after page;
- `local_sequential`: the same pages through `LocalService` in this process; and the remote/local ratio.
Targets on a 2-core machine: at least 500 page reads per second, p99 at most 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import sys
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import api_server, ensure_store, support_niss

from onss_tui.domain.quarters import Quarter
from onss_tui.services import dto
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.store import normalise_url, open_store

PAGE = 50
Read = tuple[dto.MandateFilter, dto.PageRequest]


async def plan_pages(service: LocalService, actor: int, walk: int) -> list[Read]:
    """Page requests of several sorts and filters, each walked `walk` pages deep by its cursors."""
    filters = [dto.MandateFilter(sort=sort) for sort in dto.MandateSort]
    filters += [
        dto.MandateFilter(sort=dto.MandateSort.PRINCIPAL, descending=True),
        dto.MandateFilter(status=dto.MandateStatus.ACTIVE),
        dto.MandateFilter(group="dmfa_dimona"),
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


def query_string(wanted: dto.MandateFilter, page: dto.PageRequest) -> str:
    """The API's query parameters for a read (the fields that differ from their defaults)."""
    fields = wanted.model_dump(mode="json", exclude_defaults=True) | page.model_dump(mode="json")
    return urllib.parse.urlencode({k: v for k, v in fields.items() if v is not None})


def summary(latencies: list[float], seconds: float) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "pages": len(ordered),
        "pages_per_second": round(len(ordered) / seconds, 1),
        "p50_ms": round(1000 * statistics.median(ordered), 2),
        "p99_ms": round(1000 * ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2),
        "max_ms": round(1000 * ordered[-1], 2),
    }


def cpu_seconds(pids: list[int]) -> float:
    """CPU time used so far by these processes (Linux /proc), or 0 when it cannot be read."""
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def server_processes(parent: int) -> list[int]:
    """The server process and its workers."""
    children = Path(f"/proc/{parent}/task/{parent}/children")
    found = [parent]
    if children.is_file():
        for child in children.read_text().split():
            found += server_processes(int(child))
    return found


class KeepAliveReader:
    """One connection sending GET /mandates requests one after the other."""

    def __init__(self, token: str, queries: list[str]) -> None:
        self.requests = [
            f"GET /mandates?{q} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
            for q in queries
        ]
        self.position = 0

    async def connect(self, port: int) -> None:
        """Open the connection and read one page through it: the connection is then held by a worker."""
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", port)
        await self.read_one()

    async def read_one(self) -> None:
        self.writer.write(self.requests[self.position % len(self.requests)])
        self.position += 1
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        body = await self.reader.readexactly(length)
        if not head.startswith(b"HTTP/1.1 200"):
            raise SystemExit(f"the server answered {head.splitlines()[0]!r}: {body[:200]!r}")

    async def read_until(self, until: float, latencies: list[float]) -> None:
        try:
            while time.perf_counter() < until:
                began = time.perf_counter()
                await self.read_one()
                latencies.append(time.perf_counter() - began)
        finally:
            self.writer.close()


async def throughput(
    port: int, token: str, queries: list[str], clients: int, seconds: float, server: list[int]
) -> dict[str, float]:
    """`clients` connections, opened one after the other (each accepted by whichever worker is free
    to take it, as clients arriving over time would be), then all reading at once for `seconds`."""
    readers = [KeepAliveReader(token, queries[i::clients] or queries) for i in range(clients)]
    for reader in readers:
        await reader.connect(port)
    latencies: list[float] = []
    until = time.perf_counter() + seconds
    began, cpu, server_cpu = time.perf_counter(), time.process_time(), cpu_seconds(server)
    await asyncio.gather(*(reader.read_until(until, latencies) for reader in readers))
    figures = summary(latencies, time.perf_counter() - began)
    figures["client_cpu_ms_per_page"] = round(1000 * (time.process_time() - cpu) / len(latencies), 2)
    figures["server_cpu_ms_per_page"] = round(1000 * (cpu_seconds(server) - server_cpu) / len(latencies), 2)
    return figures


async def sequential(
    read: Callable[[dto.MandateFilter, dto.PageRequest], Awaitable[dto.Page[dto.MandatePublic]]],
    reads: list[Read],
) -> dict[str, float]:
    """Every read once, one after the other; each page must hold 50 mandates or end its list."""
    latencies = []
    began, cpu = time.perf_counter(), time.process_time()
    for wanted, page in reads:
        started = time.perf_counter()
        result = await read(wanted, page)
        latencies.append(time.perf_counter() - started)
        assert len(result.items) == PAGE or result.next_cursor is None
    figures = summary(latencies, time.perf_counter() - began)
    figures["cpu_ms_per_page"] = round(1000 * (time.process_time() - cpu) / len(reads), 2)
    return figures


async def run(args: argparse.Namespace) -> dict[str, object]:
    url = normalise_url(args.store)
    store = ensure_store(url)
    actor, _ = support_niss(url)
    load_before = os.getloadavg()
    local = LocalService(open_store(url))
    reads = await plan_pages(local, actor, args.walk)
    random.Random(args.seed).shuffle(reads)
    queries = [query_string(wanted, page) for wanted, page in reads]
    try:
        async with api_server(url, actor, "api benchmark", args.workers) as served:
            processes = server_processes(served.pid)
            port, token, clients = served.port, served.token, args.clients
            await throughput(port, token, queries, clients, 2, processes)  # every worker warmed up
            loaded = await throughput(port, token, queries, clients, args.seconds, processes)

            async def remote_read(
                wanted: dto.MandateFilter, page: dto.PageRequest
            ) -> dto.Page[dto.MandatePublic]:
                return await served.remote.list_mandates(actor, wanted, page)

            async def local_read(
                wanted: dto.MandateFilter, page: dto.PageRequest
            ) -> dto.Page[dto.MandatePublic]:
                return await local.list_mandates(actor, wanted, page)

            one_by_one = await sequential(remote_read, reads)
            in_process = await sequential(local_read, reads)
    finally:
        await local.aclose()
    return {
        "benchmark": "api_pages",
        "store": url.split("://", 1)[0],
        "mandates": store["mandates"],
        "page_size": PAGE,
        "distinct_pages": len(reads),
        "workers": args.workers,
        "clients": args.clients,
        "cpus": os.cpu_count(),
        "load_average_1min": {"before": round(load_before[0], 2), "after": round(os.getloadavg()[0], 2)},
        "python": platform.python_version(),
        "throughput": loaded,
        "remote_sequential": one_by_one,
        "local_sequential": in_process,
        "remote_local_ratio_p50": round(one_by_one["p50_ms"] / in_process["p50_ms"], 2),
        "targets": {
            "pages_per_second_min": 500,
            "p99_ms_max": 50,
            "met": loaded["pages_per_second"] >= 500 and loaded["p99_ms"] <= 50,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", default="/tmp/onss-scale-1m.db", help="SQLite file or database URL")
    parser.add_argument("--workers", type=int, default=2, help="server processes (`onss-tui api --workers`)")
    parser.add_argument("--clients", type=int, default=8, help="connections reading at once")
    parser.add_argument("--seconds", type=float, default=10, help="length of the throughput run")
    parser.add_argument("--walk", type=int, default=100, help="pages deep per sort or filter")
    parser.add_argument("--seed", type=int, default=1)
    print(json.dumps(asyncio.run(run(parser.parse_args())), indent=2))


if __name__ == "__main__":
    main()
