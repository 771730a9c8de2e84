"""The home page lists the complaints past their reply date that the user can see, and only those."""

import datetime as dt

import pytest
from django.utils import timezone

from weijian.complaints import services
from weijian.complaints.models import ComplaintCategory

pytestmark = pytest.mark.django_db


def _complaint(world, division_key, received_at):
    return services.complaint_register(
        user=world.users["superuser"],
        channel="hotline",
        received_at=received_at,
        division=world.divisions[division_key],
        category=ComplaintCategory.objects.get(code="fees"),
        content="乱收费",
        subject_name="某诊所",
        anonymous=True,
    )


def test_home_shows_overdue_complaints_in_scope(world, login):
    long_ago = timezone.now() - dt.timedelta(days=90)
    old = _complaint(world, "t1", long_ago)
    recent = _complaint(world, "t1", timezone.now())
    elsewhere = _complaint(world, "tb1", long_ago)
    page = login(world.users["supervisor"]).get("/").content.decode()
    assert 'id="overdue-complaints"' in page
    assert old.number in page
    assert recent.number not in page
    assert elsewhere.number not in page


def test_home_has_no_complaint_panel_without_the_permission(world, login):
    _complaint(world, "t1", timezone.now() - dt.timedelta(days=90))
    page = login(world.users["insurance_clerk"]).get("/").content.decode()
    assert 'id="overdue-complaints"' not in page
