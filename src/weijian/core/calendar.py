"""Working-day arithmetic for the whole project: the holiday notices plus the HolidayOverride table.

Every deadline counted in working days goes through these functions. The calendar is built once
per process and dropped whenever a HolidayOverride is saved or deleted here (the signals below,
connected from CoreConfig.ready). A change made by another process, or by QuerySet.update() or
bulk_create(), which send no signals, is picked up within MAX_AGE_SECONDS.
"""

from __future__ import annotations

import datetime as dt
import time

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import HolidayOverride
from .workdays import WorkingDayCalendar

MAX_AGE_SECONDS = 300.0

_cached: tuple[float, WorkingDayCalendar] | None = None


def current_calendar() -> WorkingDayCalendar:
    """The library's calendar with the HolidayOverride rows applied."""
    global _cached
    cached = _cached
    now = time.monotonic()
    if cached is None or now - cached[0] > MAX_AGE_SECONDS:
        overrides = dict(HolidayOverride.objects.values_list("date", "is_working_day"))
        cached = (now, WorkingDayCalendar(overrides))
        _cached = cached
    return cached[1]


def clear_cache() -> None:
    global _cached
    _cached = None


def is_working_day(day: dt.date) -> bool:
    return current_calendar().is_working_day(day)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (start not counted); before it if n < 0; start if n == 0."""
    return current_calendar().add_working_days(start, n)


def working_days_between(a: dt.date, b: dt.date) -> int:
    """How many working days d have a < d <= b (negative if b < a)."""
    return current_calendar().working_days_between(a, b)


@receiver(post_save, sender=HolidayOverride, dispatch_uid="weijian.core.calendar.override_saved")
@receiver(post_delete, sender=HolidayOverride, dispatch_uid="weijian.core.calendar.override_deleted")
def _override_changed(sender, using, **kwargs) -> None:
    clear_cache()
    # Another thread may rebuild from the old rows before this transaction commits: drop it again.
    transaction.on_commit(clear_cache, using=using)
