"""A complaint goes to the health side or an institution; a partner department gets a referral instead."""

import datetime as dt

import pytest

from weijian.complaints import selectors, services
from weijian.complaints.models import ComplaintCategory
from weijian.core.errors import DomainError

pytestmark = pytest.mark.django_db


def test_a_partner_department_is_not_a_transfer_target(world):
    complaint = services.complaint_register(
        user=world.users["supervisor"],
        channel="hotline",
        received_at=dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC),
        division=world.divisions["t1"],
        category=ComplaintCategory.objects.get(code="illegal_medical_beauty"),
        content="美容店注射玻尿酸",
        subject_name="某美容店",
        name="张三",
        phone="13800000000",
    )
    market = world.orgs["market_a"]
    assert market not in selectors.transfer_targets(world.users["commission_leader"], complaint)
    with pytest.raises(DomainError) as refused:
        services.complaint_transition(
            user=world.users["commission_leader"],
            complaint_id=complaint.pk,
            action="transfer",
            to_organisation=market,
        )
    assert refused.value.field == "to_organisation"
    complaint.refresh_from_db()
    assert complaint.state == "received" and complaint.handling_organisation != market
    assert world.institutions["county_hospital"].organisation in selectors.transfer_targets(
        world.users["commission_leader"], complaint
    )
