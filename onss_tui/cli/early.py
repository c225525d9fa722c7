"""Settings read before pydantic is loaded, the way `onss_tui.config.Settings` reads them (the environment,
then the config file): the console's language and theme before its first frame, and the store sshd's
`keys authorized` asks at every login, which must answer at once."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

ENV_PREFIX = "ONSS_TUI_"


def config_path() -> Path:
    """The config file `Settings` reads (`onss_tui.config.config_file`), found without pydantic."""
    from platformdirs import user_config_path

    return user_config_path("onss-tui") / "config.toml"


def _config_values() -> dict[str, str]:
    """The config file's plain values; one that cannot be read is left for `Settings` to report."""
    try:
        table = tomllib.loads(config_path().read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    return {k: v for k, v in table.items() if isinstance(v, str)}


def early_database_url(environ: Mapping[str, str] = os.environ) -> str:
    """`database_url` as `Settings` will have it, the platform's data directory by default."""
    from platformdirs import user_data_path

    found = environ.get(ENV_PREFIX + "DATABASE_URL") or _config_values().get("database_url")
    return found or f"sqlite:///{user_data_path('onss-tui') / 'onss-tui.db'}"


def early_preferences(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """`lang` and `theme` as the settings will have them: the environment first, then the config file.

    A config file that cannot be read is left for `Settings` to report once the console is up.
    """
    found = _config_values()
    preferences = {}
    for name in ("lang", "theme"):
        value = environ.get(ENV_PREFIX + name.upper()) or found.get(name)
        if value:
            preferences[name] = value
    return preferences
