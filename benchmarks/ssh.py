"""The console over SSH on a store of 1,000,000 mandates: prints one JSON object.

    .venv/bin/python benchmarks/ssh.py --database /tmp/onss-ssh-1m.db [--runs 10] [--keys 100000]

Needs root and Debian's openssh-server, as the SSH tests do: it starts the tests' sshd
(`tests/ssh/server.py`) on a loopback port. Seeds the store when it does not exist (`onss-tui seed
--enterprises 250000 --mandates 1000000 --users 500000`, about 45 s) and registers `--keys` keys (random
Ed25519 public keys, to people of the store), then measures:
- `ssh -tt` to the overview showing its data, as a Main Access Manager of one enterprise, against `ssh
  -tt` to a bare Textual app (Header, DataTable, Footer) through the same sshd: from starting the client
  to the screen (read through pyte) showing it, median of `--runs`, each a new connection. The bare
  app's key is answered by the AuthorizedKeysCommand's wrapper itself, without `onss-tui`: the ratio
  includes the store's lookup at login, which is the price of keys in the store;
- how many answers per second `onss-tui keys authorized` gives (sshd runs it at every login), one after
  the other and two at once (the machine's cores), and its lookup alone, in this process;
- the memory of one session once its overview shows: the console's process (RSS and PSS) and the sshd
  processes serving the connection.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import secrets
import shlex
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text  # noqa: E402

from onss_tui.domain.ssh_keys import fingerprint_of  # noqa: E402
from onss_tui.services import dto  # noqa: E402
from onss_tui.services.local.authorized_keys import authorized_line  # noqa: E402
from onss_tui.services.local.service import LocalService  # noqa: E402
from onss_tui.services.local.tables import Mandate, SshKey  # noqa: E402
from tests.ssh.server import (  # noqa: E402
    ONSS_TUI,
    client_command,
    keygen,
    keys_command,
    private_home,
    running_sshd,
    unavailable,
)
from tests.ssh.terminal import Terminal  # noqa: E402

BARE_APP = """
from textual.app import App
from textual.widgets import DataTable, Footer, Header

class Bare(App):
    TITLE = "bare textual app"
    def compose(self):
        yield Header()
        yield DataTable()
        yield Footer()

Bare().run()
"""


def seeded(database: Path) -> float | None:
    """Seed the store unless it exists; the seconds it took."""
    if database.exists():
        return None
    started = time.monotonic()
    seed = ["seed", "--enterprises", "250000", "--mandates", "1000000", "--users", "500000"]
    subprocess.run(
        [str(ONSS_TUI), *seed, "--database", str(database)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return round(time.monotonic() - started, 1)


def registered_keys(service: LocalService, wanted: int) -> int:
    """Bring the store's keys to `wanted` with random Ed25519 public keys, spread over its people."""
    with service.engine.begin() as connection:
        have = connection.execute(select(func.count()).select_from(SshKey)).scalar() or 0
        people = connection.execute(text("SELECT id FROM person ORDER BY id LIMIT 100000")).scalars().all()
        rows = []
        for number in range(have, wanted):
            blob = b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + secrets.token_bytes(32)
            rows.append(
                {
                    "person_id": people[number % len(people)],
                    "key_type": "ssh-ed25519",
                    "key_blob": base64.b64encode(blob).decode(),
                    "fingerprint": fingerprint_of(blob),
                    "label": f"bench {number}",
                }
            )
            if len(rows) == 10_000:
                connection.execute(insert(SshKey), rows)
                rows = []
        if rows:
            connection.execute(insert(SshKey), rows)
        return connection.execute(select(func.count()).select_from(SshKey)).scalar() or 0


