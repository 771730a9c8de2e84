"""Demo county, core part: the division tree, the county's offices and departments, the demo logins."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils.translation import gettext as _

from weijian.core.models import (
    Department,
    Division,
    DivisionLevel,
    Organisation,
    OrganisationKind,
    ScopeMode,
    User,
)
from weijian.core.roles import ROLE_BY_CODE, ROLES, sync_roles
from weijian.core.textsearch import search_key

from . import names
from .context import DemoContext, DemoLogin

DEMO_PASSWORD = "weijian-demo"

PROVINCE = ("360000000000", "江西省")
CITY = ("369900000000", "示范市")
COUNTY = ("369901000000", "示范县")
COUNTY_CODE = COUNTY[0]

# The first is the county seat; the township staff login works at its hospital.
# fmt: off
TOWNSHIPS = (
    "城关镇", "东山乡", "河口镇", "石桥镇", "青山乡", "龙泉镇",
    "白沙乡", "长岭乡", "新田镇", "黄坪乡", "梅林镇", "桃源乡",
)
# fmt: on
VILLAGES = 200
# Residents' committees (社区) of the county seat; 统计用区划代码 numbers them 001-199, villages 200-399.
SEAT_COMMUNITIES = ("城东社区", "城西社区")

# The health offices, named after the county: (key, name, kind, credit-code kind: 2 = public institution).
HEALTH_OFFICES = (
    ("commission", "卫生健康委员会", OrganisationKind.COMMISSION, "1"),
    ("supervision_institute", "卫生健康综合监督执法局", OrganisationKind.SUPERVISION_INSTITUTE, "2"),
    ("scheme_office", "农村合作医疗管理办公室", OrganisationKind.SCHEME_OFFICE, "2"),
)
# The partner departments, government organs (credit-code kind 1): (key, name, department).
DEPARTMENTS = (
    ("medical_insurance", "医疗保障局", Department.MEDICAL_INSURANCE),
    ("civil_affairs", "民政局", Department.CIVIL_AFFAIRS),
    ("poverty_alleviation", "乡村振兴局", Department.POVERTY_ALLEVIATION),
    ("public_security", "公安局", Department.PUBLIC_SECURITY),
    ("market_regulation", "市场监督管理局", Department.MARKET_REGULATION),
    ("cyberspace", "委网络安全和信息化委员会办公室", Department.CYBERSPACE),
    ("development_reform", "发展和改革委员会", Department.DEVELOPMENT_REFORM),
    ("finance", "财政局", Department.FINANCE),
    ("human_resources", "人力资源和社会保障局", Department.HUMAN_RESOURCES),
    ("education", "教育体育局", Department.EDUCATION),
    ("procuratorate", "人民检察院", Department.JUSTICE),
    ("supervision_committee", "监察委员会", Department.OTHER),
)

# Where each demo login works: a key of DemoContext.organisations. The institutions are the
# registry part's, so the logins are made after it (see build.PARTS).
LOGINS = (
    ("commission_leader", "commission"),
    ("supervisor", "supervision_institute"),
    ("department_officer", "market_regulation"),
    ("institution_manager", "county_hospital"),
    ("insurance_clerk", "scheme_office"),
    ("institution_cashier", "county_hospital"),
    ("township_staff", "first_township_hospital"),
    ("village_doctor", "first_village_clinic"),
    ("auditor", "supervision_committee"),
)
ADMIN = ("admin", "系统管理员", "commission")
# Logins that are the person in charge of their institution (its head, in the register).
HEADS = frozenset({"institution_manager", "village_doctor"})


def generate(ctx: DemoContext) -> None:
    """Divisions and the county's own offices and partner departments."""
    _divisions(ctx)
    _offices(ctx)


