"""Tests for onss_tui.domain.identifiers: examples, error codes and properties."""

from __future__ import annotations

import datetime
import doctest

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from onss_tui.domain import identifiers
from onss_tui.domain.identifiers import (
    ERROR_CODES,
    IdentifierError,
    compact_digits,
    eid_card_for,
    enterprise_number_for,
    format_eid_card,
    format_enterprise_number,
    format_niss,
    format_onss_number,
    format_phone,
    mask_niss,
    niss_for,
    onss_check_digits,
    onss_check_ok,
    onss_number_for,
    validate_eid_card,
    validate_enterprise_number,
    validate_niss,
    validate_onss_number,
    validate_phone,
    validate_secretariat_number,
)

# ---------------------------------------------------------------------------
# reference implementations of the check digits, written independently of
# the module (and of python-stdnum) so that the properties test something


def enterprise_number(first_eight: int) -> str:
    return f"{first_eight:08d}{97 - first_eight % 97:02d}"


def niss_number(birth: datetime.date, counter: int, month_offset: int = 0) -> str:
    base = f"{birth.year % 100:02d}{birth.month + month_offset:02d}{birth.day:02d}{counter:03d}"
    nine = int(base) + (2_000_000_000 if birth.year >= 2000 else 0)
    return f"{base}{97 - nine % 97:02d}"


def niss_centuries(number: str) -> set[int]:
    """Centuries (1900, 2000) for which the check digits of ``number`` match.

    The 2000 reading is only possible for years not in the future, like the
    national register itself (and python-stdnum) does.
    """
    nine, check = int(number[:9]), int(number[9:])
    found = set()
    if 97 - nine % 97 == check:
        found.add(1900)
    may_be_2000s = int(number[:2]) + 2000 <= datetime.date.today().year
    if may_be_2000s and 97 - (2_000_000_000 + nine) % 97 == check:
        found.add(2000)
    return found


def eid_number(first_ten: int) -> str:
    return f"{first_ten:010d}{first_ten % 97 or 97:02d}"


def single_digit_changes(number: str) -> list[str]:
    return [
        number[:i] + digit + number[i + 1 :]
        for i in range(len(number))
        for digit in "0123456789"
        if digit != number[i]
    ]


def only_digits(char: str) -> str:
    return f"Only digits, spaces, dots, dashes and slashes are allowed, not {char!r}."


def checksum_message(what: str) -> str:
    return f"The check digits do not match: this is not a valid {what} (mistyped digit?)."


def code_of(func, *args) -> str:
    with pytest.raises(IdentifierError) as info:
        func(*args)
    assert info.value.code in ERROR_CODES
    return info.value.code


# ---------------------------------------------------------------------------
# doctests


def test_module_doctests_pass():
    result = doctest.testmod(identifiers)
    assert result.attempted > 20
    assert result.failed == 0


# ---------------------------------------------------------------------------
# IdentifierError and compact_digits


def test_identifier_error_is_a_value_error_with_code_and_message():
    err = IdentifierError("length", "An eID card number has 12 digits; this one has 3.")
    assert isinstance(err, ValueError)
    assert err.code == "length"
    assert str(err) == "An eID card number has 12 digits; this one has 3."
    assert "length" in repr(err)


def test_identifier_error_refuses_unknown_code():
    with pytest.raises(ValueError, match="unknown identifier error code"):
        IdentifierError("oops", "message")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0403170701", "0403170701"),
        ("BE 0403.170.701", "0403170701"),
        ("be0403170701", "0403170701"),
        ("  Be 0403-170-701  ", "0403170701"),
        ("85.07.30-033.28", "85073003328"),
        ("591/1917064/58", "591191706458"),
        ("0403\t170\u00a0701", "0403170701"),
        ("12a4", "12a4"),
        ("", ""),
        ("BE", ""),
        ("1BE2", "1BE2"),
    ],
)
def test_compact_digits(raw, expected):
    assert compact_digits(raw) == expected


