"""Stores and config files are their owner's alone (0600, in folders made 0700), whatever the umask;
the console says so when it opens one that others can read."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from onss_tui.cli import main
from onss_tui.config import Settings, save_setting
from onss_tui.private_files import create_private_file, readable_by_others, write_private_text
from onss_tui.services.local.store import make_engine, open_store


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The usual umask (022), under which a file is created readable by every account."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_new_sqlite_store_and_its_new_folders_are_the_owners_alone(tmp_path: Path) -> None:
    existing = tmp_path / "home"
    existing.mkdir(mode=0o755)
    store = existing / "data" / "onss-tui" / "store.db"
    engine = open_store(f"sqlite:///{store}")
    try:
        with engine.connect() as connection:  # the WAL files exist while the store is open
            connection.exec_driver_sql("SELECT count(*) FROM person").scalar()
            for path in (store, Path(f"{store}-wal"), Path(f"{store}-shm")):
                assert mode(path) == 0o600, path
    finally:
        engine.dispose()
    assert mode(store.parent) == 0o700 and mode(store.parent.parent) == 0o700
    assert mode(existing) == 0o755  # folders that were there are left as they are


def test_the_commands_that_create_a_store_create_it_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for args in (["db", "upgrade"], ["seed", "--enterprises", "3", "--mandates", "5"]):
        store = tmp_path / f"{args[0]}.db"
        assert main([*args, "--database", str(store)]) == 0
        assert mode(store) == 0o600


def test_an_existing_store_keeps_its_mode_and_is_said_readable(tmp_path: Path) -> None:
    store = tmp_path / "shared.db"
    store.touch(mode=0o644)
    make_engine(str(store)).dispose()
    assert mode(store) == 0o644 and readable_by_others(store)
    create_private_file(store)
    assert mode(store) == 0o644  # never changed behind its owner's back: the console warns instead


def test_the_config_file_is_written_private_and_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    path = tmp_path / "config" / "onss-tui" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text('api_secret = "s3cret-0123456789abcdef0123456789ab"\n')
    path.chmod(0o644)
    assert Settings().secret_held()
    save_setting("lang", "nl")
    assert mode(path) == 0o600
    assert path.read_text() == 'lang = "nl"\napi_secret = "s3cret-0123456789abcdef0123456789ab"\n'
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]  # no temporary file left
    write_private_text(tmp_path / "new" / "key", "x")
    assert mode(tmp_path / "new" / "key") == 0o600 and mode(tmp_path / "new") == 0o700
