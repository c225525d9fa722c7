"""The bulk part of seeding: the register and the mandates written as rows, each table recorded in the trail
as one `seed.bulk_*` entry. Each backend is a small strategy (`SqliteLoad`, `PostgresLoad`): the steps it
takes inside the one transaction and after its commit, with a second process sharing the work."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import sqlite3
import tempfile
import traceback
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from functools import partial
from typing import Any, Self

from sqlalchemy import Connection, Table, inspect
from sqlmodel import Session, SQLModel

from onss_tui.services.local import audit
from onss_tui.services.local.seed.loader import (
    Loader,
    PostgresLoader,
    SqliteLoader,
    columns_of,
    driver_of,
    write_copy_text,
)
from onss_tui.services.local.seed.progress import Advance, SeedProgress, unseen
from onss_tui.services.local.tables import (
    AccessGrant,
    Designation,
    Enterprise,
    EnterpriseQuality,
    Mandate,
    MandateGroup,
    Person,
    PortalUser,
    Provider,
)


def table_of(model: type[SQLModel]) -> Table:
    """The table a model is stored in."""
    table = inspect(model).local_table
    assert isinstance(table, Table)
    return table


@dataclass(frozen=True, eq=False)
class BulkTable:
    """A table written in bulk: what the progress and the report call it, and its action in the trail."""

    table: Table
    label: str
    action: str


PERSONS = BulkTable(table_of(Person), "people", "seed.bulk_persons")
ENTERPRISES = BulkTable(table_of(Enterprise), "enterprises", "seed.bulk_enterprises")
QUALITIES = BulkTable(table_of(EnterpriseQuality), "qualities", "seed.bulk_qualities")
PROVIDERS = BulkTable(table_of(Provider), "mandataries", "seed.bulk_providers")
DESIGNATIONS = BulkTable(table_of(Designation), "designations", "seed.bulk_designations")
USERS = BulkTable(table_of(PortalUser), "users", "seed.bulk_users")
GRANTS = BulkTable(table_of(AccessGrant), "grants", "seed.bulk_grants")
MANDATES = BulkTable(table_of(Mandate), "mandates", "seed.bulk_mandates")
MANDATE_GROUPS = BulkTable(table_of(MandateGroup), "groups", "seed.bulk_mandate_groups")
WRITTEN = (PERSONS, ENTERPRISES, QUALITIES, PROVIDERS, DESIGNATIONS, USERS, GRANTS, MANDATES, MANDATE_GROUPS)
"""Every table the bulk part writes."""
GROUPS = columns_of(MANDATES.table).index("groups")
"""Where a mandate row holds its comma-joined group codes."""
ASIDE = (MANDATES.table, MANDATE_GROUPS.table)
"""On a new SQLite file, the tables a second process fills in a file of its own, moved in whole after."""

SQLITE_BULK = ("foreign_keys = OFF", "cache_size = -262144", "temp_store = MEMORY")
"""Pragmas of a SQLite connection that loads in bulk (its own: it is closed afterwards)."""
FORKS = "fork" in multiprocessing.get_all_start_methods()

Rows = Callable[[], Iterable[tuple]]
Step = tuple[str, Callable[[], None]]
"""A phase of the load as the report names it, and the work done in it."""


@dataclass(frozen=True)
class BulkRows:
    """What the bulk part writes."""

    register: Sequence[tuple[BulkTable, Rows]]
    """The register's rows, table by table, in the order written (a table after those it refers to)."""
    mandates: Callable[[], Iterator[tuple]]
    """The mandate rows, drawn as they are written (each with its groups in its `groups` column)."""
    first_mandate: int
    mandates_asked: int
    seed: int


class BulkLoad(ABC):
    """How one backend writes the bulk rows on a connection: the steps inside the one transaction, then
    those after its commit. Entered, it prepares the connection and starts the second process; left, it
    stops that process and removes the files the two shared."""

    loader: Loader

    def __init__(self, connection: Connection, rows: BulkRows, progress: SeedProgress) -> None:
        self.connection = connection
        self.driver = driver_of(connection)
        self.rows = rows
        self.progress = progress
        self.written: dict[BulkTable, int] = {}
        self._cleanup = ExitStack()
        self.directory = ""

    def __enter__(self) -> Self:
        with ExitStack() as cleanup:
            self._cleanup = cleanup
            self.directory = cleanup.enter_context(tempfile.TemporaryDirectory(prefix="onss-seed-"))
            self._prepare()
            self._cleanup = cleanup.pop_all()
        return self

    def __exit__(self, *exc: object) -> None:
        self._cleanup.close()

    @abstractmethod
    def _prepare(self) -> None:
        """Set the connection up for the load and start the second process."""

    @abstractmethod
    def in_transaction(self) -> list[Step]:
        """The steps inside the transaction, in order."""

    def after_commit(self) -> list[Step]:
        """The steps once the transaction is committed, in order."""
        return []

    def _record(self) -> None:
        """One entry in the trail for each table written in bulk."""
        session = Session(bind=self.connection)
        for bulk, count in self.written.items():
            after = {"count": count, "seed": self.rows.seed}
            audit.append_by_system(session, action=bulk.action, target=bulk.table.name, after=after)
        session.flush()
        session.close()


