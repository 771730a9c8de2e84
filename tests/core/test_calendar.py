"""The project's calendar: the holiday notices plus the HolidayOverride table, cached per process."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from weijian.core import calendar
from weijian.core.models import HolidayOverride
from weijian.core.workdays import WorkingDayCalendar

D = dt.date

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_calendar():
    # The test database is rolled back without signals, so a cached calendar would outlive its rows.
    calendar.clear_cache()
    yield
    calendar.clear_cache()


def override(day: dt.date, working: bool, note: str = "") -> HolidayOverride:
    return HolidayOverride.objects.create(date=day, is_working_day=working, note=note)


def test_without_overrides_a_deadline_follows_the_national_day_notice():
    assert calendar.add_working_days(D(2024, 9, 30), 7) == D(2024, 10, 15)
    assert calendar.working_days_between(D(2024, 9, 30), D(2024, 10, 15)) == 7


def test_a_make_up_sunday_is_a_working_day():
    assert calendar.is_working_day(D(2024, 9, 29))


def test_saving_an_override_is_seen_by_the_next_call():
    assert calendar.is_working_day(D(2024, 10, 8))
    override(D(2024, 10, 8), False, "县城停电")
    assert not calendar.is_working_day(D(2024, 10, 8))
    assert calendar.add_working_days(D(2024, 9, 30), 1) == D(2024, 10, 9)


def test_changing_an_override_is_seen_by_the_next_call():
    row = override(D(2024, 10, 8), False)
    assert not calendar.is_working_day(D(2024, 10, 8))
    row.is_working_day = True
    row.save()
    assert calendar.is_working_day(D(2024, 10, 8))


def test_deleting_an_override_is_seen_by_the_next_call():
    row = override(D(2024, 10, 7), True)
    assert calendar.is_working_day(D(2024, 10, 7))
    row.delete()
    assert not calendar.is_working_day(D(2024, 10, 7))


def test_deleting_overrides_through_a_queryset_is_seen_by_the_next_call():
    override(D(2024, 10, 7), True)
    assert calendar.is_working_day(D(2024, 10, 7))
    HolidayOverride.objects.all().delete()
    assert not calendar.is_working_day(D(2024, 10, 7))


def test_the_calendar_is_built_once_until_an_override_changes(django_assert_num_queries):
    calendar.is_working_day(D(2024, 10, 8))
    with django_assert_num_queries(0):
        calendar.add_working_days(D(2024, 9, 30), 7)
        calendar.working_days_between(D(2024, 9, 30), D(2024, 10, 15))


def test_a_change_without_signals_is_seen_once_the_cache_is_old(monkeypatch):
    row = override(D(2024, 10, 8), False)
    assert not calendar.is_working_day(D(2024, 10, 8))
    HolidayOverride.objects.filter(pk=row.pk).update(is_working_day=True)
    assert not calendar.is_working_day(D(2024, 10, 8))
    monkeypatch.setattr(calendar, "MAX_AGE_SECONDS", -1.0)
    assert calendar.is_working_day(D(2024, 10, 8))


def test_overrides_give_a_year_the_library_lacks_its_spring_festival():
    # A hypothetical 2027 notice (New Year's Eve is Fri 5 Feb): off 5-12 Feb,
    # make-up working days Sun 31 Jan and Sat 20 Feb. The other days fall back to Monday-Friday.
    assert not calendar.current_calendar().covers(2027), "the library now has 2027: use a year it lacks"
    for i in range(8):
        override(D(2027, 2, 5) + dt.timedelta(days=i), False, "春节")
    override(D(2027, 1, 31), True, "春节调休上班")
    override(D(2027, 2, 20), True, "春节调休上班")

    assert calendar.add_working_days(D(2027, 2, 4), 1) == D(2027, 2, 15)
    assert calendar.add_working_days(D(2027, 2, 4), 7) == D(2027, 2, 22)
    assert calendar.working_days_between(D(2027, 1, 29), D(2027, 2, 22)) == 12


def test_a_calendar_cached_before_the_saving_transaction_commits_is_dropped_at_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        override(D(2024, 10, 8), False)
        # What another thread would have cached had it read the table before this commit.
        calendar._cached = (time.monotonic(), WorkingDayCalendar())
    assert not calendar.is_working_day(D(2024, 10, 8))
