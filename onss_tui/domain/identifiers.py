"""Belgian identifiers used by the console: cleaning, validation and display.

Every ``validate_*`` function takes what a user typed, returns the compact form
to store (digits only, or E.164 for phone numbers) and raises
:class:`IdentifierError` when the value is refused. The error carries a short
``code`` (one of :data:`ERROR_CODES`) so that a user interface can choose its
own words, and an English message that says what is wrong.

The ``format_*`` functions turn a stored compact value back into the usual
presentation. They only check the shape (number of digits), not the check
digits, so that any stored value can still be shown.

The ``*_for`` functions make a number with valid check digits from its
leading digits (for demo data and tests).

National register numbers are personal data: show them with
:func:`mask_niss` unless the user explicitly asks to reveal them.

Check digits are verified with python-stdnum (``stdnum.be.vat``,
``stdnum.be.ssn``, ``stdnum.be.eid``) and phone numbers with phonenumbers.
The ONSS registration number has no library; its check rule is kept in
:func:`onss_check_digits`.

>>> validate_enterprise_number('BE 0403.170.701')
'0403170701'
>>> format_niss(validate_niss('85.07.30-033.28'))
'85.07.30-033.28'
>>> mask_niss('85073003328')
'85.07.30-***.**'
"""

from __future__ import annotations

from datetime import date
from functools import cache

from stdnum.be import eid as _eid
from stdnum.be import ssn as _ssn
from stdnum.be import vat as _vat
from stdnum.exceptions import InvalidChecksum, ValidationError

__all__ = [
    "ERROR_CODES",
    "IdentifierError",
    "compact_digits",
    "eid_card_for",
    "enterprise_number_for",
    "format_eid_card",
    "format_enterprise_number",
    "format_niss",
    "format_onss_number",
    "format_phone",
    "mask_niss",
    "niss_for",
    "onss_check_digits",
    "onss_check_ok",
    "onss_number_for",
    "validate_eid_card",
    "validate_email",
    "validate_enterprise_number",
    "validate_niss",
    "validate_onss_number",
    "validate_phone",
    "validate_secretariat_number",
]

ERROR_CODES = frozenset({"empty", "length", "format", "checksum", "date", "range", "country"})
"""The values :attr:`IdentifierError.code` can take."""

ONSS_MIN = 100006
"""Smallest ONSS registration number (9 digits, written with leading zeros)."""
ONSS_MAX = 199999934
"""Largest ONSS registration number."""
ONSS_PROVISIONAL_MIN = 5000000120
"""Smallest provisional ONSS number (10 digits, no check digits)."""
ONSS_PROVISIONAL_MAX = 5999999989
"""Largest provisional ONSS number."""

NISS_MASK = "**.**.**-***.**"
"""What :func:`mask_niss` shows when there is nothing sensible to show."""

_SEPARATORS = frozenset(" .-/")
_DIGITS = frozenset("0123456789")


class IdentifierError(ValueError):
    """Why an identifier was refused, in words a user understands.

    ``code`` is one of :data:`ERROR_CODES`; ``str(err)`` is the English message.

    >>> err = IdentifierError("length", "An eID card number has 12 digits; this one has 3.")
    >>> err.code, str(err)
    ('length', 'An eID card number has 12 digits; this one has 3.')
    """

    def __init__(self, code: str, message: str) -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"unknown identifier error code: {code!r}")
        super().__init__(message)
        self.code = code

    def __repr__(self) -> str:
        return f"IdentifierError({self.code!r}, {str(self)!r})"


# ---------------------------------------------------------------------------
# helpers


def compact_digits(value: str) -> str:
    """Strip spaces, dots, dashes, slashes and a leading ``BE`` (any case).

    Other characters are kept, so that the validators can point them out.

    >>> compact_digits(' BE 0403.170.701 ')
    '0403170701'
    >>> compact_digits('85.07.30-033.28')
    '85073003328'
    >>> compact_digits('591/1917064-58')
    '591191706458'
    >>> compact_digits('12a4')
    '12a4'
    """
    value = value.strip()
    if value[:2].upper() == "BE":
        value = value[2:]
    return "".join(c for c in value if c not in _SEPARATORS and not c.isspace())


def _digits(value: str, what: str) -> str:
    """Compact ``value`` and make sure only digits are left."""
    number = compact_digits(value)
    if not number:
        raise IdentifierError("empty", f"The {what} is empty.")
    for char in number:
        if char not in _DIGITS:
            raise IdentifierError(
                "format",
                f"Only digits, spaces, dots, dashes and slashes are allowed, not {char!r}.",
            )
    return number


