"""Complaints, and the cases and penalties linked to them, made directly with the ORM for selector and
counter tests; intake through the services for everything else."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

from weijian.campaigns.models import ViolationCategory
from weijian.complaints import services
from weijian.complaints.models import Channel, Complaint, ComplaintCategory
from weijian.enforcement.models import Case, CaseSource, Penalty, PenaltyKind, SubjectType
from weijian.enforcement.services import mark_complaint_penalised

BEIJING = ZoneInfo("Asia/Shanghai")
RECEIVED_ON = dt.date(2026, 9, 28)

_serial = itertools.count(1)


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A moment on `day`, Beijing time."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=BEIJING)


def category(code: str = "other") -> ComplaintCategory:
    return ComplaintCategory.objects.get(code=code)


def custom_category(*, code: str = "ten_days", days: int = 10, on_site: bool = False) -> ComplaintCategory:
    return ComplaintCategory.objects.create(
        code=code, name=f"{days}个工作日答复", reply_working_days=days, requires_on_site_check=on_site
    )


def register(world, *, user: str = "supervisor", division: str = "county_a", **fields) -> Complaint:
    """A named hotline complaint taken by a member of staff."""
    fields.setdefault("channel", Channel.HOTLINE)
    fields.setdefault("received_at", at(RECEIVED_ON))
    fields.setdefault("category", category())
    fields.setdefault("content", "某诊所在居民楼内开展注射美容")
    fields.setdefault("name", "张先生")
    fields.setdefault("phone", "13800138000")
    return services.complaint_register(user=world.users[user], division=world.divisions[division], **fields)


def submit(world, *, division: str = "t1", **fields) -> Complaint:
    """A complaint sent through the public web form."""
    fields.setdefault("category", category())
    fields.setdefault("content", "城关镇某美容院无证开展医疗美容")
    fields.setdefault("received_at", at(RECEIVED_ON))
    if not fields.get("anonymous"):
        fields.setdefault("name", "李女士")
        fields.setdefault("phone", "138 0013 8001")
    return services.complaint_submit_public(division=world.divisions[division], **fields)


def complaint(
    world,
    *,
    division: str = "county_a",
    handling: str = "commission_a",
    received_on: dt.date = RECEIVED_ON,
    **fields,
) -> Complaint:
    """A complaint written straight to the table, in any state."""
    fields.setdefault("category", category())
    fields.setdefault("reply_due", dt.date(2026, 10, 30))
    fields.setdefault("number", f"TS{received_on.year}-9{next(_serial):05d}")
    return Complaint.objects.create(
        channel=Channel.HOTLINE,
        received_at=at(received_on),
        received_on=received_on,
        anonymous=True,
        division=world.divisions[division],
        content="举报内容",
        received_by=world.orgs["commission_a"],
        handling_organisation=world.orgs[handling],
        **fields,
    )


def case(world, complaint: Complaint, *, penalties: int = 0) -> Case:
    """A case opened from the complaint, with `penalties` measures decided."""
    violation = ViolationCategory.objects.get(code="beauty_unlicensed_practice")
    opened = Case.objects.create(
        number=f"示卫医罚〔2026〕{next(_serial)}号",
        organisation=world.orgs["supervision_a"],
        source=CaseSource.COMPLAINT,
        complaint=complaint,
        category=violation,
        title="无证开展医疗美容",
        opened_on=complaint.received_on,
        party_name="某美容工作室",
        subject_type=SubjectType.ORGANISATION,
        subject_key=f"x:{complaint.division_id}:{next(_serial)}",
        division=complaint.division,
    )
    for _i in range(penalties):
        Penalty.objects.create(
            case=opened,
            kind=PenaltyKind.FINE,
            amount=Decimal("5000.00"),
            subject_type=SubjectType.ORGANISATION,
            division=complaint.division,
            category=violation,
            decided_on=complaint.received_on,
        )
    if penalties:
        # What the decision step of enforcement.services.case_transition does for the complaint.
        mark_complaint_penalised(opened)
    return opened