# ---------------------------------------------------------------------------
# enterprise number


@pytest.mark.parametrize(
    "raw",
    [
        "0403170701",
        "BE 0403.170.701",
        "be0403170701",
        "0403 170 701",
        "0403-170-701",
        "BE0403/170/701",
    ],
)
def test_enterprise_number_valid(raw):
    assert validate_enterprise_number(raw) == "0403170701"


def test_enterprise_number_starting_with_one_is_valid():
    number = enterprise_number(10_000_000)
    assert number[0] == "1"
    assert validate_enterprise_number(number) == number


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("", "empty", "The enterprise number is empty."),
        ("  BE ", "empty", "The enterprise number is empty."),
        ("0403.17O.701", "format", only_digits("O")),
        ("04031707", "length", "An enterprise number has 10 digits; this one has 8."),
        ("403170701", "length", "An enterprise number has 10 digits; this one has 9."),
        ("04031707011", "length", "An enterprise number has 10 digits; this one has 11."),
        ("2403170701", "range", "An enterprise number starts with 0 or 1."),
        ("0000000000", "range", "An enterprise number cannot be zero."),
        (
            "0403170702",
            "checksum",
            checksum_message("enterprise number"),
        ),
    ],
)
def test_enterprise_number_refused(raw, code, message):
    with pytest.raises(IdentifierError) as info:
        validate_enterprise_number(raw)
    assert info.value.code == code
    assert str(info.value) == message


def test_format_enterprise_number():
    assert format_enterprise_number("0403170701") == "0403.170.701"
    assert format_enterprise_number("0403.170.701") == "0403.170.701"
    assert code_of(format_enterprise_number, "040317070") == "length"


@given(first=st.sampled_from("01"), rest=st.integers(0, 9_999_999))
def test_every_generated_enterprise_number_is_valid(first, rest):
    number = enterprise_number(int(f"{first}{rest:07d}"))
    assume(int(number) != 0)
    assert validate_enterprise_number(number) == number
    assert validate_enterprise_number(format_enterprise_number(number)) == number


@given(first=st.sampled_from("01"), rest=st.integers(0, 9_999_999), data=st.data())
def test_every_single_digit_change_of_an_enterprise_number_is_refused(first, rest, data):
    # Changing one digit of the first eight changes them by d * 10**k, which 97
    # (a prime) never divides; changing one check digit changes the check by
    # less than 97. So no single change can keep the number valid.
    number = enterprise_number(int(f"{first}{rest:07d}"))
    changed = data.draw(st.sampled_from(single_digit_changes(number)))
    with pytest.raises(IdentifierError) as info:
        validate_enterprise_number(changed)
    assert info.value.code in {"checksum", "range"}


# ---------------------------------------------------------------------------
# national register number / BIS number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("85.07.30-033.28", "85073003328"),
        ("85073003328", "85073003328"),
        ("85 07 30 033 28", "85073003328"),
        ("17.07.30-033.84", "17073003384"),  # born 2017: check over 2170730033
        ("98.47.28-997.65", "98472899765"),  # BIS number, sex known (month + 40)
        ("00.02.29-001.45", "00022900145"),  # 29 February 2000
    ],
)
def test_niss_valid(raw, expected):
    assert validate_niss(raw) == expected


def test_niss_bis_number_with_unknown_sex_is_valid():
    number = niss_number(datetime.date(1990, 5, 17), 123, month_offset=20)
    assert number[2:4] == "25"
    assert validate_niss(number) == number


