"""The resident ID number check (GB 11643-1999) for polars columns, millions of rows at once.

The same rule as `weijian.core.validators.id_number_error`, which checks one value and imports Django;
this module imports neither Django nor that module, and a property test keeps the two in step.

- `valid_id_numbers(ids, today)`: a Boolean Series, True where the value is a valid number: 17 ASCII
  digits and a check character (0-9 or a capital X), a province-level area code, digits 7-14 a real
  birth date from 1880 up to `today`, ISO 7064 MOD 11-2 over the whole number. Never null.
- `parse_id_numbers(ids, today)`: what reconciliation needs: each value stripped and upper-cased
  (`id`), `valid`, and the first 17 digits as an Int64 (`body`, null unless valid), which identifies
  the person: the check character follows from it. `birth_dates(bodies)` reads their birth dates.
- `id_problem(expr, today)`: a polars expression, null when valid, else the first rule broken (one of
  `PROBLEMS`, in the order the single-value check tests them). Slower: for the failing rows only.

No Python loop per row, and no regular expression on the fast path: the 17 digits are cast to one
integer and the weighted sum is read from tables of 6-, 6- and 5-digit chunks (a sign, space or non-ASCII digit
makes the cast fail or the area code wrong, which the property test checks).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

# Weights 2^(17-i) mod 11: 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 (GB 11643 §8.2).
WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))
CHECK_CHARS = "10X98765432"

# GB/T 2260 province-level codes plus 83 (Taiwan residents' residence permits), as in
# weijian.core.validators.ID_NUMBER_AREA_PREFIXES; repeated because that module imports Django.
AREA_PREFIXES = frozenset({
    11, 12, 13, 14, 15,
    21, 22, 23,
    31, 32, 33, 34, 35, 36, 37,
    41, 42, 43, 44, 45, 46,
    50, 51, 52, 53, 54,
    61, 62, 63, 64, 65,
    71,
    81, 82, 83,
})  # fmt: skip
EARLIEST_BIRTH_YEAR = 1880

PROBLEMS = ("length", "digits", "check_char", "area", "birth_date", "birth_range", "checksum")
PROBLEM_TEXT = {
    "length": "not 18 characters",
    "digits": "first 17 characters not all digits",
    "check_char": "last character neither a digit nor X",
    "area": "first two digits not a province code",
    "birth_date": "digits 7-14 not a real date",
    "birth_range": "birth date before 1880 or in the future",
    "checksum": "wrong check character",
}

_SHAPE = r"^[0-9]{17}[0-9X]$"


def _high(expr: pl.Expr) -> pl.Expr:
    """Digits 1-9 as an integer."""
    return expr.str.slice(0, 9).cast(pl.Int64, strict=False)


def _low(expr: pl.Expr) -> pl.Expr:
    """Digits 10-17 as an integer."""
    return expr.str.slice(9, 8).cast(pl.Int64, strict=False)


def _date_parts(high: pl.Expr, low: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]:
    birth = (high % 1000) * 100_000 + low // 1000
    return birth, birth // 10_000, birth // 100 % 100, birth % 100


def _real_date(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    days_in_month = (
        pl.when(month == 2)
        .then(pl.when(leap).then(29).otherwise(28))
        .when(month.is_in([4, 6, 9, 11]))
        .then(30)
        .otherwise(31)
    )
    return (year >= 1) & month.is_between(1, 12) & (day >= 1) & (day <= days_in_month)


def _checksum_ok(expr: pl.Expr, high: pl.Expr, low: pl.Expr) -> pl.Expr:
    total = pl.lit(0, dtype=pl.Int64)
    for i, weight in enumerate(WEIGHTS[:9]):
        total = total + (high // 10 ** (8 - i) % 10) * weight
    for j, weight in enumerate(WEIGHTS[9:]):
        total = total + (low // 10 ** (7 - j) % 10) * weight
    last = expr.str.slice(17, 1)
    value = pl.when(last == "X").then(10).otherwise(last.cast(pl.Int64, strict=False))
    # MOD 11-2: with the check character's weight 1 the whole number sums to 1 modulo 11.
    return (total + value) % 11 == 1


def _today_int(today: dt.date | None) -> int:
    today = today or dt.date.today()
    return today.year * 10_000 + today.month * 100 + today.day


def _weighted_sums(first: int, width: int) -> pl.Series:
    """The weighted digit sum, modulo 11, of every `width`-digit chunk starting at digit `first`."""
    weights = WEIGHTS[first : first + width]
    sums = [0] * 10**width
    for position, weight in enumerate(weights):
        step = 10 ** (width - 1 - position)
        for value in range(10**width):
            sums[value] += (value // step % 10) * weight
    return pl.Series([total % 11 for total in sums], dtype=pl.Int16)


# The 17 digits as chunks of 6, 6 and 5: (divisor, modulus, table) so that chunk = body // divisor % modulus.
_CHUNKS = (
    (10**11, 10**6, _weighted_sums(0, 6)),
    (10**5, 10**6, _weighted_sums(6, 6)),
    (1, 10**5, _weighted_sums(12, 5)),
)
# Real month-days as MMDD (0..9999), 29 February included; it needs a leap year as well.
_REAL_MMDD = pl.Series(
    [
        1 <= mmdd % 100 <= (29 if mmdd // 100 == 2 else 30 if mmdd // 100 in (4, 6, 9, 11) else 31)
        and 1 <= mmdd // 100 <= 12
        for mmdd in range(10_000)
    ],
    dtype=pl.Boolean,
)


def _check(ids: pl.Series, today: dt.date | None) -> pl.DataFrame:
    """Columns valid (Boolean, never null) and body (the first 17 characters as an Int64, or null)."""
    value = pl.col("id")
    frame = pl.DataFrame({"id": ids.cast(pl.String)}).select(
        length_ok=value.str.len_bytes() == 18,
        # 17 ASCII characters that parse as an integer; a leading sign leaves a wrong area code below.
        body=value.str.head(17).cast(pl.Int64, strict=False),
        last=pl.when(value.str.ends_with("X")).then(10).otherwise(value.cast(pl.Int64, strict=False) % 10),
    )
    body = pl.when(pl.col("body") >= 0).then(pl.col("body"))
    frame = frame.with_columns(body=body)
    body = pl.col("body")
    checksum = sum(pl.lit(table).gather(body // divisor % modulus) for divisor, modulus, table in _CHUNKS)
    frame = frame.with_columns(
        area=body // 10**15, birth=body // 1000 % 10**8, total=checksum.cast(pl.Int64) + pl.col("last")
    )
    birth = pl.col("birth")
    year, mmdd = birth // 10_000, birth % 10_000
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    valid = (
        pl.col("length_ok")
        & pl.col("area").is_in(sorted(AREA_PREFIXES))
        & pl.lit(_REAL_MMDD).gather(mmdd)
        & ((mmdd != 229) | leap)
        & (year >= EARLIEST_BIRTH_YEAR)
        & (birth <= _today_int(today))
        # MOD 11-2: with the check character's weight 1 the whole number sums to 1 modulo 11.
        & (pl.col("total") % 11 == 1)
    )
    return frame.select(valid=valid.fill_null(False), body="body")


def valid_id_numbers(ids: pl.Series, today: dt.date | None = None) -> pl.Series:
    """True where `ids` (strings, as written: no stripping or upper-casing) is a valid ID number."""
    return _check(ids, today)["valid"]


def parse_id_numbers(ids: pl.Series, today: dt.date | None = None) -> pl.DataFrame:
    """Columns id (stripped, upper-case), valid and body (null unless valid); see the module docstring."""
    raw = ids.cast(pl.String).fill_null("")
    checked = _check(raw, today)
    normalised = raw
    # A valid value is already normalised; only the others can change (spaces, a lower-case x).
    failing = checked["valid"].not_().arg_true()
    if len(failing):
        before = raw.gather(failing)
        after = before.str.strip_chars().str.to_uppercase()
        changed = (after != before).fill_null(False)
        if changed.any():
            where = failing.filter(changed)
            normalised = raw.clone().scatter(where, after.filter(changed))
            again = _check(after.filter(changed), today)
            checked = checked.with_columns(
                valid=checked["valid"].clone().scatter(where, again["valid"]),
                body=checked["body"].clone().scatter(where, again["body"]),
            )
    return checked.select(id=normalised, valid="valid", body=pl.when("valid").then("body"))


def birth_dates(bodies: pl.Series) -> pl.Series:
    """The birth dates (Date) in the 17-digit bodies of valid ID numbers."""
    birth = bodies // 1000 % 10**8
    return pl.select(pl.date(birth // 10_000, birth // 100 % 100, birth % 100)).to_series()


def id_problem(expr: pl.Expr, today: dt.date | None = None) -> pl.Expr:
    """The first rule `expr` breaks (see PROBLEMS), or null when it is a valid ID number."""
    high, low = _high(expr), _low(expr)
    birth, year, month, day = _date_parts(high, low)
    return (
        pl.when(expr.is_null() | (expr.str.len_chars() != 18))
        .then(pl.lit("length"))
        .when(~expr.str.slice(0, 17).str.contains(r"^[0-9]{17}$"))
        .then(pl.lit("digits"))
        .when(~expr.str.slice(17, 1).str.contains(r"^[0-9X]$"))
        .then(pl.lit("check_char"))
        .when(~(high // 10_000_000).is_in(sorted(AREA_PREFIXES)))
        .then(pl.lit("area"))
        .when(~_real_date(year, month, day))
        .then(pl.lit("birth_date"))
        .when((year < EARLIEST_BIRTH_YEAR) | (birth > _today_int(today)))
        .then(pl.lit("birth_range"))
        .when(~_checksum_ok(expr, high, low))
        .then(pl.lit("checksum"))
    )
