"""One module per screen; `onss_tui.app` imports each when it is first shown."""