def test_niss_post_2000_check_is_not_the_1900_check():
    # Same first nine digits, born in 2017 or in 1917: different check digits,
    # both valid; check digits 00 match neither reading.
    born_2017 = niss_number(datetime.date(2017, 7, 30), 33)
    born_1917 = niss_number(datetime.date(1917, 7, 30), 33)
    assert born_2017 != born_1917
    assert validate_niss(born_2017) == born_2017
    assert validate_niss(born_1917) == born_1917
    assert code_of(validate_niss, born_2017[:9] + "00") == "checksum"


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("", "empty", "The national register number is empty."),
        ("85.07.3O-033.28", "format", only_digits("O")),
        ("85.07.30-033.2", "length", "A national register number has 11 digits; this one has 10."),
        ("850730033288", "length", "A national register number has 11 digits; this one has 12."),
        ("00000000000", "range", "A national register number cannot be zero."),
        ("85.13.30-033.28", "date", "The birth date 85.13.30 is not a real date."),
        ("85.33.30-033.28", "date", "The birth date 85.33.30 is not a real date."),
        ("85.60.30-033.28", "date", "The birth date 85.60.30 is not a real date."),
        ("85.02.30-033.28", "date", "The birth date 85.02.30 is not a real date."),
        ("85.04.31-033.28", "date", "The birth date 85.04.31 is not a real date."),
        ("85.07.32-033.28", "date", "The birth date 85.07.32 is not a real date."),
        ("85.02.29-033.28", "date", "The birth date 85.02.29 is not a real date."),
        (
            "85.07.30-033.29",
            "checksum",
            "The check digits do not match: this is not a valid national register or BIS number "
            "(mistyped digit?).",
        ),
    ],
)
def test_niss_refused(raw, code, message):
    with pytest.raises(IdentifierError) as info:
        validate_niss(raw)
    assert info.value.code == code
    assert str(info.value) == message


def test_niss_with_unknown_day_or_month_is_valid():
    # The register writes 00 for an unknown day, and 00.00 for an unknown month and day.
    base = "850700033"
    unknown_day = base + f"{97 - int(base) % 97:02d}"
    assert validate_niss(unknown_day) == unknown_day
    base = "850000033"
    unknown_month = base + f"{97 - int(base) % 97:02d}"
    assert validate_niss(unknown_month) == unknown_month


def test_format_niss():
    assert format_niss("85073003328") == "85.07.30-033.28"
    assert format_niss("85.07.30-033.28") == "85.07.30-033.28"
    assert code_of(format_niss, "8507300332") == "length"
    assert code_of(format_niss, "8507300332x") == "format"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("85073003328", "85.07.30-***.**"),
        ("85.07.30-033.28", "85.07.30-***.**"),
        (" 98 47 28 997 65 ", "98.47.28-***.**"),
        ("", "**.**.**-***.**"),
        ("garbage", "**.**.**-***.**"),
        ("8507300332", "**.**.**-***.**"),
        ("850730033289", "**.**.**-***.**"),
        ("8507300332x", "**.**.**-***.**"),
        (None, "**.**.**-***.**"),
        (85073003328, "**.**.**-***.**"),
    ],
)
def test_mask_niss(raw, expected):
    assert mask_niss(raw) == expected


def test_mask_niss_hides_counter_and_check_digits():
    masked = mask_niss("85073003328")
    assert "033" not in masked
    assert "28" not in masked


niss_dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date.today())
niss_counters = st.integers(1, 998)
niss_offsets = st.sampled_from([0, 20, 40])  # national register, BIS (sex unknown / known)


@given(birth=niss_dates, counter=niss_counters, offset=niss_offsets)
def test_every_generated_niss_is_valid(birth, counter, offset):
    number = niss_number(birth, counter, offset)
    assert validate_niss(number) == number
    assert validate_niss(format_niss(number)) == number
    assert mask_niss(number) == format_niss(number)[:9] + "***.**"


