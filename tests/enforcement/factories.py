"""Campaigns, complaints and enforcement records for the enforcement tests. Cases are opened through
the services; records whose own workflow is not under test are written with the ORM."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import count

from django.utils import timezone

from weijian.campaigns.models import Campaign, ViolationCategory
from weijian.complaints.models import Channel, Complaint, ComplaintCategory
from weijian.enforcement import services
from weijian.enforcement.models import CaseSource

OPENED_ON = dt.date(2026, 3, 2)
FILED_ON = dt.date(2026, 3, 5)
DECIDED_ON = dt.date(2026, 3, 20)
CLOSED_ON = dt.date(2026, 4, 10)

_serial = count(1)


def category(code: str = "beauty_unlicensed_practice") -> ViolationCategory:
    return ViolationCategory.objects.get(code=code)


def campaign(world, *, division: str = "county_a", owner: str = "commission_a", year: int = 2026) -> Campaign:
    return Campaign.objects.create(
        name=f"{year}年打击非法医疗美容专项行动",
        year=year,
        division=world.divisions[division],
        owner=world.orgs[owner],
    )


def complaint(world, *, division: str = "t1", institution: str | None = None, of=None, **fields) -> Complaint:
    received = timezone.make_aware(dt.datetime(2026, 2, 27, 9, 30))
    return Complaint.objects.create(
        number=f"TS2026-{next(_serial):06d}",
        channel=Channel.HOTLINE,
        received_at=received,
        received_on=received.date(),
        institution=world.institutions[institution] if institution else None,
        subject_name=fields.pop("subject_name", "" if institution else "丽人美容工作室"),
        subject_address=fields.pop("subject_address", "城关镇解放路12号"),
        division=world.divisions[division],
        category=ComplaintCategory.objects.get(code="illegal_medical_beauty"),
        campaign=of,
        content="美容店内有人注射玻尿酸",
        received_by=world.orgs["supervision_a"],
        handling_organisation=world.orgs["supervision_a"],
        reply_due=dt.date(2026, 3, 27),
        **fields,
    )


def open_case(world, *, user: str = "supervisor", **fields):
    """A lead against the beauty clinic of township t1, unless another subject is named."""
    named = {"institution", "practitioner", "party_name", "complaint", "referral", "inspection"}
    if not named & set(fields):
        fields["institution"] = world.institutions["beauty_t1"]
    fields.setdefault("category", category())
    fields.setdefault("title", "美丽医疗美容诊所超范围开展医疗美容项目")
    fields.setdefault("source", CaseSource.INSPECTION)
    fields.setdefault("opened_on", OPENED_ON)
    return services.case_open(user=world.users[user], **fields)


def penalties(*items) -> list[dict]:
    return list(items) or [
        {"kind": "warning", "description": "警告"},
        {"kind": "fine", "amount": Decimal("30000.00"), "description": "罚款三万元"},
    ]


def decision(**overrides) -> dict:
    data = {
        "decided_on": DECIDED_ON,
        "facts": "超出备案范围开展注射类医疗美容项目",
        "law_violated": "《医疗机构管理条例》第二十六条",
        "penalty_basis": "《医疗机构管理条例》第四十六条",
        "penalties": penalties(),
    }
    data.update(overrides)
    return data


def move(world, case, user, action, **data):
    return services.case_transition(user=world.users[user], case_id=case.pk, action=action, **data)


def to_decided(world, case, *, procedure: str = "general", user: str = "supervisor", **decision_data):
    move(world, case, user, "verify")
    move(world, case, user, "file", procedure=procedure, filed_on=FILED_ON)
    if procedure == "general":
        move(world, case, user, "investigate")
    return move(world, case, user, "decide", **decision(**decision_data))


def to_closed(world, case, *, user: str = "supervisor", **decision_data):
    to_decided(world, case, user=user, **decision_data)
    move(world, case, user, "execute")
    return move(world, case, user, "close", closed_on=CLOSED_ON)


def user_at(organisation, username: str, role: str = "supervisor"):
    """A user with `role` at `organisation`, for worlds that need more than one user per role."""
    from django.contrib.auth.models import Group

    from weijian.core.models import User

    user = User.objects.create_user(username=username, password="unused-pass-1", organisation=organisation)
    user.groups.add(Group.objects.get(name=role))
    return user


def third_county(world):
    """A county C with its health commission, outside both counties of the world."""
    from weijian.core.models import Division, DivisionLevel, Organisation, OrganisationKind

    division = Division.objects.create(
        code="369903000000", name="远县", level=DivisionLevel.COUNTY, parent=world.divisions["city"]
    )
    return Organisation.objects.create(
        name="远县卫生健康委员会", kind=OrganisationKind.COMMISSION, division=division
    )


def snapshot(case) -> tuple:
    """Everything a case action may write, to show that a refused one wrote nothing."""
    from weijian.core.audit import field_values
    from weijian.core.models import AuditEntry
    from weijian.enforcement.models import Case, CreditPoint, Referral

    case = Case.objects.get(pk=case.pk)
    return (
        field_values(case),
        sorted(case.penalties.values_list("pk", flat=True)),
        case.events.count(),
        Referral.objects.count(),
        CreditPoint.objects.count(),
        AuditEntry.objects.count(),
    )
