"""The code validators against the standards' own examples, their malformed cousins and properties.

Each malformed input asserts which rule fired, by comparing with the rule's msgid passed through
gettext, so the tests hold whichever language is active and whether or not it is translated.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from hypothesis import given
from hypothesis import strategies as st

from weijian.core import synthetic
from weijian.core.validators import (
    CREDIT_ALPHABET,
    PROVINCE_CODES,
    birth_date_from_id,
    credit_code_check_char,
    credit_code_error,
    division_code_error,
    division_level_of,
    id_number_check_char,
    id_number_error,
    sex_from_id,
    validate_credit_code_field,
    validate_division_code_field,
    validate_id_number_field,
)

D = dt.date
TODAY = D(2025, 6, 1)

# The published examples: GB 11643-1999 annex A and GB 32100-2015 annex B.
GB11643_EXAMPLE = "11010519491231002X"
GB32100_EXAMPLE = "91350100M000100Y43"

ID_LENGTH = "A resident ID number has 18 characters."
ID_DIGITS = "The first 17 characters of a resident ID number must be digits."
ID_LAST_CHAR = "The last character of a resident ID number must be a digit or X."
ID_PROVINCE = "The first two digits of a resident ID number must be a province code."
ID_REAL_DATE = "Digits 7 to 14 of a resident ID number must be a real birth date."
ID_DATE_RANGE = "The birth date in a resident ID number is out of range."
ID_CHECK = "The check character of the resident ID number is wrong (GB 11643)."

CREDIT_LENGTH = "A unified social credit code has 18 characters."
CREDIT_ALPHABET_RULE = "A unified social credit code uses digits and capital letters except I, O, Z, S and V."
CREDIT_AUTHORITY = (
    "The first character of a unified social credit code must be a registration authority code."
)
CREDIT_DIVISION = "Characters 3 to 8 of a unified social credit code must be a division code."
CREDIT_CHECK = "The check character of the unified social credit code is wrong (GB 32100)."

DIVISION_DIGITS = "A division code has 12 digits."
DIVISION_PROVINCE = "The first two digits of a division code must be a province code."
DIVISION_ZERO_LEVEL = "A division code cannot have a lower level under a level that is all zeros."


# Reference check algorithms written from the standards' tables, independent of the module.
def gb11643_check(body: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]  # 2^(i-1) mod 11, i = 18..2
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


GB32100_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def gb32100_check(body: str) -> str:
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]  # 3^(i-1) mod 31
    total = sum(GB32100_ALPHABET.index(c) * w for c, w in zip(body, weights, strict=True))
    return GB32100_ALPHABET[(31 - total % 31) % 31]


def with_id_check(body: str) -> str:
    return body + gb11643_check(body)


def with_credit_check(body: str) -> str:
    return body + gb32100_check(body)


# --- Resident ID number (GB 11643) -----------------------------------------------------------


def test_gb11643_example_check_character_is_x_by_the_standard_algorithm():
    # 1*7 + 1*9 + 0*10 + 1*5 + 0*8 + 5*4 + 1*2 + 9*1 + 4*6 + 9*3 + 1*7 + 2*9 + 3*10 + 1*5 + 0*8
    # + 0*4 + 2*2 = 167; 167 mod 11 = 2 -> X.
    assert gb11643_check(GB11643_EXAMPLE[:17]) == "X"
    assert id_number_check_char(GB11643_EXAMPLE[:17]) == "X"


def test_gb11643_example_is_valid():
    assert id_number_error(GB11643_EXAMPLE, today=TODAY) is None


def test_gb11643_example_is_a_woman_born_on_31_december_1949():
    assert birth_date_from_id(GB11643_EXAMPLE) == D(1949, 12, 31)
    assert sex_from_id(GB11643_EXAMPLE) == "F"


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("", ID_LENGTH),
        (GB11643_EXAMPLE[:17], ID_LENGTH),
        (GB11643_EXAMPLE + "0", ID_LENGTH),
        (" " + GB11643_EXAMPLE, ID_LENGTH),
        (None, ID_LENGTH),
        (110105194912310020, ID_LENGTH),
        ("11010519491231A02X", ID_DIGITS),
        ("１１０１０５１９４９１２３１００２X", ID_DIGITS),  # full-width digits
        ("110105-949123100２X", ID_DIGITS),
        ("11010519491231002Y", ID_LAST_CHAR),
        # A lower-case x is refused: the standard writes X, and the unique column and the
        # upper-cased search would otherwise miss or duplicate the number.
        ("11010519491231002x", ID_LAST_CHAR),
        (with_id_check("10010519491231002"), ID_PROVINCE),
        (with_id_check("99010519491231002"), ID_PROVINCE),
        (with_id_check("00010519491231002"), ID_PROVINCE),
        (with_id_check("11010519490230002"), ID_REAL_DATE),  # 30 February
        (with_id_check("11010520230229002"), ID_REAL_DATE),  # 29 February in a common year
        (with_id_check("11010519491301002"), ID_REAL_DATE),  # month 13
        (with_id_check("11010519491200002"), ID_REAL_DATE),  # day 0
        (with_id_check("11010500000101002"), ID_REAL_DATE),  # year 0
        (with_id_check("11010520250602002"), ID_DATE_RANGE),  # the day after TODAY
        (with_id_check("11010518791231002"), ID_DATE_RANGE),
        ("110105194912310020", ID_CHECK),
        ("110105194912310021", ID_CHECK),
        ("11010519491231003X", ID_CHECK),  # sequence changed, check kept
    ],
)
def test_malformed_id_number_names_the_rule_it_breaks(value, rule):
    assert id_number_error(value, today=TODAY) == gettext(rule)


def test_id_number_born_today_is_valid():
    assert id_number_error(with_id_check("11010520250601002"), today=TODAY) is None


def test_leap_day_birth_date_is_valid():
    assert id_number_error(with_id_check("11010520000229002"), today=TODAY) is None


@pytest.mark.parametrize("area", ["810000", "820000", "830000"])
def test_residence_permit_numbers_of_hong_kong_macao_and_taiwan_residents_are_valid(area):
    assert id_number_error(with_id_check(f"{area}19800101001"), today=TODAY) is None


def test_every_single_character_change_of_the_gb11643_example_is_detected():
    for position, original in enumerate(GB11643_EXAMPLE):
        for replacement in "0123456789Xx":
            if replacement != original:
                changed = GB11643_EXAMPLE[:position] + replacement + GB11643_EXAMPLE[position + 1 :]
                assert id_number_error(changed, today=TODAY) is not None, changed


# --- Unified social credit code (GB 32100) ---------------------------------------------------


def test_gb32100_example_check_character_is_3_by_the_standard_algorithm():
    # 9*1 + 1*3 + 3*9 + 5*27 + 0*19 + 1*26 + 0*16 + 0*17 + M(21)*20 + 0*29 + 0*25 + 0*13 + 1*8
    # + 0*24 + 0*10 + Y(30)*30 + 4*28 = 1640; 1640 mod 31 = 28; 31 - 28 = 3.
    assert gb32100_check(GB32100_EXAMPLE[:17]) == "3"
    assert credit_code_check_char(GB32100_EXAMPLE[:17]) == "3"


def test_gb32100_example_is_valid():
    assert credit_code_error(GB32100_EXAMPLE) is None


def test_credit_code_alphabet_is_the_standards_31_characters():
    assert CREDIT_ALPHABET == GB32100_ALPHABET
    assert not set("IOZSV") & set(CREDIT_ALPHABET)


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("", CREDIT_LENGTH),
        (GB32100_EXAMPLE[:17], CREDIT_LENGTH),
        (GB32100_EXAMPLE + "0", CREDIT_LENGTH),
        (None, CREDIT_LENGTH),
        ("91350100m000100y43", CREDIT_ALPHABET_RULE),
        ("91350100I000100Y43", CREDIT_ALPHABET_RULE),
        ("91350100O000100Y43", CREDIT_ALPHABET_RULE),
        ("91350100Z000100Y43", CREDIT_ALPHABET_RULE),
        ("91350100S000100Y43", CREDIT_ALPHABET_RULE),
        ("91350100V000100Y43", CREDIT_ALPHABET_RULE),
        ("91350100-000100Y43", CREDIT_ALPHABET_RULE),
        ("913501００M000100Y43", CREDIT_ALPHABET_RULE),  # full-width zeros
        ("9135010 M000100Y43", CREDIT_ALPHABET_RULE),
        (with_credit_check("B1350100M000100Y4"), CREDIT_AUTHORITY),
        (with_credit_check("01350100M000100Y4"), CREDIT_AUTHORITY),
        (with_credit_check("X1350100M000100Y4"), CREDIT_AUTHORITY),
        (with_credit_check("91A50100M000100Y4"), CREDIT_DIVISION),
        (with_credit_check("913501Y0M000100Y4"), CREDIT_DIVISION),
        ("91350100M000100Y44", CREDIT_CHECK),
        ("91350100M000100Y40", CREDIT_CHECK),
        ("91350100M000101Y43", CREDIT_CHECK),
    ],
)
def test_malformed_credit_code_names_the_rule_it_breaks(value, rule):
    assert credit_code_error(value) == gettext(rule)


@pytest.mark.parametrize("authority", list("123456789ANY"))
def test_every_registration_authority_of_gb32100_table_1_is_accepted(authority):
    assert credit_code_error(with_credit_check(f"{authority}1350100M000100Y4")) is None


def test_every_single_character_change_of_the_gb32100_example_is_detected():
    for position, original in enumerate(GB32100_EXAMPLE):
        for replacement in CREDIT_ALPHABET:
            if replacement != original:
                changed = GB32100_EXAMPLE[:position] + replacement + GB32100_EXAMPLE[position + 1 :]
                assert credit_code_error(changed) is not None, changed


# --- Division code ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "level"),
    [
        ("110000000000", "province"),
        ("110100000000", "city"),
        ("110105000000", "county"),
        ("110105001000", "township"),
        ("110105001001", "village"),
    ],
)
def test_well_formed_division_code_is_valid_at_every_level(value, level):
    assert division_code_error(value) is None
    assert division_level_of(value) == level


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("", DIVISION_DIGITS),
        ("11010500100", DIVISION_DIGITS),
        ("1101050010010", DIVISION_DIGITS),
        (None, DIVISION_DIGITS),
        (110105001001, DIVISION_DIGITS),
        ("11010500100A", DIVISION_DIGITS),
        ("１１０１０５００１００１", DIVISION_DIGITS),  # full-width digits
        ("-11010500100", DIVISION_DIGITS),
        ("110105 01001", DIVISION_DIGITS),
        ("990000000000", DIVISION_PROVINCE),
        ("000000000000", DIVISION_PROVINCE),
        ("830000000000", DIVISION_PROVINCE),  # 83 is valid in residence permit numbers only
        ("110001000000", DIVISION_ZERO_LEVEL),  # county under a zero city
        ("110100001000", DIVISION_ZERO_LEVEL),  # township under a zero county
        ("110105000001", DIVISION_ZERO_LEVEL),  # village under a zero township
        ("110001000001", DIVISION_ZERO_LEVEL),
    ],
)
def test_malformed_division_code_names_the_rule_it_breaks(value, rule):
    assert division_code_error(value) == gettext(rule)


# --- Field validators ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "validate", [validate_id_number_field, validate_credit_code_field, validate_division_code_field]
)
def test_field_validators_leave_an_empty_value_to_blank_and_null(validate):
    validate("")
    validate(None)


@pytest.mark.parametrize(
    ("validate", "value", "rule"),
    [
        (validate_id_number_field, "110105194912310021", ID_CHECK),
        (validate_credit_code_field, "91350100M000100Y44", CREDIT_CHECK),
        (validate_division_code_field, "110105000001", DIVISION_ZERO_LEVEL),
    ],
)
def test_field_validators_raise_the_rules_message(validate, value, rule):
    with pytest.raises(ValidationError) as raised:
        validate(value)
    assert raised.value.code == "invalid"
    assert raised.value.messages == [gettext(rule)]


# --- Properties ------------------------------------------------------------------------------

province_area = st.builds(
    lambda province, rest: province + rest,
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.from_regex(r"[0-9]{4}", fullmatch=True),
)
birth_dates = st.dates(min_value=D(1880, 1, 1), max_value=TODAY)
synthetic_ids = st.builds(synthetic.id_number, province_area, birth_dates, st.integers())
any_area = st.from_regex(r"[0-9]{6}", fullmatch=True)
synthetic_credit_codes = st.builds(
    synthetic.credit_code,
    any_area,
    st.integers(min_value=0),
    authority=st.sampled_from("123456789ANY"),
    kind=st.sampled_from(CREDIT_ALPHABET),
)


@given(body=st.from_regex(r"[0-9]{17}", fullmatch=True))
def test_id_number_check_character_agrees_with_the_standards_table(body):
    assert id_number_check_char(body) == gb11643_check(body)


@given(body=st.text(alphabet=CREDIT_ALPHABET, min_size=17, max_size=17))
def test_credit_code_check_character_agrees_with_the_standards_table(body):
    assert credit_code_check_char(body) == gb32100_check(body)


@given(value=synthetic_ids)
def test_synthetic_id_number_is_valid(value):
    assert id_number_error(value, today=TODAY) is None


@given(value=synthetic_credit_codes)
def test_synthetic_credit_code_is_valid(value):
    assert credit_code_error(value) is None


# MOD 11-2 detects every single substitution: a changed digit at position i shifts the sum by
# d * w_i with 0 < |d| <= 9 and 0 < w_i < 11, never a multiple of the prime 11; a changed check
# character no longer matches; any other character breaks the format rules.
@given(
    value=synthetic_ids,
    position=st.integers(min_value=0, max_value=17),
    replacement=st.one_of(st.sampled_from("0123456789Xx"), st.characters()),
)
def test_changing_one_character_of_a_valid_id_number_makes_it_invalid(value, position, replacement):
    changed = value[:position] + replacement + value[position + 1 :]
    if changed != value:
        assert id_number_error(changed, today=TODAY) is not None


# MOD 31 likewise: weights 3^k mod 31 are never 0 and 31 is prime, so d * w_i with 0 < |d| < 31
# is never a multiple of 31.
@given(
    value=synthetic_credit_codes,
    position=st.integers(min_value=0, max_value=17),
    replacement=st.one_of(st.sampled_from(CREDIT_ALPHABET.lower() + CREDIT_ALPHABET), st.characters()),
)
def test_changing_one_character_of_a_valid_credit_code_makes_it_invalid(value, position, replacement):
    changed = value[:position] + replacement + value[position + 1 :]
    if changed != value:
        assert credit_code_error(changed) is not None
