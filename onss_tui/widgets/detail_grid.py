"""`detail_grid`: labels in bold beside their values, the grid of every detail pane (a user, a mandate, an
audit entry's facts) and of the help's list of keys."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from onss_tui.widgets.plain import literal

Pair = tuple[str | Text, str | Text]
"""A label and its value; a string is shown as it is, never read as markup."""


def detail_grid(
    pairs: Sequence[Pair],
    *,
    per_line: int = 1,
    wrap: bool = False,
    gap: int = 1,
    label_width: int | None = None,
) -> Table:
    """`per_line` pairs on each line. The grid is as wide as its pane and each value is cut to one line
    (an ellipsis says so), or with `wrap` as wide as its longest line and values wrap. `gap` is the space
    between columns; `label_width` the least width of the labels (to align them with another grid's)."""
    grid = Table.grid(padding=(0, gap), expand=not wrap)
    for _ in range(per_line):
        grid.add_column(style="bold", no_wrap=True, min_width=label_width)
        if wrap:
            grid.add_column()
        else:
            grid.add_column(ratio=1, overflow="ellipsis", no_wrap=True)
    for start in range(0, len(pairs), per_line):
        grid.add_row(*(literal(cell) for pair in pairs[start : start + per_line] for cell in pair))
    return grid
