"""How long `seed_store` takes to fill an empty store, on a SQLite file and (given a URL) on PostgreSQL.

    .venv/bin/python benchmarks/seed.py --enterprises 250000 --mandates 1000000 --users 500000 \
        --postgres postgresql://postgres@127.0.0.1:5432/test

Prints one JSON object: per backend, the total seconds (and the processor seconds of the seeding
processes, which a busy machine inflates less), the seconds for the mandates (their rows, their groups,
the indexes of both, moving them in), the time of each phase and step, the rows written and the load
average once done (the machine is shared: read the seconds beside it). On PostgreSQL
the store lives in a schema of its own, dropped afterwards; nothing else in that database is touched.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import text

from onss_tui.cli.progress import SeedProgressBars
from onss_tui.services.local.seed import seed_store
from onss_tui.services.local.store import make_engine, open_store

SCHEMA = f"onss_seed_benchmark_{os.getpid()}"


def measure(url: str, args: argparse.Namespace) -> dict[str, Any]:
    engine = open_store(url)
    try:
        report = seed_store(
            engine,
            enterprises=args.enterprises,
            mandates=args.mandates,
            users=args.users,
            seed=args.seed,
            progress=SeedProgressBars() if args.progress else None,
        )
    finally:
        engine.dispose()
    return {
        "seconds": round(report.seconds, 2),
        "cpu_seconds": round(report.cpu_seconds, 2),
        "mandate_seconds": round(report.mandate_seconds, 2),
        "mandates_per_second": round(report.counts["mandates"] / report.mandate_seconds)
        if report.mandate_seconds
        else None,
        "phases": {name: round(seconds, 2) for name, seconds in report.phases.items()},
        "steps": {name: round(seconds, 2) for name, seconds in report.steps.items()},
        "counts": report.counts,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }


def on_sqlite(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="onss-seed-") as directory:
        path = Path(args.sqlite or Path(directory) / "seed.db")
        if path.exists():
            sys.exit(f"{path} exists: give a path to a new file")
        result = measure(str(path), args)
        result["file_megabytes"] = round(path.stat().st_size / 1e6)
        return result


def on_postgres(url: str, args: argparse.Namespace) -> dict[str, Any]:
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    separator = "&" if "?" in url else "?"
    try:
        return measure(f"{url}{separator}options=-csearch_path%3D{SCHEMA}", args)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {SCHEMA} CASCADE"))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=250_000)
    parser.add_argument("--mandates", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=None, help="default: two per enterprise")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sqlite", metavar="PATH", help="SQLite file to create (default: a temporary one)")
    parser.add_argument("--no-sqlite", action="store_true", help="measure PostgreSQL only")
    parser.add_argument("--postgres", metavar="URL", help="also measure on this PostgreSQL database")
    parser.add_argument("--progress", action="store_true", help="show the progress bar on stderr")
    args = parser.parse_args()
    results: dict[str, Any] = {
        "enterprises": args.enterprises,
        "mandates": args.mandates,
        "users": args.users if args.users is not None else 2 * args.enterprises,
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    if not args.no_sqlite:
        results["sqlite"] = on_sqlite(args)
    if args.postgres:
        results["postgresql"] = on_postgres(args.postgres, args)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
