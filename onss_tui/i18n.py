"""Messages of the interface in French, Dutch, German and English, read from `locales/*.toml`.

Each locale file holds one table per language (`[en]`, `[fr]`, `[nl]`, `[de]`) with the same dotted keys
(`users.title = "Users"`). `Messages.t(lang, key, **kwargs)` formats a message with `str.format`; a key no
file defines comes back as itself, so that a gap shows on screen (and the i18n test fails).
"""

from __future__ import annotations

import os
import string
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

LANGUAGES = ("fr", "nl", "de", "en")
"""The languages of the interface, in the order the palette lists them."""

DEFAULT_LANGUAGE = "en"
LOCALES = Path(__file__).with_name("locales")


THOUSANDS_SEPARATORS = {"fr": "\u00a0", "nl": ".", "en": ","}
"""What groups the thousands of a count in each language (French: a no-break space)."""


def format_count(count: int, lang: str) -> str:
    """A count as the language writes it: 1 000 000 (fr), 1.000.000 (nl), 1,000,000 (en).

    >>> format_count(1234567, "nl"), format_count(999, "fr"), format_count(-1500, "en")
    ('1.234.567', '999', '-1,500')
    """
    return f"{count:,}".replace(",", THOUSANDS_SEPARATORS.get(lang, ","))


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
    return {lang: _flatten(table) for lang, table in data.items()}


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
