"""The seeder's progress as Rich bars on stderr, one line per task (`onss-tui seed` in a terminal)."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress


class SeedProgressBars:
    """Shows the seeder's tasks as progress bars on stderr (Rich is imported once they are asked for)."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._bar: Progress = Progress(
            TextColumn("{task.description:<18}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=False,
        )

    def __enter__(self) -> SeedProgressBars:
        self._bar.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._bar.__exit__(exc_type, exc, traceback)

    def task(self, name: str, total: int | None) -> Callable[[int], None]:
        """A new line; the returned function advances it. Without a total, the line shows activity until
        the first advance, which completes it."""
        bar = self._bar
        if total is None:
            task_id = bar.add_task(name, total=None)
            return lambda n: bar.update(task_id, total=n, completed=n)
        task_id = bar.add_task(name, total=max(total, 1))
        return lambda n: bar.advance(task_id, n)
