"""Reporting periods and how the forms write them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

FRIDAY = 4


@dataclass(frozen=True)
class Period:
    """A closed range of days, both ends included."""

    start: dt.date
    end: dt.date

    def __post_init__(self):
        if self.start > self.end:
            raise ValueError(f"period starts after it ends: {self.start} > {self.end}")

    @property
    def label(self) -> str:
        """`2024年度`, `2024年第2季度`, or `2024年1月5日至2024年3月9日`."""
        start, end = self.start, self.end
        if start.year == end.year and (start.month, start.day) == (1, 1) and (end.month, end.day) == (12, 31):
            return f"{start.year}年度"
        quarter = quarter_of(start)
        if quarter is not None and Period(*quarter) == self:
            return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
        return f"{chinese_date(start)}至{chinese_date(end)}"


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date] | None:
    """The quarter starting on `day`, or None when `day` does not start one."""
    if day.day != 1 or day.month not in (1, 4, 7, 10):
        return None
    last_month = day.month + 2
    next_first = dt.date(day.year + 1, 1, 1) if last_month == 12 else dt.date(day.year, last_month + 1, 1)
    return day, next_first - dt.timedelta(days=1)


def friday_on_or_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - FRIDAY) % 7)


def reporting_week(day: dt.date) -> Period:
    """The week a weekly report sent on or before `day` covers: last Friday to this Friday
    (A18 附件2 注: 统计时间区间为上周五至本周五)."""
    end = friday_on_or_before(day)
    return Period(end - dt.timedelta(days=7), end)


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
