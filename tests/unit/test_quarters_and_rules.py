"""Quarters and the mandate lifecycle, without a store."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onss_tui.domain.quarters import Quarter, QuarterError
from onss_tui.domain.rules import MANDATE_LIFECYCLE, Party, next_mandate_status
from onss_tui.domain.text import QUARTER_PATTERN
from onss_tui.services.dto import MandateAction, MandateStatus


@pytest.mark.parametrize(
    "text",
    [
        "2026Q3",
        "2026-Q3",
        "2026 q3",
        "2026T3",
        "2026K3",
        " 2026/Q3 ",
        "T3 2026",
        "K3-2026",
        "Q3 2026",
        "3/2026",
    ],
)
def test_quarters_are_read_in_every_usual_spelling(text: str) -> None:
    assert Quarter.parse(text) == Quarter(2026, 3)


@pytest.mark.parametrize(("lang", "written"), [("fr", "T4 2026"), ("nl", "K4 2026"), ("en", "2026 Q4")])
def test_a_quarter_is_written_as_its_reader_writes_it_and_read_back(lang: str, written: str) -> None:
    assert Quarter(2026, 4).written(lang) == written
    assert Quarter.parse(written) == Quarter(2026, 4)
    assert re.fullmatch(QUARTER_PATTERN, written)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        (" ", "empty"),
        ("2026", "format"),
        ("2026Q5", "format"),
        ("T5 2026", "format"),
        ("32026", "format"),
        ("26Q3", "format"),
        ("1900Q1", "year"),
    ],
)
def test_bad_quarters_are_refused_saying_why(text: str, code: str) -> None:
    with pytest.raises(QuarterError) as refused:
        Quarter.parse(text)
    assert (refused.value.code, refused.value.text) == (code, text)


def test_quarter_of_a_date_and_neighbours() -> None:
    assert Quarter.of(date(2026, 11, 26)) == Quarter(2026, 4)
    assert str(Quarter(2026, 4).next()) == "2027Q1"
    assert str(Quarter(2027, 1).previous()) == "2026Q4"


@given(st.integers(1990, 2198), st.integers(1, 4))
def test_codes_round_trip_and_keep_the_order(year: int, number: int) -> None:
    quarter = Quarter(year, number)
    assert Quarter.from_code(quarter.code) == quarter
    assert Quarter.parse(str(quarter)) == quarter
    assert quarter.next().code > quarter.code and quarter.next().previous() == quarter


def test_the_lifecycle_allows_only_listed_moves() -> None:
    assert next_mandate_status(MandateStatus.PENDING, MandateAction.ACCEPT) == (
        MandateStatus.ACTIVE,
        Party.MANDATARY,
    )
    for status in MandateStatus:
        for action in MandateAction:
            if (status, action) in MANDATE_LIFECYCLE:
                continue
            with pytest.raises(ValueError, match=f"that is {status.value}"):
                next_mandate_status(status, action)


def test_final_statuses_allow_nothing() -> None:
    for status in (MandateStatus.REJECTED, MandateStatus.CLOSED):
        with pytest.raises(ValueError, match="final"):
            next_mandate_status(status, MandateAction.CLOSE)
