"""What a person's console remembers for them (language, theme), in the store: every SSH session runs
under one account and shares its config file, so a person's choices cannot live there."""

from __future__ import annotations

from onss_tui.services import dto
from onss_tui.services.local.context import Context
from onss_tui.services.local.tables import PersonPreference


def get_preferences(c: Context) -> dto.Preferences:
    row = c.session.get(PersonPreference, c.actor_id)
    if row is None:
        return dto.Preferences()
    return dto.Preferences.model_validate({"lang": row.lang, "theme": row.theme})


def save_preferences(c: Context, preferences: dto.Preferences) -> dto.Preferences:
    """Remember the values given (None keeps the one remembered)."""
    assert c.actor_id is not None
    row = c.session.get(PersonPreference, c.actor_id) or PersonPreference(person_id=c.actor_id)
    before = {"lang": row.lang, "theme": row.theme}
    row.lang = preferences.lang or row.lang
    row.theme = preferences.theme or row.theme
    after = {"lang": row.lang, "theme": row.theme}
    if after != before:
        c.session.add(row)
        c.record("person.preferences", f"person:{c.actor_id}", None, before=before, after=after)
    return dto.Preferences.model_validate(after)
