"""Keyset pagination: pages follow an opaque cursor on indexed sort keys, never an offset."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, TypeVarTuple, overload

from sqlalchemy import Connection, Integer, Row, String, TypeDecorator, tuple_
from sqlalchemy import Select as CoreSelect
from sqlalchemy.orm import Mapped
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session
from sqlmodel.sql.expression import Select, SelectOfScalar

from onss_tui.services.dto import PageRequest
from onss_tui.services.errors import Reason, ValidationFailed

R = TypeVar("R")
_SURROGATE = re.compile("[\ud800-\udfff]")
Ts = TypeVarTuple("Ts")
SortKey = ColumnElement[Any] | Mapped[Any]
"""A column a page is sorted on: a Core column or a model's (`col(Model.field)`)."""


def encode_cursor(values: Sequence[Any], direction: str) -> str:
    raw = json.dumps({"k": list(values), "d": direction}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


_KEY_RANGE = range(-(2**31), 2**31)
"""The integers a sort key may hold (32-bit columns)."""


def decode_cursor(cursor: str, keys: Sequence[SortKey]) -> tuple[list[Any], str]:
    """The sort-key values and direction of a cursor, checked strictly against the keys of the sort: any
    other cursor (not base 64, not JSON, another shape, a value of another type or out of range) is
    `ValidationFailed`, never sent to the database."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError, RecursionError) as exc:
        raise _invalid() from exc
    if not isinstance(data, dict) or set(data) != {"k", "d"} or data["d"] not in ("next", "prev"):
        raise _invalid()
    values = data["k"]
    if not isinstance(values, list) or len(values) != len(keys):
        raise ValidationFailed({"cursor": Reason("rule.cursor.other_sort")})
    if not all(_fits(value, key) for value, key in zip(values, keys, strict=True)):
        raise _invalid()
    return values, data["d"]


def _fits(value: Any, key: SortKey) -> bool:
    """`value` is one the column `key` may hold: an integer in range, or a text without an unpaired
    surrogate (which no store can hold)."""
    column_type = getattr(key, "type")  # a Core column's or a model attribute's  # noqa: B009
    if isinstance(column_type, TypeDecorator):  # SQLModel's text columns
        column_type = column_type.impl_instance
    if isinstance(column_type, Integer):
        return type(value) is int and value in _KEY_RANGE
    if isinstance(column_type, String):
        return type(value) is str and not _SURROGATE.search(value)
    return False


def _invalid() -> ValidationFailed:
    return ValidationFailed({"cursor": Reason("rule.cursor.invalid")})


@overload
def keyset_page(
    session: Session,
    statement: SelectOfScalar[R],
    keys: Sequence[SortKey],
    key_of: Callable[[R], Sequence[Any]],
    page: PageRequest,
    *,
    descending: bool = False,
) -> tuple[list[R], str | None, str | None]: ...


@overload
def keyset_page(
    session: Session,
    statement: Select[*Ts],
    keys: Sequence[SortKey],
    key_of: Callable[[tuple[*Ts]], Sequence[Any]],
    page: PageRequest,
    *,
    descending: bool = False,
) -> tuple[list[tuple[*Ts]], str | None, str | None]: ...


@overload
def keyset_page(
    session: Connection,
    statement: CoreSelect[*Ts],
    keys: Sequence[SortKey],
    key_of: Callable[[Row[*Ts]], Sequence[Any]],
    page: PageRequest,
    *,
    descending: bool = False,
) -> tuple[list[Row[*Ts]], str | None, str | None]: ...


def keyset_page(
    session: Session | Connection,
    statement: Any,
    keys: Sequence[SortKey],
    key_of: Callable[[Any], Sequence[Any]],
    page: PageRequest,
    *,
    descending: bool = False,
) -> tuple[list[Any], str | None, str | None]:
    """Rows of one page, with the cursors of the next and previous pages (None at either end).

    A select of one model on a `Session` gives its objects, of several models their tuples; on a
    `Connection`, a Core select gives plain `Row`s, without the ORM's work."""
    bound: list[Any] | None = None
    forward = not page.from_end
    if page.cursor:
        bound, direction = decode_cursor(page.cursor, keys)
        forward = direction == "next"
    scan_descending = descending == forward
    if bound is not None:
        row_key = tuple_(*keys)
        statement = statement.where(row_key < tuple_(*bound) if scan_descending else row_key > tuple_(*bound))
    order = [key.desc() if scan_descending else key.asc() for key in keys]
    statement = statement.order_by(*order).limit(page.size + 1)
    if isinstance(session, Connection):
        rows: list[Any] = list(session.execute(statement).all())
    else:
        rows = list(session.exec(statement).all())
    more = len(rows) > page.size
    del rows[page.size :]
    if not forward:
        rows.reverse()
    if not rows:
        back = encode_cursor(bound, "prev" if forward else "next") if bound is not None else None
        return rows, (None if forward else back), (back if forward else None)
    first, last = encode_cursor(key_of(rows[0]), "prev"), encode_cursor(key_of(rows[-1]), "next")
    if forward:
        return rows, (last if more else None), (first if bound is not None else None)
    return rows, (last if bound is not None else None), (first if more else None)