def _length(number: str, expected: int, article_what: str) -> None:
    """Refuse ``number`` unless it has ``expected`` digits."""
    if len(number) != expected:
        raise IdentifierError(
            "length",
            f"{article_what} has {expected} digits; this one has {len(number)}.",
        )


def _checksum_error(what: str) -> IdentifierError:
    return IdentifierError(
        "checksum",
        f"The check digits do not match: this is not a valid {what} (mistyped digit?).",
    )


def _shape(compact: str, lengths: tuple[int, ...], what: str) -> str:
    """Compact ``compact`` for display; refuse anything not of the given lengths."""
    number = _digits(compact, what)
    if len(number) not in lengths:
        expected = " or ".join(str(n) for n in lengths)
        raise IdentifierError(
            "length", f"Cannot show a {what} of {len(number)} digits (expected {expected})."
        )
    return number


# ---------------------------------------------------------------------------
# enterprise number (BCE/KBO)


def validate_enterprise_number(value: str) -> str:
    """Check an enterprise number (BCE/KBO) and return its 10 digits.

    The first digit is 0 or 1; the last two are 97 minus the first eight
    modulo 97. A ``BE`` prefix and the usual separators are accepted. The old
    9-digit form is refused, so that a dropped digit is not silently padded.
    Codes: ``empty``, ``format``, ``length``, ``range``, ``checksum``.

    >>> validate_enterprise_number('0403.170.701')
    '0403170701'
    >>> validate_enterprise_number('BE0403170701')
    '0403170701'
    >>> try:
    ...     validate_enterprise_number('403.170.701')
    ... except IdentifierError as err:
    ...     print(err.code, '|', err)
    length | An enterprise number has 10 digits; this one has 9.
    >>> try:
    ...     validate_enterprise_number('0403.170.702')
    ... except IdentifierError as err:
    ...     print(err.code)
    checksum
    """
    what = "enterprise number"
    number = _digits(value, what)
    _length(number, 10, "An enterprise number")
    if number[0] not in "01":
        raise IdentifierError("range", "An enterprise number starts with 0 or 1.")
    if int(number) == 0:
        raise IdentifierError("range", "An enterprise number cannot be zero.")
    try:
        return _vat.validate(number)
    except InvalidChecksum:
        raise _checksum_error(what) from None
    except ValidationError as exc:  # pragma: no cover - the checks above come first
        raise IdentifierError("format", f"This is not a valid {what}.") from exc


def format_enterprise_number(compact: str) -> str:
    """Show an enterprise number as ``0403.170.701``.

    >>> format_enterprise_number('0403170701')
    '0403.170.701'
    """
    number = _shape(compact, (10,), "enterprise number")
    return f"{number[:4]}.{number[4:7]}.{number[7:]}"


def enterprise_number_for(base: int) -> str:
    """The enterprise number whose first eight digits are ``base`` (below 20,000,000).

    >>> enterprise_number_for(4_031_707)
    '0403170701'
    >>> validate_enterprise_number(enterprise_number_for(12_345_678))
    '1234567894'
    """
    return f"{base:08d}{97 - base % 97:02d}"


# ---------------------------------------------------------------------------
# national register number (NISS/INSZ) and BIS number


def _days_in_month(yy: int, month: int) -> int:
    """Days in ``month`` of a year ending in ``yy`` (century unknown).

    Only 1900/2000 are ambiguous for leap years; 29 February is allowed for 00.
    """
    if month == 2:
        return 29 if yy % 4 == 0 else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _check_niss_date(number: str) -> None:
    """Refuse a NISS whose birth date part cannot be a date.

    The month is 01-12 (national register), +20 or +40 (BIS number); a month
    of 00 means no date is encoded, and a day of 00 means an unknown day.
    Stricter than python-stdnum, which reads an impossible day (85.02.30) as
    an unknown day instead of a typing error.
    """
    yy, mm, dd = int(number[0:2]), int(number[2:4]), int(number[4:6])
    month = mm % 20
    shown = f"{number[0:2]}.{number[2:4]}.{number[4:6]}"
    if mm > 52 or month > 12:
        raise IdentifierError("date", f"The birth date {shown} is not a real date.")
    if month and dd > _days_in_month(yy, month):
        raise IdentifierError("date", f"The birth date {shown} is not a real date.")


