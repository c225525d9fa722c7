"""Every message exists in French, Dutch, German and English, and every key the code asks for exists."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from textual.binding import Binding

from onss_tui.console import NAMED_KEYS
from onss_tui.i18n import LANGUAGES, LOCALES, Messages, choose_language, read_locale_file
from onss_tui.services.errors import Reason

PACKAGE = Path(__file__).resolve().parents[2] / "onss_tui"
LOCALE_FILES = sorted(LOCALES.glob("*.toml"))
MESSAGE_CALLS = {"t", "_t", "Tr", "set_key", "Reason", "in_every_language"}
"""Calls whose first string argument (the second for `_t(widget, key)`) is a message key (a service's
`Reason` too: its English comes from the locale files)."""


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_interface_speaks_four_languages() -> None:
    assert set(LANGUAGES) == {"fr", "nl", "de", "en"}


@pytest.mark.parametrize("path", LOCALE_FILES, ids=lambda p: p.name)
def test_the_german_table_comes_last(path: Path) -> None:
    assert list(read_locale_file(path)) == ["en", "fr", "nl", "de"], path.name


def test_there_are_locale_files() -> None:
    names = {path.stem for path in LOCALE_FILES}
    assert {"common", "sign_in", "overview", "designation", "help"} <= names


@pytest.mark.parametrize("path", LOCALE_FILES, ids=lambda p: p.name)
def test_each_language_has_the_same_messages(path: Path) -> None:
    tables = read_locale_file(path)
    assert set(tables) == set(LANGUAGES), f"{path.name} needs exactly the tables {LANGUAGES}"
    every_key = set().union(*(set(t) for t in tables.values()))
    for lang, messages in tables.items():
        missing = sorted(every_key - set(messages))
        assert not missing, f"{path.name} [{lang}] lacks {missing}"
        empty = sorted(k for k, v in messages.items() if not v.strip())
        assert not empty, f"{path.name} [{lang}] has empty messages {empty}"


@pytest.mark.parametrize("path", LOCALE_FILES, ids=lambda p: p.name)
def test_each_language_uses_the_same_placeholders(path: Path) -> None:
    tables = read_locale_file(path)
    for key, english in tables["en"].items():
        for lang in LANGUAGES:
            assert placeholders(tables[lang][key]) == placeholders(english), f"{path.name} [{lang}] {key}"


def test_no_key_is_defined_in_two_files() -> None:
    seen: dict[str, str] = {}
    for path in LOCALE_FILES:
        for key in read_locale_file(path)["en"]:
            assert key not in seen, f"{key} is in both {seen[key]} and {path.name}"
            seen[key] = path.name


def _call_name(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _used_keys(tree: ast.AST) -> list[tuple[int, ast.expr]]:
    """(line, key expression) for each place the code names a message key."""
    used: list[tuple[int, ast.expr]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _call_name(node)
            if name in MESSAGE_CALLS:
                position = 1 if name == "_t" else 0
                if len(node.args) > position:
                    used.append((node.lineno, node.args[position]))
            elif name == "Binding":
                description = node.args[2] if len(node.args) > 2 else None
                for keyword in node.keywords:
                    if keyword.arg == "description":
                        description = keyword.value
                if description is not None:
                    used.append((node.lineno, description))
        elif isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "HELP_KEY" for target in node.targets
        ):
            used.append((node.lineno, node.value))
    return used


def test_every_key_used_in_code_exists() -> None:
    messages = Messages()
    keys = set(messages.by_language["en"])
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, expression in _used_keys(tree):
            where = f"{path.relative_to(PACKAGE.parent)}:{line}"
            if isinstance(expression, ast.Constant) and isinstance(expression.value, str):
                if expression.value and expression.value not in keys:
                    problems.append(f"{where}: {expression.value!r}")
            elif isinstance(expression, ast.JoinedStr) and expression.values:
                head = expression.values[0]
                prefix = head.value if isinstance(head, ast.Constant) else ""
                if prefix and not any(key.startswith(prefix) for key in keys):
                    problems.append(f"{where}: no key starts with {prefix!r}")
    assert not problems, "message keys used in code but defined nowhere:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("prefix", "values"),
    [
        (
            "role.",
            ["legal_representative", "main_access_manager", "co_main_access_manager", "access_manager"],
        ),
        ("role.", ["user", "support_staff"]),
        ("category.", ["employer", "local_administration", "no_staff"]),
        ("designation.status.", ["pending", "active", "ended"]),
        ("overview.step.", ["designate_main_access_manager", "designate_access_manager", "create_users"]),
        ("overview.step.", ["finalise_mandates", "accept_mandates"]),
        ("help.", ["sign_in", "enterprise_picker", "overview", "designation", "users", "mandates", "audit"]),
        ("key.", sorted(NAMED_KEYS)),
        # What the service's reasons are built from (`_identifier_reason`, `quarter_reason`, ...).
        ("ident.enterprise.", ["empty", "format", "length", "range", "checksum"]),
        ("ident.niss.", ["empty", "format", "length", "range", "date", "checksum"]),
        ("ident.eid.", ["empty", "format", "length", "range", "checksum"]),
        ("ident.onss.", ["empty", "format", "length", "range", "checksum"]),
        ("ident.phone.", ["empty", "format", "length", "country", "range"]),
        ("ident.email.", ["format"]),
        ("ident.enterprise_or_onss.", ["length"]),
        ("rule.branch.", ["empty", "format", "length"]),
        ("rule.quarter.", ["empty", "format", "year"]),
        ("rule.mandate.done.", ["submit", "accept", "reject", "close"]),
        ("rule.changed.", ["designation", "user", "mandate"]),
        ("rule.kind.", ["social_secretariat", "service_provider"]),
        ("users.status.", ["active", "suspended", "removed"]),
        ("mandate.status.", ["to_finalise", "pending", "active", "rejected", "closed"]),
    ],
)
def test_keys_built_from_data_exist(prefix: str, values: list[str]) -> None:
    keys = set(Messages().by_language["en"])
    assert [v for v in values if prefix + v not in keys] == []


def test_every_action_the_trail_records_has_a_name(tmp_path: Path) -> None:
    """Seeding (its bulk entries, and the showcase, which acts through the service) and the API's tokens
    write to the trail; the audit screen names each action."""
    from sqlalchemy import text

    from onss_tui.services.local.seed import seed_store
    from onss_tui.services.local.store import open_store
    from onss_tui.services.local.tokens import issue_token, revoke_token

    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    seed_store(engine, enterprises=40, mandates=300, users=None, seed=5)
    secret = "a-secret-of-at-least-thirty-two-characters"
    with engine.connect() as connection:
        someone = connection.execute(text("SELECT min(id) FROM person")).scalar_one()
    revoke_token(engine, secret, issue_token(engine, secret, someone).token)
    with engine.connect() as connection:
        actions = set(connection.execute(text("SELECT DISTINCT action FROM audit_entry")).scalars())
    engine.dispose()
    keys = set(Messages().by_language["en"])
    assert {"seed.bulk_mandates", "api_token.issue", "api_token.revoke", "mandate.accept"} <= actions
    assert sorted(a for a in actions if f"audit.action.{a}" not in keys) == []


def test_role_names_follow_the_domain() -> None:
    messages = Messages()
    assert messages.t("fr", "role.main_access_manager") == "Gestionnaire d'Accès Principal"
    assert messages.t("nl", "role.main_access_manager") == "Hoofdtoegangsbeheerder"
    assert messages.t("fr", "role.access_manager") == "Gestionnaire d'Accès"
    assert messages.t("nl", "role.access_manager") == "Toegangsbeheerder"
    assert messages.t("nl", "role.co_main_access_manager") == "co-Hoofdtoegangsbeheerder"
    assert messages.t("de", "role.main_access_manager") == "Hauptzugangsverwalter"
    assert messages.t("de", "role.co_main_access_manager") == "Co-Hauptzugangsverwalter"
    assert messages.t("de", "role.access_manager") == "Zugangsverwalter"
    assert messages.t("de", "role.legal_representative") == "Gesetzlicher Vertreter"


def test_a_missing_key_shows_itself_and_formatting_fills_arguments() -> None:
    messages = Messages()
    assert messages.t("fr", "no.such.key") == "no.such.key"
    assert messages.t("nl", "sign_in.choose", count=3).startswith("3 ")
    assert re.search(r"\b12\b", messages.t("en", "ident.niss.length", digits=12))


@pytest.mark.parametrize(
    ("requested", "configured", "environ", "expected"),
    [
        ("nl", "fr", {"LANG": "en_GB.UTF-8"}, "nl"),
        (None, "fr", {"LANG": "nl_BE.UTF-8"}, "fr"),
        (None, None, {"LANG": "nl_BE.UTF-8"}, "nl"),
        (None, None, {"LC_ALL": "fr_BE.UTF-8", "LANG": "nl_BE.UTF-8"}, "fr"),
        (None, None, {"LANG": "de_DE.UTF-8"}, "de"),
        (None, None, {"LANG": "de_BE.UTF-8"}, "de"),
        (None, None, {"LC_MESSAGES": "de_BE", "LANG": "fr_BE.UTF-8"}, "de"),
        ("de", "nl", {"LANG": "fr_BE.UTF-8"}, "de"),
        (None, "de", {"LANG": "nl_BE.UTF-8"}, "de"),
        (None, None, {"LANG": "it_IT.UTF-8"}, "en"),
        (None, None, {"LANG": "C.UTF-8"}, "en"),
        (None, "xx", {}, "en"),
    ],
)
def test_language_choice(requested, configured, environ, expected) -> None:  # type: ignore[no-untyped-def]
    assert choose_language(requested, configured, environ) == expected


def test_a_locale_file_is_read_when_a_key_it_may_hold_is_asked_for(tmp_path: Path) -> None:
    (tmp_path / "common.toml").write_text('[en]\nnav.users = "Users"\n[fr]\nnav.users = "Utilisateurs"\n')
    (tmp_path / "users.toml").write_text('[en]\nusers.title = "Users of {name}"\n')
    (tmp_path / "picker.toml").write_text('[en]\npicker.hint = "Type a name"\n')
    (tmp_path / "audit.toml").write_text("[en]\naudit.title = unquoted, not TOML\n")
    messages = Messages(sorted(tmp_path.glob("*.toml")))
    assert messages.t("fr", "users.title", name="X") == "Users of X"
    assert messages.t("fr", "nav.users") == "Utilisateurs"
    assert messages.t("en", "picker.hint") == "Type a name"
    assert messages.has("nav.users") and messages.has("users.title")
    with pytest.raises(ValueError):  # only now is the broken file read: asked for a key no file read holds
        messages.t("en", "missing.key")


def test_the_footer_names_keys_in_the_consoles_language(store) -> None:  # type: ignore[no-untyped-def]
    app = store.app(lang="fr")
    keys = ("space", "delete", "escape", "ctrl+s", "shift+tab")
    shown = [app.get_key_display(Binding(key, "x")) for key in keys]
    assert shown == ["espace", "suppr", "échap", "^s", "maj+tab"]
    app.lang = "en"
    assert app.get_key_display(Binding("space", "x")) == "space"


def test_the_console_says_a_reason_in_its_language_or_as_the_server_worded_it(store) -> None:  # type: ignore[no-untyped-def]
    app = store.app(lang="fr")
    assert app.say(Reason("rule.no_user")) == "Cet utilisateur n'existe pas."
    # From a server of another version: a key this console does not know, or knows with other values.
    assert app.say(Reason("rule.from_the_future", "Something new.")) == "Something new."
    assert app.say(Reason("rule.mandate.start_past", "Too early.")) == "Too early."  # no {now}
    assert app.say("the database is unavailable") == "the database is unavailable"


def test_the_keys_textuals_widgets_show_are_worded_by_the_catalogue() -> None:
    """A key Textual's own widgets show in the footer (a select's open list: "Dismiss menu") is said in the
    console's language: its description is one of `TEXTUAL_WORDS`, whose messages exist."""
    import importlib
    import inspect

    from textual import widgets
    from textual.widget import Widget

    from onss_tui.console import TEXTUAL_WORDS

    used = set()
    for path in PACKAGE.rglob("*.py"):
        for match in re.finditer(r"from textual\.widgets import ([^\n(]+)", path.read_text(encoding="utf-8")):
            used |= {name.split(" as ")[0].strip() for name in match.group(1).split(",")}
    shown = set()
    for name in used:
        module = importlib.import_module(getattr(widgets, name).__module__)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Widget):
                for binding in cls.BINDINGS:
                    if isinstance(binding, tuple) and len(binding) > 2:
                        shown.add(binding[2])
                    elif isinstance(binding, Binding) and binding.show and binding.description:
                        shown.add(binding.description)
    assert "Dismiss menu" in shown
    assert sorted(shown - set(TEXTUAL_WORDS)) == []
    keys = set(Messages().by_language["en"])
    assert sorted(set(TEXTUAL_WORDS.values()) - keys) == []