def _divisions(ctx: DemoContext) -> None:
    ctx.province = Division(code=PROVINCE[0], name=PROVINCE[1], level=DivisionLevel.PROVINCE)
    ctx.city = Division(code=CITY[0], name=CITY[1], level=DivisionLevel.CITY, parent=ctx.province)
    ctx.county = Division(code=COUNTY[0], name=COUNTY[1], level=DivisionLevel.COUNTY, parent=ctx.city)
    county = ctx.county.code[:6]
    ctx.townships = [
        Division(code=f"{county}{i:03d}000", name=name, level=DivisionLevel.TOWNSHIP, parent=ctx.county)
        for i, name in enumerate(TOWNSHIPS, start=1)
    ]
    seat = ctx.townships[0]
    communities = [
        Division(code=f"{seat.code[:9]}{i:03d}", name=name, level=DivisionLevel.VILLAGE, parent=seat)
        for i, name in enumerate(SEAT_COMMUNITIES, start=1)
    ]
    villages = []
    for township, count in zip(ctx.townships, _spread(ctx, VILLAGES, len(ctx.townships)), strict=True):
        villages += [
            Division(
                code=f"{township.code[:9]}{200 + i:03d}",
                name=f"{name}村",
                level=DivisionLevel.VILLAGE,
                parent=township,
            )
            for i, name in enumerate(names.village_names(ctx.random, count), start=1)
        ]
    ctx.villages = communities + villages
    ctx.save([ctx.province, ctx.city, ctx.county, *ctx.townships, *ctx.villages])
    ctx.log(f"divisions: {len(ctx.townships)} townships, {len(ctx.villages)} villages and communities")


def _spread(ctx: DemoContext, total: int, parts: int) -> list[int]:
    """Split `total` into `parts` uneven but similar shares (the county seat gets a few fewer)."""
    weights = [ctx.random.uniform(0.7, 1.3) for _ in range(parts)]
    weights[0] *= 0.6
    shares = [int(total * w / sum(weights)) for w in weights]
    for i in range(total - sum(shares)):
        shares[i % parts] += 1
    return shares


def _offices(ctx: DemoContext) -> None:
    county = ctx.county
    units = [(key, name, kind, "", code_kind) for key, name, kind, code_kind in HEALTH_OFFICES]
    units += [
        (key, name, OrganisationKind.DEPARTMENT, department, "1") for key, name, department in DEPARTMENTS
    ]
    for key, name, kind, department, code_kind in units:
        ctx.organisations[key] = Organisation(
            name=f"{county.name}{name}",
            kind=kind,
            department=department,
            division=county,
            credit_code=ctx.credit_code(county.code, authority="1", kind=code_kind),
            scope_mode=ScopeMode.SUBTREE,
            search_key=search_key(f"{county.name}{name}"),
        )
    ctx.save([ctx.organisations[key] for key, *_rest in units])
    ctx.log(f"offices and departments: {len(units)}")


def generate_users(ctx: DemoContext) -> None:
    """One demo login per role, plus the superuser `admin`, all with DEMO_PASSWORD."""
    # One hash for all: hashing is deliberately slow, and these are demo logins.
    password = make_password(DEMO_PASSWORD) if ctx.write else ""
    groups = _role_groups(ctx)
    heads = {i.organisation_id: i.head for i in ctx.institutions}
    users, memberships = [], []
    for role, organisation_key in LOGINS:
        organisation = ctx.organisations[organisation_key]
        full_name = names.person_name(ctx.random, male=ctx.random.random() < 0.6)
        if role in HEADS and heads.get(organisation.pk):
            full_name = heads[organisation.pk]
        user = User(username=role, password=password, full_name=full_name, organisation=organisation)
        users.append(user)
        ctx.logins.append(DemoLogin(role, role_label(role), organisation.name))
    username, full_name, organisation_key = ADMIN
    admin = User(
        username=username,
        password=password,
        full_name=full_name,
        is_staff=True,
        is_superuser=True,
        organisation=ctx.organisations[organisation_key],
    )
    ctx.logins.append(DemoLogin(username, role_label(username), admin.organisation.name))
    ctx.users = ctx.save([*users, admin])
    for user, (role, _key) in zip(users, LOGINS, strict=True):
        memberships.append({"user_id": user.pk, "group_id": groups[role].pk})
    ctx.link(User.groups.through, memberships)
    ctx.log(f"demo logins: {len(ctx.users)}")


def _role_groups(ctx: DemoContext) -> dict[str, Group]:
    if not ctx.write:
        return {role.code: Group(pk=i, name=role.code) for i, role in enumerate(ROLES, start=1)}
    sync_roles()  # after a flush the groups may be gone
    return {group.name: group for group in Group.objects.filter(name__in=[role.code for role in ROLES])}


def role_label(username: str) -> str:
    return _("Superuser") if username == ADMIN[0] else str(ROLE_BY_CODE[username].label)


def demo_logins() -> list[DemoLogin]:
    """The demo logins in the database, in role order (for `weijian demo` on a county built before)."""
    usernames = [*(username for username, _key in LOGINS), ADMIN[0]]
    users = User.objects.select_related("organisation").in_bulk(usernames, field_name="username")
    return [
        DemoLogin(name, role_label(name), users[name].organisation.name if users[name].organisation else "")
        for name in usernames
        if name in users
    ]
