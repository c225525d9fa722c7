"""Starting the console: pick the backend and the actor, then run the Textual app."""

from __future__ import annotations

import argparse


def run_console(args: argparse.Namespace) -> int:
    from onss_tui.cli import CommandError

    raise CommandError("the terminal console is not available yet")
