"""Messages of the interface in French, Dutch, German and English, read from `locales/*.toml`.

Each locale file holds one table per language (`[en]`, `[fr]`, `[nl]`, `[de]`) with the same dotted keys
(`users.title = "Users"`). `Messages.t(lang, key, **kwargs)` formats a message with `str.format`; a key no
file defines comes back as itself, so that a gap shows on screen (and the i18n test fails).

How each language writes what is not a word is here too: dates (`written_date`), counts (`written_count`,
applied to the counts a message is formatted with, `COUNTS`) and French typography (`french_typography`,
applied to every French message as it is read: a no-break space before the high punctuation and inside
the guillemets). A quarter's form is the domain's (`Quarter.written`), as its parser reads it back.
"""

from __future__ import annotations

import os
import re
import string
import tomllib
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

LANGUAGES = ("fr", "nl", "de", "en")
"""The languages of the interface, in the order the palette lists them."""

DEFAULT_LANGUAGE = "en"
LOCALES = Path(__file__).with_name("locales")


NO_BREAK_SPACE = "\u00a0"
NARROW_NO_BREAK_SPACE = "\u202f"
_THOUSANDS = {"fr": NARROW_NO_BREAK_SPACE, "nl": ".", "de": ".", "en": ","}
"""The thousands separator of each language (French: a narrow no-break space)."""


COUNTS = frozenset({"count", "checkpoints", "minutes"})
"""The values of a message that are counts, written with the language's thousands separator (an entry's
or a mandate's number is an identifier, written as it is)."""


DATE_FORMATS = {"fr": "%d/%m/%Y", "nl": "%d/%m/%Y", "de": "%d.%m.%Y", "en": "%Y-%m-%d"}


def written_date(day: date, lang: str) -> str:
    """A day as a reader of `lang` writes it: 06/12/2026 in French and Dutch, 06.12.2026 in German,
    2026-12-06 in English."""
    return day.strftime(DATE_FORMATS.get(lang, "%Y-%m-%d"))


def written_count(number: int, lang: str) -> str:
    """A whole number with the thousands separator of `lang`: 1 000 000 (fr), 1.000.000 (nl), 1,000,000."""
    return f"{number:,}".replace(",", _THOUSANDS.get(lang, ","))


_LOOSE_PUNCTUATION = re.compile(r" +([:;?!»])|(«) +")
_FRENCH_SPACING = {":": NO_BREAK_SPACE + ":", "»": NO_BREAK_SPACE + "»", "«": "«" + NO_BREAK_SPACE}


def _french_spacing(match: re.Match[str]) -> str:
    mark = match.group(1) or match.group(2)
    return _FRENCH_SPACING.get(mark) or NARROW_NO_BREAK_SPACE + mark


def french_typography(text: str) -> str:
    """French spacing: a no-break space before ":" and inside « », a narrow one before ";", "?" and "!",
    so that a wrapped line never starts with the punctuation."""
    return _LOOSE_PUNCTUATION.sub(_french_spacing, text) if " " in text else text


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


def read_locale_file(path: Path) -> dict[str, dict[str, str]]:
    """One locale file as {language: {dotted key: message}}."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    tables = {lang: _flatten(table) for lang, table in data.items()}
    if "fr" in tables:
        tables["fr"] = {key: french_typography(text) for key, text in tables["fr"].items()}
    return tables


class Messages:
    """Every message of every locale file, by language. A file is read when a key it holds is first asked
    for: the one named by the key's first part (`users.title`: users.toml), else `common.toml`, else every
    other one; the first frame needs only two of them."""

    def __init__(self, files: Iterable[Path] | None = None) -> None:
        self._by_language: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
        self._unread = {path.stem: path for path in (files if files is not None else LOCALES.glob("*.toml"))}

    @property
    def by_language(self) -> dict[str, dict[str, str]]:
        """Every message, every file read."""
        for name in list(self._unread):
            self._read(name)
        return self._by_language

    def _read(self, name: str) -> None:
        path = self._unread.pop(name, None)
        if path is not None:
            for lang, messages in read_locale_file(path).items():
                self._by_language.setdefault(lang, {}).update(messages)

    def _english(self, key: str) -> str | None:
        """The English message of `key`, reading the files that may hold it until one does."""
        english = self._by_language[DEFAULT_LANGUAGE]
        text = english.get(key)
        if text is None and self._unread:
            for name in (key.split(".", 1)[0], "common", *self._unread):
                self._read(name)
                if key in english:
                    break
            text = english.get(key)
        return text

    def has(self, key: str) -> bool:
        return self._english(key) is not None

    def placeholders(self, lang: str, key: str) -> set[str]:
        """The names the message `key` in `lang` is formatted with."""
        return {name for _, name, _, _ in string.Formatter().parse(self.t(lang, key)) if name}

    def t(self, lang: str, key: str, /, **kwargs: Any) -> str:
        """The message `key` in `lang` (English when that language lacks it; the key when none has it)."""
        english = self._english(key)
        messages = self._by_language.get(lang) or {}
        text = messages.get(key) or english
        if text is None:
            return key
        for name, value in kwargs.items():
            if name in COUNTS and isinstance(value, int) and not isinstance(value, bool):
                kwargs[name] = written_count(value, lang)
        try:
            return text.format(**kwargs) if kwargs else text
        except (KeyError, IndexError, ValueError):
            return text


def choose_language(
    requested: str | None, configured: str | None, environ: Mapping[str, str] = os.environ
) -> str:
    """`--lang` first, then the config file, then LC_ALL / LC_MESSAGES / LANG, then English."""
    for candidate in (requested, configured):
        if candidate in LANGUAGES:
            return candidate
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable, "")
        code = value[:2].lower()
        if code in LANGUAGES:
            return code
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            break
    return DEFAULT_LANGUAGE
