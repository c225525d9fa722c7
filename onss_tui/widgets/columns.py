"""The columns of a `PagedTable` and how they share its width: each at least as wide as its header and
its `width`, the room left over shared by `flex`, and, when they do not fit, the least essential giving
way (`priority`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rich.cells import cell_len
from rich.text import Text

Row = TypeVar("Row")
Cell = str | Text


@dataclass(frozen=True)
class Column(Generic[Row]):
    """One column: its key (also the sort key when `sortable`), its header and how to draw a cell.

    `width` (or its label's, if wider) is the narrowest the column is drawn at (its text cut with an
    ellipsis beyond), `flex` its share of the room left over. `priority` 0 marks an essential column,
    always shown; when the columns at their widths do not fit, those of the highest priority give way
    first (the rightmost of equals).
    """

    key: str
    label: str
    cell: Callable[[Row], Cell]
    width: int
    flex: int = 0
    sortable: bool = False
    priority: int = 0


def column_widths(columns: Sequence[Column[Any]], width: int, gutter: int) -> list[int]:
    """Each column's width in a table `width` wide whose first cell starts after `gutter` columns, 0 for a
    column that gives way; a column shown is at least as wide as its header."""
    shown = list(range(len(columns)))
    least = [max(c.width, cell_len(c.label)) for c in columns]

    def spare() -> int:
        # A blank column at the right end, as the gutter at the left: no cell touches the border.
        available = width - 1 - gutter - max(0, len(shown) - 1)
        return available - sum(least[i] for i in shown)

    while spare() < 0:
        giving_way = [i for i in reversed(shown) if columns[i].priority > 0]
        if not giving_way:
            break
        shown.remove(max(giving_way, key=lambda i: columns[i].priority))
    widths = [least[i] if i in shown else 0 for i in range(len(columns))]
    room = spare()
    flexes = [c.flex if i in shown else 0 for i, c in enumerate(columns)]
    total = sum(flexes)
    if total and room > 0:
        shares = [room * f // total for f in flexes]
        shares[max(range(len(flexes)), key=flexes.__getitem__)] += room - sum(shares)
        widths = [w + s for w, s in zip(widths, shares, strict=True)]
    elif total and room < 0:
        for index in sorted(range(len(flexes)), key=flexes.__getitem__, reverse=True):
            if flexes[index] and room < 0:
                cut = min(-room, widths[index] - 4)
                widths[index] -= cut
                room += cut
    return widths
