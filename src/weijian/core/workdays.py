"""Working days in mainland China: the State Council's yearly holiday notices plus local overrides.

The notices (国务院办公厅关于某年部分节假日安排的通知) come from the `chinese_calendar` library,
which covers only the years published when it was released. For other years the calendar falls
back to Monday to Friday; overrides (an administrator's 休/班 corrections) always win.

Pure Python, no Django: `weijian.core.calendar` builds one of these from the HolidayOverride table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache

import chinese_calendar

_ONE_DAY = dt.timedelta(days=1)


# The library's data never changes in a running process, and each of its look-ups scans all its
# dates to check the year, so remember the answers (a century of days is under 40,000 entries).
@lru_cache(maxsize=65536)
def _library_is_workday(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


class WorkingDayCalendar:
    """Which dates are working days, and counting in working days."""

    def __init__(self, overrides: Mapping[dt.date, bool] | None = None) -> None:
        """`overrides` maps a date to True (a working day) or False (a day off)."""
        self._overrides = dict(overrides or {})

    def covers(self, year: int) -> bool:
        """Whether the library has the State Council's notice for `year`."""
        try:
            chinese_calendar.is_workday(dt.date(year, 1, 1))
        except NotImplementedError:
            return False
        return True

    def is_working_day(self, day: dt.date) -> bool:
        # A datetime would need a time zone to say which day it is; the caller must decide.
        if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
            raise TypeError(f"expected a date, got {type(day).__name__}")
        if day in self._overrides:
            return self._overrides[day]
        return _library_is_workday(day)

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start` (start itself not counted); before it if n < 0.

        n = 0 returns `start` unchanged, even when it is a day off.
        """
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        day, remaining = start, abs(n)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """How many working days d have a < d <= b; the negative count for (b, a] if b < a.

        So working_days_between(a, add_working_days(a, n)) == n for every n >= 0, and for n < 0
        when `a` is itself a working day.
        """
        if b < a:
            return -self.working_days_between(b, a)
        count, day = 0, a
        while day < b:
            day += _ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count
