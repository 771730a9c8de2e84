"""Report and plan deadlines in working days (seed-004 §7.7), overdue hazards and their escalation to
the campaign owner. Holiday dates are checked against core.workdays, not assumed."""

import datetime as dt

import pytest

from tests.rectification import factories
from weijian.core.calendar import is_working_day, working_days_between
from weijian.core.workdays import WorkingDayCalendar
from weijian.rectification.models import HazardSource
from weijian.rectification.selectors import escalated_to_owner, overdue_hazards
from weijian.rectification.services import hazard_create

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.mark.parametrize(
    ("inspected_on", "due", "make_up_day", "holiday"),
    [
        # National Day 2025: 10-01..10-08 off, Saturday 10-11 worked.
        (D(2025, 9, 30), D(2025, 10, 16), D(2025, 10, 11), D(2025, 10, 8)),
        # National Day 2026: 10-01..10-07 off, Saturday 10-10 worked.
        (D(2026, 9, 30), D(2026, 10, 15), D(2026, 10, 10), D(2026, 10, 7)),
        # Spring Festival 2026: 02-15..02-23 off, Saturdays 02-14 and 02-28 worked.
        (D(2026, 2, 12), D(2026, 2, 28), D(2026, 2, 14), D(2026, 2, 23)),
    ],
)
def test_the_report_is_due_seven_working_days_after_the_inspection_across_holidays(
    world, inspected_on, due, make_up_day, holiday
):
    assert WorkingDayCalendar().covers(inspected_on.year)
    assert is_working_day(make_up_day) and make_up_day.weekday() == 5
    assert not is_working_day(holiday) and holiday.weekday() < 5
    inspection = factories.inspection(world, on=inspected_on)
    hazard = hazard_create(
        user=world.users["supervisor"],
        institution=world.institutions["county_hospital"],
        category=factories.category(),
        level="general",
        description="消防通道堆放杂物",
        source=HazardSource.ON_SITE,
        found_on=inspected_on,
        inspection=inspection,
    )
    assert hazard.report_due == due
    assert working_days_between(inspected_on, due) == 7


def test_a_report_is_overdue_only_the_day_after_it_is_due(world):
    hazard = factories.hazard(world, found_on=D(2025, 9, 30), report_due=D(2025, 10, 16))
    supervisor = world.users["supervisor"]
    assert hazard not in overdue_hazards(supervisor, D(2025, 10, 16))
    assert hazard in overdue_hazards(supervisor, D(2025, 10, 17))


def test_a_listed_major_hazard_without_a_plan_is_overdue_after_the_report_date(world):
    hazard = factories.hazard(world, level="major", state="listed", report_due=D(2025, 10, 16))
    assert hazard in overdue_hazards(world.users["supervisor"], D(2025, 10, 20))


def test_a_plan_in_hand_stops_the_report_clock_and_starts_the_deadline_clock(world):
    planned = factories.hazard(world, state="planned", report_due=D(2025, 10, 16), deadline=D(2025, 11, 30))
    late = factories.hazard(world, state="in_progress", report_due=D(2025, 10, 16), deadline=D(2025, 10, 31))
    overdue = list(overdue_hazards(world.users["supervisor"], D(2025, 11, 3)))
    assert late in overdue
    assert planned not in overdue


@pytest.mark.parametrize("state", ["completed", "verified", "closed", "looked_back"])
def test_a_completed_rectification_is_never_overdue(world, state):
    factories.hazard(world, state=state, report_due=D(2025, 10, 16), deadline=D(2025, 10, 31))
    assert not overdue_hazards(world.users["supervisor"], D(2026, 1, 5)).exists()


def test_an_institution_sees_only_its_own_overdue_hazards(world):
    own = factories.hazard(world)
    other = factories.hazard(world, institution="th1")
    overdue = list(overdue_hazards(world.users["institution_manager"], D(2025, 11, 3)))
    assert own in overdue
    assert other not in overdue


def test_overdue_hazards_are_escalated_to_the_campaign_owner(world):
    by_commission = factories.campaign(world, owner="commission_a")
    by_institute = factories.campaign(world, owner="supervision_a")
    late = factories.hazard(world, campaign=by_commission, report_due=D(2025, 10, 16))
    on_time = factories.hazard(world, campaign=by_commission, report_due=D(2025, 11, 14))
    other_owner = factories.hazard(world, campaign=by_institute, report_due=D(2025, 10, 16))
    no_campaign = factories.hazard(world, report_due=D(2025, 10, 16))
    today = D(2025, 11, 3)

    assert list(escalated_to_owner(world.users["commission_leader"], today)) == [late]
    assert list(escalated_to_owner(world.users["supervisor"], today)) == [other_owner]
    assert not escalated_to_owner(world.users["institution_manager"], today).exists()
    assert {on_time, no_campaign}.isdisjoint(escalated_to_owner(world.users["commission_leader"], today))
