"""Opening a store: engine options per database, and the Alembic migrations applied on open."""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DataError, DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from onss_tui.private_files import create_private_file
from onss_tui.services.errors import Conflict, Reason, ServiceError, Unavailable, ValidationFailed

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
HEAD_REVISION = "0016"
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


def sqlite_path(url: str | URL) -> Path | None:
    """The file of a SQLite store (None for PostgreSQL, an in-memory store, or a URL that is not one)."""
    try:
        parsed = make_url(normalise_url(url)) if isinstance(url, str) else url
    except ArgumentError:
        return None
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


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
        path = sqlite_path(parsed)
        if path is not None:
            create_private_file(path)  # readable by its owner alone: it holds national register numbers
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
        return _revision(connection)


def _revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _known_revisions() -> set[str]:
    return {path.name[:4] for path in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")}


_PG_LOCK_KEY = "hashtextextended('onss-tui migrations ' || current_database() || '.' || current_schema(), 0)"
"""The advisory lock of one store: a database and its schema (parallel test runs use schemas of their own)."""


@contextlib.contextmanager
def _migration_lock(engine: Engine, waiting: Callable[[], object] | None) -> Iterator[Connection]:
    """A transaction that holds the store's migration lock, taken before the version is read: on
    PostgreSQL a transaction's advisory lock; on SQLite the write lock (`BEGIN IMMEDIATE`). When another
    process holds it, `waiting` is called once, then the lock is waited for as long as it takes."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            if not connection.exec_driver_sql(f"SELECT pg_try_advisory_xact_lock({_PG_LOCK_KEY})").scalar():
                if waiting is not None:
                    waiting()
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")
            yield connection
        return
    writer = engine.execution_options(write=True)
    said = False
    while True:
        connection = writer.connect()
        try:
            # The first try is short, so that a wait is said at once; the pragma on the driver's own
            # connection, as any statement through SQLAlchemy would begin the transaction first.
            pragma = connection.connection.driver_connection.execute  # type: ignore[union-attr]
            pragma(f"PRAGMA busy_timeout={30000 if said else 200}")
            try:
                transaction = connection.begin()
            except OperationalError as exc:
                if not _locked(exc):
                    raise
                if not said and waiting is not None:
                    waiting()
                said = True
                continue
            pragma("PRAGMA busy_timeout=30000")
            with transaction:
                yield connection
            return
        finally:
            connection.close()


def _locked(exc: OperationalError) -> bool:
    reason = str(exc.orig).lower()
    return "locked" in reason or "busy" in reason


def upgrade(
    engine: Engine,
    *,
    waiting: Callable[[], object] | None = None,
    migrating: Callable[[], object] | None = None,
) -> str | None:
    """Apply every migration not yet applied (`onss-tui db upgrade`), under the migration lock, so that
    processes opening one store at once migrate it once: the others wait, then find it current. Returns
    the revision found under the lock (None: an empty store). `migrating` is called before migrating."""
    try:
        with _migration_lock(engine, waiting) as connection:
            found = _revision(connection)
            if found == HEAD_REVISION:
                return found
            if found is not None and found not in _known_revisions():
                raise StoreError(
                    f"the database schema (revision {found}) is newer than this onss-tui: upgrade onss-tui"
                )
            if migrating is not None:
                migrating()
            from alembic import command
            from alembic.config import Config
            from alembic.util import CommandError

            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            try:
                command.upgrade(config, "head")
            except CommandError as exc:
                raise StoreError(f"cannot migrate the database: {exc}") from exc
            return found
    except OperationalError:
        raise  # unreachable or locked: said by whoever opens the store
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot migrate the database: {_first_line(exc)}") from exc


def _first_line(exc: SQLAlchemyError) -> str:
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def open_store(
    url: str,
    *,
    migrate: bool = True,
    migrating: Callable[[], object] | None = None,
    waiting: Callable[[], object] | None = None,
) -> Engine:
    """An engine on an up-to-date schema. A store already current is opened without any lock; otherwise
    it is migrated under the migration lock (`upgrade`): `waiting` is called if another process holds
    it, `migrating` before migrating; Alembic is imported only then."""
    engine = make_engine(url)
    try:
        revision = current_revision(engine)
        if revision != HEAD_REVISION:
            if not migrate:
                raise StoreError("the database schema is not up to date: run 'onss-tui db upgrade'")
            upgrade(engine, waiting=waiting, migrating=migrating)
    except OperationalError as exc:
        engine.dispose()
        raise StoreError(f"cannot open the database: {_first_line(exc)}") from exc
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(f"cannot open the database: {exc}") from exc
    except StoreError:
        engine.dispose()
        raise
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


STORE_FAILURES = (DBAPIError, PoolTimeout, OverflowError, UnicodeEncodeError)
"""What a call to the store may fail with; `store_failure` says what each means."""

RETRY_BUSY = 1.0
"""Seconds worth waiting before trying again a store that was busy or slow."""
RETRY_UNREACHABLE = 5.0
"""Seconds worth waiting before trying again a store that could not be reached."""

_REFUSED_STATES = ("22", "54")
"""PostgreSQL's classes of refused input: a data exception (too long, out of range, a NUL or a character
its encoding lacks), a program limit exceeded (an index row too large, too many arguments)."""
_BUSY_STATES = ("57014", "55P03")
"""A statement cancelled (its timeout) or a lock not obtained in time."""
_RACE_STATES = ("40001", "40P01")
"""A serialization failure or a deadlock: another transaction won, nothing of this one was kept."""
_REFUSED_MESSAGES = (
    "number of parameters",  # libpq: more than 65,535 values in one statement
    "too many sql variables",
    "expression tree is too large",
    "pattern too complex",
    "string or blob too big",
    "too many terms",
)
_BUSY_SQLITE = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_INTERRUPT")


def unstorable() -> ValidationFailed:
    """A value the store cannot hold or compare: a number out of range, a text too long for it."""
    return ValidationFailed({"input": Reason("rule.unstorable")})


def store_failure(exc: BaseException, *, committing: bool = False) -> ServiceError:
    """What a failure of the store means for the caller, honestly: input the database refuses is
    `ValidationFailed`; a database unreachable, busy or too slow is `Unavailable`, whose message names
    neither its host, its port nor its user (the log does), and whose outcome is unknown only when the
    failure came while a write was being committed. Anything else is not the caller's doing: re-raised."""
    if isinstance(exc, (OverflowError, UnicodeEncodeError)):
        return unstorable()
    if isinstance(exc, PoolTimeout):
        return _unavailable(exc, "rule.store.busy", RETRY_BUSY, committing)
    assert isinstance(exc, DBAPIError)
    if isinstance(exc.orig, (OverflowError, UnicodeEncodeError)):
        return unstorable()
    state = str(getattr(exc.orig, "sqlstate", None) or "")
    said = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    refused = isinstance(exc, DataError) or state.startswith(_REFUSED_STATES)
    if refused or any(m in said for m in _REFUSED_MESSAGES):
        log.info("the store refused an input: %s", said.splitlines()[0] if said else type(exc).__name__)
        return unstorable()
    if state in _RACE_STATES:
        return Conflict(Reason("rule.changed_meanwhile"))
    if state in _BUSY_STATES or getattr(exc.orig, "sqlite_errorname", "") in _BUSY_SQLITE:
        return _unavailable(exc, "rule.store.busy", RETRY_BUSY, committing)
    if isinstance(exc, OperationalError) or exc.connection_invalidated:
        return _unavailable(exc, "rule.store.unavailable", RETRY_UNREACHABLE, committing)
    raise exc


def _unavailable(exc: BaseException, key: str, retry_after: float, committing: bool) -> Unavailable:
    log.warning("the store is unavailable: %s", exc)
    if committing:
        unknown = Reason("rule.store.outcome_unknown")
        return Unavailable(unknown, outcome_unknown=True, retry_after=retry_after)
    return Unavailable(Reason(key), retry_after=retry_after)


def unavailable(exc: OperationalError) -> Unavailable:
    """A store that could not be reached or did not answer in time, for a read or a check."""
    failure = store_failure(exc)
    return failure if isinstance(failure, Unavailable) else Unavailable(Reason("rule.store.unavailable"))
