"""Rows into one table in bulk, on the database driver's own connection: inserted in batches on SQLite,
copied from COPY text on PostgreSQL, with the table's indexes rebuilt once afterwards."""

from __future__ import annotations

import itertools
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Table

from onss_tui.services.local.seed.progress import Advance, ticking

BATCH = 20_000
"""Rows handed to the driver at a time."""


def columns_of(table: Table) -> list[str]:
    """The table's column names in the order its rows are drawn."""
    return [column.name for column in table.columns]


def driver_of(connection: Connection) -> Any:
    """The database driver's own connection (sqlite3 or psycopg) under a SQLAlchemy connection."""
    driver = connection.connection.driver_connection
    assert driver is not None
    return driver


def write_copy_text(rows: Iterable[tuple], path: str) -> int:
    """Write the rows to a file as PostgreSQL COPY text (the generated values hold no tab, newline or
    backslash); how many there were."""
    count = 0
    iterator = iter(rows)
    with open(path, "w", encoding="utf-8") as file:
        while batch := list(itertools.islice(iterator, BATCH)):
            lines = ("\t".join(["\\N" if v is None else str(v) for v in row]) + "\n" for row in batch)
            file.write("".join(lines))
            count += len(batch)
    return count


class Loader(ABC):
    """Writes rows in bulk on one connection, inside the caller's transaction.

    An empty table is filled without its secondary indexes (and, on PostgreSQL, without its foreign
    keys), which are rebuilt from their own definitions afterwards: several times faster than keeping
    them up to date row by row, and rebuilding a unique index or a foreign key checks the rows written.
    """

    def __init__(self, driver: Any) -> None:
        self.driver = driver
        self.steps: dict[str, float] = {}
        """Seconds spent per table on its rows and on rebuilding its indexes."""

    @abstractmethod
    def execute(self, statement: str) -> list[Any]:
        """Run one statement; its rows, if it returns any."""

    @abstractmethod
    def _set_aside(self, table: str) -> list[str]:
        """Drop what the table's rows keep up to date one by one; return the statements that restore it."""

    def _fill(self, table: Table, fill: Callable[[], int], *, rebuild: bool = True) -> int:
        began = time.perf_counter()
        restore = self._set_aside(table.name) if rebuild and self._empty(table.name) else []
        count = fill()
        written = time.perf_counter()
        self.steps[f"{table.name} rows"] = written - began
        for statement in restore:
            self.execute(statement)
        self.steps[f"{table.name} indexes"] = time.perf_counter() - written
        return count

    def _empty(self, table: str) -> bool:
        return not self.execute(f"SELECT 1 FROM {table} LIMIT 1")


class SqliteLoader(Loader):
    """Rows through the sqlite3 driver's `executemany`."""

    def execute(self, statement: str) -> list[Any]:
        return self.driver.execute(statement).fetchall()

    def load(self, table: Table, rows: Iterable[tuple], advance: Advance) -> int:
        """Insert the rows."""
        columns = columns_of(table)
        statement = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        )

        def insert() -> int:
            return self.driver.executemany(statement, ticking(rows, advance, BATCH)).rowcount

        return self._fill(table, insert)

    def derive(self, table: Table, query: str) -> int:
        """Fill the table from a query over rows already written, inside the database, with its indexes in
        place (the rows reach them at their end, which is cheaper than rebuilding them)."""
        statement = f"INSERT INTO {table.name} ({', '.join(columns_of(table))}) {query}"
        return self._fill(table, lambda: self.driver.execute(statement).rowcount, rebuild=False)

    def transfer(self, tables: Sequence[Table], source: str) -> None:
        """Copy whole tables from an attached database that declares them and their indexes as this one
        does, into these empty tables: SQLite then copies records and index entries as they are, without
        decoding or sorting them again."""
        for table in tables:
            began = time.perf_counter()
            self.execute(f"INSERT INTO main.{table.name} SELECT * FROM {source}.{table.name}")
            self.steps[f"{table.name} transfer"] = time.perf_counter() - began

    def schema(self, tables: Sequence[Table]) -> list[str]:
        """The statements that create these tables and their indexes as this database declares them."""
        names = ", ".join(f"'{table.name}'" for table in tables)
        return [
            sql
            for (sql,) in self.execute(
                "SELECT sql FROM sqlite_master WHERE type IN ('table', 'index') "
                f"AND tbl_name IN ({names}) AND sql IS NOT NULL ORDER BY type DESC"
            )
        ]

    def _set_aside(self, table: str) -> list[str]:
        """Drop the table's secondary indexes and triggers; restore them, and rebuild in one pass the
        full-text tables over its rows before their triggers return."""
        derived = self.execute(
            "SELECT type, name, sql FROM sqlite_master "
            f"WHERE type IN ('index', 'trigger') AND tbl_name = '{table}' AND sql IS NOT NULL"
        )
        for kind, name, _sql in derived:
            self.execute(f'DROP {kind.upper()} "{name}"')
        searches = [
            f"INSERT INTO {name}({name}) VALUES ('rebuild')"
            for name, sql in self.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'"
            )
            if re.search(rf"content\s*=\s*'?{table}'?\s*[,)]", sql)
        ]
        rebuilt = [sql for kind, _name, sql in derived if kind == "index"]
        triggers = [sql for kind, _name, sql in derived if kind == "trigger"]
        return rebuilt + searches + triggers


class PostgresLoader(Loader):
    """Rows through psycopg's COPY, from files of COPY text."""

    def execute(self, statement: str) -> list[Any]:
        with self.driver.cursor() as cursor:
            cursor.execute(statement)
            return cursor.fetchall() if cursor.description else []

    def copy(self, table: Table, path: str, count: int) -> None:
        """Copy the rows from a file of COPY text."""

        def copy() -> int:
            with (
                open(path, "rb") as file,
                self.driver.cursor() as cursor,
                cursor.copy(f"COPY {table.name} ({', '.join(columns_of(table))}) FROM STDIN") as copy,
            ):
                while chunk := file.read(1 << 20):
                    copy.write(chunk)
            return count

        if self._fill(table, copy) and "id" in table.columns:  # the id sequence goes on after the ids written
            name = table.name
            self.execute(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"
            )

    def _set_aside(self, table: str) -> list[str]:
        """Drop the table's secondary indexes and foreign keys; restore them."""
        secondary = self.execute(
            "SELECT c.relname, pg_get_indexdef(c.oid) "
            "FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid "
            f"WHERE x.indrelid = '{table}'::regclass "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)"
        )
        keys = self.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            f"WHERE conrelid = '{table}'::regclass AND contype = 'f'"
        )
        for name, _definition in keys:
            self.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in secondary:
            self.execute(f'DROP INDEX "{name}"')
        return [definition for _name, definition in secondary] + [
            f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for name, definition in keys
        ]
