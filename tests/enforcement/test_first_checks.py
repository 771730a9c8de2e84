"""检查对象数 counts objects, not visits: each subject's first check in a campaign and category carries the
mark, a check entered late with an earlier date takes it over, and the forms of successive periods add
up to the form of the whole campaign."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reports import factories
from weijian.campaigns.models import ViolationCategory
from weijian.enforcement import services
from weijian.enforcement.models import SiteCheck
from weijian.reports.engine.periods import Period
from weijian.reports.forms import beauty_summary

pytestmark = pytest.mark.django_db
CATEGORY = "beauty_unlicensed_practice"


def _check(world, campaign, on, party="某美容店"):
    return services.site_check_record(
        user=world.users["supervisor"],
        campaign=campaign,
        category=ViolationCategory.objects.get(code=CATEGORY),
        checked_on=on,
        party_name=party,
        division=world.divisions["t1"],
    )


def _inspected(campaign, division, start, end) -> int:
    form = beauty_summary.compute(campaign, division, Period(start, end))
    return form.inspected[beauty_summary.CATEGORY_CODES.index(CATEGORY)]


def test_the_first_check_of_a_subject_carries_the_mark(world):
    campaign = factories.campaign(world)
    first = _check(world, campaign, dt.date(2026, 3, 1))
    again = _check(world, campaign, dt.date(2026, 5, 1))
    other = _check(world, campaign, dt.date(2026, 5, 2), party="另一家美容店")
    assert (first.first_of_subject, again.first_of_subject, other.first_of_subject) == (True, False, True)


def test_a_check_entered_late_with_an_earlier_date_takes_the_mark(world):
    campaign = factories.campaign(world)
    later = _check(world, campaign, dt.date(2026, 5, 1))
    earlier = _check(world, campaign, dt.date(2026, 2, 1))
    later.refresh_from_db()
    assert earlier.first_of_subject and not later.first_of_subject


def test_an_object_checked_in_two_quarters_counts_once_in_the_year(world):
    campaign = factories.campaign(world)
    _check(world, campaign, dt.date(2026, 2, 10))
    _check(world, campaign, dt.date(2026, 5, 10))
    county = world.divisions["county_a"]
    q1 = _inspected(campaign, county, dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    q2 = _inspected(campaign, county, dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    year = _inspected(campaign, county, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert (q1, q2, year) == (1, 0, 1)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 360)),  # (which subject, day of the year)
        min_size=1,
        max_size=12,
    )
)
def test_exactly_one_mark_per_subject_on_its_earliest_check(world, checks):
    campaign = factories.campaign(world)  # a new campaign per example: examples share the world
    for subject, day in checks:
        _check(world, campaign, dt.date(2026, 1, 1) + dt.timedelta(days=day), party=f"美容店{subject}")
    for subject in {s for s, _d in checks}:
        rows = list(SiteCheck.objects.filter(campaign=campaign, party_name=f"美容店{subject}"))
        marked = [r for r in rows if r.first_of_subject]
        assert len(marked) == 1
        assert marked[0].checked_on == min(r.checked_on for r in rows)