@given(birth=niss_dates, counter=niss_counters, offset=niss_offsets, data=st.data())
def test_single_digit_change_of_niss_refused_unless_century_flips(birth, counter, offset, data):
    # A single change to the first nine digits moves them by d * 10**k, never a
    # multiple of 97, and a single change to the check digits cannot restore the
    # check either: within one century every change is caught. But a number is
    # accepted if its check matches EITHER the 1900 reading or the 2000 reading
    # (the nine digits prefixed with 2), and changing a year digit (e.g. 17 -> 11,
    # or 85 -> 05) can land, by a 1-in-97 coincidence, on a number whose check
    # happens to match the other century. Those numbers are genuinely valid, so
    # the property is: a changed number is refused unless its check digits match
    # only the other century's reading.
    number = niss_number(birth, counter, offset)
    century = 2000 if birth.year >= 2000 else 1900
    assert niss_centuries(number) == {century}
    changed = data.draw(st.sampled_from(single_digit_changes(number)))
    assert century not in niss_centuries(changed)
    try:
        validate_niss(changed)
    except IdentifierError as err:
        assert err.code in {"checksum", "date"}
    else:
        assert niss_centuries(changed) == {3900 - century}
        assert changed[2:] == number[2:]  # only a year digit was changed


@pytest.mark.parametrize(
    ("number", "known_survivor"),
    [("85073003328", None), ("17102882226", "11102882226"), ("28081094974", "22081094974")],
)
def test_niss_changes_only_survive_by_flipping_century(number, known_survivor):
    # Exhaustive version of the property above on fixed numbers, one of which
    # (17.10.28-822.26) has a changed year (11) whose check matches the other century.
    survivors = []
    for changed in single_digit_changes(number):
        try:
            validate_niss(changed)
        except IdentifierError:
            continue
        survivors.append(changed)
    for survivor in survivors:
        assert survivor[2:] == number[2:]
        assert len(niss_centuries(survivor)) == 1
        assert niss_centuries(survivor) != niss_centuries(number)
    if known_survivor is None:
        assert survivors == []
    else:
        assert known_survivor in survivors


# ---------------------------------------------------------------------------
# eID card number


@pytest.mark.parametrize("raw", ["591-1917064-58", "591191706458", "591 1917064 58"])
def test_eid_card_valid(raw):
    assert validate_eid_card(raw) == "591191706458"


def test_eid_card_check_97_when_remainder_is_zero():
    assert validate_eid_card("591-2010999-97") == "591201099997"


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("", "empty", "The eID card number is empty."),
        ("591-191706A-58", "format", only_digits("A")),
        ("591-1917064-5", "length", "An eID card number has 12 digits; this one has 11."),
        ("000-0000000-00", "range", "An eID card number cannot be zero."),
        (
            "591-1917064-59",
            "checksum",
            "The check digits do not match: this is not a valid eID card number (mistyped digit?).",
        ),
    ],
)
def test_eid_card_refused(raw, code, message):
    with pytest.raises(IdentifierError) as info:
        validate_eid_card(raw)
    assert info.value.code == code
    assert str(info.value) == message


def test_format_eid_card():
    assert format_eid_card("591191706458") == "591-1917064-58"
    assert code_of(format_eid_card, "59119170645") == "length"


@given(first_ten=st.integers(1, 9_999_999_999), data=st.data())
def test_generated_eid_cards_are_valid_and_single_changes_refused(first_ten, data):
    number = eid_number(first_ten)
    assert validate_eid_card(number) == number
    changed = data.draw(st.sampled_from(single_digit_changes(number)))
    assume(int(changed) != 0)
    assert code_of(validate_eid_card, changed) == "checksum"


# ---------------------------------------------------------------------------
# ONSS registration number