def main_access_manager(service: LocalService) -> int:
    """A Main Access Manager of exactly one enterprise, and a user of none: the overview opens at once."""
    query = text(
        "SELECT person_id FROM designation d WHERE role = 'main_access_manager' AND status = 'active' "
        "AND NOT EXISTS (SELECT 1 FROM portal_user u WHERE u.person_id = d.person_id) "
        "GROUP BY person_id HAVING count(*) = 1 AND (SELECT count(*) FROM designation e "
        "WHERE e.person_id = d.person_id AND e.status != 'ended') = 1 LIMIT 1"
    )
    with service.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def session_memory() -> dict[str, float]:
    """The console process of the one session open, and the sshd processes above it, in MB."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"ssh-session" in argv:
            break
    else:
        return {}

    def kilobytes(path: Path, field: str) -> int:
        for line in path.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        return 0

    sshd_rss, parent = 0, kilobytes(entry / "status", "PPid")
    while parent > 1:
        status = Path(f"/proc/{parent}/status")
        if "sshd" not in Path(f"/proc/{parent}/cmdline").read_bytes().decode(errors="replace"):
            break
        if b"-D" in Path(f"/proc/{parent}/cmdline").read_bytes():  # the listener, shared by every login
            break
        sshd_rss += kilobytes(status, "VmRSS")
        parent = kilobytes(status, "PPid")
    return {
        "console_rss_mb": round(kilobytes(entry / "status", "VmRSS") / 1024, 1),
        "console_pss_mb": round(kilobytes(entry / "smaps_rollup", "Pss") / 1024, 1),
        "sshd_processes_rss_mb": round(sshd_rss / 1024, 1),
    }


def login_to(port: int, key: Path, shown: str, home: Path, memory: dict[str, float] | None = None) -> float:
    """Milliseconds from starting `ssh -tt` to the screen showing `shown`."""
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "TERM": "xterm-256color", "LANG": "C.UTF-8"}
    started = time.monotonic()
    terminal = Terminal(client_command(port, key, "-tt"), env)
    try:
        terminal.wait_for(lambda screen: all(part in screen for part in shown.split("|")), timeout=120)
        elapsed = (time.monotonic() - started) * 1000
        if memory is not None:
            memory.update(session_memory())
        terminal.press("ctrl+q")
        terminal.wait_end()
    finally:
        terminal.close()
    return round(elapsed, 1)


def answers_per_second(database: Path, key_type: str, key: str, count: int, at_once: int) -> float:
    argv = [str(ONSS_TUI), "keys", "authorized", "--database", str(database), "onss", key_type, key]

    def answer(_: int) -> None:
        done = subprocess.run(argv, capture_output=True, text=True, check=True)
        assert done.stdout.startswith("restrict,pty,command=")

    started = time.monotonic()
    with ThreadPoolExecutor(at_once) as pool:
        list(pool.map(answer, range(count)))
    return round(count / (time.monotonic() - started), 1)


def lookup_ms(database: Path, key_type: str, key: str, count: int = 2000) -> float:
    started = time.perf_counter()
    for _ in range(count):
        authorized_line(str(database), key_type, key, [str(ONSS_TUI)], None)
    return round((time.perf_counter() - started) * 1000 / count, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", type=Path, default=Path("/tmp/onss-ssh-1m.db"))
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--keys", type=int, default=100_000)
    args = parser.parse_args()
    reason = unavailable()
    if reason is not None:
        raise SystemExit(f"benchmarks/ssh.py: {reason}")
    database = args.database.resolve()
    seeding = seeded(database)
    service = LocalService.open(str(database))
    home = private_home()
    try:
        person = main_access_manager(service)
        manager_key, bare_key = keygen(home / "manager", "manager"), keygen(home / "bare", "bare")
        public = (home / "manager.pub").read_text()
        with service.engine.begin() as connection:  # an earlier run's key, of a key pair since deleted
            connection.execute(SshKey.__table__.delete().where(SshKey.label == "benchmark manager"))
        asyncio.run(
            service.add_ssh_key(
                None, dto.SshKeyAdd(person_id=person, public_key=public, label="benchmark manager")
            )
        )
        keys = registered_keys(service, args.keys)
        with service.engine.connect() as connection:
            mandates = connection.execute(select(func.count()).select_from(Mandate)).scalar()
        (home / "bare.py").write_text(BARE_APP)
        bare_type, bare_blob = (home / "bare.pub").read_text().split()[:2]
        bare_line = f'restrict,pty,command="{sys.executable} {home / "bare.py"}" {bare_type} {bare_blob}'
        wrapper = keys_command(
            home, f'if [ "$7" = "{bare_blob}" ]; then echo {shlex.quote(bare_line)}; exit 0; fi\n'
        )
        overview: list[float] = []
        bare: list[float] = []
        memory: dict[str, float] = {}
        with running_sshd(home, database, wrapper) as port:
            login_to(port, bare_key, "bare textual app", home)  # the page cache warm for both
            login_to(port, manager_key, "Your roles:|Access managers", home)
            for run in range(args.runs):
                bare.append(login_to(port, bare_key, "bare textual app", home))
                overview.append(
                    login_to(
                        port, manager_key, "Your roles:|Access managers", home, memory if run == 0 else None
                    )
                )
        manager_type, manager_blob = public.split()[:2]
        result = {
            "store": {"mandates": mandates, "ssh_keys": keys, "seeding_s": seeding},
            "ssh_to_overview_ms_median": statistics.median(overview),
            "ssh_to_bare_app_ms_median": statistics.median(bare),
            "overview_over_bare": round(statistics.median(overview) / statistics.median(bare), 2),
            "ssh_to_overview_ms_all": overview,
            "ssh_to_bare_app_ms_all": bare,
            "authorized_keys_command": {
                "answers_per_s_one_at_a_time": answers_per_second(
                    database, manager_type, manager_blob, 60, 1
                ),
                "answers_per_s_two_at_once": answers_per_second(database, manager_type, manager_blob, 60, 2),
                "lookup_in_process_ms": lookup_ms(database, manager_type, manager_blob),
            },
            "session_memory": memory,
            "runs": args.runs,
        }
        print(json.dumps(result, indent=2))
    finally:
        service.engine.dispose()
        subprocess.run(["rm", "-rf", str(home)], check=False)


if __name__ == "__main__":
    main()
