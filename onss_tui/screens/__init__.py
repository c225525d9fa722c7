"""One module per screen (`onss_tui.app` imports each when it is first shown), on the bases of `base`
(every screen and dialog) and `browse` (the paged list screens).

A screen composes `onss_tui.widgets.navbar.NavBar(name)` on top (the five screens with their keys, the
enterprise and the actor) and `onss_tui.widgets.footer.Footer` at the bottom. Text that must follow a
language switch uses `onss_tui.widgets.text.Tr` or watches `app.lang`.
"""
