"""One module per screen (`onss_tui.app` imports each when it is first shown), on the bases of `base`
(every screen and dialog) and `browse` (the paged list screens)."""
