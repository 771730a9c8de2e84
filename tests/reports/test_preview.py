"""The forms page of a medical-beauty campaign shows its summary table so far, cell for cell."""

import datetime as dt

import pytest

from tests.reports import factories
from weijian.enforcement.models import PenaltyKind

pytestmark = pytest.mark.django_db


def test_the_preview_shows_the_records_in_their_cells(world, login):
    campaign = factories.campaign(world, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    campaign.template_code = "medical_beauty"
    campaign.save()
    factories.site_check(world, campaign, "beauty_unlicensed_practice", party="某美容店")
    case = factories.case(
        world, campaign, "beauty_unlicensed_practice", party="某美容店", filed_on=dt.date(2026, 3, 2)
    )
    factories.penalty(case, PenaltyKind.FINE, amount="20000.00", decided_on=dt.date(2026, 3, 9))
    page = login(world.users["supervisor"]).get(f"/reports/campaign/{campaign.pk}/").content.decode()
    assert 'id="summary-preview"' in page
    assert '<td data-column="beauty_unlicensed_practice" colspan="2">1</td>' in page
    assert (
        '<td data-column="beauty_unlicensed_practice-organisation">1</td>'
        in page.split('data-row="cases"')[1]
    )
    assert (
        '<td data-column="beauty_unlicensed_practice-organisation">2'
        in page.split('data-row="fine_amount"')[1]
    )
    # A column no record feeds is blank, not zero.
    assert '<td data-column="beauty_postal"></td>' in page


def test_no_preview_for_another_kind_of_campaign(world, login):
    campaign = factories.campaign(world)
    campaign.template_code = "health_sector_safety"
    campaign.save()
    response = login(world.users["supervisor"]).get(f"/reports/campaign/{campaign.pk}/")
    assert response.status_code == 200
    assert 'id="summary-preview"' not in response.content.decode()