def bulk_load(connection: Connection, rows: BulkRows, progress: SeedProgress) -> BulkLoad:
    """The strategy for the connection's database."""
    load = SqliteLoad if connection.dialect.name == "sqlite" else PostgresLoad
    return load(connection, rows, progress)


class SqliteLoad(BulkLoad):
    """SQLite: this process inserts the rows. On a new file, written without the rollback journal, a second
    process draws and writes the mandates into a file of its own meanwhile, moved in whole afterwards."""

    loader: SqliteLoader

    def _prepare(self) -> None:
        self.loader = SqliteLoader(self.driver)
        self._cleanup.callback(self.connection.invalidate)  # its pragmas stay with it
        for pragma in SQLITE_BULK:
            self.driver.execute(f"PRAGMA {pragma}")
        self.unjournaled = _unjournaled(self.loader)
        self.aside: Aside | None = None
        self.aside_path = os.path.join(self.directory, "aside.db")
        if self.unjournaled and FORKS:
            schema = self.loader.schema(ASIDE)
            write = partial(_write_mandates, self.rows)
            self.aside = Aside(partial(_write_aside, self.aside_path, schema, write))
            self._cleanup.callback(self.aside.stop)

    def in_transaction(self) -> list[Step]:
        steps = [("register rows", self._write_register)]
        if self.aside is None:
            steps.append(("mandates", self._write_mandates_here))
        return steps

    def after_commit(self) -> list[Step]:
        moved = [] if self.aside is None else [("mandates", self._move_mandates_in)]
        return [*moved, ("analyse", self._analyse)]

    def _write_register(self) -> None:
        for bulk, rows in self.rows.register:
            advance = self.progress.task(f"write {bulk.label}", None)
            self.written[bulk] = self.loader.load(bulk.table, rows(), advance)

    def _write_mandates_here(self) -> None:
        advance = self.progress.task("write mandates", self.rows.mandates_asked)
        self.written[MANDATES], self.written[MANDATE_GROUPS] = _write_mandates(
            self.rows, self.loader, advance
        )
        self._record()

    def _move_mandates_in(self) -> None:
        """Once the second process is done, copy its tables in whole (in a transaction of their own)."""
        assert self.aside is not None
        done = self.progress.task("write mandates", None)
        [(counts, steps)] = self.aside.results()
        self.written[MANDATES], self.written[MANDATE_GROUPS] = counts
        self.loader.steps.update(steps)
        self.driver.execute("ATTACH DATABASE ? AS aside", (self.aside_path,))
        with self.connection.execution_options(write=True).begin():
            self.loader.transfer(ASIDE, "aside")
            self._record()
        self.driver.execute("DETACH DATABASE aside")
        done(counts[0])

    def _analyse(self) -> None:
        """The file gets its journal back, and the planner statistics: without them SQLite takes an index
        that serves a filter over one that serves the sort, and sorts every match."""
        if self.unjournaled:
            self.driver.execute("PRAGMA journal_mode = WAL")
        self.driver.execute("ANALYZE")


class PostgresLoad(BulkLoad):
    """PostgreSQL: a second process turns the rows into COPY text, table after table, while this one copies
    them in; all in the one transaction."""

    loader: PostgresLoader

    def _prepare(self) -> None:
        self.loader = PostgresLoader(self.driver)
        texts = [(bulk.table.name, rows) for bulk, rows in self.rows.register] + _mandate_texts(self.rows)
        aside = Aside(partial(_copy_texts, self.directory, texts))
        self._cleanup.callback(aside.stop)
        self.copied = aside.results()

    def in_transaction(self) -> list[Step]:
        return [
            ("register rows", self._copy_register),
            ("mandates", self._copy_mandates),
            ("analyse", self._analyse),
        ]

    def _copy_register(self) -> None:
        self.loader.execute("SET LOCAL maintenance_work_mem = '256MB'")  # index builds sort in memory
        register = self.rows.register
        for (bulk, _rows), (path, count) in zip(register, self.copied, strict=False):  # mandates follow
            self._copy(bulk, path, count)

    def _copy_mandates(self) -> None:
        # strict: the files run out with the tables, and the second process is then waited for
        for bulk, (path, count) in zip((MANDATES, MANDATE_GROUPS), self.copied, strict=True):
            self._copy(bulk, path, count)
        self._record()

    def _copy(self, bulk: BulkTable, path: str, count: int) -> None:
        done = self.progress.task(f"write {bulk.label}", count)
        self.loader.copy(bulk.table, path, count)
        os.remove(path)
        self.written[bulk] = count
        done(count)

    def _analyse(self) -> None:
        for bulk in WRITTEN:
            self.loader.execute(f"ANALYZE {bulk.table.name}")


