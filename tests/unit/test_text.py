"""The one rule for text (`onss_tui.domain.text`): what it refuses, what it trims, how text is shown."""

from __future__ import annotations

import doctest

import pytest

from onss_tui.domain import text


def test_the_examples_of_the_module_hold() -> None:
    assert doctest.testmod(text).failed == 0


@pytest.mark.parametrize(
    ("value", "kind", "code"),
    [
        ("a\x00", "nul", "U+0000"),
        ("\x1b[2J", "control", "U+001B"),
        ("tab\there", "control", "U+0009"),
        ("line\nbreak", "control", "U+000A"),
        ("del\x7f", "control", "U+007F"),
        ("csi\x9b", "control", "U+009B"),
        ("abc\u202edef", "bidi", "U+202E"),
        ("\u2066isolate", "bidi", "U+2066"),
        ("\u2069", "bidi", "U+2069"),
        ("\ud800", "surrogate", "U+D800"),
    ],
)
def test_refused_characters(value: str, kind: str, code: str) -> None:
    problem = text.problem(value)
    assert problem is not None and (problem.kind, problem.code) == (kind, code)
    with pytest.raises(text.TextProblem):
        text.check(value)


@pytest.mark.parametrize(
    "value", ["Anne", "Zoë 👩‍💼", "[/]", "[bold]x[/]", "Ærøskøbing", "a" + "\u0301" * 5, "\u200f"]
)
def test_allowed_text_is_kept_as_it_is(value: str) -> None:
    assert text.check(f"  {value} ") == value
    assert text.shown(value) == value
    assert text.searchable(value)


def test_shown_draws_each_refused_character_as_one_stand_in() -> None:
    assert text.shown("a\x00b\x1bc\x7fd\x9be\u202ef\ud800") == "a␀b␛c␡d\ufffde\ufffdf\ufffd"
    assert len(text.shown("\x1b" * 10)) == 10


def test_an_unpaired_surrogate_in_a_search_finds_nothing() -> None:
    assert text.without_surrogates("ab\ud800") == "ab\x00"
    assert not text.searchable(str(text.without_surrogates("ab\ud800")))
    assert text.without_surrogates(12) == 12