def validate_niss(value: str) -> str:
    """Check a national register number or BIS number; return its 11 digits.

    The first six digits are the birth date YYMMDD (month +20 or +40 for a
    BIS number), then a counter, then two check digits computed over the first
    nine digits (prefixed with 2 for births from 2000).
    Codes: ``empty``, ``format``, ``length``, ``range``, ``date``, ``checksum``.

    >>> validate_niss('85.07.30-033.28')
    '85073003328'
    >>> validate_niss('98.47.28-997.65')  # BIS number
    '98472899765'
    >>> try:
    ...     validate_niss('85.13.30-033.28')
    ... except IdentifierError as err:
    ...     print(err.code, '|', err)
    date | The birth date 85.13.30 is not a real date.
    >>> try:
    ...     validate_niss('85.07.30-033.29')
    ... except IdentifierError as err:
    ...     print(err.code)
    checksum
    """
    what = "national register number"
    number = _digits(value, what)
    _length(number, 11, "A national register number")
    if int(number) == 0:
        raise IdentifierError("range", "A national register number cannot be zero.")
    _check_niss_date(number)
    try:
        return _ssn.validate(number)
    except InvalidChecksum:
        raise _checksum_error("national register or BIS number") from None
    except ValidationError as exc:  # pragma: no cover - the date check comes first
        shown = f"{number[0:2]}.{number[2:4]}.{number[4:6]}"
        raise IdentifierError("date", f"The birth date {shown} is not a real date.") from exc


def format_niss(compact: str) -> str:
    """Show a national register or BIS number as ``85.07.30-033.28``.

    >>> format_niss('85073003328')
    '85.07.30-033.28'
    """
    n = _shape(compact, (11,), "national register number")
    return f"{n[0:2]}.{n[2:4]}.{n[4:6]}-{n[6:9]}.{n[9:11]}"


def niss_for(born: date, counter: int) -> str:
    """The national register number of someone born on ``born`` with this daily counter (odd: male).

    >>> niss_for(date(1985, 7, 30), 33)
    '85073003328'
    >>> validate_niss(niss_for(date(2004, 2, 29), 998))  # born from 2000: a 2 in front for the check
    '04022999805'
    """
    base = (born.year % 100) * 10_000_000 + born.month * 100_000 + born.day * 1000 + counter
    return f"{base:09d}{97 - (base + (2_000_000_000 if born.year >= 2000 else 0)) % 97:02d}"


def mask_niss(compact: str) -> str:
    """Show only the birth date of a national register number.

    Accepts the compact or the formatted number and never raises.

    >>> mask_niss('85073003328')
    '85.07.30-***.**'
    >>> mask_niss('85.07.30-033.28')
    '85.07.30-***.**'
    >>> mask_niss('garbage')
    '**.**.**-***.**'
    """
    if not isinstance(compact, str):
        return NISS_MASK
    n = compact_digits(compact)
    if len(n) != 11 or not all(c in _DIGITS for c in n):
        return NISS_MASK
    return f"{n[0:2]}.{n[2:4]}.{n[4:6]}-***.**"


# ---------------------------------------------------------------------------
# eID card number


def validate_eid_card(value: str) -> str:
    """Check a Belgian eID card number and return its 12 digits.

    Codes: ``empty``, ``format``, ``length``, ``range``, ``checksum``.

    >>> validate_eid_card('591-1917064-58')
    '591191706458'
    >>> try:
    ...     validate_eid_card('591-1917064-59')
    ... except IdentifierError as err:
    ...     print(err.code)
    checksum
    """
    what = "eID card number"
    number = _digits(value, what)
    _length(number, 12, "An eID card number")
    if int(number) == 0:
        raise IdentifierError("range", "An eID card number cannot be zero.")
    try:
        return _eid.validate(number)
    except InvalidChecksum:
        raise _checksum_error(what) from None
    except ValidationError as exc:  # pragma: no cover - the checks above come first
        raise IdentifierError("format", f"This is not a valid {what}.") from exc


def format_eid_card(compact: str) -> str:
    """Show an eID card number as ``591-1917064-58``.

    >>> format_eid_card('591191706458')
    '591-1917064-58'
    """
    number = _shape(compact, (12,), "eID card number")
    return f"{number[:3]}-{number[3:10]}-{number[10:]}"


