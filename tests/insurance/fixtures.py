"""Health-financing records on top of the test world: the built-in policy, two enrolled households
(one with a certified 低保 member) in county A and one in county B, for service, page and scope tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from weijian.core import synthetic
from weijian.insurance import services
from weijian.insurance.models import Household, SpecialGroup

YEAR = 2026
PAID_ON = dt.date(2025, 12, 10)

_serial = iter(range(1, 10**6))


@dataclass
class Financing:
    households: dict[str, Household] = field(default_factory=dict)


def member(
    division_code: str, name: str, *, group: str = SpecialGroup.NONE, born=dt.date(1970, 5, 1)
) -> dict:
    serial = next(_serial)
    return {
        "name": name,
        "id_number": synthetic.id_number(division_code, born, serial),
        "birth_date": born,
        "special_group": group,
        "certificate_number": f"DB{serial:06d}" if group != SpecialGroup.NONE else "",
        "card_number": f"HZ{serial:08d}",
    }


def household(
    world, key: str, village: str, members: list[dict], *, enrol: bool = True, user=None
) -> Household:
    division = world.divisions[village]
    user = user or world.users["superuser"]
    created = services.household_register(
        user,
        division=division,
        number=f"{division.code}{next(_serial):04d}",
        head_name=members[0]["name"],
        members=members,
    )
    if enrol:
        covered = any(m["special_group"] in ("wubao", "dibao", "tekun") for m in members)
        services.household_enrol(
            user,
            created,
            year=YEAR,
            paid_on=PAID_ON,
            receipt_number=f"SJ{next(_serial):08d}",
            civil_affairs_receipt=f"MZ{next(_serial):08d}" if covered else "",
        )
    return created


def build_financing(world) -> Financing:
    services.policy_load_builtin()
    f = Financing()
    v11, v21 = world.divisions["v11"].code, world.divisions["v21"].code
    f.households["wang"] = household(
        world, "wang", "v11", [member(v11, "王大山"), member(v11, "王小花", group="dibao")]
    )
    f.households["li"] = household(
        world, "li", "v21", [member(v21, "李四"), member(v21, "李五"), member(v21, "李六")]
    )
    f.households["unenrolled"] = household(world, "zhao", "v11", [member(v11, "赵一")], enrol=False)
    tb1 = world.divisions["tb1"].code
    f.households["neighbour"] = household(world, "neighbour", "tb1", [member(tb1, "邻县人")])
    return f
