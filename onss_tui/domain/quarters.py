"""Calendar quarters, the unit of mandate validity: stored and exchanged as "2026Q3", written for a
reader in their language ("T3 2026", "K3 2026", "Q3 2026", "2026 Q3"), and read back in any of these forms."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_YEAR_FIRST = re.compile(r"^\s*(\d{4})\s*[-/ ]?\s*[QqTtKk]\s*([1-4])\s*$")
_QUARTER_FIRST = re.compile(r"^\s*(?:[QqTtKk]\s*([1-4])\s*[-/ ]?|([1-4])\s*[-/ ])\s*(\d{4})\s*$")

LETTERS = {"fr": "T", "nl": "K", "de": "Q"}
"""The letter of a quarter in each language that writes it before the number and the year (Trimestre,
Kwartaal, Quartal); English writes the year first, "2026 Q3"."""


class QuarterError(ValueError):
    """A quarter that cannot be read: `code` is "empty", "format" (not written as 2026Q3) or "year" (out
    of range); `text` is what was given."""

    def __init__(self, code: str, text: str, message: str) -> None:
        super().__init__(message)
        self.code, self.text = code, text


@dataclass(frozen=True, order=True, slots=True)
class Quarter:
    """A calendar quarter; ordered, and stored as the integer year * 10 + quarter (20263).

    >>> Quarter.parse("2026Q3")
    Quarter(year=2026, number=3)
    >>> str(Quarter.parse("2026 t4").next())
    '2027Q1'
    >>> Quarter.from_code(20263).code
    20263
    >>> Quarter.parse("K4 2026").written("fr")
    'T4 2026'
    """

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Read "2026Q3" (also "2026-Q3", "2026 T3", "2026K3": French and Dutch letters) and the forms a
        reader writes, quarter first: "T3 2026", "K3-2026", "Q3 2026", "3/2026"."""
        if not (text or "").strip():
            raise QuarterError("empty", text, "No quarter given; write it as 2026 Q3.")
        if match := _YEAR_FIRST.match(text):
            year, number = int(match.group(1)), int(match.group(2))
        elif match := _QUARTER_FIRST.match(text):
            year, number = int(match.group(3)), int(match.group(1) or match.group(2))
        else:
            raise QuarterError("format", text, f"{text!r} is not a quarter; write it as 2026 Q3.")
        if not 1990 <= year <= 2199:
            raise QuarterError("year", text, f"The year {year} is out of range.")
        return cls(year, number)

    @classmethod
    def from_code(cls, code: int) -> Quarter:
        return cls(code // 10, code % 10)

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def current(cls) -> Quarter:
        return cls.of(date.today())

    @property
    def code(self) -> int:
        return self.year * 10 + self.number

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def written(self, lang: str) -> str:
        """The quarter as a reader of `lang` writes it: "T3 2026" (fr), "K3 2026" (nl), "Q3 2026" (de),
        "2026 Q3" (en)."""
        letter = LETTERS.get(lang)
        return f"{letter}{self.number} {self.year}" if letter else f"{self.year} Q{self.number}"

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"
