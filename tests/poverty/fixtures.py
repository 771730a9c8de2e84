"""A small registry of the poor on top of the test world, made through the services.

Township t1 (village v11, clinic vc11, township hospital th1) and township t2 (village v21, clinic vc21,
township hospital th2). Every date is a fixed day of 2026 before the services' "not in the future"
check can bite; indicators are read with an explicit `today` (see TODAY).

Who is who (the counts of tests/poverty/test_kpi.py are worked out from this table):

    key        village  status  residence     programmes              insurance       contract
    zhang_yi   v11      poor    resident      hypertension            enrolled 2026   th1 team
    zhang_er   v11      poor    resident      diabetes                enrolled 2026   —
    zhang_san  v11      poor    migrant_work  —                       no member       —
    chen_yi    v11      exited  resident      —                       enrolled 2026   —
    li_yi      v21      poor    resident      hypertension, diabetes  enrolled 2026   th2 team
    li_er      v21      poor    long_absent   —                       not enrolled    th2 team
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tests.insurance.fixtures import household as insurance_household
from tests.insurance.fixtures import member as insurance_member
from weijian.core import synthetic
from weijian.insurance import services as insurance_services
from weijian.insurance.engine.policy import POLICY_DIR
from weijian.poverty import services
from weijian.poverty.models import (
    CheckupCampaign,
    CheckupTarget,
    Contract,
    ContractCategory,
    DoctorTeam,
    FollowUp,
    FollowUpMethod,
    FollowUpResult,
    PoorHousehold,
    PoorPerson,
    PopulationGroup,
    Residence,
    ServicePackage,
    TeamRole,
    VillageCover,
)

# The day indicators are read on in the tests: Q2 2026 is the quarter before it.
TODAY = dt.date(2026, 7, 1)
ENTERED_ON = dt.date(2025, 6, 1)
EXITED_ON = dt.date(2026, 2, 1)

_serial = iter(range(500, 10**6))


def poor_id(village_code: str, born: dt.date) -> str:
    """A valid ID number (GB 11643 check character) for a person with no insurance record."""
    return synthetic.id_number(village_code, born, next(_serial))


@dataclass
class Poverty:
    households: dict[str, PoorHousehold] = field(default_factory=dict)
    persons: dict[str, PoorPerson] = field(default_factory=dict)
    teams: dict[str, DoctorTeam] = field(default_factory=dict)
    contracts: dict[str, Contract] = field(default_factory=dict)
    follow_ups: dict[str, FollowUp] = field(default_factory=dict)
    covers: dict[str, VillageCover] = field(default_factory=dict)
    campaign: CheckupCampaign | None = None


def build_poverty(world) -> Poverty:
    insurance_services.policy_load_builtin()
    su = world.users["superuser"]
    p = Poverty()
    v11, v21 = world.divisions["v11"], world.divisions["v21"]

    # Insurance members first, so that registering a poor person links the member by ID number.
    zhang = [
        insurance_member(v11.code, "张一", born=dt.date(1970, 3, 1)),
        insurance_member(v11.code, "张二", born=dt.date(1955, 8, 1)),
    ]
    chen = [insurance_member(v11.code, "陈一", born=dt.date(1980, 1, 15))]
    li = [insurance_member(v21.code, "李一", born=dt.date(1965, 4, 10))]
    li_er = [insurance_member(v21.code, "李二", born=dt.date(1990, 9, 9))]
    insurance_household(world, "zhang", "v11", zhang)
    insurance_household(world, "chen", "v11", chen)
    insurance_household(world, "li", "v21", li)
    insurance_household(world, "li_er", "v21", li_er, enrol=False)

    p.households["zhang"] = services.household_register(
        su,
        number="PH-V11-001",
        village=v11,
        head_name="张一",
        helper_name="刘帮扶",
        helper_phone="13900000001",
    )
    p.households["chen"] = services.household_register(su, number="PH-V11-002", village=v11, head_name="陈一")
    p.households["li"] = services.household_register(su, number="PH-V21-001", village=v21, head_name="李一")

    def register(key, household, id_number, name, **profile):
        p.persons[key] = services.person_register(
            su,
            household=p.households[household],
            id_number=id_number,
            name=name,
            group=PopulationGroup.REGISTERED_POOR,
            registered_year=2025,
            entered_on=ENTERED_ON,
            reason="建档立卡",
            **profile,
        )
        return p.persons[key]

    register("zhang_yi", "zhang", zhang[0]["id_number"], "张一", programmes=["hypertension"])
    register("zhang_er", "zhang", zhang[1]["id_number"], "张二", programmes=["diabetes"])
    register(
        "zhang_san",
        "zhang",
        poor_id(v11.code, dt.date(2000, 2, 2)),
        "张三",
        residence=Residence.MIGRANT_WORK,
    )
    register("chen_yi", "chen", chen[0]["id_number"], "陈一")
    register("li_yi", "li", li[0]["id_number"], "李一", programmes=["hypertension", "diabetes"])
    register("li_er", "li", li_er[0]["id_number"], "李二", residence=Residence.LONG_ABSENT)
    p.persons["chen_yi"] = services.person_status_change(
        su, p.persons["chen_yi"], action="exit", effective_on=EXITED_ON, reason="人均收入达标"
    )

    p.teams["th1"] = services.team_create(
        su,
        institution=world.institutions["th1"],
        division=world.divisions["t1"],
        name="城关镇家庭医生一队",
        members=[
            (world.practitioners["th1"], TeamRole.DOCTOR),
            (world.practitioners["vc11"], TeamRole.VILLAGE_DOCTOR),
        ],
    )
    p.teams["th2"] = services.team_create(
        su,
        institution=world.institutions["th2"],
        division=world.divisions["t2"],
        name="东山乡家庭医生一队",
        members=[(world.practitioners["th2"], TeamRole.DOCTOR)],
    )

    def sign(key, team, signed_on):
        p.contracts[key] = services.contract_sign(
            su,
            person=p.persons[key],
            team=p.teams[team],
            signed_on=signed_on,
            category=ContractCategory.REGISTERED_POOR,
            package=ServicePackage.HEALTH_MANAGEMENT,
        )

    sign("zhang_yi", "th1", dt.date(2026, 1, 10))  # valid until 2027-01-09
    sign("li_yi", "th2", dt.date(2026, 1, 20))
    sign("li_er", "th2", dt.date(2026, 2, 5))
    services.fulfilment_record(
        su, contract=p.contracts["zhang_yi"], done_on=dt.date(2026, 5, 1), content="血压测量、用药指导"
    )
    services.fulfilment_record(
        su,
        contract=p.contracts["li_yi"],
        done_on=dt.date(2026, 5, 10),
        content="上门随访",
        done=False,
        reason_not_done="migrant_work",
    )

    def follow(key, programme, done_on):
        p.follow_ups[f"{key}:{programme}"] = services.follow_up_record(
            su,
            person=p.persons[key],
            programme=programme,
            done_on=done_on,
            method=FollowUpMethod.HOME,
            result=FollowUpResult.STABLE,
        )

    follow("zhang_yi", "hypertension", dt.date(2026, 5, 1))
    follow("li_yi", "hypertension", dt.date(2026, 3, 1))
    follow("li_yi", "diabetes", dt.date(2026, 6, 15))

    p.covers["v11"] = services.village_cover_assign(
        su,
        village=v11,
        practitioner=world.practitioners["th1"],
        institution=world.institutions["th1"],
        since=dt.date(2026, 1, 1),
    )
    p.covers["v21"] = services.village_cover_assign(
        su,
        village=v21,
        practitioner=world.practitioners["th2"],
        institution=world.institutions["th2"],
        since=dt.date(2026, 1, 1),
    )

    p.campaign = services.checkup_campaign_create(
        su,
        name="2026年免费健康体检",
        division=world.divisions["county_a"],
        target=CheckupTarget.POOR_7_TO_64,
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2026, 6, 30),
    )
    services.checkup_record(
        su, campaign=p.campaign, person=p.persons["zhang_yi"], examined_on=dt.date(2026, 4, 20)
    )
    for person in p.persons.values():
        person.refresh_from_db()
    return p


def publish_one_stop(world) -> None:
    """County A adopts the built-in one-stop policy for the poor (demo-poverty) on top of demo-ncms."""
    insurance_services.policy_publish(
        None,
        document=(POLICY_DIR / "demo-poverty.toml").read_text(encoding="utf-8"),
        division=world.divisions["county_a"],
    )