def test_onss_check_rule_on_published_samples():
    assert onss_check_ok(130387593)
    assert onss_check_ok(175110801)
    assert not onss_check_ok(130387594)
    assert not onss_check_ok(175110800)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("130387593", "130387593"),
        ("1303875-93", "130387593"),
        ("175110801", "175110801"),
        ("175.1108.01", "175110801"),
        ("000100006", "000100006"),  # smallest number
        ("199999934", "199999934"),  # largest number
        ("024130387593", "130387593"),  # employer category 024 in front
        ("010 1751108-01", "175110801"),
        ("5000000120", "5000000120"),  # provisional, bounds included
        ("5999999989", "5999999989"),
        ("5123456789", "5123456789"),  # provisional numbers have no check digits
    ],
)
def test_onss_number_valid(raw, expected):
    assert validate_onss_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("", "empty", "The ONSS number is empty."),
        ("1303875-9x", "format", only_digits("x")),
        (
            "13038759",
            "length",
            "An ONSS number has 9 digits (10 for a provisional number, 12 with the employer "
            "category in front); this one has 8.",
        ),
        ("100006", "length", None),
        ("1303875930", "range", None),  # 10 digits not starting with 5
        ("5000000119", "range", None),
        ("5999999990", "range", None),
        (
            "000000096",
            "range",
            "An ONSS number lies between 000100006 and 199999934.",
        ),  # fits the check rule, but too small
        ("200000031", "range", None),  # fits the check rule, but too large
        (
            "130387594",
            "checksum",
            "The check digits do not match: this is not a valid ONSS number (mistyped digit?).",
        ),
        ("024130387594", "checksum", None),
        ("0241303875931", "length", None),
    ],
)
def test_onss_number_refused(raw, code, message):
    with pytest.raises(IdentifierError) as info:
        validate_onss_number(raw)
    assert info.value.code == code
    if message is not None:
        assert str(info.value) == message


def test_onss_range_messages_name_the_bounds():
    with pytest.raises(IdentifierError, match="5000000120 and 5999999989"):
        validate_onss_number("6000000000")


def test_format_onss_number():
    assert format_onss_number("130387593") == "1303875-93"
    assert format_onss_number("000100006") == "0001000-06"
    assert format_onss_number("5000000120") == "5000000120"
    assert code_of(format_onss_number, "13038759") == "length"


onss_numbers = st.integers((100006 - 96) // 97, (199999934 - 96) // 97).map(lambda k: 97 * k + 96)


@given(number=onss_numbers, category=st.integers(0, 999))
def test_every_generated_onss_number_is_valid(number, category):
    compact = f"{number:09d}"
    assert validate_onss_number(compact) == compact
    assert validate_onss_number(format_onss_number(compact)) == compact
    assert validate_onss_number(f"{category:03d}{compact}") == compact


@given(number=onss_numbers, data=st.data())
def test_every_single_digit_change_of_an_onss_number_is_refused(number, data):
    # d * 10**k is never a multiple of 97, so "mod 97 == 96" no longer holds.
    changed = data.draw(st.sampled_from(single_digit_changes(f"{number:09d}")))
    assert code_of(validate_onss_number, changed) in {"checksum", "range"}


@given(number=st.integers(5000000120, 5999999989))
def test_every_provisional_onss_number_is_valid(number):
    assert validate_onss_number(str(number)) == str(number)
    assert format_onss_number(str(number)) == str(number)


# ---------------------------------------------------------------------------
# the generators: numbers made from their leading digits validate


def test_identifier_makers_follow_the_check_digit_rules() -> None:
    before, after = niss_for(datetime.date(1985, 7, 30), 33), niss_for(datetime.date(2004, 2, 29), 998)
    assert before == "85073003328" and validate_niss(before) == before
    assert validate_niss(after) == after
    assert after[9:] == f"{97 - int('2' + after[:9]) % 97:02d}"  # births from 2000: a "2" in front
    assert enterprise_number_for(4_031_707) == "0403170701"
    assert validate_onss_number(onss_number_for(1_303_875)) == "130387593"
    assert validate_eid_card(eid_card_for(5_911_917_064)) == "591191706458"


@given(birth=niss_dates, counter=niss_counters)
def test_niss_for_makes_valid_national_register_numbers(birth, counter):
    number = niss_for(birth, counter)
    assert number == niss_number(birth, counter)
    assert validate_niss(number) == number


@given(base=st.integers(1, 19_999_999))
def test_enterprise_number_for_makes_valid_enterprise_numbers(base):
    number = enterprise_number_for(base)
    assert number == enterprise_number(base)
    assert validate_enterprise_number(number) == number


@given(base=st.integers(1, 9_999_999_999))
def test_eid_card_for_makes_valid_card_numbers(base):
    number = eid_card_for(base)
    assert number == eid_number(base)
    assert validate_eid_card(number) == number


@given(base=st.integers(1_000, 1_999_999))
def test_onss_number_for_makes_numbers_the_one_check_rule_accepts(base):
    number = onss_number_for(base)
    assert int(number) % 97 == 96 and int(number[7:]) == onss_check_digits(base)
    assert onss_check_ok(int(number))
    assert validate_onss_number(number) == number


# ---------------------------------------------------------------------------
# phone numbers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0471 23 45 67", "+32471234567"),  # Belgian mobile
        ("0471/23.45.67", "+32471234567"),
        ("+32 471 23 45 67", "+32471234567"),
        ("0032 471 23 45 67", "+32471234567"),
        ("02 511 22 33", "+3225112233"),  # Brussels landline
        ("(02) 511.22.33", "+3225112233"),
        ("09 223 45 67", "+3292234567"),  # Ghent landline
        ("+33 1 23 45 67 89", "+33123456789"),  # foreign number
        ("+49 30 1234567", "+49301234567"),
    ],
)
def test_phone_valid(raw, expected):
    assert validate_phone(raw) == expected


