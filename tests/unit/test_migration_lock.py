"""Many processes, one store that needs a migration: one migrates under the lock (PostgreSQL's advisory
lock, SQLite's write lock taken before the version is read), the others say they wait, then find the store
current; none fails, on either database."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, text

from onss_tui.services.local.store import (
    _PG_LOCK_KEY,
    HEAD_REVISION,
    current_revision,
    make_engine,
    open_store,
)
from tests.conftest import build_world
from tests.unit.test_migrations import migrations

WAITING = "another process is migrating this store; waiting for it"


@pytest.fixture
def old_store(store_url: str) -> Iterator[str]:
    """A store holding data, at the revision before this one's migrations (0008)."""
    engine = open_store(store_url)
    build_world(engine)
    with engine.begin() as connection:
        command.downgrade(migrations(connection), "0008")
    engine.dispose()
    yield store_url
    open_store(store_url).dispose()  # the next test's store is current again


def _upgrade(url: str, tmp_path: Path) -> subprocess.Popen[str]:
    env = dict(os.environ) | {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    return subprocess.Popen(
        [sys.executable, "-m", "onss_tui", "db", "upgrade", "--database", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@contextmanager
def held_migration_lock(url: str) -> Iterator[Connection]:
    """This process holds the store's migration lock, as a process migrating it would."""
    engine = make_engine(url)
    try:
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")
                yield connection
        else:
            with engine.execution_options(write=True).begin() as connection:
                yield connection
    finally:
        engine.dispose()


def test_a_process_waits_for_the_one_migrating_says_so_then_finds_the_store_current(  # type: ignore[no-untyped-def]
    old_store: str, tmp_path: Path
) -> None:
    with held_migration_lock(old_store) as connection:
        waiting = _upgrade(old_store, tmp_path)
        assert waiting.stderr is not None
        said = waiting.stderr.readline()  # the wait is said at once, while the lock is held
        assert WAITING in said
        assert waiting.poll() is None
        command.upgrade(migrations(connection), "head")  # this process migrates meanwhile
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert f"schema at revision {HEAD_REVISION} (was {HEAD_REVISION})" in out
    engine = make_engine(old_store)
    try:
        assert current_revision(engine) == HEAD_REVISION
    finally:
        engine.dispose()


def test_several_processes_upgrading_at_once_all_succeed(old_store: str, tmp_path: Path) -> None:
    processes = [_upgrade(old_store, tmp_path) for _ in range(6)]
    results = [(process.wait(timeout=300), *process.communicate()) for process in processes]
    for code, out, err in results:
        assert code == 0, err
        assert "Traceback" not in err
        assert f"schema at revision {HEAD_REVISION}" in out
    assert sum(f"(was {HEAD_REVISION})" not in out for _, out, _ in results) == 1  # one migrated


def test_stores_opened_at_once_by_many_threads_are_migrated_once(old_store: str) -> None:
    failures: list[BaseException] = []
    said: list[str] = []

    def open_one() -> None:
        try:
            open_store(old_store, migrating=lambda: said.append("migrating")).dispose()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert failures == []
    assert said == ["migrating"]
    engine = make_engine(old_store)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    finally:
        engine.dispose()
