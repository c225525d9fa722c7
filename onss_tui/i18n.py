"""Messages of the interface in French, Dutch and English, read from `onss_tui/locales/*.toml`.

Each locale file holds one table per language (`[en]`, `[fr]`, `[nl]`) with the same dotted keys
(`users.title = "Users"`). `Messages.t(lang, key, **kwargs)` formats a message with `str.format`; a key no
file defines comes back as itself, so that a gap shows on screen (and the i18n test fails).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

LANGUAGES = ("fr", "nl", "en")
"""The languages of the interface, in the order the palette lists them."""

DEFAULT_LANGUAGE = "en"
LOCALES = Path(__file__).with_name("locales")


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
    """Every message of every locale file, by language."""

    def __init__(self, files: Iterable[Path] | None = None) -> None:
        self.by_language: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
        for path in sorted(files if files is not None else LOCALES.glob("*.toml")):
            for lang, messages in read_locale_file(path).items():
                self.by_language.setdefault(lang, {}).update(messages)

    def has(self, key: str) -> bool:
        return key in self.by_language[DEFAULT_LANGUAGE]

    def t(self, lang: str, key: str, /, **kwargs: Any) -> str:
        """The message `key` in `lang` (English when that language lacks it; the key when none has it)."""
        messages = self.by_language.get(lang) or self.by_language[DEFAULT_LANGUAGE]
        text = messages.get(key) or self.by_language[DEFAULT_LANGUAGE].get(key)
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
            return candidate  # type: ignore[return-value]
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable, "")
        code = value[:2].lower()
        if code in LANGUAGES:
            return code
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            break
    return DEFAULT_LANGUAGE
