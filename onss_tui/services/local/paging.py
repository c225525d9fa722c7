"""Keyset pagination: pages follow an opaque cursor on indexed sort keys, never an offset."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, tuple_
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session
from sqlmodel.sql.expression import SelectOfScalar

from onss_tui.services.dto import PageRequest
from onss_tui.services.errors import Reason, ValidationFailed

R = TypeVar("R")


def encode_cursor(values: Sequence[Any], direction: str) -> str:
    raw = json.dumps({"k": list(values), "d": direction}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, width: int) -> tuple[list[Any], str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        values, direction = data["k"], data["d"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise ValidationFailed({"cursor": Reason("rule.cursor.invalid")}) from exc
    if direction not in ("next", "prev") or not isinstance(values, list) or len(values) != width:
        raise ValidationFailed({"cursor": Reason("rule.cursor.other_sort")})
    return values, direction


def keyset_page(
    session: Session | Connection,
    statement: SelectOfScalar[R],
    keys: Sequence[ColumnElement[Any]],
    key_of: Callable[[R], Sequence[Any]],
    page: PageRequest,
    *,
    descending: bool = False,
) -> tuple[list[R], str | None, str | None]:
    """Rows of one page, with the cursors of the next and previous pages (None at either end).

    On a `Connection` (plain rows of a Core select, without the ORM's work) the rows are `Row`s."""
    bound: list[Any] | None = None
    forward = not page.from_end
    if page.cursor:
        bound, direction = decode_cursor(page.cursor, len(keys))
        forward = direction == "next"
    scan_descending = descending == forward
    if bound is not None:
        row_key = tuple_(*keys)
        statement = statement.where(row_key < tuple_(*bound) if scan_descending else row_key > tuple_(*bound))
    order = [key.desc() if scan_descending else key.asc() for key in keys]
    statement = statement.order_by(*order).limit(page.size + 1)
    found = session.execute(statement) if isinstance(session, Connection) else session.exec(statement)
    rows = list(found.all())
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
