"""How the seeder tells how far it is: a small progress protocol (silent when none is given)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import Protocol, TypeVar

T = TypeVar("T")

Advance = Callable[[int], None]
"""Tells a task that this many more of its items are done."""


class SeedProgress(Protocol):
    """Shows the seeding's tasks while it runs (entered for the whole seeding)."""

    def __enter__(self) -> object: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def task(self, name: str, total: int | None) -> Advance:
        """A new task; the returned function advances it. Without a total, the task shows activity until
        the first advance, which completes it."""
        ...


def unseen(_count: int) -> None:
    """Progress that nobody watches."""


class Silent:
    """No progress shown."""

    def __enter__(self) -> Silent:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def task(self, name: str, total: int | None) -> Advance:
        return unseen


def ticking(items: Iterable[T], advance: Advance, every: int = 2000) -> Iterator[T]:
    """The items, telling `advance` how many went by every `every` of them (and the rest at the end)."""
    count = 0
    for item in items:
        yield item
        count += 1
        if count == every:
            advance(count)
            count = 0
    advance(count)