def test_phone_other_default_region():
    assert validate_phone("01 23 45 67 89", region="FR") == "+33123456789"
    assert validate_phone("0471 23 45 67", region="FR") != "+32471234567"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("0471 23 45 6x", "format"),
        ("0800-FLOWERS", "format"),
        ("+", "format"),
        ("+32 1", "length"),
        ("0471 23 45 67 8", "length"),
        ("0471 23 45 67 89 01 23 45 67", "length"),
        ("+999 1234 5678", "country"),
        ("0471 23 45", "range"),
        ("02 123 45 67", "range"),
    ],
)
def test_phone_refused(raw, code):
    assert code_of(validate_phone, raw) == code


def test_phone_messages_say_what_is_wrong():
    with pytest.raises(IdentifierError, match="too long"):
        validate_phone("0471 23 45 67 8")
    with pytest.raises(IdentifierError, match="country code"):
        validate_phone("+999 1234 5678")
    with pytest.raises(IdentifierError, match=r"not 'x'"):
        validate_phone("0471 23 45 6x")


def test_phone_without_plus_and_unknown_region_is_a_country_error():
    assert code_of(validate_phone, "0471 23 45 67", "XX") == "country"


def test_format_phone():
    assert format_phone("+32471234567") == "+32 471 23 45 67"
    assert format_phone("+3225112233") == "+32 2 511 22 33"
    assert format_phone("+33123456789") == "+33 1 23 45 67 89"
    assert code_of(format_phone, "not a number") == "format"


# ---------------------------------------------------------------------------
# social secretariat / branch numbers


@pytest.mark.parametrize(("raw", "expected"), [("140", "140"), (" 001 ", "001"), ("9.9.9", "999")])
def test_secretariat_number_valid(raw, expected):
    assert validate_secretariat_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("", "empty", "The secretariat number is empty."),
        ("14", "length", "A secretariat or branch number has 3 digits; this one has 2."),
        ("1400", "length", "A secretariat or branch number has 3 digits; this one has 4."),
        ("14a", "format", only_digits("a")),
    ],
)
def test_secretariat_number_refused(raw, code, message):
    with pytest.raises(IdentifierError) as info:
        validate_secretariat_number(raw)
    assert info.value.code == code
    assert str(info.value) == message


def test_every_error_code_is_used():
    seen = {
        code_of(validate_enterprise_number, ""),
        code_of(validate_enterprise_number, "04x"),
        code_of(validate_enterprise_number, "04"),
        code_of(validate_enterprise_number, "0403170702"),
        code_of(validate_enterprise_number, "9403170701"),
        code_of(validate_niss, "85.13.30-033.28"),
        code_of(validate_phone, "+999 1234 5678"),
    }
    assert seen == ERROR_CODES
