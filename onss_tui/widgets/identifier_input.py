"""A labelled input that checks what is typed as it is typed, and says why beside the field.

Kinds: `niss` (national register or BIS number), `enterprise_or_onss` (enterprise number or ONSS
registration number), `eid` (eID card number), `phone`, `email`, `text`. Check digits and shapes come from
`onss_tui.domain.identifiers`; the reason is shown in the current language. This is comfort only: the
service checks everything again and its field errors land here through `show_error`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from onss_tui.domain import identifiers as ids
from onss_tui.domain.text import EMAIL_MAX, NAME_MAX, NUMBER_MAX, PHONE_MAX
from onss_tui.widgets.input import Input
from onss_tui.widgets.plain import plain_content
from onss_tui.widgets.text import Tr

if TYPE_CHECKING:
    from textual import getters

    from onss_tui.console import ConsoleApp

KINDS = ("niss", "enterprise_or_onss", "eid", "phone", "email", "text")
PLACEHOLDERS = {
    kind: f"ident.placeholder.{kind}" for kind in ("niss", "enterprise_or_onss", "eid", "phone", "email")
}
"""Message keys: the shape of each kind of number, shown while the field is empty."""
LONGEST = {
    "niss": NUMBER_MAX,
    "enterprise_or_onss": NUMBER_MAX,
    "eid": NUMBER_MAX,
    "phone": PHONE_MAX,
    "email": EMAIL_MAX,
    "text": NAME_MAX,
}
"""The most characters each kind of field takes: the service's bound for it."""


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking a value: a message key and its arguments; `ok` when accepted."""

    ok: bool
    key: str = ""
    kwargs: dict[str, Any] = field(default_factory=dict)


def _identifier(validate: Callable[[str], str], show: Callable[[str], str], kind: str, value: str) -> Verdict:
    try:
        return Verdict(True, "ident.ok", {"shown": show(validate(value))})
    except ids.IdentifierError as exc:
        digits = sum(c.isdigit() for c in value)
        return Verdict(False, f"ident.{kind}.{exc.code}", {"digits": digits})


def _enterprise_or_onss(value: str) -> Verdict:
    digits = ids.compact_digits(value)
    if len(digits) == 10 and digits[:1] in ("0", "1"):
        verdict = _identifier(
            ids.validate_enterprise_number, ids.format_enterprise_number, "enterprise", value
        )
        return Verdict(True, "ident.enterprise_ok", verdict.kwargs) if verdict.ok else verdict
    verdict = _identifier(ids.validate_onss_number, ids.format_onss_number, "onss", value)
    if verdict.ok:
        return Verdict(True, "ident.onss_ok", verdict.kwargs)
    if verdict.key.endswith(".length"):
        return Verdict(False, "ident.enterprise_or_onss.length", verdict.kwargs)
    return verdict


def _email(value: str) -> Verdict:
    try:
        ids.validate_email(value)
    except ids.IdentifierError:
        return Verdict(False, "ident.email.format")
    return Verdict(True)


def check(kind: str, value: str) -> Verdict:
    """Check `value` as an identifier of `kind`; an empty value is accepted (required-ness is apart)."""
    if not value.strip():
        return Verdict(True)
    if kind == "niss":
        return _identifier(ids.validate_niss, ids.format_niss, "niss", value)
    if kind == "eid":
        return _identifier(ids.validate_eid_card, ids.format_eid_card, "eid", value)
    if kind == "phone":
        return _identifier(ids.validate_phone, ids.format_phone, "phone", value)
    if kind == "enterprise_or_onss":
        return _enterprise_or_onss(value)
    if kind == "email":
        return _email(value)
    return Verdict(True)


class IdentifierInput(Horizontal):
    """Label, input and reason on one row; its id is the DTO field it fills."""

    DEFAULT_CSS = """
    IdentifierInput {
        height: auto;
        margin-bottom: 1;
    }
    IdentifierInput > .field-label {
        width: 30;
        padding-right: 1;
    }
    IdentifierInput > Input {
        width: 22;
        background: $boost;
    }
    IdentifierInput > Input:focus {
        background: $primary 25%;
    }
    IdentifierInput > .field-reason {
        width: 1fr;
        padding-left: 1;
        color: $text-muted;
    }
    IdentifierInput.-invalid > .field-reason {
        color: $text-error;
    }
    IdentifierInput.-valid > .field-reason {
        color: $text-success;
    }
    IdentifierInput.-invalid > Input {
        border-left: outer $error;
    }
    """

    if TYPE_CHECKING:
        app = getters.app(ConsoleApp)

    def __init__(
        self,
        kind: str,
        label_key: str,
        *,
        id: str,
        required: bool = False,
        value: str = "",
        placeholder: str | None = None,
    ) -> None:
        """`placeholder` is a message key (default: the shape of `kind`); "" for none."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        super().__init__(id=id)
        self.kind = kind
        self.label_key = label_key
        self.required = required
        self._initial = value
        self._placeholder = PLACEHOLDERS.get(kind) if placeholder is None else placeholder
        self._verdict = Verdict(True)
        self._service_message: str | None = None

    def compose(self) -> ComposeResult:
        yield Tr(self.label_key, suffix=" *" if self.required else "", classes="field-label")
        yield Input(value=self._initial, compact=True, id=f"{self.id}-input", max_length=LONGEST[self.kind])
        yield Static("", classes="field-reason")

    def on_mount(self) -> None:
        self.watch(self.app, "lang", self._relabel, init=False)
        self._show_placeholder()
        if self._initial:
            self._check(self._initial)

    def _relabel(self, _lang: str) -> None:
        self._show_placeholder()
        self._show()

    def _show_placeholder(self) -> None:
        if self._placeholder:
            self.input.placeholder = self.app.t(self._placeholder)

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    @property
    def value(self) -> str:
        return self.input.value

    @value.setter
    def value(self, text: str) -> None:
        self.input.value = text

    @property
    def valid(self) -> bool:
        """Whether the value passes the local checks (a required field must not be empty)."""
        if self.required and not self.value.strip():
            return False
        return check(self.kind, self.value).ok

    def focus_input(self) -> None:
        self.input.focus()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self._service_message = None
        self._check(event.value)

    def _check(self, value: str) -> None:
        self._verdict = check(self.kind, value)
        self._show()

    def check_required(self) -> bool:
        """Before sending: flag an empty required field; True when the field is acceptable."""
        if self.required and not self.value.strip():
            self._verdict = Verdict(False, "ident.required")
            self._show()
            return False
        return self._verdict.ok

    def show_error(self, message: str) -> None:
        """A field error from the service; the local reason (in the user's language) wins if any."""
        if self.required and not self.value.strip():
            self._verdict = Verdict(False, "ident.required")
        else:
            self._verdict = check(self.kind, self.value)
        if self._verdict.ok:
            self._service_message = message
        self._show()

    def _show(self, _lang: str | None = None) -> None:
        reason = self.query_one(".field-reason", Static)
        invalid = not self._verdict.ok or self._service_message is not None
        if self._service_message is not None:
            text = self.app.say(self._service_message)
        elif self._verdict.key:
            message = self.app.t(self._verdict.key, **self._verdict.kwargs)
            if self._verdict.ok:
                text = "✓" if message == self.value.strip() else f"✓ {message}"
            else:
                text = f"✗ {message}"
        else:
            text = ""
        reason.update(plain_content(text))  # plain: a reason from the service may repeat what was typed
        self.set_class(invalid, "-invalid")
        self.set_class(not invalid and bool(self._verdict.key), "-valid")
