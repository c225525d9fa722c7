"""What abusive requests cost `onss-tui api`, and its other clients: the server's memory, and a valid
client's latency on GET /me, while a 100 MB JSON body and 200 partial bodies arrive.

    .venv/bin/python benchmarks/abuse.py [--source DIR] [--database URL] [--hold 15]

Prints one JSON object. The server is `onss-tui api --demo` (one process) over a small seeded store (a
fresh SQLite file unless `--database` names an empty store), run from `--source` (a checkout of the
project: this one by default; give an older one to compare), spoken to over raw sockets from threads:
- `quiet`: the valid client alone, 300 requests one after the other;
- `body_100mb`: one connection sends a 100 MB JSON body to POST /mandates as fast as it can, without a
  token, with a valid one, and with a valid one in HTTP chunks (no declared length), while the valid
  client keeps asking; the server's answer to the body (status, seconds from its first byte, bytes the
  sender could send), its peak RSS, and the valid client's p50/p99;
- `partial_bodies`: 200 connections each send a request head announcing 1,000 bytes of body and only 10
  of them (half with a valid token, half without), then wait `--hold` seconds while the valid client
  keeps asking; how many connections the server has closed by then, its peak RSS, the client's p50/p99;
- `frozen_store`: a write (POST /me/sign-in) while another connection holds the store (SQLite's write
  lock, or PostgreSQL locks on the tokens and the audit chain's head): how long until it is answered,
  with what, and whether the answer says when to come back (Retry-After);
- `guesses`: 1,000 guessed tokens with a rotating X-Forwarded-For, then 20 from the same peer without
  it, then a valid client from that peer: the statuses each got (429: braked).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import select
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

MIB = 1024 * 1024
BODY_BYTES = 100 * 1000 * 1000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Resident memory of a process (Linux /proc), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


class Sampler(threading.Thread):
    """The server's RSS every 20 ms, while it runs."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = rss_mb(pid)
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.02):
            self.peak = max(self.peak, rss_mb(self.pid))

    def stop(self) -> float:
        self.done.set()
        self.join()
        return self.peak


def head(method: str, path: str, *lines: str) -> bytes:
    return "\r\n".join([f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *lines, "", ""]).encode("latin-1")


def read_answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """The status, headers (lower-case names) and body of the next answer on a blocking socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before an answer")
        data += chunk
    head_part, body = data.split(b"\r\n\r\n", 1)
    status_line, *lines = head_part.decode("latin-1").split("\r\n")
    headers = {
        name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)
    }
    while len(body) < int(headers.get("content-length", "0")):
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(status_line.split()[1]), headers, body


class ValidClient:
    """One keep-alive connection asking GET /me with a valid token, timing each answer."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.request = head("GET", "/me", f"Authorization: Bearer {token}")
        self.sock: socket.socket | None = None
        self.latencies: list[float] = []
        self.failures: dict[str, int] = {}

    def ask(self) -> None:
        began = time.perf_counter()
        try:
            if self.sock is None:
                self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=60)
            self.sock.sendall(self.request)
            status, _, _ = read_answer(self.sock)
        except OSError as exc:
            self.failures[type(exc).__name__] = self.failures.get(type(exc).__name__, 0) + 1
            self.sock = None
            return
        if status != 200:
            self.failures[str(status)] = self.failures.get(str(status), 0) + 1
        self.latencies.append(time.perf_counter() - began)

    def warmed(self) -> ValidClient:
        """Connected, with a first answer already in (and not counted)."""
        self.ask()
        self.figures()
        return self

    def keep_asking(self, until: Callable[[], bool]) -> None:
        while not until():
            self.ask()

    def figures(self) -> dict[str, object]:
        ordered = sorted(self.latencies)
        found: dict[str, object] = {"requests": len(ordered)}
        if ordered:
            found["p50_ms"] = round(1000 * statistics.median(ordered), 2)
            found["p99_ms"] = round(1000 * ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2)
            found["max_ms"] = round(1000 * ordered[-1], 2)
        if self.failures:
            found["failures"] = self.failures
        self.latencies, self.failures = [], {}
        return found