class Aside:
    """`work` done by a forked process while this one goes on: what it yields comes over as soon as
    yielded. The fork hands over everything drawn so far without copying it; the other process touches
    none of this one's connections. Where processes cannot fork, `work` runs here as its results are read.
    """

    def __init__(self, work: Callable[[], Iterable[Any]]) -> None:
        self._work = work
        self._process: Any = None
        if FORKS:
            context = multiprocessing.get_context("fork")
            self._results, sender = context.Pipe(duplex=False)

            def run() -> None:
                try:
                    for item in work():
                        sender.send(("item", item))
                    sender.send(("done", None))
                except BaseException:
                    sender.send(("failed", traceback.format_exc()))

            self._process = context.Process(target=run, name="onss-seed-aside", daemon=True)
            self._process.start()
            sender.close()

    def results(self) -> Iterator[Any]:
        if self._process is None:
            yield from self._work()
            return
        while True:
            try:
                kind, value = self._results.recv()
            except EOFError:
                kind, value = "failed", "it ended without a word"
            if kind != "item":
                break
            yield value
        self._process.join()
        if kind == "failed":
            raise RuntimeError(f"the second seeding process failed: {value}")

    def stop(self) -> None:
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()
            self._process.join()


def _unjournaled(loader: SqliteLoader) -> bool:
    """On a new SQLite file (nothing but its catalogue) that no other connection holds, turn off the
    rollback journal and syncing for the load: every page is then written once, straight to the file. A
    load that fails leaves the file unusable, as it leaves a file that a crash interrupts."""
    if loader.execute("SELECT 1 FROM person LIMIT 1"):
        return False
    try:
        if loader.execute("PRAGMA journal_mode = OFF") != [("off",)]:
            return False
    except sqlite3.OperationalError:  # "database is locked": another connection holds it
        return False
    loader.execute("PRAGMA synchronous = OFF")
    return True


def _write_aside(
    path: str, schema: Sequence[str], write: Callable[[SqliteLoader], tuple[int, int]]
) -> Iterator[tuple[tuple[int, int], dict[str, float]]]:
    """Create these tables (and their indexes) in a new SQLite file and let `write` fill them; yields what
    it wrote and the time per step."""
    driver = sqlite3.connect(path, isolation_level=None)
    for pragma in (*SQLITE_BULK, "journal_mode = OFF", "synchronous = OFF"):
        driver.execute(f"PRAGMA {pragma}")
    for statement in schema:
        driver.execute(statement)
    loader = SqliteLoader(driver)
    driver.execute("BEGIN")
    written = write(loader)
    driver.execute("COMMIT")
    driver.close()
    yield written, loader.steps


def _write_mandates(rows: BulkRows, loader: SqliteLoader, advance: Advance = unseen) -> tuple[int, int]:
    """SQLite: the mandates, then their groups split from their comma-joined `groups` inside the database,
    in the order of the ids (the group index keeps up with rows in that order)."""
    mandates = loader.load(MANDATES.table, rows.mandates(), advance)
    groups = loader.derive(
        MANDATE_GROUPS.table,
        "SELECT m.id, j.value FROM mandate m, "
        "json_each('[\"' || replace(m.groups, ',', '\",\"') || '\"]') j "
        f"WHERE m.id >= {rows.first_mandate}",
    )
    return mandates, groups


def _mandate_texts(rows: BulkRows) -> list[tuple[str, Rows]]:
    """PostgreSQL: the mandate rows, then their groups, gathered from the mandates on the way."""
    groups: list[tuple[int, str]] = []

    def mandates_and_groups() -> Iterator[tuple]:
        for row in rows.mandates():
            groups.extend(zip(itertools.repeat(row[0]), row[GROUPS].split(",")))
            yield row

    return [(MANDATES.table.name, mandates_and_groups), (MANDATE_GROUPS.table.name, lambda: groups)]


def _copy_texts(directory: str, tables: Iterable[tuple[str, Rows]]) -> Iterator[tuple[str, int]]:
    """Each table's rows in a file of COPY text of its own: (path, rows) as soon as written."""
    for table, rows in tables:
        path = os.path.join(directory, f"{table}.copy")
        yield path, write_copy_text(rows(), path)
