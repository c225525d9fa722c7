"""Settings: the config file, then `ONSS_TUI_*` environment variables; paths from platformdirs."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from platformdirs import user_config_path, user_data_path
from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from onss_tui.private_files import write_private_text

APP_NAME = "onss-tui"


def config_file() -> Path:
    return user_config_path(APP_NAME) / "config.toml"


def default_database_url() -> str:
    return f"sqlite:///{user_data_path(APP_NAME) / 'onss-tui.db'}"


def data_directory() -> Path:
    return user_data_path(APP_NAME)


def screenshot_dir() -> Path:
    """Where the console saves its screenshots (the data directory: the current one may be unwritable)."""
    return data_directory() / "screenshots"


class SettingsError(ValueError):
    """Settings that cannot be used (a broken config file, an invalid value): the message says why, in one
    line."""


class _TomlFile(PydanticBaseSettingsSource):
    """Reads the config file when it exists; a broken file is reported, not ignored."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path) -> None:
        super().__init__(settings_cls)
        self.path = path

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        if not self.path.is_file():
            return {}
        try:
            return tomllib.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"cannot read the config file {self.path}: {exc}") from exc


class Settings(BaseSettings):
    """Everything configurable; `onss-tui` flags override these."""

    model_config = SettingsConfigDict(env_prefix="ONSS_TUI_", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    api_url: str | None = None
    api_token: str | None = None
    api_secret: str | None = None
    api_max_body: int = Field(default=1_048_576, gt=0, description="Largest request body, in bytes.")
    api_receive_timeout: float = Field(
        default=10.0, gt=0, description="Seconds for a request (its head and body) to arrive."
    )
    api_serve_timeout: float = Field(default=15.0, gt=0, description="Seconds for a request to be served.")
    api_database_timeout: float = Field(
        default=5.0,
        gt=0,
        description="Seconds a statement of the API server may run (PostgreSQL) or wait for a lock (SQLite).",
    )
    api_max_connections: int = Field(
        default=1000, gt=0, description="Connections (or requests being served) per server process."
    )
    api_forwarded_allow_ips: str = Field(
        default="", description="Proxies whose X-Forwarded-For is believed (comma-separated; none by default)"
    )
    api_failed_auth_allowed: int = Field(
        default=10, gt=0, description="Distinct failing tokens an address may present within the window."
    )
    api_failed_auth_window: float = Field(default=60.0, gt=0, description="Seconds failures are remembered.")
    lang: str | None = None
    theme: str = "textual-dark"
    keys: dict[str, str] = Field(default_factory=dict, description="Binding id -> keys.")
    audit_key_file: Path | None = Field(
        default=None, description="The Ed25519 private key that signs the trail's checkpoints (0600)."
    )
    audit_public_keys: list[Path] = Field(
        default_factory=list, description="Public key files of earlier signing keys (after a rotation)."
    )
    audit_checkpoint_every: int = Field(default=1000, ge=1, description="A checkpoint every N entries.")
    audit_checkpoint_minutes: float = Field(
        default=10.0, gt=0, description="And every M minutes of activity."
    )
    audit_checkpoint_file: Path | None = Field(
        default=None,
        description="The copy of the checkpoints outside the database (default: beside a SQLite file, "
        "else in the data directory).",
    )
    audit_syslog: bool = Field(default=False, description="Also send each checkpoint to the system log.")
    token_lifetime_days: int = Field(default=90, ge=1, le=3650, description="How long a new token lives.")
    ssh_idle_minutes: float = Field(
        default=15, gt=0, le=24 * 60, description="An SSH session without a key pressed signs out after this."
    )

    def secret_held(self) -> bool:
        """The config file holds a secret (the API's secret or a token), so must be its owner's alone."""
        found = _TomlFile(Settings, config_file())()
        return bool(found.get("api_secret") or found.get("api_token"))

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _TomlFile(settings_cls, config_file())


def read_settings() -> Settings:
    """The settings of the config file and the environment; `SettingsError` when they cannot be used."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise SettingsError(f"invalid setting: {problems}") from exc


def save_setting(name: str, value: str) -> None:
    """Remember one top-level setting (theme, lang) in the config file, keeping the others."""
    path = config_file()
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    lines = [line for line in lines if line.split("=", 1)[0].strip() != name]
    lines.insert(0, f"{name} = {value!r}".replace("'", '"'))
    write_private_text(path, "\n".join(lines) + "\n")  # it may hold the API's secret or a token
