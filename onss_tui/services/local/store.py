"""Opening a store: engine options per database, and the Alembic migrations applied on open."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from onss_tui.services.errors import Unavailable

MIGRATIONS = Path(__file__).with_name("migrations")
HEAD_REVISION = "0013"
"""The newest migration; a test checks it against Alembic's own view of the head."""


class StoreError(Exception):
    """The store cannot be opened: a bad URL, an unreachable server, a newer schema."""


def normalise_url(url: str) -> str:
    """Accept plain paths and `postgresql://` URLs; pick psycopg 3 for PostgreSQL."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser()}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


DEFAULT_BUSY_TIMEOUT = 30.0
"""Seconds a SQLite statement waits for another connection's lock, unless the engine is given a timeout."""


def make_engine(url: str, *, timeout: float | None = None) -> Engine:
    """An engine on `url`. With `timeout` (seconds), no statement waits longer than that: on PostgreSQL a
    statement timeout (which covers lock waits), on SQLite a busy timeout; the pool hands a connection out
    within it too. Without it, PostgreSQL statements are unbounded and SQLite waits `DEFAULT_BUSY_TIMEOUT`
    (the console and the commands, whose work may rightly take long)."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"not a database URL: {url!r}") from exc
    bounded: dict[str, Any] = {} if timeout is None else {"pool_timeout": timeout}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        busy = DEFAULT_BUSY_TIMEOUT if timeout is None else timeout
        # The most recently used connection is taken first: its page cache is the warmest.
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": busy}, pool_use_lifo=True, **bounded
        )
        _configure_sqlite(engine, busy)
        return engine
    if parsed.get_backend_name() == "postgresql":
        from onss_tui.services.local.tables import declare_postgresql_options

        declare_postgresql_options()
        connect_args: dict[str, Any] = {"connect_timeout": 5}
        if timeout is not None:
            # Added to the URL's own `options` (a search path, say), which connect_args would replace.
            given = parsed.query.get("options", "")
            given = given if isinstance(given, str) else " ".join(given)
            connect_args["options"] = f"{given} -c statement_timeout={math.ceil(timeout * 1000)}".strip()
        return create_engine(url, pool_pre_ping=True, pool_size=5, connect_args=connect_args, **bounded)
    raise StoreError(f"unsupported database {parsed.get_backend_name()!r}: use SQLite or PostgreSQL")


def _configure_sqlite(engine: Engine, busy_timeout: float) -> None:
    """WAL, foreign keys, a busy timeout; writers take the lock at BEGIN (no upgrade deadlock)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={math.ceil(busy_timeout * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine) -> None:
    """Apply every migration not yet applied (`onss-tui db upgrade`)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_store(url: str, *, migrate: bool = True, migrating: Callable[[], object] | None = None) -> Engine:
    """An engine on an up-to-date schema; Alembic is imported only when a migration is due, after calling
    `migrating` (to say so)."""
    engine = make_engine(url)
    try:
        revision = current_revision(engine)
        if revision != HEAD_REVISION:
            if not migrate:
                raise StoreError("the database schema is not up to date: run 'onss-tui db upgrade'")
            if migrating is not None:
                migrating()
            upgrade(engine)
    except OperationalError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StoreError(f"cannot open the database: {reason}") from exc
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(f"cannot open the database: {exc}") from exc
    return engine


def close_store(engine: Engine) -> None:
    """Close the engine's connections; on SQLite, first analyse the store when its planner's statistics
    are missing or describe a mandate table half or twice as large (a store grown by use; about 1.5 s at
    a million mandates, a few times in its life). `PRAGMA optimize` would not do: it analyses only what
    the closing connection itself queried. Sampled statistics (`analysis_limit`) would not either: they
    take every status for a rare one."""
    if engine.dialect.name == "sqlite":
        # A store that cannot be written now (read-only, busy) keeps the statistics it has.
        with contextlib.suppress(SQLAlchemyError), engine.connect() as connection:
            if _statistics_stale(connection):
                connection.exec_driver_sql("ANALYZE")
                connection.commit()
    engine.dispose()


def _statistics_stale(connection: Connection) -> bool:
    analysed = "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
    if not connection.exec_driver_sql(analysed).scalar():
        return True
    described = "SELECT stat FROM sqlite_stat1 WHERE tbl = 'mandate' AND idx IS NOT NULL LIMIT 1"
    stat = connection.exec_driver_sql(described).scalar()
    then = int(stat.split()[0]) if stat else 0
    now = connection.exec_driver_sql("SELECT count(*) FROM mandate").scalar() or 0
    return not then / 2 <= now <= then * 2


def unavailable(exc: OperationalError) -> Unavailable:
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    return Unavailable(f"the database is unavailable: {reason}", outcome_unknown=True)
