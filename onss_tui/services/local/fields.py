"""Checks of a request's fields that several areas share (phone, e-mail, a person by national register
number, a person's names, an enterprise by reference, a reason stated for an action, the version a change
was based on), and the words of their reasons."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import Protocol

from sqlmodel import select

from onss_tui.domain import identifiers as ids
from onss_tui.i18n import LANGUAGES
from onss_tui.services.errors import Conflict, Reason, in_every_language
from onss_tui.services.local.context import Context
from onss_tui.services.local.tables import CatalogueRow, Enterprise, Person, name_key


class Versioned(Protocol):
    version: int


def check_version(row: Versioned, expected: int, what: str) -> None:
    """The row is still at the version the change was based on (else `Conflict`); count this change."""
    if row.version != expected:
        raise Conflict(Reason(f"rule.changed.{what}", current=str(row.version), yours=str(expected)))
    row.version += 1


def identifier_reason(kind: str, value: str, error: ids.IdentifierError, family: str = "ident") -> Reason:
    """What is wrong with a number, in the words the console's fields use for it (`ident.*`)."""
    return Reason(f"{family}.{kind}.{error.code}", digits=str(sum(c.isdigit() for c in value)))


def catalogue_names(rows: Iterable[CatalogueRow]) -> dict[str, str]:
    """The names of catalogue entries (groups, online services), listed, in each language (English where an
    entry has no name in that language)."""
    rows = list(rows)
    return {
        lang: ", ".join(getattr(row, f"name_{lang}") or row.name_en for row in rows) for lang in LANGUAGES
    }


def listed(keys: Iterable[str], joiner: str = "rule.or") -> dict[str, str]:
    """Messages listed in each language: "an approved social secretariat or a service provider"."""
    said, between = [in_every_language(key) for key in keys], in_every_language(joiner)
    return {lang: between[lang].join(each[lang] for each in said) for lang in between}


def phone(errors: dict[str, str], field: str, value: str | None, *, required: bool) -> str | None:
    return _checked(
        errors, field, value, "phone", ids.validate_phone, "rule.phone_required" if required else None
    )


def email(errors: dict[str, str], field: str, value: str | None) -> str | None:
    return _checked(errors, field, value, "email", ids.validate_email, None)


def _checked(
    errors: dict[str, str],
    field: str,
    value: str | None,
    kind: str,
    validate: Callable[[str], str],
    missing: str | None,
) -> str | None:
    """The value as `validate` writes it; None when it is blank (an error `missing`, if that is given) or
    when it is wrong (an error saying what is wrong)."""
    if not (value or "").strip():
        if missing is not None:
            errors[field] = Reason(missing)
        return None
    try:
        return validate(value or "")
    except ids.IdentifierError as exc:
        errors[field] = identifier_reason(kind, value or "", exc)
        return None


def person_for(
    c: Context,
    errors: dict[str, str],
    field: str,
    niss: str,
    first_name: str | None,
    last_name: str | None,
    prefix: str = "",
) -> Person | None:
    """The person with this national register number, creating it when names are given. A known person's
    name is theirs: names given for them must be theirs (accents and case aside), or they are refused."""
    try:
        compact = ids.validate_niss(niss)
    except ids.IdentifierError as exc:
        errors[field] = identifier_reason("niss", niss, exc)
        return None
    first, last = (first_name or "").strip(), (last_name or "").strip()
    person = c.session.exec(select(Person).where(Person.niss == compact)).first()
    if person is not None:
        held_names = (("first_name", first, person.first_name), ("last_name", last, person.last_name))
        for name, typed, held in held_names:
            if typed and name_key(typed) != name_key(held):
                errors[f"{prefix}{name}"] = Reason("rule.person.known_by_another_name")
        return person
    if not first:
        errors[f"{prefix}first_name"] = Reason("rule.person.first_name")
    if not last:
        errors[f"{prefix}last_name"] = Reason("rule.person.last_name")
    if not (first and last):
        return None
    person = Person(niss=compact, first_name=first, last_name=last, name_key=name_key(last, first))
    c.session.add(person)
    return person


def enterprise_by_ref(c: Context, errors: dict[str, str], ref: str) -> Enterprise | None:
    """The enterprise with this enterprise or ONSS number (`enterprise_ref`)."""
    digits = ids.compact_digits(ref or "")
    enterprise = None
    try:
        number = ids.validate_enterprise_number(ref)
        enterprise = c.session.exec(select(Enterprise).where(Enterprise.enterprise_number == number)).first()
    except ids.IdentifierError as enterprise_error:
        try:
            number = ids.validate_onss_number(ref)
            enterprise = c.session.exec(select(Enterprise).where(Enterprise.onss_number == number)).first()
        except ids.IdentifierError as onss_error:
            # As the field says it while typing: ten digits from 0 or 1 are an enterprise number.
            if len(digits) == 10 and digits[0] in "01":
                errors["enterprise_ref"] = identifier_reason("enterprise", ref, enterprise_error)
            elif onss_error.code == "length":
                errors["enterprise_ref"] = identifier_reason("enterprise_or_onss", ref, onss_error)
            else:
                errors["enterprise_ref"] = identifier_reason("onss", ref, onss_error)
            return None
    if enterprise is None:
        errors["enterprise_ref"] = Reason("rule.enterprise_unknown")
    return enterprise


def names(errors: dict[str, str], first_name: str | None, last_name: str | None) -> dict[str, str]:
    """The names given (stripped), each refused when it is blank."""
    given: dict[str, str] = {}
    for field, value in (("first_name", first_name), ("last_name", last_name)):
        if value is not None:
            if not value.strip():
                errors[field] = Reason("rule.users.name_empty")
            given[field] = value.strip()
    return given


_DIRECTION_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Characters that change the direction of the text around them: a reason shown in a trail must read as
it was written."""


def stated_reason(errors: dict[str, str], field: str, value: str) -> str | None:
    """A reason someone states for an action (kept in the trail, bounded by `dto.StatedReason`): one line,
    without control characters; None when blank."""
    text = value.strip()
    if not text:
        return None
    if any(unicodedata.category(ch) in ("Cc", "Cs") or ch in _DIRECTION_CONTROLS for ch in text):
        errors[field] = Reason("rule.reason.characters")
    return text
