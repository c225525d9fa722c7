"""The live check behind each identifier field: which reason a typed value gets."""

from __future__ import annotations

import pytest

from onss_tui.i18n import LANGUAGES, Messages
from onss_tui.widgets.identifier_input import KINDS, PLACEHOLDERS, check


@pytest.mark.parametrize(
    ("kind", "value", "ok", "key"),
    [
        ("niss", "", True, ""),
        ("niss", "85.07.30-033.28", True, "ident.ok"),
        ("niss", "85.07.30-033.29", False, "ident.niss.checksum"),
        ("niss", "85.13.30-033.28", False, "ident.niss.date"),
        ("niss", "85073003", False, "ident.niss.length"),
        ("niss", "85O73003328", False, "ident.niss.format"),
        ("enterprise_or_onss", "0403.170.701", True, "ident.enterprise_ok"),
        ("enterprise_or_onss", "0403.170.702", False, "ident.enterprise.checksum"),
        ("enterprise_or_onss", "1303875-93", True, "ident.onss_ok"),
        ("enterprise_or_onss", "1303875-94", False, "ident.onss.checksum"),
        ("enterprise_or_onss", "1234", False, "ident.enterprise_or_onss.length"),
        ("eid", "591-1917064-58", True, "ident.ok"),
        ("eid", "591-1917064-59", False, "ident.eid.checksum"),
        ("phone", "0471 12 34 56", True, "ident.ok"),
        ("phone", "0471 12 34 56 7", False, "ident.phone.length"),
        ("phone", "0471-ab", False, "ident.phone.format"),
        ("email", "anne@example.be", True, ""),
        ("email", "anne@example", False, "ident.email.format"),
        ("text", "anything at all", True, ""),
    ],
)
def test_check(kind: str, value: str, ok: bool, key: str) -> None:
    verdict = check(kind, value)
    assert (verdict.ok, verdict.key) == (ok, key)


def test_a_length_reason_counts_the_digits_typed() -> None:
    verdict = check("niss", "85.07.30-03")
    assert Messages().t("en", verdict.key, **verdict.kwargs).endswith("this one has 8.")


def test_an_accepted_number_is_shown_in_its_usual_form() -> None:
    verdict = check("phone", "0471123456")
    assert Messages().t("en", verdict.key, **verdict.kwargs) == "+32 471 12 34 56"


def test_every_reason_and_placeholder_is_translated() -> None:
    messages = Messages()
    keys = set(PLACEHOLDERS.values()) | {"ident.required", "ident.ok", "ident.enterprise_ok", "ident.onss_ok"}
    for kind in ("niss", "enterprise", "onss", "eid"):
        keys |= {f"ident.{kind}.{code}" for code in ("empty", "format", "length", "range", "checksum")}
    keys |= {f"ident.phone.{code}" for code in ("empty", "format", "length", "country", "range")}
    keys |= {"ident.niss.date", "ident.email.format", "ident.enterprise_or_onss.length"}
    for lang in LANGUAGES:
        assert [k for k in sorted(keys) if k not in messages.by_language[lang]] == []
    assert set(PLACEHOLDERS) < set(KINDS)
