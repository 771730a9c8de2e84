"""Records the forms count, written straight to the tables (the enforcement and complaints services
are not what these tests are about). Subjects are filled the way the services fill them."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from weijian.campaigns.models import Campaign, ViolationCategory
from weijian.complaints.models import Channel, Complaint, ComplaintCategory
from weijian.enforcement.models import Case, CaseSource, JudicialTransfer, Penalty, SiteCheck
from weijian.enforcement.services import mark_complaint_penalised
from weijian.enforcement.subjects import fill_subject, mark_first_checks

_serial = itertools.count(1)


def campaign(world, *, division="county_a", start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), name=None):
    return Campaign.objects.create(
        name=name or "医疗美容专项整治",
        year=start.year,
        division=world.divisions[division],
        owner=world.orgs["commission_a"],
        start=start,
        end=end,
    )


def _subject(world, record, *, institution=None, practitioner=None, party=None, person=False, division=None):
    if institution:
        record.institution = world.institutions[institution]
    elif practitioner:
        record.practitioner = world.practitioners[practitioner]
    else:
        record.party_name = party or "某生活美容店"
        record.party_is_person = person
        record.division = world.divisions[division or "t1"]
    fill_subject(record)
    return record


def site_check(world, campaign, category, *, on=dt.date(2026, 3, 1), **subject):
    record = SiteCheck(campaign=campaign, category_id=category, checked_on=on)
    _subject(world, record, **subject)
    record.save()
    mark_first_checks(record.campaign_id, record.category_id, record.subject_key)
    record.refresh_from_db()
    return record


def case(
    world,
    campaign,
    category,
    *,
    opened_on=dt.date(2026, 3, 1),
    filed_on=None,
    decided_on=None,
    closed_on=None,
    procedure="",
    complaint=None,
    is_typical=False,
    **subject,
):
    record = Case(
        number=f"示卫罚〔2026〕{next(_serial)}号",
        organisation=world.orgs["supervision_a"],
        campaign=campaign,
        source=CaseSource.INSPECTION,
        category_id=category,
        title=f"{category}案",
        facts="超范围开展二级手术项目",
        law_violated="违反了《医疗美容服务管理办法》第十一条",
        penalty_basis="按照《医疗机构管理条例实施细则》第八十条进行处罚",
        procedure=procedure,
        opened_on=opened_on,
        filed_on=filed_on,
        decided_on=decided_on,
        closed_on=closed_on,
        complaint=complaint,
        is_typical=is_typical,
    )
    _subject(world, record, **subject)
    record.save()
    return record


def penalty(case, kind, *, amount=None, subject_type=None, decided_on=None, description=""):
    # What the decision step of enforcement.services.case_transition does for the complaint.
    mark_complaint_penalised(case)
    return Penalty.objects.create(
        case=case,
        kind=kind,
        amount=None if amount is None else Decimal(amount),
        description=description,
        subject_type=subject_type or case.subject_type,
        campaign=case.campaign,
        division=case.division,
        category=case.category,
        decided_on=decided_on or case.decided_on,
    )


def transfer(case, *, sent_on, subject_type=None):
    return JudicialTransfer.objects.create(
        case=case,
        receiving_body="示范县公安局",
        sent_on=sent_on,
        campaign=case.campaign,
        division=case.division,
        category=case.category,
        subject_type=subject_type or case.subject_type,
    )


def complaint(world, campaign, *, received_on=dt.date(2026, 3, 1), division="t1", institution=None, **fields):
    at = timezone.make_aware(dt.datetime.combine(received_on, dt.time(9)))
    return Complaint.objects.create(
        number=f"TS2026-{next(_serial):06d}",
        channel=Channel.HOTLINE,
        received_at=at,
        received_on=received_on,
        institution=world.institutions[institution] if institution else None,
        subject_name="" if institution else "某美容店",
        division=world.divisions[division],
        category=ComplaintCategory.objects.get(code="illegal_medical_beauty"),
        campaign=campaign,
        content="无证开展注射美容",
        received_by=world.orgs["supervision_a"],
        handling_organisation=world.orgs["supervision_a"],
        reply_due=received_on + dt.timedelta(days=28),
        **fields,
    )


def category(code: str) -> ViolationCategory:
    return ViolationCategory.objects.get(code=code)
