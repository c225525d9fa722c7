"""Time in the seeded rows: timestamps as the backend's column text, drawn from fixed pools so that they
cost little, and quarters counted as one index (year * 4 + quarter - 1)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from random import Random

from onss_tui.domain.quarters import Quarter


def quarter_index(quarter: Quarter) -> int:
    return quarter.year * 4 + quarter.number - 1


def quarter_code(index: int) -> int:
    """The quarter as its column stores it (20151 for 2015Q1)."""
    return (index // 4) * 10 + index % 4 + 1


def quarter_start(index: int) -> datetime:
    return datetime(index // 4, (index % 4) * 3 + 1, 1, tzinfo=UTC)


class Clock:
    """Timestamps as the backend's column text, from a pool of moments since 2012 in time order."""

    def __init__(self, rng: Random, today: date, backend: str) -> None:
        self.suffix = "+00" if backend == "postgresql" else ""
        self.midnight = datetime(today.year, today.month, today.day, tzinfo=UTC)
        start = datetime(2012, 1, 1, tzinfo=UTC)
        span = int((self.midnight - start).total_seconds())
        moments = sorted(start + timedelta(seconds=rng.randrange(span)) for _ in range(4096))
        self.pool = [self.text(m) for m in moments]
        self.rng = rng

    def text(self, moment: datetime) -> str:
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f") + self.suffix

    def any_after(self, index: int) -> int:
        """A pool index not before `index` (pool entries are in time order)."""
        return index + int(self.rng.random() * (len(self.pool) - index))

    def before_quarter(self, quarter: int, rng: Random) -> list[str]:
        """Sixteen moments, in order, in the two months before a quarter starts (never after today)."""
        start = quarter_start(quarter) - timedelta(days=60)
        moments = [start + timedelta(seconds=rng.randrange(60 * 86400)) for _ in range(16)]
        latest = self.midnight - timedelta(seconds=1)
        return sorted(self.text(min(m, latest)) for m in moments)
