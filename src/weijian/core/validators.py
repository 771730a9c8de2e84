"""Checks for the codes the commission's records carry, each with a clear Chinese message.

- Resident ID number (公民身份号码), GB 11643-1999: 17 digits + check character (0-9 or X),
  ISO 7064 MOD 11-2; digits 7-14 are the birth date. Only a capital X is accepted: the standard
  writes it so, the column is unique and searches upper-case the query, so a stored lower-case x
  would both slip past uniqueness and never be found. Forms should upper-case before validating.
- Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters from a 31-character
  alphabet without I, O, Z, S, V; the last is a check character (MOD 31).
- Division code (统计用区划代码): 12 digits, 2 province + 2 city + 2 county + 3 township + 3 village;
  a level left as zeros cannot be followed by a non-zero level.

The pure functions return an error message or None; the *_field wrappers raise ValidationError.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# GB/T 2260 province-level codes, one line per region (the first digit).
PROVINCE_CODES = frozenset({
    "11", "12", "13", "14", "15",
    "21", "22", "23",
    "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46",
    "50", "51", "52", "53", "54",
    "61", "62", "63", "64", "65",
    "71",
    "81", "82",
})  # fmt: skip

# Residence permits for Hong Kong, Macao and Taiwan residents (港澳台居民居住证) carry a GB 11643
# number with the address code 810000, 820000 or 830000 (港澳台居民居住证申领发放办法, 2018);
# 83 is not a GB/T 2260 province, so it is valid only here, not in division codes.
ID_NUMBER_AREA_PREFIXES = PROVINCE_CODES | {"83"}

_ID_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]
_ID_CHECK = "10X98765432"

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUE = {c: i for i, c in enumerate(CREDIT_ALPHABET)}
_CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
# First character: registration authority (GB 32100-2015 table 1).
_CREDIT_AUTHORITIES = frozenset("123456789ANY")


def id_number_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def id_number_error(value: str, *, today: dt.date | None = None) -> str | None:
    """Why `value` is not a valid resident ID number, or None if it is."""
    if not isinstance(value, str) or len(value) != 18:
        return _("A resident ID number has 18 characters.")
    body, check = value[:17], value[17]
    if not body.isascii() or not body.isdigit():
        return _("The first 17 characters of a resident ID number must be digits.")
    if check not in "0123456789X":
        return _("The last character of a resident ID number must be a digit or X.")
    if body[:2] not in ID_NUMBER_AREA_PREFIXES:
        return _("The first two digits of a resident ID number must be a province code.")
    try:
        birth = dt.date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        return _("Digits 7 to 14 of a resident ID number must be a real birth date.")
    if birth.year < 1880 or birth > (today or dt.date.today()):
        return _("The birth date in a resident ID number is out of range.")
    if id_number_check_char(body) != check:
        return _("The check character of the resident ID number is wrong (GB 11643).")
    return None


def birth_date_from_id(value: str) -> dt.date:
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def sex_from_id(value: str) -> str:
    """'M' or 'F': the 17th digit is odd for men (GB 11643)."""
    return "M" if int(value[16]) % 2 else "F"


def credit_code_check_char(first17: str) -> str:
    total = sum(_CREDIT_VALUE[c] * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_error(value: str) -> str | None:
    """Why `value` is not a valid unified social credit code, or None if it is."""
    if not isinstance(value, str) or len(value) != 18:
        return _("A unified social credit code has 18 characters.")
    if any(c not in _CREDIT_VALUE for c in value):
        return _("A unified social credit code uses digits and capital letters except I, O, Z, S and V.")
    if value[0] not in _CREDIT_AUTHORITIES:
        return _("The first character of a unified social credit code must be a registration authority code.")
    if not value[2:8].isdigit():
        return _("Characters 3 to 8 of a unified social credit code must be a division code.")
    if credit_code_check_char(value[:17]) != value[17]:
        return _("The check character of the unified social credit code is wrong (GB 32100).")
    return None


def division_code_error(value: str) -> str | None:
    """Why `value` is not a well-formed 12-digit division code, or None if it is."""
    if not isinstance(value, str) or len(value) != 12 or not value.isascii() or not value.isdigit():
        return _("A division code has 12 digits.")
    if value[:2] not in PROVINCE_CODES:
        return _("The first two digits of a division code must be a province code.")
    segments = [value[2:4], value[4:6], value[6:9], value[9:12]]
    seen_zero = False
    for segment in segments:
        if int(segment) == 0:
            seen_zero = True
        elif seen_zero:
            return _("A division code cannot have a lower level under a level that is all zeros.")
    return None


def division_level_of(code: str) -> str:
    """The level a well-formed division code names: the last non-zero segment."""
    if int(code[9:12]):
        return "village"
    if int(code[6:9]):
        return "township"
    if int(code[4:6]):
        return "county"
    if int(code[2:4]):
        return "city"
    return "province"


def _field(check):
    def validate(value):
        if value in (None, ""):
            return
        message = check(value)
        if message:
            raise ValidationError(message, code="invalid")

    validate.__name__ = f"validate_{check.__name__.removesuffix('_error')}_field"
    validate.__qualname__ = validate.__name__
    validate.__module__ = __name__
    return validate


validate_id_number_field = _field(id_number_error)
validate_credit_code_field = _field(credit_code_error)
validate_division_code_field = _field(division_code_error)