def eid_card_for(base: int) -> str:
    """The eID card number whose first ten digits are ``base``.

    >>> eid_card_for(5_911_917_064)
    '591191706458'
    >>> validate_eid_card(eid_card_for(5_900_000_071))  # a multiple of 97: check digits 97
    '590000007197'
    """
    return f"{base:010d}{(base % 97) or 97:02d}"


# ---------------------------------------------------------------------------
# ONSS registration number


def onss_check_digits(base: int) -> int:
    """The check digits of the 9-digit ONSS number whose first seven digits are ``base``.

    The official rule is not published; all known numbers satisfy
    ``number mod 97 == 96``. Change the rule here and nowhere else.

    >>> onss_check_digits(1_303_875), onss_check_digits(1_751_108)
    (93, 1)
    """
    return (96 - base * 100) % 97


def onss_check_ok(number: int) -> bool:
    """Whether a 9-digit ONSS number (as an integer) has matching check digits.

    Check digits 97 to 99 stand for 0 to 2, as the rule reads them.

    >>> onss_check_ok(130387593), onss_check_ok(175110801), onss_check_ok(130387594)
    (True, True, False)
    >>> onss_check_ok(100000500), onss_check_ok(100000597)
    (True, True)
    """
    return number % 100 % 97 == onss_check_digits(number // 100)


def onss_number_for(base: int) -> str:
    """The 9-digit ONSS number whose first seven digits are ``base``.

    >>> onss_number_for(1_303_875)
    '130387593'
    >>> validate_onss_number(onss_number_for(1_999_998))
    '199999837'
    """
    return f"{base:07d}{onss_check_digits(base):02d}"


def validate_onss_number(value: str) -> str:
    """Check an ONSS registration number and return it compact.

    Accepted forms:

    * 9 digits NNNNNNNCC between 000100006 and 199999934 whose check digits
      satisfy :func:`onss_check_ok`; returned as 9 digits;
    * the same preceded by a 3-digit employer category (12 digits); the
      category is dropped and the 9-digit number returned;
    * a provisional number: 10 digits between 5000000120 and 5999999989,
      without check digits; returned as is.

    Codes: ``empty``, ``format``, ``length``, ``range``, ``checksum``.

    >>> validate_onss_number('1303875-93')
    '130387593'
    >>> validate_onss_number('024 1751108-01')
    '175110801'
    >>> validate_onss_number('5000000120')
    '5000000120'
    >>> try:
    ...     validate_onss_number('1303875-94')
    ... except IdentifierError as err:
    ...     print(err.code)
    checksum
    """
    what = "ONSS number"
    number = _digits(value, what)
    if len(number) == 10:
        if not ONSS_PROVISIONAL_MIN <= int(number) <= ONSS_PROVISIONAL_MAX:
            raise IdentifierError(
                "range",
                f"A provisional ONSS number (10 digits) lies between "
                f"{ONSS_PROVISIONAL_MIN} and {ONSS_PROVISIONAL_MAX}.",
            )
        return number
    if len(number) == 12:
        number = number[3:]
    if len(number) != 9:
        raise IdentifierError(
            "length",
            "An ONSS number has 9 digits (10 for a provisional number, 12 with the "
            f"employer category in front); this one has {len(number)}.",
        )
    if not ONSS_MIN <= int(number) <= ONSS_MAX:
        bounds = f"{ONSS_MIN:09d} and {ONSS_MAX}"
        raise IdentifierError("range", f"An ONSS number lies between {bounds}.")
    if not onss_check_ok(int(number)):
        raise _checksum_error(what)
    return number


def format_onss_number(compact: str) -> str:
    """Show an ONSS number as ``1303875-93``; a provisional one as its digits.

    >>> format_onss_number('130387593')
    '1303875-93'
    >>> format_onss_number('5000000120')
    '5000000120'
    """
    number = _shape(compact, (9, 10), "ONSS number")
    if len(number) == 10:
        return number
    return f"{number[:7]}-{number[7:]}"


# ---------------------------------------------------------------------------
# phone numbers

_PHONE_CHARS = frozenset("0123456789+()./- ")


@cache
def _phone_errors() -> tuple[dict[int, tuple[str, str]], dict[int, tuple[str, str]]]:
    """Codes and messages for phonenumbers' parse errors and impossible numbers (phonenumbers is imported
    on first use: it takes longer to import than the console's first frame can spare)."""
    import phonenumbers

    too_short = ("length", "This phone number is too short.")
    too_long = ("length", "This phone number is too long.")
    country = ("country", "Unknown country code: write a foreign number with + and its country code.")
    parse = phonenumbers.NumberParseException
    possible = phonenumbers.ValidationResult
    return (
        {
            parse.INVALID_COUNTRY_CODE: country,
            parse.NOT_A_NUMBER: ("format", "This is not a phone number."),
            parse.TOO_SHORT_AFTER_IDD: too_short,
            parse.TOO_SHORT_NSN: too_short,
            parse.TOO_LONG: too_long,
        },
        {
            possible.INVALID_COUNTRY_CODE: country,
            possible.TOO_SHORT: too_short,
            possible.TOO_LONG: too_long,
            possible.IS_POSSIBLE_LOCAL_ONLY: ("length", "This phone number lacks its area code."),
            possible.INVALID_LENGTH: (
                "length",
                "This phone number has the wrong number of digits for its country.",
            ),
        },
    )


def validate_phone(value: str, region: str = "BE") -> str:
    """Check a phone number and return it in E.164 form (``+32471234567``).

    Numbers without ``+`` (or ``00``) are read as numbers of ``region``.
    Codes: ``empty``, ``format``, ``length``, ``country``, ``range``.

    >>> validate_phone('0471 23 45 67')
    '+32471234567'
    >>> validate_phone('+33 1 23 45 67 89')
    '+33123456789'
    >>> try:
    ...     validate_phone('0471 23 45 67 8')
    ... except IdentifierError as err:
    ...     print(err.code, '|', err)
    length | This phone number is too long.
    """
    text = value.strip()
    if not text:
        raise IdentifierError("empty", "The phone number is empty.")
    for char in text:
        if char not in _PHONE_CHARS and not char.isspace():
            raise IdentifierError(
                "format",
                "A phone number may contain only digits, spaces, +, brackets, dots, "
                f"dashes and slashes, not {char!r}.",
            )
    import phonenumbers

    parse_errors, possible_errors = _phone_errors()
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        code, message = parse_errors.get(exc.error_type, ("format", "This is not a phone number."))
        raise IdentifierError(code, message) from None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason in possible_errors:
        code, message = possible_errors[reason]
        raise IdentifierError(code, message)
    if not phonenumbers.is_valid_number(number):
        raise IdentifierError(
            "range",
            f"This is not a valid phone number for country code +{number.country_code} "
            "(a digit too few or too many, or an unknown area code?).",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_email(value: str) -> str:
    """Check the form of an e-mail address (not that it receives mail) and return it normalised.

    >>> validate_email(' anne.peeters@Example.be ')
    'anne.peeters@example.be'
    >>> for address in ('anne@@example.be', 'anne@example..be', 'anne.@example.be', 'anne@example'):
    ...     try:
    ...         validate_email(address)
    ...     except IdentifierError as err:
    ...         print(err.code, '|', err)
    format | This is not an e-mail address (name@example.be).
    format | This is not an e-mail address (name@example.be).
    format | This is not an e-mail address (name@example.be).
    format | This is not an e-mail address (name@example.be).
    """
    from email_validator import EmailNotValidError
    from email_validator import validate_email as check

    text = value.strip()
    if not text:
        raise IdentifierError("empty", "The e-mail address is empty.")
    try:
        return check(text, check_deliverability=False).normalized
    except EmailNotValidError:
        raise IdentifierError("format", "This is not an e-mail address (name@example.be).") from None


def format_phone(e164: str) -> str:
    """Show an E.164 phone number in international format.

    >>> format_phone('+32471234567')
    '+32 471 23 45 67'
    >>> format_phone('+3225112233')
    '+32 2 511 22 33'
    """
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException as exc:
        code, message = _phone_errors()[0].get(exc.error_type, ("format", "This is not a phone number."))
        raise IdentifierError(code, message) from None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# ---------------------------------------------------------------------------
# social secretariat and branch numbers


def validate_secretariat_number(value: str) -> str:
    """Check a social secretariat (or branch) number: exactly 3 digits, no check.

    Codes: ``empty``, ``format``, ``length``.

    >>> validate_secretariat_number('140')
    '140'
    >>> try:
    ...     validate_secretariat_number('14')
    ... except IdentifierError as err:
    ...     print(err.code, '|', err)
    length | A secretariat or branch number has 3 digits; this one has 2.
    """
    number = _digits(value, "secretariat number")
    _length(number, 3, "A secretariat or branch number")
    return number
