"""A small poverty registry on the test world, built through the services: two households in county A's
two townships, poor persons with programmes (two of them scheme members of the financing fixture), a
family-doctor team with a contract, a service and follow-ups, a village cover with sitting days, a
check-up campaign and one reconciliation mismatch.

The page tests use it; the service and indicator tests use tests/poverty/fixtures.py, whose fixed 2026
dates let their counts be worked out by hand. Here dates are counted back from today, so who is
overdue does not depend on the day the tests run:
王大山's last hypertension follow-up was 100 days ago (interval 90: 10 days overdue), 张三's diabetes
follow-up 10 days ago (on time).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from weijian.core import synthetic
from weijian.poverty import services
from weijian.poverty.models import (
    CheckupCampaign,
    CheckupTarget,
    Contract,
    DoctorTeam,
    ListSource,
    Mismatch,
    PoorHousehold,
    PoorPerson,
    StatusAction,
    TeamRole,
    VillageCover,
)


@dataclass
class PovertyWorld:
    today: dt.date
    households: dict[str, PoorHousehold] = field(default_factory=dict)
    persons: dict[str, PoorPerson] = field(default_factory=dict)
    team: DoctorTeam | None = None
    contract: Contract | None = None
    cover: VillageCover | None = None
    campaign: CheckupCampaign | None = None
    mismatch: Mismatch | None = None


def build_page_world(world, financing) -> PovertyWorld:
    system = world.users["superuser"]
    today = timezone.localdate()
    days = lambda n: today - dt.timedelta(days=n)  # noqa: E731
    entered = days(400)
    p = PovertyWorld(today=today)
    v11, v21 = world.divisions["v11"], world.divisions["v21"]

    p.households["wang"] = services.household_register(
        system,
        number="P369901001001001",
        village=v11,
        head_name="王大山",
        helper_name="刘帮扶",
        helper_phone="13900000001",
    )
    p.households["li"] = services.household_register(
        system, number="P369901002001001", village=v21, head_name="李四"
    )
    wang_member = financing.households["wang"].members.get(name="王大山")
    li_member = financing.households["li"].members.get(name="李四")

    def register(key, household, id_number, name, programmes, **profile):
        p.persons[key] = services.person_register(
            system,
            household=household,
            id_number=id_number,
            name=name,
            group=profile.pop("group", "registered_poor"),
            registered_year=2016,
            entered_on=entered,
            reason="建档立卡",
            programmes=programmes,
            **profile,
        )
        return p.persons[key]

    register("wang", p.households["wang"], wang_member.id_number, "王大山", ["hypertension"])
    register(
        "zhang",
        p.households["wang"],
        synthetic.id_number(v11.code, dt.date(1960, 3, 4), 701),
        "张三",
        ["diabetes"],
    )
    register(
        "gone",
        p.households["wang"],
        synthetic.id_number(v11.code, dt.date(1990, 6, 1), 702),
        "钱已脱",
        ["hypertension"],
    )
    services.person_status_change(
        system, p.persons["gone"], action=StatusAction.EXIT, effective_on=days(30), reason="脱贫"
    )
    register("li", p.households["li"], li_member.id_number, "李四", ["hypertension"])

    p.team = services.team_create(
        system,
        institution=world.institutions["th1"],
        division=world.divisions["t1"],
        name="城关镇第一家庭医生团队",
        members=[
            (world.practitioners["th1"], TeamRole.DOCTOR),
            (world.practitioners["vc11"], TeamRole.VILLAGE_DOCTOR),
        ],
    )
    p.contract = services.contract_sign(
        system,
        person=p.persons["wang"],
        team=p.team,
        signed_on=days(120),
        category="registered_poor",
        package="basic",
    )
    services.fulfilment_record(system, contract=p.contract, done_on=days(100), content="血压测量")
    services.follow_up_record(
        system,
        person=p.persons["wang"],
        programme="hypertension",
        done_on=days(100),
        method="home",
        result="stable",
    )
    services.follow_up_record(
        system,
        person=p.persons["zhang"],
        programme="diabetes",
        done_on=days(10),
        method="phone",
        result="stable",
    )
    services.follow_up_record(
        system,
        person=p.persons["li"],
        programme="hypertension",
        done_on=days(200),
        method="home",
        result="stable",
    )

    p.cover = services.village_cover_assign(
        system,
        village=v11,
        practitioner=world.practitioners["th1"],
        institution=world.institutions["th1"],
        since=days(400),
    )
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    before = (last_month - dt.timedelta(days=1)).replace(day=1)
    services.sitting_record(system, cover=p.cover, month=last_month, days=8)
    services.sitting_record(system, cover=p.cover, month=before, days=5)

    p.campaign = services.checkup_campaign_create(
        system,
        name="全县贫困人口免费体检",
        division=world.divisions["county_a"],
        target=CheckupTarget.POOR_7_TO_64,
        starts_on=days(10),
        ends_on=today + dt.timedelta(days=20),
    )

    services.list_import(
        system,
        source=ListSource.POVERTY,
        division=world.divisions["county_a"],
        file_name="roster.xlsx",
        rows=[],
    )
    run = services.reconciliation_start(system, division=world.divisions["county_a"])
    services.reconciliation_apply(
        run,
        [
            {
                "kind": "not_enrolled",
                "source": ListSource.POVERTY,
                "row": 3,
                "other_source": ListSource.INSURANCE,
                "other_row": None,
                "id_number": p.persons["zhang"].id_number,
                "name": "张三",
                "village": v11.code,
                "detail": "贫困人口未参保",
            }
        ],
        today=today,
    )
    services.finish_run(run)
    p.mismatch = Mismatch.objects.get(name="张三")
    return p


@pytest.fixture
def poverty_world(world, financing) -> PovertyWorld:
    return build_page_world(world, financing)
