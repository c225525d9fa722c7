"""The one rule for text from outside: which characters a name or a free text may hold, how long it may
be, and how text from a person or the store is made safe to show on a terminal.

Refused everywhere (names, free text, codes), the same on SQLite and PostgreSQL: unpaired surrogates
(no encoding can write them), NUL and the other C0 and C1 control characters (a terminal obeys them),
and the bidirectional embeddings, overrides and isolates U+202A-U+202E, U+2066-U+2069 (they make a text
read in another order than it is stored). Spaces around a value are what nobody means: they are trimmed.

>>> check("  Anne  ")
'Anne'
>>> check("Ann\\x00e")
Traceback (most recent call last):
...
onss_tui.domain.text.TextProblem: a NUL character at position 4
>>> check("abc\\u202e")
Traceback (most recent call last):
...
onss_tui.domain.text.TextProblem: a bidirectional control U+202E at position 4
>>> shown("x\\x1b[2J\\u202ey")
'x␛[2J\\ufffdy'
>>> searchable("Dupont\\x00")
False
"""

from __future__ import annotations

import re

NAME_MAX = 100
"""A first or a last name."""
EMAIL_MAX = 254
"""An e-mail address (the longest SMTP allows)."""
PHONE_MAX = 32
"""A phone number as typed, with spaces, dots or dashes."""
NUMBER_MAX = 32
"""A national register, enterprise, ONSS or eID card number as typed, with dots, dashes or spaces."""
CODE_MAX = 40
"""A code of the catalogue (a quality, an online service, a group of services)."""
QUARTER_MAX = 16
"""A quarter as typed ("2026Q3", "2026 - T3")."""
BRANCH_MAX = 8
"""A social secretariat's branch number as typed (three digits)."""
REFERENCE_MAX = 100
"""A procuration's reference."""
SEARCH_MAX = 200
"""A search or a filter typed in a list."""
ACTION_MAX = 60
"""An audit action, or the start of one, as a filter."""
CURSOR_MAX = 4096
"""A page cursor (the sort keys of a row, encoded)."""

TEXT_PATTERN = r"^[^\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]*$"
"""The rule as a pattern (for a schema to state it): none of the characters refused."""
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
"""What a catalogue code is made of."""
QUARTER_PATTERN = (
    r"^\s*([0-9]{4}\s*[-/ ]?\s*[QqTtKk]\s*[1-4]|([QqTtKk]\s*[1-4]\s*[-/ ]?|[1-4]\s*[-/ ])\s*[0-9]{4})\s*$"
)
"""A quarter: the year, then Q (T in French, K in Dutch) and its number; or the quarter, then the year."""
CURSOR_PATTERN = r"^[A-Za-z0-9_\-]*$"
"""A page cursor: URL-safe base 64, without padding."""

_BIDI = frozenset(range(0x202A, 0x202F)) | frozenset(range(0x2066, 0x206A))
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


class TextProblem(ValueError):
    """What is wrong with a text: `kind` is nul, control, bidi or surrogate; `code` the character's code
    point (U+001B), `position` where it is (from 1)."""

    def __init__(self, kind: str, char: str, position: int) -> None:
        self.kind, self.code, self.position = kind, f"U+{ord(char):04X}", position
        what = {
            "nul": "a NUL character",
            "control": f"a control character {self.code}",
            "bidi": f"a bidirectional control {self.code}",
            "surrogate": f"an unpaired surrogate {self.code}",
        }[kind]
        super().__init__(f"{what} at position {position}")


def problem(text: str) -> TextProblem | None:
    """The first character of `text` that the rule refuses, else None."""
    found = _FORBIDDEN.search(text)
    if found is None:
        return None
    char, point = found.group(), ord(found.group())
    if point == 0:
        kind = "nul"
    elif point in _BIDI:
        kind = "bidi"
    elif 0xD800 <= point <= 0xDFFF:
        kind = "surrogate"
    else:
        kind = "control"
    return TextProblem(kind, char, found.start() + 1)


def check(text: str) -> str:
    """`text` trimmed, or `TextProblem` for the first character the rule refuses."""
    refused = problem(text)
    if refused is not None:
        raise refused
    return text.strip()


def searchable(text: str) -> bool:
    """A search holding a refused character can match nothing stored under the rule: it finds nothing
    (and is never sent to a database, which might refuse it)."""
    return problem(text) is None


def without_surrogates(value: object) -> object:
    """A text with each unpaired surrogate (half of a character, which no encoding can write) read as a
    NUL: a character no stored text holds, so that a search for it finds nothing instead of failing."""
    if isinstance(value, str) and _SURROGATES.search(value):
        return _SURROGATES.sub("\x00", value)
    return value


_SURROGATES = re.compile("[\ud800-\udfff]")
_STAND_INS = {point: 0x2400 + point for point in range(0x20)} | {0x7F: 0x2421}
"""C0 controls shown as their pictures (␀, ␛, ...), DEL as ␡."""


def shown(text: str) -> str:
    """`text` as a terminal may show it, literally: C0 controls as their pictures (␛), C1 controls,
    bidirectional controls and unpaired surrogates as U+FFFD."""
    if _FORBIDDEN.search(text) is None:
        return text
    return _FORBIDDEN.sub(lambda m: chr(_STAND_INS.get(ord(m.group()), 0xFFFD)), text)
