"""The console's fixtures (a SQLite store holding the small world, the config kept in `tmp_path`) for the
hostile-input suite's console tests."""

from tests.tui.conftest import config_home, store

__all__ = ["config_home", "store"]
