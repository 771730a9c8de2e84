"""The reply deadline in working days (20 by default, seed-000 篇6 §6.5; per category otherwise),
overdue complaints and late replies. Holiday dates are checked against the calendar, not assumed."""

import datetime as dt

import pytest

from tests.complaints import factories
from weijian.complaints.selectors import is_overdue, overdue, working_days_left
from weijian.core.calendar import is_working_day, working_days_between

pytestmark = pytest.mark.django_db

D = dt.date


def test_twenty_working_days_from_the_monday_before_national_day_2026(world):
    # National Day 2026: 10-01..10-07 off, Saturday 10-10 worked.
    assert not any(is_working_day(D(2026, 10, day)) for day in range(1, 8))
    assert is_working_day(D(2026, 10, 10))
    complaint = factories.submit(world, received_at=factories.at(D(2026, 9, 28)))
    assert complaint.reply_due == D(2026, 10, 30)
    assert working_days_between(D(2026, 9, 28), complaint.reply_due) == 20


def test_a_category_with_ten_working_days(world):
    complaint = factories.submit(
        world, category=factories.custom_category(days=10), received_at=factories.at(D(2026, 9, 28))
    )
    assert complaint.reply_due == D(2026, 10, 16)
    assert working_days_between(D(2026, 9, 28), complaint.reply_due) == 10


def test_the_day_of_receipt_is_the_local_date(world):
    # 00:30 in Beijing on Monday 28 September is still Sunday in UTC.
    complaint = factories.submit(world, received_at=factories.at(D(2026, 9, 28), hour=0, minute=30))
    assert complaint.received_on == D(2026, 9, 28)
    assert complaint.reply_due == D(2026, 10, 30)


def test_a_complaint_received_on_a_holiday_counts_from_the_next_working_day(world):
    complaint = factories.submit(world, received_at=factories.at(D(2026, 10, 3)))
    # 10-08 is the first working day; with Saturday 10-10 worked, the twentieth is 11-03.
    assert complaint.reply_due == D(2026, 11, 3)


def test_a_reply_on_the_due_date_is_on_time_and_a_day_later_is_late(world):
    on_time = factories.complaint(
        world,
        state="replied",
        reply_due=D(2026, 10, 30),
        handled_on=D(2026, 10, 29),
        replied_on=D(2026, 10, 30),
    )
    late = factories.complaint(
        world,
        state="replied",
        reply_due=D(2026, 10, 30),
        handled_on=D(2026, 10, 29),
        replied_on=D(2026, 11, 2),
    )
    waiting = factories.complaint(world, state="checking", reply_due=D(2026, 10, 30))
    assert on_time.replied_late is False
    assert late.replied_late is True
    assert waiting.replied_late is None


def test_a_complaint_is_overdue_only_the_day_after_the_reply_was_due(world):
    complaint = factories.complaint(world, reply_due=D(2026, 10, 30))
    supervisor = world.users["supervisor"]
    assert complaint not in overdue(supervisor, D(2026, 10, 30))
    assert complaint in overdue(supervisor, D(2026, 10, 31))
    assert is_overdue(complaint, D(2026, 10, 31))


@pytest.mark.parametrize("state", ["received", "assigned", "transferred", "checking", "handled"])
def test_every_state_before_the_reply_can_be_overdue(world, state):
    complaint = factories.complaint(world, state=state, reply_due=D(2026, 10, 30))
    assert list(overdue(world.users["supervisor"], D(2026, 11, 2))) == [complaint]


@pytest.mark.parametrize("state", ["replied", "rated"])
def test_a_replied_complaint_is_never_overdue_even_when_it_was_late(world, state):
    complaint = factories.complaint(
        world, state=state, reply_due=D(2026, 10, 30), handled_on=D(2026, 11, 2), replied_on=D(2026, 11, 3)
    )
    assert complaint.replied_late is True
    assert not overdue(world.users["supervisor"], D(2026, 12, 1)).exists()
    assert working_days_left(complaint, D(2026, 12, 1)) is None


def test_working_days_left_count_down_across_the_holiday_and_turn_negative(world):
    complaint = factories.complaint(world, reply_due=D(2026, 10, 9))
    assert working_days_left(complaint, D(2026, 9, 30)) == 2  # 10-08 and 10-09
    assert working_days_left(complaint, D(2026, 10, 9)) == 0
    assert working_days_left(complaint, D(2026, 10, 12)) == -2  # 10-10 (worked) and 10-12


def test_overdue_follows_the_scope(world):
    own = factories.complaint(world, reply_due=D(2026, 10, 30))
    factories.complaint(world, division="county_b", handling="commission_b", reply_due=D(2026, 10, 30))
    assert list(overdue(world.users["supervisor"], D(2026, 11, 2))) == [own]