def json_body() -> tuple[int, list[bytes]]:
    """A mandate whose groups make a JSON body of about 100 MB, in chunks of about 1 MiB."""
    prefix, unit, suffix = b'{"principal_id": 1, "mandatary_id": 2, "groups": [', b'"dmfa_dimona",', b'"x"]}'
    count = (BODY_BYTES - len(prefix) - len(suffix)) // len(unit)
    per_chunk = MIB // len(unit)
    chunks = [prefix] + [unit * per_chunk] * (count // per_chunk) + [unit * (count % per_chunk) + suffix]
    return sum(len(c) for c in chunks), chunks


def send_body(port: int, token: str | None, chunked: bool) -> dict[str, object]:
    """Send the 100 MB body as fast as the server takes it, with its length declared or in HTTP chunks
    (no length); what the server answered, and when."""
    length, chunks = json_body()
    authorization = [f"Authorization: Bearer {token}"] if token else []
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {length}"
    lines = ["Content-Type: application/json", framing, *authorization]
    if chunked:
        chunks = [b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks] + [b"0\r\n\r\n"]
    sock = socket.create_connection(("127.0.0.1", port), timeout=120)
    began = time.perf_counter()
    sent = 0
    try:
        sock.sendall(head("POST", "/mandates", *lines))
        for chunk in chunks:
            if select.select([sock], [], [], 0)[0]:  # the server answered before the body was sent
                break
            sock.sendall(chunk)
            sent += len(chunk)
    except OSError:
        pass  # the server stopped reading: its answer may be there all the same (as HTTP clients read it)
    try:
        answer = read_answer(sock)
    except OSError as exc:
        outcome: dict[str, object] = {"error": type(exc).__name__}
    else:
        outcome = {"status": answer[0], "detail": json.loads(answer[2] or b"{}").get("detail", "")[:80]}
    finally:
        sock.close()
    outcome["seconds"] = round(time.perf_counter() - began, 2)
    outcome["body_bytes_sent"] = sent
    return outcome


def phase_body(port: int, pid: int, token: str, with_token: bool, chunked: bool = False) -> dict[str, object]:
    client = ValidClient(port, token).warmed()
    before = rss_mb(pid)
    sampler = Sampler(pid)
    sampler.start()
    result: dict[str, object] = {}
    sender = threading.Thread(
        target=lambda: result.update(send_body(port, token if with_token else None, chunked))
    )
    sender.start()
    client.keep_asking(lambda: not sender.is_alive())
    sender.join()
    return {
        "rss_mb_before": before,
        "rss_mb_peak": sampler.stop(),
        "answer": result,
        "valid_client": client.figures(),
    }


class Watcher(threading.Thread):
    """When the server closes each of these connections (what it answers first is read and dropped)."""

    def __init__(self, connections: list[socket.socket], until: float) -> None:
        super().__init__(daemon=True)
        self.connections = connections
        self.until = until
        self.began = time.perf_counter()
        self.closed_after: dict[int, float] = {}

    def run(self) -> None:
        while len(self.closed_after) < len(self.connections) and time.perf_counter() < self.until:
            waiting = [sock for n, sock in enumerate(self.connections) if n not in self.closed_after]
            for sock in select.select(waiting, [], [], 0.1)[0]:
                try:
                    data = sock.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    self.closed_after[self.connections.index(sock)] = time.perf_counter() - self.began


def phase_partial(port: int, pid: int, token: str, hold: float) -> dict[str, object]:
    client = ValidClient(port, token).warmed()
    before = rss_mb(pid)
    sampler = Sampler(pid)
    sampler.start()
    connections = []
    for n in range(200):
        sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        authorization = [f"Authorization: Bearer {token}"] if n % 2 else []
        lines = ["Content-Type: application/json", "Content-Length: 1000", *authorization]
        sock.sendall(head("POST", "/mandates", *lines) + b'{"groups":')
        connections.append(sock)
    until = time.perf_counter() + hold
    watcher = Watcher(connections, until)
    watcher.start()
    client.keep_asking(lambda: time.perf_counter() >= until)
    watcher.join()
    for sock in connections:
        sock.close()
    closed = watcher.closed_after
    with_token = [seconds for n, seconds in closed.items() if n % 2]
    without = [seconds for n, seconds in closed.items() if not n % 2]
    return {
        "connections": len(connections),
        "hold_seconds": hold,
        "still_open_after_hold": len(connections) - len(closed),
        "closed_within_s": {
            "with_token": round(max(with_token), 2) if with_token else None,
            "without_token": round(max(without), 2) if without else None,
        },
        "rss_mb_before": before,
        "rss_mb_peak": sampler.stop(),
        "valid_client": client.figures(),
    }


def phase_guesses(port: int, token: str) -> dict[str, object]:
    """1,000 guessed tokens, each claiming another address in X-Forwarded-For; then, from the same peer,
    20 guesses claiming nothing, and a valid client's 20 requests: the statuses each got."""

    def statuses(requests: list[bytes]) -> dict[str, int]:
        counted: dict[str, int] = {}
        with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
            for request in requests:
                sock.sendall(request)
                status = str(read_answer(sock)[0])
                counted[status] = counted.get(status, 0) + 1
        return counted

    rotating = [
        head("GET", "/me", f"Authorization: Bearer guess-{n}", f"X-Forwarded-For: 10.9.{n // 256}.{n % 256}")
        for n in range(1000)
    ]
    plain = [head("GET", "/me", f"Authorization: Bearer plain-guess-{n}") for n in range(20)]
    return {
        "rotating_forwarded_for": statuses(rotating),
        "same_peer": statuses(plain),
        "valid_client_after": statuses([head("GET", "/me", f"Authorization: Bearer {token}")] * 20),
    }


@contextlib.contextmanager
def frozen(url: str) -> Iterator[None]:
    """The store held by another connection: on SQLite its write lock, on PostgreSQL an exclusive lock on
    the tokens and the audit chain's head."""
    holder: Any
    if url.startswith("sqlite:///"):
        holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
    else:
        import psycopg

        holder = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        holder.execute("LOCK TABLE api_token, audit_head IN ACCESS EXCLUSIVE MODE")
    try:
        yield
    finally:
        holder.rollback()
        holder.close()


def phase_frozen(port: int, token: str, url: str, patience: float) -> dict[str, object]:
    """A write (recording a sign-in) while the store is held: how long until the answer, and which (none,
    if the server has not answered within `patience` seconds)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=patience)
    request = head("POST", "/me/sign-in", f"Authorization: Bearer {token}", "Content-Length: 0")
    began = time.perf_counter()
    try:
        with frozen(url):
            sock.sendall(request)
            status, headers, body = read_answer(sock)
    except TimeoutError:
        return {"status": None, "seconds": round(time.perf_counter() - began, 2), "detail": "no answer"}
    finally:
        sock.close()
    return {
        "status": status,
        "seconds": round(time.perf_counter() - began, 2),
        "detail": json.loads(body or b"{}").get("detail", "")[:80],
        "retry_after": headers.get("retry-after"),
    }


def run(args: argparse.Namespace) -> dict[str, object]:
    source = Path(args.source).resolve()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONSS_TUI_")}
    env.update(PYTHONPATH=str(source), XDG_CONFIG_HOME=tempfile.mkdtemp(prefix="onss-abuse-config-"))
    workdir = tempfile.mkdtemp(prefix="onss-abuse-")
    url = args.database or f"sqlite:///{workdir}/abuse.db"
    command = [sys.executable, "-m", "onss_tui"]
    seed = [*command, "seed", "--database", url, "--enterprises", "20", "--mandates", "200"]
    subprocess.run(seed, env=env, cwd=source, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(
        [*command, "api", "--demo", "--database", url, "--port", str(port)],
        env=env,
        cwd=source,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        token = server.stdout.readline().strip().rsplit(": ", 1)[1]
        # uvicorn's access log comes on standard output too: read it, so that a full pipe never stops it.
        threading.Thread(target=server.stdout.read, daemon=True).start()
        quiet = ValidClient(port, token)
        for _ in range(300):
            quiet.ask()
        figures: dict[str, object] = {
            "benchmark": "abuse",
            "source": str(source),
            "commit": subprocess.run(
                ["git", "-C", str(source), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
            ).stdout.strip()
            or None,
            "store": url.split("://", 1)[0],
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_1min": round(os.getloadavg()[0], 2),
            "quiet": {"rss_mb": rss_mb(server.pid), "valid_client": quiet.figures()},
        }
        figures["body_100mb"] = {
            "without_token": phase_body(port, server.pid, token, with_token=False),
            "with_token": phase_body(port, server.pid, token, with_token=True),
            "with_token_no_length": phase_body(port, server.pid, token, with_token=True, chunked=True),
        }
        figures["partial_bodies"] = phase_partial(port, server.pid, token, args.hold)
        figures["frozen_store"] = phase_frozen(port, token, url, args.patience)
        figures["guesses"] = phase_guesses(port, token)  # last: on a server that brakes valid tokens too
        return figures
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--source", default=str(Path(__file__).resolve().parent.parent), help="checkout to serve"
    )
    parser.add_argument("--database", help="an empty store's URL (default: a fresh SQLite file)")
    parser.add_argument("--hold", type=float, default=15.0, help="seconds the partial bodies are held")
    parser.add_argument("--patience", type=float, default=60.0, help="seconds to wait for the frozen write")
    print(json.dumps(run(parser.parse_args()), indent=2))


if __name__ == "__main__":
    main()
