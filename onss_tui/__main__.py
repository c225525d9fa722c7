"""Allows `python -m onss_tui`."""

from onss_tui.cli import main

raise SystemExit(main())
