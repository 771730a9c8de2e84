"""The pure working-day calendar against the State Council's holiday notices for 2024-2026.

Sources (国务院办公厅关于…年部分节假日安排的通知): 2024 notice of 2023-10-25, 2025 notice of
2024-11-12 (国办发明电〔2024〕12号), 2026 notice of 2025-11-04. The dates below were checked
against the published text and agree with chinese_calendar 1.11.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from weijian.core.workdays import WorkingDayCalendar

D = dt.date

# (period, first day off, last day off, make-up working days 调休上班), as in the notices.
NOTICES = [
    ("2024 春节", D(2024, 2, 10), D(2024, 2, 17), [D(2024, 2, 4), D(2024, 2, 18)]),
    ("2024 国庆节", D(2024, 10, 1), D(2024, 10, 7), [D(2024, 9, 29), D(2024, 10, 12)]),
    ("2025 春节", D(2025, 1, 28), D(2025, 2, 4), [D(2025, 1, 26), D(2025, 2, 8)]),
    ("2025 国庆节、中秋节", D(2025, 10, 1), D(2025, 10, 8), [D(2025, 9, 28), D(2025, 10, 11)]),
    ("2026 春节", D(2026, 2, 15), D(2026, 2, 23), [D(2026, 2, 14), D(2026, 2, 28)]),
    ("2026 国庆节", D(2026, 10, 1), D(2026, 10, 7), [D(2026, 9, 20), D(2026, 10, 10)]),
]
NOTICE_IDS = [period for period, *_ in NOTICES]

# (start, n, expected deadline, why): deadlines a caseworker would compute by hand.
DEADLINES = [
    (D(2024, 9, 30), 7, D(2024, 10, 15), "skips 1-7 Oct, counts Sat 12 Oct"),
    (D(2025, 9, 30), 7, D(2025, 10, 16), "skips 1-8 Oct, counts Sat 11 Oct"),
    (D(2026, 9, 30), 7, D(2026, 10, 15), "skips 1-7 Oct, counts Sat 10 Oct"),
    (D(2024, 9, 27), 1, D(2024, 9, 29), "Sun 29 Sep is a make-up working day"),
    (D(2026, 9, 18), 1, D(2026, 9, 20), "Sun 20 Sep is a make-up working day"),
    (D(2024, 2, 8), 1, D(2024, 2, 9), "2024 New Year's Eve was a working day; rest was only encouraged"),
    (D(2024, 2, 8), 2, D(2024, 2, 18), "skips 10-17 Feb, counts Sun 18 Feb"),
    (D(2025, 1, 24), 1, D(2025, 1, 26), "Sun 26 Jan is a make-up working day"),
    (D(2025, 1, 27), 4, D(2025, 2, 8), "skips 28 Jan-4 Feb, counts Sat 8 Feb"),
    (D(2026, 2, 13), 1, D(2026, 2, 14), "Sat 14 Feb is a make-up working day"),
    (D(2026, 2, 13), 2, D(2026, 2, 24), "skips 15-23 Feb"),
    (D(2026, 2, 24), 4, D(2026, 2, 28), "Sat 28 Feb is a make-up working day"),
]
DEADLINE_IDS = [why for *_, why in DEADLINES]

calendar = WorkingDayCalendar()


def days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


@pytest.mark.parametrize(("period", "first", "last", "make_up"), NOTICES, ids=NOTICE_IDS)
def test_every_day_of_a_holiday_period_is_a_day_off(period, first, last, make_up):
    assert [d for d in days(first, last) if calendar.is_working_day(d)] == []


@pytest.mark.parametrize(("period", "first", "last", "make_up"), NOTICES, ids=NOTICE_IDS)
def test_make_up_weekend_days_are_working_days(period, first, last, make_up):
    assert all(d.weekday() >= 5 for d in make_up)
    assert all(calendar.is_working_day(d) for d in make_up)


@pytest.mark.parametrize(("period", "first", "last", "make_up"), NOTICES, ids=NOTICE_IDS)
def test_a_holiday_period_is_bounded_by_working_days_or_a_weekend(period, first, last, make_up):
    before, after = first - dt.timedelta(days=1), last + dt.timedelta(days=1)
    assert calendar.is_working_day(before) == (before.weekday() < 5 or before in make_up)
    assert calendar.is_working_day(after) == (after.weekday() < 5 or after in make_up)


@pytest.mark.parametrize(("start", "n", "expected", "why"), DEADLINES, ids=DEADLINE_IDS)
def test_deadline_counted_in_working_days_follows_the_notice(start, n, expected, why):
    assert calendar.add_working_days(start, n) == expected


@pytest.mark.parametrize(("start", "n", "expected", "why"), DEADLINES, ids=DEADLINE_IDS)
def test_working_days_between_start_and_deadline_is_n(start, n, expected, why):
    assert calendar.working_days_between(start, expected) == n


def test_zero_working_days_returns_the_start_even_on_a_holiday():
    assert calendar.add_working_days(D(2024, 10, 3), 0) == D(2024, 10, 3)


def test_a_start_on_a_holiday_counts_from_the_first_working_day_after_it():
    assert calendar.add_working_days(D(2024, 10, 3), 1) == D(2024, 10, 8)


def test_negative_n_counts_backwards_over_the_holiday():
    assert calendar.add_working_days(D(2024, 10, 8), -1) == D(2024, 9, 30)
    assert calendar.add_working_days(D(2024, 10, 8), -2) == D(2024, 9, 29)


def test_working_days_between_is_negative_when_the_end_is_earlier():
    assert calendar.working_days_between(D(2024, 10, 15), D(2024, 9, 30)) == -7


def test_working_days_between_a_day_and_itself_is_zero():
    assert calendar.working_days_between(D(2024, 10, 1), D(2024, 10, 1)) == 0


def test_library_covers_the_years_of_the_notices():
    assert all(calendar.covers(year) for year in (2024, 2025, 2026))


def test_library_does_not_cover_years_before_2004_or_far_ahead():
    assert not calendar.covers(2003)
    assert not calendar.covers(2100)


def test_a_year_the_library_lacks_falls_back_to_monday_to_friday():
    week = days(D(2100, 1, 4), D(2100, 1, 10))  # Monday to Sunday
    assert [calendar.is_working_day(d) for d in week] == [True] * 5 + [False] * 2


def test_an_override_can_make_a_library_working_day_a_day_off():
    local = WorkingDayCalendar({D(2024, 10, 8): False})
    assert not local.is_working_day(D(2024, 10, 8))
    assert local.add_working_days(D(2024, 9, 30), 1) == D(2024, 10, 9)


def test_an_override_can_make_a_library_day_off_a_working_day():
    local = WorkingDayCalendar({D(2024, 10, 7): True})
    assert local.add_working_days(D(2024, 9, 30), 1) == D(2024, 10, 7)


def test_overrides_apply_in_a_year_the_library_lacks():
    # A hypothetical 2027 Spring Festival (New Year's Eve is Fri 5 Feb): off 5-12 Feb,
    # make-up working days Sun 31 Jan and Sat 20 Feb.
    overrides = {d: False for d in days(D(2027, 2, 5), D(2027, 2, 12))}
    overrides |= {D(2027, 1, 31): True, D(2027, 2, 20): True}
    local = WorkingDayCalendar(overrides)
    assert not local.covers(2027), "the library now has 2027: move this test to a year it lacks"
    assert local.add_working_days(D(2027, 1, 29), 1) == D(2027, 1, 31)
    assert local.add_working_days(D(2027, 2, 4), 1) == D(2027, 2, 15)
    assert local.add_working_days(D(2027, 2, 4), 6) == D(2027, 2, 20)
    assert local.add_working_days(D(2027, 2, 4), 7) == D(2027, 2, 22)


def test_overrides_passed_in_are_copied_so_later_changes_do_not_leak_in():
    overrides = {D(2024, 10, 8): False}
    local = WorkingDayCalendar(overrides)
    overrides[D(2024, 10, 8)] = True
    assert not local.is_working_day(D(2024, 10, 8))


def test_a_datetime_is_refused_because_its_day_depends_on_the_time_zone():
    with pytest.raises(TypeError):
        calendar.is_working_day(dt.datetime(2024, 10, 8, 12, 0))


# Properties, over the library's years and a few beyond, with arbitrary overrides on top.
any_day = st.dates(min_value=D(2004, 1, 1), max_value=D(2029, 12, 31))
some_overrides = st.dictionaries(any_day, st.booleans(), max_size=30)


@given(overrides=some_overrides, start=any_day, n=st.integers(min_value=0, max_value=60))
def test_working_days_between_start_and_add_working_days_is_n(overrides, start, n):
    local = WorkingDayCalendar(overrides)
    assert local.working_days_between(start, local.add_working_days(start, n)) == n


@given(overrides=some_overrides, start=any_day, n=st.integers(min_value=-60, max_value=-1))
def test_counting_back_from_a_working_day_round_trips(overrides, start, n):
    local = WorkingDayCalendar(overrides)
    assume(local.is_working_day(start))
    assert local.working_days_between(start, local.add_working_days(start, n)) == n


@given(overrides=some_overrides, start=any_day, n=st.integers(min_value=-60, max_value=60))
def test_add_working_days_lands_on_a_working_day(overrides, start, n):
    assume(n != 0)
    local = WorkingDayCalendar(overrides)
    assert local.is_working_day(local.add_working_days(start, n))


@given(overrides=some_overrides, start=any_day, n=st.integers(min_value=-60, max_value=60))
def test_add_working_days_is_strictly_increasing_in_n(overrides, start, n):
    local = WorkingDayCalendar(overrides)
    assert local.add_working_days(start, n) < local.add_working_days(start, n + 1)


@given(overrides=some_overrides, a=any_day, offset=st.integers(min_value=-400, max_value=400))
def test_working_days_between_is_antisymmetric(overrides, a, offset):
    local = WorkingDayCalendar(overrides)
    b = a + dt.timedelta(days=offset)
    assert local.working_days_between(a, b) == -local.working_days_between(b, a)
